"""Issue 12, one home for the multipart part: the part a test sends is the part the server reads.

``contract_tests.core.parts.Part`` is the only part model. Encoded by the encoder and read back
by the reader (whole, streamed, through either of its paths), every kind of part compares equal to
what was sent; a streaming server's kept head is told by ``size`` and ``truncated``; the checker
takes the parts a strategy builds as they are. A second part class (a sender's or a receiver's)
breaks these tests: its objects would not compare equal across the wire, and the source scan at the
end names it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import contract_tests
import contract_tests.core
from contract_tests.core import images
from contract_tests.core.checker import RequestChecker
from contract_tests.core.multipart import encode_multipart, encode_part
from contract_tests.core.parts import Part
from contract_tests.core.specs import load_registry
from contract_tests.core.wire import MultipartReader, WireError, parse_multipart
from contract_tests.testing.strategies import valid_requests

ROOT = Path(__file__).resolve().parents[2]
BOUNDARY = "parts-boundary"
REGISTRY = load_registry()
CHECKER = RequestChecker(REGISTRY)
PNG = images.png()

SENT = {
    "text": Part("prompt", "画面动起来".encode()),
    "file": Part("input_reference", PNG, "场景1.png", "image/png"),
    "file without content type": Part("input_reference", PNG, "frame.png"),
    "text sent as a file": Part("model", b"sora-2", "m.txt", "text/plain"),
    "own header block": Part(
        "size", b"16x9", headers={"Content-Disposition": 'form-data; name="size"', "X-Trace": "42"}
    ),
    "own header block, file": Part(
        "f", b"x" * 300, "a.bin", "application/octet-stream",
        headers={"content-type": "application/octet-stream",
                 "content-disposition": 'form-data; name="f"; filename="a.bin"'},
    ),
}


def _streamed(body: bytes, fast: bool, chunk: int, keep: int | None = None) -> list[Part]:
    reader = MultipartReader(BOUNDARY.encode(), keep_file_bytes=keep, fast=fast)
    for start in range(0, len(body), chunk):
        reader.feed(body[start : start + chunk])
    return reader.finish()


@pytest.mark.parametrize("kind", SENT)
def test_a_part_read_back_equals_the_part_sent(kind: str) -> None:
    sent = [Part("model", b"sora-2"), SENT[kind]]
    body = encode_multipart(sent, BOUNDARY)
    assert parse_multipart(body, BOUNDARY) == sent
    for fast in (True, False):
        for chunk in (len(body), 7):
            received = _streamed(body, fast, chunk)
            assert received == sent
            assert all(type(part) is Part for part in received)


def test_a_received_part_carries_its_headers_as_received() -> None:
    sent = SENT["own header block"]
    (received,) = parse_multipart(encode_multipart([sent], BOUNDARY), BOUNDARY)
    assert received.headers == {"content-disposition": 'form-data; name="size"', "x-trace": "42"}
    assert sent.headers is not None and received.headers != sent.headers  # names arrive lower-case...
    assert received == sent  # ...and the parts are still the same on the wire


def test_parts_that_differ_on_the_wire_are_not_equal() -> None:
    base = Part("f", b"data", "a.png", "image/png")
    assert base != Part("f", b"data", "a.png")  # no Content-Type
    assert base != Part("f", b"data")  # text, not a file
    assert base != Part("f", b"data", "a.png", "image/png", headers={"Content-Type": "image/png"})
    assert base != Part("f", b"dat", "a.png", "image/png", size=4)  # only a head kept
    assert base == Part("f", b"data", "a.png", "image/png", size=4)


def test_a_streaming_reader_keeps_the_head_and_the_full_size() -> None:
    sent = Part("input_reference", PNG + bytes(5000), "big.png", "image/png")
    body = encode_multipart([Part("prompt", b"p" * 100), sent], BOUNDARY)
    for fast in (True, False):
        prompt, image = _streamed(body, fast, 1000, keep=64)
        assert prompt == Part("prompt", b"p" * 100) and not prompt.truncated  # text is kept whole
        assert image != sent and image.truncated and image.size == sent.size
        assert image == Part("input_reference", sent.data[:64], "big.png", "image/png", size=sent.size)


@pytest.mark.parametrize(
    ("headers", "wire"),
    [
        ({}, b"\r\n\r\nvalue"),  # no header at all
        ({"Content-Type": "text/plain"}, b"Content-Type: text/plain\r\n\r\nvalue"),  # no Content-Disposition
    ],
)
def test_a_sender_can_replace_the_header_lines(headers: dict[str, str], wire: bytes) -> None:
    broken = Part("prompt", b"value", headers=headers)
    assert encode_part(broken) == wire
    with pytest.raises(WireError) as raised:
        parse_multipart(encode_multipart([broken], BOUNDARY), BOUNDARY)
    assert raised.value.reason == "bad_part_headers"


def test_implied_headers_are_the_encoders_bytes() -> None:
    assert encode_part(SENT["file"]) == (
        'Content-Disposition: form-data; name="input_reference"; filename="场景1.png"\r\n'
        "Content-Type: image/png\r\n\r\n"
    ).encode() + PNG
    assert encode_part(SENT["file without content type"]).startswith(
        b'Content-Disposition: form-data; name="input_reference"; filename="frame.png"\r\n\r\n\x89PNG'
    )


@pytest.mark.parametrize("doc_id", list(REGISTRY.documents))
@settings(max_examples=15, database=None, deadline=None)
@given(data=st.data())
def test_the_checker_accepts_the_parts_a_strategy_builds(doc_id: str, data: st.DataObject) -> None:
    document = REGISTRY.document(doc_id)
    generated = data.draw(valid_requests(document))
    assert parse_multipart(generated.body, generated.boundary) == list(generated.parts)
    verdict = CHECKER.check(generated.raw(document.base_url), document.server_id, parts=list(generated.parts))
    assert verdict.ok, verdict.problems


def test_the_old_public_names_are_the_one_class() -> None:
    assert contract_tests.FormPart is contract_tests.UploadedFile is contract_tests.Part is Part
    assert contract_tests.core.FormPart is contract_tests.core.UploadedFile is Part


def test_no_second_part_class_in_the_source() -> None:
    """A class declaring a ``filename`` field is a part model; only parts.py may have one."""
    found = []
    for path in sorted([*(ROOT / "contract_tests").rglob("*.py"), *(ROOT / "mockserver").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            fields = {s.target.id for s in node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)}
            if "filename" in fields:
                found.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert found == ["contract_tests/core/parts.py:Part"]
