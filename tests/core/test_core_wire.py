"""Multipart as bytes on the wire."""

from __future__ import annotations

import pytest

from contract_tests.core.multipart import encode_multipart
from contract_tests.core.parts import Part
from contract_tests.core.wire import BodyTooLarge, MultipartReader, WireError, media_type_of, parse_multipart

PARTS = (
    Part("prompt", "画面动起来".encode()),
    Part("input_reference", b"\x89PNG\r\n\x1a\n--not-a-boundary", "场景1.png", "image/png"),
)
BODY = encode_multipart(PARTS, "b0undary")


def test_file_parts_and_text_parts_are_told_apart() -> None:
    text, image = parse_multipart(BODY, "b0undary")
    assert (text.name, text.is_file, text.text) == ("prompt", False, "画面动起来")
    assert (image.name, image.is_file, image.filename, image.content_type) == (
        "input_reference",
        True,
        "场景1.png",
        "image/png",
    )
    assert image.data == b"\x89PNG\r\n\x1a\n--not-a-boundary"


def test_feeding_byte_by_byte_gives_the_same_parts() -> None:
    reader = MultipartReader(b"b0undary")
    for i in range(len(BODY)):
        reader.feed(BODY[i : i + 1])
    assert [(p.name, p.data) for p in reader.finish()] == [(p.name, p.data) for p in parse_multipart(BODY, "b0undary")]


def test_rfc2231_filename() -> None:
    body = (
        b"--B\r\nContent-Disposition: form-data; name=\"f\"; "
        b"filename*=UTF-8''%E5%9C%BA%E6%99%AF.png\r\n\r\nx\r\n--B--\r\n"
    )
    assert parse_multipart(body, "B")[0].filename == "场景.png"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty_body"),
        (BODY[:-12], "truncated"),
        (BODY.replace(b"b0undary", b"other", 1), "malformed"),
        (b"--b0undary\r\nContent-Type: text/plain\r\n\r\nx\r\n--b0undary--\r\n", "bad_part_headers"),
        (b"--b0undary\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b0undary--\r\n", "bad_part_headers"),
        (b"--b0undary\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--b0undary--\r\n", "bad_part_headers"),
    ],
    ids=["empty", "truncated", "garbled", "no-disposition", "no-name", "not-form-data"],
)
def test_malformed_bodies_are_reported_with_a_reason(body: bytes, reason: str) -> None:
    with pytest.raises(WireError) as raised:
        parse_multipart(body, "b0undary")
    assert raised.value.reason == reason


def test_limit_is_enforced_while_streaming() -> None:
    reader = MultipartReader(b"b0undary", max_bytes=len(BODY) - 1)
    with pytest.raises(BodyTooLarge):
        reader.feed(BODY)


def test_media_type_of() -> None:
    assert media_type_of('Multipart/Form-Data; Boundary="abc"') == ("multipart/form-data", {"boundary": "abc"})
    assert media_type_of(None) == ("", {})
