"""Content-Type parameters and the multipart boundary: read by one core function, refused with a 400.

python-multipart 0.0.34 raises on a boundary over 256 bytes; before the core checked the boundary
itself, sora-mock answered that with a 500. These tests pin the core's own rules (RFC 2046 §5.1.1,
RFC 9110 parameters) and that nothing python-multipart raises becomes a 500.
"""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings

from contract_tests import example_request, load_registry
from contract_tests.core.checker import RequestChecker
from contract_tests.core.http import RawRequest
from contract_tests.core.media_type import parse_media_type
from contract_tests.core.multipart import encode_multipart
from contract_tests.core.wire import MultipartReader, WireError, multipart_boundary
from contract_tests.testing.content_types import ContentTypeCase, content_type_cases
from contract_tests.testing.respx_mock import SoraMock

REGISTRY = load_registry()
EXAMPLE = example_request(REGISTRY.document("jxincm-private"))
LEGAL_70 = "'()+_,-./:=? " * 5 + "aZ09" + "x"  # every bchar, a space inside, 70 long, no trailing space


def boundary_of(header: str) -> str:
    return multipart_boundary(parse_media_type(header))


def refusal(header: str) -> str:
    with pytest.raises(WireError) as raised:
        boundary_of(header)
    assert raised.value.reason == "invalid_boundary"
    return raised.value.message


@pytest.mark.parametrize(
    ("header", "boundary"),
    [
        ("multipart/form-data; boundary=abc", "abc"),
        ('Multipart/Form-Data; BOUNDARY="abc"', "abc"),  # names and type are case-insensitive
        ("multipart/form-data ;boundary = abc ; ", "abc"),  # spaces around ; and =, a trailing ;
        ("multipart/form-data;; charset=utf-8;boundary=abc;x-unknown=1", "abc"),  # others ignored
        ('multipart/form-data; boundary="a\\qb\\:"', "aqb:"),  # quoted-pairs unescaped
        ("multipart/form-data; boundary=abc; boundary=abc", "abc"),  # repeated, same value: one boundary
        ('multipart/form-data; charset="x; boundary=no"; boundary=yes', "yes"),  # inside quotes is a value
        (f'multipart/form-data; boundary="{LEGAL_70}"', LEGAL_70),
        ("multipart/form-data; boundary=1", "1"),
    ],
)
def test_legal_boundaries_are_read(header: str, boundary: str) -> None:
    assert boundary_of(header) == boundary


@pytest.mark.parametrize(
    ("header", "says"),
    [
        ("multipart/form-data; boundary=" + "a" * 300, "is 300 characters long; RFC 2046 allows 1 to 70"),
        ("multipart/form-data; boundary=" + "a" * 71, "is 71 characters long"),
        ('multipart/form-data; boundary=""', "is empty"),
        ("multipart/form-data; boundary=", "is empty"),
        ("multipart/form-data", "has no boundary parameter"),
        ("multipart/form-data; charset=utf-8", "has no boundary parameter"),
        ('multipart/form-data; boundary="ab "', "ends with a space"),
        ('multipart/form-data; boundary="a\\"b"', "contains '\"' (U+0022)"),
        ('multipart/form-data; boundary="a\u00e9"', "a non-ASCII character 'é' (U+00E9)"),
        ('multipart/form-data; boundary="a\x01"', "a control character '\\x01' (U+0001)"),
        ("multipart/form-data; boundary=a; boundary=b", "2 different values ('a', 'b'), so it is ambiguous"),
        ("multipart/form-data; boundary=a:b", "the value of 'boundary' goes on with ':b' after 'a'"),
        ("multipart/form-data; boundary", "the parameter 'boundary' has no value"),
        ('multipart/form-data; boundary="abc', "opens a double quote that never closes"),
        ("multipart/form-data; =abc", "a parameter name was expected"),
    ],
)
def test_illegal_boundaries_are_named(header: str, says: str) -> None:
    assert says in refusal(header)


@pytest.mark.parametrize("header", ["multipart/form-data; boundary=" + "a" * 300, 'multipart/form-data; boundary="a "'])
def test_the_checker_answers_400_invalid_multipart_for_a_refused_boundary(header: str) -> None:
    request = RawRequest("POST", "https://api.jxincm.cn/v1/videos", {**EXAMPLE.headers, "Content-Type": header},
                         EXAMPLE.body)
    verdict = RequestChecker(REGISTRY).check(request)
    assert (verdict.status, verdict.problems[0].code) == (400, "invalid_multipart")
    assert verdict.problems[0].message.startswith("The multipart boundary")


@pytest.mark.parametrize("boundary", [LEGAL_70, "a", "x y", "'()+_,-./:=?"])
def test_a_legal_unusual_boundary_is_accepted_by_the_checker(boundary: str) -> None:
    body = encode_multipart(EXAMPLE.parts, boundary)
    header = 'multipart/form-data; boundary="' + boundary + '"'
    request = RawRequest("POST", "https://api.jxincm.cn/v1/videos", {**EXAMPLE.headers, "Content-Type": header}, body)
    assert RequestChecker(REGISTRY).check(request).ok


@pytest.mark.parametrize("fast", [True, False])
def test_anything_python_multipart_raises_is_a_wire_error(fast: bool) -> None:
    """A boundary the core never lets through still cannot make the reader raise past WireError."""
    reader = MultipartReader(b"a" * 300, fast=fast)  # python-multipart 0.0.34 refuses it when made
    reader.feed(b"--" + b"a" * 300 + b"\r\nnot a part")
    with pytest.raises(WireError) as raised:
        reader.finish()
    assert raised.value.reason == "malformed"


def test_an_unexpected_exception_inside_python_multipart_is_a_wire_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import contract_tests.core.wire as wire

    class Broken:
        def __init__(self, *args: object) -> None:
            pass

        def write(self, data: bytes) -> int:
            raise IndexError("a bug inside the parser")

    monkeypatch.setattr(wire, "MultipartParser", Broken)
    reader = MultipartReader(b"b", fast=False)
    reader.feed(b"--b\r\n")
    with pytest.raises(WireError) as raised:
        reader.finish()
    assert "a bug inside the parser" in raised.value.message


@settings(max_examples=150, deadline=None, database=None)
@given(case=content_type_cases(EXAMPLE.parts))
def test_fuzzed_content_type_parameters_through_the_respx_door(case: ContentTypeCase) -> None:
    mock = SoraMock(REGISTRY)
    headers = [(b"Authorization", b"Bearer sk-test"), (b"Content-Type", case.header)]
    with httpx.Client(transport=mock.transport()) as client:
        answer = client.post("https://api.jxincm.cn/v1/videos", content=case.body, headers=headers)
    case.check_answer(answer.status_code, answer.content)
