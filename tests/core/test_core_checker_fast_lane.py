"""The checker's fast lane (``_plain_form``) gives the verdict the general path gives, or steps aside.

The fast lane accepts the common create (each part a different plain-string property, files as
files, every required one there) without building items, counting names or calling per-field
properties. It may only ever say "accepted, with these fields and files" where the general path
(``RequestChecker._check_form``) says exactly that; anything else it hands back. These tests run
the same requests with the lane and with it switched off and compare the whole verdicts (problems,
their order, the accepting document, fields, files), on the strategies' valid and invalid requests
and on arbitrary part lists over the bodies' own names; and they hold that the lane is taken for
the valid creates it exists for (else it could silently never run).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract_tests.core import checker as checker_module
from contract_tests.core import images
from contract_tests.core.checker import RequestChecker, Verdict, _plain_form, form_items
from contract_tests.core.http import RawRequest
from contract_tests.core.media_type import MULTIPART
from contract_tests.core.parts import Part
from contract_tests.core.routing import family_document
from contract_tests.core.specs import RequestBody, load_registry
from contract_tests.core.wire import multipart_boundary, parse_multipart
from contract_tests.testing.strategies import create_operation, invalid_requests, multipart_body, valid_requests

REGISTRY = load_registry()
CHECKER = RequestChecker(REGISTRY)
# Every multipart body the checker meets: the relays' creates and the family's (whose oneOf or
# constrained fields keep them off the lane: the lane must step aside there, not guess).
BODIES = [
    pytest.param(op, op.bodies[MULTIPART], id=f"{doc.id}-{op.operation_id}")
    for doc in (*REGISTRY, family_document())
    for op in doc.operations
    if MULTIPART in op.bodies
]


@contextmanager
def general_path_only() -> Iterator[None]:
    with mock.patch.object(checker_module, "_plain_form", lambda body, parts: None):
        yield


def _both_ways(request: RawRequest, server: str) -> tuple[Verdict, Verdict]:
    fast = CHECKER.check(request, server)
    with general_path_only():
        general = CHECKER.check(request, server)
    return fast, general


@pytest.mark.parametrize("doc_id", list(REGISTRY.documents))
@settings(max_examples=40, database=None)
@given(data=st.data())
def test_generated_requests_get_the_same_verdict_with_and_without_the_fast_lane(
    doc_id: str, data: st.DataObject
) -> None:
    document = REGISTRY.document(doc_id)
    generated = data.draw(st.one_of(valid_requests(document), invalid_requests(document)))
    fast, general = _both_ways(generated.raw(document.base_url), document.server_id)
    assert fast == general, generated.describe()


def _arbitrary_parts(body: RequestBody) -> st.SearchStrategy[list[Part]]:
    """Parts over the body's names (and two it does not know), any of them a file or text, repeated
    or left out at random: every way a form can be off, and many ways it is right."""
    names = st.sampled_from([p.name for p in body.properties] + ["x_unknown", ""])
    part = st.builds(
        lambda name, as_file, data: Part(name, data, "a.png" if as_file else None, "image/png" if as_file else None),
        names,
        st.booleans(),
        st.sampled_from([b"sora-2", b"10", b"", "跳舞".encode(), b"\xff\xfe", images.png()]),
    )
    return st.lists(part, max_size=10)


@pytest.mark.parametrize(("op", "body"), BODIES)
@settings(max_examples=150, database=None)
@given(data=st.data())
def test_on_arbitrary_parts_the_lane_accepts_only_what_the_general_path_accepts_the_same_way(
    op: Any, body: RequestBody, data: st.DataObject
) -> None:
    parts = data.draw(_arbitrary_parts(body))
    plain = _plain_form(body, parts)
    general = CHECKER._check_form(op, body, form_items(parts))
    if plain is not None:
        assert general == Verdict((), op, plain[0], plain[1])
    elif set(body.any_string_fits) >= {p.name for p in body.properties}:
        # On an all-plain body the lane declines only what the general path has a problem with.
        assert not general.ok, [(p.name, p.filename) for p in parts]


@pytest.mark.parametrize("doc_id", list(REGISTRY.documents))
@settings(max_examples=20, database=None)
@given(data=st.data())
def test_every_valid_create_to_the_relays_takes_the_fast_lane(doc_id: str, data: st.DataObject) -> None:
    document = REGISTRY.document(doc_id)
    generated = data.draw(valid_requests(document))
    request = generated.raw(document.base_url)
    parts = parse_multipart(request.body, multipart_boundary(request.media))
    assert _plain_form(multipart_body(create_operation(document)), parts) is not None


def test_the_lane_steps_aside_for_what_only_the_general_path_may_judge() -> None:
    body = multipart_body(create_operation(REGISTRY.document("jxincm-private")))
    png = images.png()
    good = [
        Part("model", b"sora-2"), Part("prompt", b"x"), Part("seconds", b"10"), Part("size", b"16x9"),
        Part("watermark", b"false"), Part("input_reference", png, "a.png", "image/png"),
    ]  # fmt: skip
    assert _plain_form(body, good) == (
        {"model": "sora-2", "prompt": "x", "seconds": "10", "size": "16x9", "watermark": "false"},
        {"input_reference": good[-1]},
    )
    declined = {
        "repeated text": [*good, Part("model", b"sora-2")],
        "repeated file": [*good, good[-1]],
        "a required one missing": good[1:],
        "missing, hidden by a repeat": [*good[1:], Part("prompt", b"y")],
        "unknown": [*good, Part("x_unknown", b"1")],
        "file as text": [*good[:-1], Part("input_reference", png)],
        "text as file": [*good[1:], Part("model", b"sora-2", "m.txt", "text/plain")],
        "a file not held as bytes": [*good[:-1], Part("input_reference", bytearray(png), "a.png")],  # type: ignore[arg-type]
    }
    for label, parts in declined.items():
        assert _plain_form(body, parts) is None, label
