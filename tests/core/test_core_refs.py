"""The one local ``$ref`` resolver (core/refs.py): RFC 6901 pointers, cycles, unresolvable refs, lenient mode."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.core.refs import LocalRefs, RefCycle, UnresolvedRef, escape, ref_tokens, unescape

DOC: dict[str, Any] = {
    "components": {
        "schemas": {
            "A/B": {"type": "string", "enum": ["x"]},
            "til~de": {"type": "integer"},
            "~1": {"type": "boolean"},  # a key that is literally "~1": its pointer token is "~01"
            "with space": {"type": "number"},
            "Alias": {"$ref": "#/components/schemas/A~1B"},
            "Loop1": {"$ref": "#/components/schemas/Loop2"},
            "Loop2": {"$ref": "#/components/schemas/Loop1"},
            "Self": {"$ref": "#/components/schemas/Self"},
            "ToLoop": {"$ref": "#/components/schemas/Loop1"},
            "Broken": {"$ref": "#/components/schemas/Missing"},
            "ToBroken": {"$ref": "#/components/schemas/Broken"},
            "Node": {
                "type": "object",
                "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}},
            },
            "Pair": {
                "type": "object",
                "properties": {
                    "left": {"$ref": "#/components/schemas/A~1B"},
                    "list": {"items": [{"$ref": "#/components/schemas/til~0de"}]},
                },
            },
        }
    }
}


def test_pointer_tokens_unescape_tilde_one_before_tilde_zero() -> None:
    assert ref_tokens("#/components/schemas/A~1B") == ("components", "schemas", "A/B")
    assert ref_tokens("#/components/schemas/~01") == ("components", "schemas", "~1")
    assert ref_tokens("#/components/schemas/with%20space") == ("components", "schemas", "with space")
    assert ref_tokens("#") == ()
    assert unescape(escape("a/~b")) == "a/~b" and escape("/v1/videos") == "~1v1~1videos"


def test_lookup_and_deref_follow_escaped_pointers() -> None:
    refs = LocalRefs(DOC)
    assert refs.lookup("#/components/schemas/A~1B") == {"type": "string", "enum": ["x"]}
    assert refs.lookup("#/components/schemas/til~0de") == {"type": "integer"}
    assert refs.lookup("#/components/schemas/~01") == {"type": "boolean"}
    assert refs.deref({"$ref": "#/components/schemas/Alias"}) == {"type": "string", "enum": ["x"]}
    assert refs.deref({"type": "string"}) == {"type": "string"}


@pytest.mark.parametrize("ref", ["#/components/schemas/Missing", "#/components/schemas/A~1B/nope",
                                 "other.yaml#/components/schemas/A", "#anchor", "#/components/schemas/A/B"])
def test_an_unresolvable_ref_is_an_error_naming_it(ref: str) -> None:
    with pytest.raises(UnresolvedRef) as caught:
        LocalRefs(DOC).deref({"$ref": ref})
    assert str(caught.value) == f"$ref {ref!r} points at nothing in the document"


def test_a_chain_to_a_broken_ref_names_the_broken_one() -> None:
    with pytest.raises(UnresolvedRef, match="Missing"):
        LocalRefs(DOC).deref({"$ref": "#/components/schemas/ToBroken"})


@pytest.mark.parametrize("start", ["Loop1", "Self", "ToLoop"])
def test_a_ref_cycle_is_a_clear_error_not_a_recursion_error(start: str) -> None:
    with pytest.raises(RefCycle) as caught:
        LocalRefs(DOC).deref({"$ref": f"#/components/schemas/{start}"})
    assert "never resolves: its references form a cycle" in str(caught.value)
    chain = caught.value.chain
    assert chain[-1] in chain[:-1]  # the chain shows where it loops


def test_lenient_mode_is_asked_for_and_reads_a_broken_ref_as_empty() -> None:
    lenient = LocalRefs(DOC, lenient=True)
    assert lenient.deref({"$ref": "#/components/schemas/Missing"}) == {}
    assert lenient.deref({"$ref": "#/components/schemas/Loop1"}) == {}
    assert lenient.inline({"allOf": [{"$ref": "#/components/schemas/Broken"}, {"type": "string"}]}) == {
        "allOf": [{}, {"type": "string"}]}


def test_inline_copies_targets_and_refuses_a_recursive_schema_unless_lenient() -> None:
    refs = LocalRefs(DOC)
    assert refs.inline({"$ref": "#/components/schemas/Pair"}) == {
        "type": "object",
        "properties": {"left": {"type": "string", "enum": ["x"]}, "list": {"items": [{"type": "integer"}]}},
    }
    with pytest.raises(RefCycle, match="the schema contains itself"):
        refs.inline({"$ref": "#/components/schemas/Node"})
    cut = LocalRefs(DOC, lenient=True).inline({"$ref": "#/components/schemas/Node"})
    assert cut["properties"]["children"] == {"type": "array", "items": {}}  # cut where it recurs
    # A recursive schema is legal: one step at a time it resolves.
    assert refs.deref({"$ref": "#/components/schemas/Node"})["type"] == "object"


def test_problems_lists_each_broken_ref_where_it_is_written() -> None:
    problems = {p.pointer: p.message for p in LocalRefs(DOC).problems()}
    assert set(problems) == {
        "/components/schemas/Loop1/$ref",
        "/components/schemas/Loop2/$ref",
        "/components/schemas/Self/$ref",
        "/components/schemas/ToLoop/$ref",  # leads into a loop: never resolves either
        "/components/schemas/Broken/$ref",  # ToBroken only leads to it: not repeated
    }
    missing = "$ref '#/components/schemas/Missing' points at nothing in the document"
    assert problems["/components/schemas/Broken/$ref"] == missing
    assert LocalRefs({"components": {"schemas": {"X": {"type": "string"}}}}).problems() == []
