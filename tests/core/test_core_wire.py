"""Multipart as bytes on the wire."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract_tests.core import wire
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


# Issue 12: the small-body fast path reads Content-Disposition's common shape with one regex and
# a legal boundary with one match. Both must say exactly what the general code says.

_DISPOSITION_TEXT = st.text(alphabet="ab.-_ ;=:'\"\\<>%*\t\r\n场\x85\xa0\ud800", max_size=12)


@st.composite
def _dispositions(draw: st.DrawFn) -> str:
    """Content-Disposition values around the common shape: its variants and its near misses."""
    if draw(st.integers(0, 9)) == 0:
        return draw(_DISPOSITION_TEXT)
    kind = draw(st.sampled_from(["form-data", "Form-Data", "attachment", "", "form-data=x", " form-data", "inline"]))
    params = []
    for _ in range(draw(st.integers(0, 4))):
        key = draw(st.sampled_from(["name", "filename", "Name", "FILENAME", "filename*", "name*", "name*0", "x", ""]))
        text = draw(_DISPOSITION_TEXT)
        value = draw(st.sampled_from([
            '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"',  # escaped: what a careful client sends
            '"' + text + '"',
            text,
            "UTF-8''%E5%9C%BA%20" + text,
            "utf-8'en'" + text,
            '"<' + text + '>"',
        ]))
        equals = draw(st.sampled_from(["=", " = ", "="]))
        params.append(key + equals + value)
    glue = draw(st.sampled_from(["; ", ";", " ; ", ";\t", ";  "]))
    tail = draw(st.sampled_from(["", "", ";", " ", "\t"]))
    return glue.join([kind, *params]) + tail


@settings(max_examples=1500, database=None)
@given(value=_dispositions())
def test_the_disposition_fast_path_agrees_with_the_stdlib(value: str) -> None:
    assert _outcome(wire._form_field.__wrapped__, value) == _outcome(wire._stdlib_form_field, value)


def _outcome(read: Callable[[str], object], value: str) -> object:
    """What ``read`` gives, or the exception it raises (the stdlib raises on a lone surrogate, which
    the reader, decoding with errors="replace", never hands it)."""
    try:
        return read(value)
    except Exception as exc:
        return type(exc)


@pytest.mark.parametrize(
    ("value", "fields"),
    [
        ('form-data; name="prompt"', ("form-data", "prompt", None)),
        ('form-data; name="input_reference"; filename="场景1.png"', ("form-data", "input_reference", "场景1.png")),
        ('form-data;name="a";filename=""', ("form-data", "a", "")),
        ('form-data ;\tname="a b;c" ; filename="x=y.png" ', ("form-data", "a b;c", "x=y.png")),
    ],
)
def test_the_common_disposition_shape_takes_the_fast_path(value: str, fields: tuple[str, str, str | None]) -> None:
    assert wire._PLAIN_DISPOSITION.fullmatch(value) is not None
    assert wire._form_field(value) == fields == wire._stdlib_form_field(value)


@pytest.mark.parametrize(
    "value",
    [
        'form-data; name="a\\"b"',  # an escaped quote: the stdlib unescapes it
        'form-data; name="<a>"',  # the stdlib strips the angle brackets
        "form-data; name=a",  # unquoted
        "form-data; name=\"a\"; filename*=UTF-8''%E5%9C%BA.png",
        'form-data; filename="x"; name="a"',
        'Form-Data; name="a"',
        'form-data; name="a";',
    ],
)
def test_other_dispositions_are_the_stdlibs(value: str) -> None:
    assert wire._PLAIN_DISPOSITION.fullmatch(value) is None
    assert wire._form_field(value) == wire._stdlib_form_field(value)


@settings(max_examples=800, database=None)
@given(boundary=st.text(alphabet="".join(sorted(wire.BOUNDARY_CHARS)) + "\t\r\n\x7fé\";", max_size=74))
def test_a_boundary_is_legal_exactly_as_rfc_2046_says(boundary: str) -> None:
    legal = 1 <= len(boundary) <= 70 and set(boundary) <= wire.BOUNDARY_CHARS and not boundary.endswith(" ")
    problem = wire.boundary_problem(boundary)
    assert (problem is None) == legal, problem
