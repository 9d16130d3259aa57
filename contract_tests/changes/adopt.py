"""Taking a new upstream version of a document into ``specs/``, only after showing what changed.

The upstream text is written verbatim (the OpenAPI block of an Apifox export, or the plain file),
never re-serialized: the documents' quirks are part of the contract and a YAML round trip would
reorder keys, drop comments and hide what the upstream actually published.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from contract_tests.changes import sources
from contract_tests.changes.diff import diff
from contract_tests.changes.findings import Finding, Level, fails
from contract_tests.changes.loading import Loaded, LoadError, load
from contract_tests.core.specs import SpecError, document_from

DOC_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclass
class Plan:
    """What adopting ``incoming`` as ``doc_id`` would do, decided before anything is written."""

    doc_id: str
    target: Path
    incoming: Loaded
    current: Loaded | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return self.current is None

    @property
    def unchanged(self) -> bool:
        return self.current is not None and self.current.text == self.incoming.text

    def blocked(self, fail_on: Level | None, accept_breaking: bool) -> bool:
        """Whether the changes are too severe to write without ``--accept-breaking``."""
        return not accept_breaking and fails(self.findings, fail_on)


def plan(source: str, doc_id: str, directory: Path | None = None) -> Plan:
    """Load ``source`` and diff it against the committed ``doc_id`` (``LoadError`` if unusable, or if
    the registry could not check it)."""
    if not DOC_ID.match(doc_id):
        raise ValueError(f"invalid document id {doc_id!r}: use lower-case letters, digits and dashes")
    target = (directory or sources.specs_dir()) / f"{doc_id}.yaml"
    incoming = load(source)
    # specs/ is the registry's input: a document it would refuse (OpenAPI 3.1, a broken $ref, one
    # openapi-core rejects) is not adopted, with the registry's own message, rather than written and
    # found broken by the mock. The registry's own gate decides, on the parsed document.
    try:
        document_from(incoming.document, target, doc_id, source=incoming.source)
    except SpecError as exc:
        raise LoadError(incoming.source, str(exc).removeprefix(f"{incoming.source}: ")) from None
    current = load(str(target)) if target.exists() else None
    findings = diff(current, incoming) if current is not None else []
    return Plan(doc_id, target, incoming, current, findings)


def write(chosen: Plan) -> Path:
    """Write the incoming text verbatim and record where it came from; returns the written file.

    An Apifox export is also kept whole in ``upstream/`` (replacing the previous one), so the
    committed document can always be checked against, and re-adopted from, what was published.
    """
    text = chosen.incoming.text if chosen.incoming.text.endswith("\n") else chosen.incoming.text + "\n"
    directory = chosen.target.parent
    directory.mkdir(parents=True, exist_ok=True)
    chosen.target.write_text(text, encoding="utf-8")
    previous = sources.export_of(chosen.doc_id, directory)
    export = _keep_export(chosen, directory)
    if previous is not None and previous != export and previous.resolve().is_relative_to(directory.resolve()):
        previous.unlink(missing_ok=True)  # only ever a file of the specs directory, whatever the entry says
    sources.record(
        chosen.doc_id,
        chosen.incoming.source,
        directory,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        adopted=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        format="apifox-markdown" if chosen.incoming.wrapped else "openapi",
        export=sources.export_name(chosen.doc_id) if export is not None else None,
    )
    return chosen.target


def _keep_export(chosen: Plan, directory: Path) -> Path | None:
    """Write the published Apifox page beside the specs; a plain document is its own export."""
    if not chosen.incoming.wrapped:
        return None
    export = directory / sources.export_name(chosen.doc_id)
    export.parent.mkdir(parents=True, exist_ok=True)
    export.write_text(chosen.incoming.published, encoding="utf-8")
    return export

