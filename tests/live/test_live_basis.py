"""What each invalid class rests on: the documents (a failure live) or practice (an observation)."""

from __future__ import annotations

import re
from pathlib import Path

from contract_tests.suite.cases import INVALID
from contract_tests.testing.strategies import DOCUMENT, INVALID_CLASSES, PRACTICE

README = Path(__file__).resolve().parents[2] / "README.md"


def test_only_what_the_documents_state_is_document_backed() -> None:
    """Required properties (and an empty body where something is required) and the ``security``
    scheme; unknown fields, duplicates, part kinds, malformed multipart and media types are practice."""
    backed = {c.id for c in INVALID_CLASSES.values() if c.basis == DOCUMENT}
    assert backed == {
        "missing_required", "empty_body", "value_out_of_schema", "value_wrong_type", "no_auth", "basic_auth"
    }
    assert {c.basis for c in INVALID_CLASSES.values()} == {DOCUMENT, PRACTICE}


def test_document_backed_cases_come_first_for_each_document() -> None:
    """Live, a lenient relay's accepted practice requests can reach the cap; the contract's own
    promises are sent before that can happen."""
    for doc_id in {p.values[0] for p in INVALID}:
        bases = [INVALID_CLASSES[str(p.values[1]).split(":")[0]].basis for p in INVALID if p.values[0] == doc_id]
        assert bases == sorted(bases, key=lambda basis: basis != DOCUMENT), doc_id


def test_the_readme_table_gives_each_class_its_basis() -> None:
    rows = re.findall(r"^\| (`[a-z_]+`.*?) \| (\d{3}) \| .*? \| .*? \| (document|practice) \|$", README.read_text(
        "utf-8"), re.M)
    shown = {cls: basis for names, _, basis in rows for cls in re.findall(r"`([a-z_]+)`", names.split("(")[0])}
    assert shown == {c.id: c.basis for c in INVALID_CLASSES.values()}
