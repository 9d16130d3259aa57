"""Hand-edited upstream documents can hold anything anywhere: diff and lint must report, not crash.

Hypothesis replaces one node of the base document with arbitrary JSON-like junk; diffing in both
directions and linting must still return findings from the catalog.
"""

from __future__ import annotations

from typing import Any

from changes_docs import base_document, dump
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract_tests.changes.diff import diff
from contract_tests.changes.lint import lint
from contract_tests.changes.loading import LoadError, parse
from contract_tests.changes.rules import CATALOG


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*prefix, i))
    return found


PATHS = _paths(base_document())
KEYS = st.sampled_from(["type", "$ref", "x", "properties", "required", "enum"])
JUNK = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(["", "x", "#/components/schemas/X", "2.0"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), junk=JUNK)
def test_junk_anywhere_never_crashes(path: tuple[Any, ...], junk: Any) -> None:
    doc = base_document()
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = junk
    try:
        mutated = parse(dump(doc), "mutated.yaml")
    except LoadError:
        return  # rejected up front with a message: fine
    base = parse(dump(base_document()), "base.yaml")
    findings = diff(base, mutated) + diff(mutated, base) + lint([mutated], [base])
    assert all(f.rule in CATALOG for f in findings)
