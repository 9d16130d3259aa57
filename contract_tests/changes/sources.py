"""Where each committed document comes from: ``specs/sources.json``.

The registry loads every ``*.yaml`` in ``specs/`` as an OpenAPI document, so provenance lives in a
JSON file next to them. Each entry names the upstream source (URL or file) of a document id and the
environment variable that can override it: the upstream Apifox URLs are not public knowledge, so CI
takes them from repository variables (``SORA_UPSTREAM_JXINCM_PRIVATE``...) and skips a document whose
source is unset, saying so.

An entry's ``export`` names the file the document was cut from, as published (an Apifox page, kept in
``specs/upstream/``): the evidence that the committed YAML is the upstream's text, verbatim, and a
source ``adopt`` can read again offline.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contract_tests.core.bundled import document_files, specs_dir

SOURCES_FILE = "sources.json"
EXPORTS_DIR = "upstream"


def export_name(doc_id: str) -> str:
    """Where ``adopt`` keeps a document's Apifox export, relative to the specs directory."""
    return f"{EXPORTS_DIR}/{doc_id}.apifox.md"


def export_of(doc_id: str, directory: Path | None = None) -> Path | None:
    """The recorded export of ``doc_id`` (``None``: the document was published as plain OpenAPI)."""
    directory = directory or specs_dir()
    name = read_sources(directory).get(doc_id, {}).get("export")
    return directory / str(name) if name else None


def upstream_variable(doc_id: str) -> str:
    """The environment variable naming a document's upstream: ``SORA_UPSTREAM_JXINCM_PRIVATE``."""
    return "SORA_UPSTREAM_" + "".join(c if c.isalnum() else "_" for c in doc_id).upper()


@dataclass(frozen=True)
class Upstream:
    """A committed document and where its next version is read from (``None``: not configured)."""

    doc_id: str
    path: Path
    source: str | None
    variable: str


def read_sources(directory: Path | None = None) -> dict[str, dict[str, Any]]:
    """The provenance entries, ``{}`` when the file is missing."""
    file = (directory or specs_dir()) / SOURCES_FILE
    if not file.is_file():
        return {}
    data = json.loads(file.read_text(encoding="utf-8"))
    return {str(k): v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}


def write_sources(entries: dict[str, dict[str, Any]], directory: Path | None = None) -> Path:
    """Write the provenance entries (sorted, stable diffs) and return the file."""
    file = (directory or specs_dir()) / SOURCES_FILE
    file.write_text(json.dumps(dict(sorted(entries.items())), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return file


def record(doc_id: str, source: str, directory: Path | None = None, **extra: Any) -> Path:
    """Remember that ``doc_id`` was taken from ``source`` (other keys of the entry are kept)."""
    entries = read_sources(directory)
    entry = entries.setdefault(doc_id, {})
    entry.update({"upstream": source, **extra})
    entry.setdefault("variable", upstream_variable(doc_id))
    return write_sources(entries, directory)


def upstreams(directory: Path | None = None, environ: dict[str, str] | None = None) -> list[Upstream]:
    """Every committed document with its upstream: the environment variable wins over the file."""
    directory = directory or specs_dir()
    env = os.environ if environ is None else environ
    entries = read_sources(directory)
    found = []
    for path in document_files(directory):
        entry = entries.get(path.stem, {})
        variable = str(entry.get("variable") or upstream_variable(path.stem))
        source = env.get(variable) or entry.get("upstream") or None
        found.append(Upstream(path.stem, path, str(source) if source else None, variable))
    return found
