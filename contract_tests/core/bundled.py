"""Where the OpenAPI documents are read from: ``$SORA_SPECS_DIR``, else the ones the toolkit ships.

The repository keeps the documents in its top-level ``specs/``, their single source. A wheel carries
that folder inside the package as ``contract_tests/bundled_specs`` (``pyproject.toml`` maps the one
onto the other, nothing is copied into the repository), so an installed toolkit finds its documents
with no checkout around it. A checkout, or an editable install of one, has no such folder and reads
``specs/`` itself.

This module imports nothing heavy: the change gate finds its directory without loading openapi-core.
"""

from __future__ import annotations

import os
from pathlib import Path

SPECS_ENV = "SORA_SPECS_DIR"
_PACKAGE = Path(__file__).resolve().parent.parent  # contract_tests/, above core/
# Where pyproject.toml's package-dir puts a copy of the repository's specs/ in a wheel.
_INSTALLED = _PACKAGE / "bundled_specs"
_CHECKOUT = _PACKAGE.parent / "specs"


def bundled_specs_dir() -> Path:
    """The documents that came with the toolkit: the installed copy, else the checkout's ``specs/``.

    When neither exists (a broken install), the installed path is returned, so the error that
    follows names the place the documents should have been.
    """
    if _INSTALLED.is_dir() or not _CHECKOUT.is_dir():
        return _INSTALLED
    return _CHECKOUT


def document_files(directory: Path) -> list[Path]:
    """The OpenAPI documents of a specs directory, in the one order everything reads them.

    The registry, the change gate's ``lint``/``check-upstream`` and provenance all list documents
    with this, so a ``.yml`` file counts everywhere or nowhere.
    """
    return sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))


def specs_dir() -> Path:
    """The documents in use: ``$SORA_SPECS_DIR`` when set, else :func:`bundled_specs_dir`."""
    env = os.environ.get(SPECS_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return bundled_specs_dir()
