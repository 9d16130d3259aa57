"""Issue 6, speed without a change in meaning: small bodies are split in one go when plain.

``MultipartReader`` holds a body of up to ``FAST_BODY_BYTES`` and splits it with ``bytes.split``
when it has the plain shape; anything else goes to python-multipart's state machine. These tests
hold the two paths to the same answer (parts, sizes, truncation, errors) on every generated valid
and invalid request, on mutated bodies, and on hand-made edge cases.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract_tests.core.multipart import encode_multipart
from contract_tests.core.parts import Part
from contract_tests.core.specs import load_registry
from contract_tests.core.wire import FAST_BODY_BYTES, MultipartReader, WireError, _split_plain, media_type_of
from contract_tests.testing.strategies import invalid_requests, valid_requests

REGISTRY = load_registry()
DOCS = list(REGISTRY.documents)
B = "fastboundary42"


def _read(body: bytes, boundary: str, fast: bool, chunk: int, keep: int | None) -> Any:
    reader = MultipartReader(boundary.encode("latin-1"), None, keep, fast=fast)
    for start in range(0, len(body), chunk):
        reader.feed(body[start : start + chunk])
    try:
        parts = reader.finish()
    except WireError as exc:
        return ("error", exc.reason, exc.message)
    return [(p.name, p.filename, p.content_type, p.headers, p.data, p.size, p.truncated) for p in parts]


def _agree(body: bytes, boundary: str, keeps: tuple[int | None, ...] = (None, 10)) -> None:
    for chunk in (len(body) or 1, 333):
        for keep in keeps:
            assert _read(body, boundary, True, chunk, keep) == _read(body, boundary, False, chunk, keep)


def _boundary(headers: Any) -> str | None:
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    media, params = media_type_of(content_type)
    return params.get("boundary") if media == "multipart/form-data" else None


@pytest.mark.parametrize("doc_id", DOCS)
@settings(max_examples=40, database=None)
@given(data=st.data())
def test_fast_and_state_machine_agree_on_generated_requests(doc_id: str, data: st.DataObject) -> None:
    document = REGISTRY.document(doc_id)
    request = data.draw(st.one_of(valid_requests(document), invalid_requests(document)))
    boundary = _boundary(request.headers) or request.boundary
    if boundary:
        _agree(request.body, boundary)


@pytest.mark.parametrize("doc_id", DOCS)
@settings(max_examples=60, database=None)
@given(data=st.data())
def test_fast_and_state_machine_agree_on_mutated_bodies(doc_id: str, data: st.DataObject) -> None:
    request = data.draw(valid_requests(REGISTRY.document(doc_id)))
    boundary = _boundary(request.headers) or request.boundary
    body = bytearray(request.body)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(body)))
        insert = data.draw(st.sampled_from([b"\r", b"\n", b"\r\n", b"-", b"--", b" ", b":", b"\x00", b"\r\n\r\n"]))
        if data.draw(st.booleans()):
            body[at:at] = insert
        else:
            del body[at : at + len(insert)]
    _agree(bytes(body), boundary)


EDGE_CASES = [
    b"",
    b"--B--",
    b"--B--\r\n",
    b"--B\r\n\r\n\r\nx\r\n--B--",  # a part without headers
    b"preamble\r\n--B\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--B--",
    b"\r\n--B\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--B--",
    b"--B\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--B--\r\nepilogue",
    b"--B\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--B",  # no close delimiter
    b"--B\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--BX\r\n--B--",  # false delimiter
    b"--B\r\nContent-Disposition : form-data; name=a\r\n\r\n1\r\n--B--",  # space in the name
    b"--B\r\nContent-Disposition:form-data; name=a\r\nX-A: 1\nX-B: 2\r\n\r\n1\r\n--B--",  # bare LF
    b"--B\r\nContent-Disposition: form-data; name=a\r\nX: a\rb\r\n\r\n1\r\n--B--",  # bare CR
    b"--B\r\n: empty\r\n\r\n1\r\n--B--",
    b"--B\r\nContent-Type: text/plain\r\n\r\n1\r\n--B--",  # no disposition
    b"--B\r\nContent-Disposition: attachment; name=a\r\n\r\n1\r\n--B--",
    b"--B\r\nContent-Disposition: form-data; name=a\r\n" + b"X-N: 1\r\n" * 8 + b"\r\n1\r\n--B--",  # 9 headers
    b"--B\r\nContent-Disposition: form-data; name=a; filename*=UTF-8''%E5%9C%BA.png\r\n\r\n" + b"p" * 50 + b"\r\n--B--",
    b'--B\r\nContent-Disposition: form-data; name="a"; filename=""\r\n\r\n\r\n--B--\r\n',
    b"--B\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n--B\r\n\r\n--B--",
]


# Awkward bodies, generated (issue 12): the fast path's shortcuts (the cached header blocks, the
# one-match Content-Disposition, the partition at the blank line) must not drift from the state
# machine on anything a client might send.
_NAMES = ["Content-Disposition", "content-disposition", "CONTENT-DISPOSITION", "Content-Type", "X-Trace", "X_1"]
_TEXT = st.text(alphabet='ab ;=_."\\<>*%\t场', max_size=8) | st.text(alphabet="a\r\n", max_size=3)


@st.composite
def _disposition(draw: st.DrawFn) -> str:
    name = draw(_TEXT)
    quoted = '"' + draw(st.sampled_from([name, name.replace("\\", "\\\\").replace('"', '\\"')])) + '"'
    kind = draw(st.sampled_from(["form-data"] * 5 + ["Form-Data", "attachment", ""]))
    params = [draw(st.sampled_from(["name=" + quoted, "name=" + name, "Name=" + quoted, "name*=UTF-8''a%20" + name]))]
    if draw(st.booleans()):
        params.append(draw(st.sampled_from([
            "filename=" + quoted, 'filename="a.png"', "filename*=UTF-8''%E5%9C%BA.png", 'filename=""', "filename=a.png",
        ])))
    if draw(st.integers(0, 4)) == 0:
        params.reverse()
    glue = draw(st.sampled_from(["; ", ";", " ; ", ";\t"]))
    return glue.join([kind, *params]) + draw(st.sampled_from(["", "", " ", ";"]))


_ODDITIES = ["lf", "preamble", "epilogue", "end", "padding", "spacing", "headers"]


@st.composite
def _awkward_bodies(draw: st.DrawFn) -> bytes:
    """Multipart bodies near the plain shape: header names in any case, odd spacing, LF for CRLF,
    quoted names with escapes, ``filename*=``, preamble, epilogue, no final CRLF, no close. Each
    body has a few of the oddities, so many stay plain and take the fast path."""
    odd = draw(st.sets(st.sampled_from(_ODDITIES), max_size=2))

    def pick(oddity: str, plain: Any, *others: Any) -> Any:
        return draw(st.sampled_from([plain, plain, *others])) if oddity in odd else plain

    delimiter = b"--" + B.encode()
    out = [pick("preamble", b"", b"preamble\r\n", b"\r\n", b"\r\n\r\n")]
    for _ in range(draw(st.integers(0, 4))):
        out += [delimiter, pick("padding", b"", b" ", b"\t "), pick("lf", b"\r\n", b"\n")]
        lines = []
        if pick("headers", True, False):
            lines.append((draw(st.sampled_from(_NAMES[:3])), draw(_disposition())))
        for _ in range(draw(st.integers(0, 2))):
            lines.append((draw(st.sampled_from(_NAMES)), draw(st.sampled_from(["image/png", "text/plain", ""]))))
        draw(st.randoms()).shuffle(lines)
        for name, value in lines:
            colon = draw(st.sampled_from([": ", ":"])) + pick("spacing", "", " ", "\t")
            colon = pick("headers", colon, " :", "")
            out += [f"{name}{colon}{value}{pick('spacing', '', ' ')}".encode(), pick("lf", b"\r\n", b"\n")]
        out += [pick("lf", b"\r\n", b"\n"), draw(st.binary(max_size=40)), pick("lf", b"\r\n", b"\n", b"")]
    out.append(pick("end", delimiter + b"--", delimiter, b"", delimiter + b"-"))
    out.append(pick("epilogue", b"\r\n", b"", b"\r\nepilogue", b"\n", b"\r\n\r\n"))
    return b"".join(out)


@settings(max_examples=400, database=None)
@given(body=_awkward_bodies(), keep=st.integers(0, 42))
def test_fast_and_state_machine_agree_on_awkward_bodies(body: bytes, keep: int) -> None:
    read = _read(body, B, False, len(body) or 1, None)
    files = [size for _, filename, *_, size, _ in read if filename is not None] if isinstance(read, list) else []
    _agree(body, B, (None, keep, *{max(size - 1, 0) for size in files}))  # a file's head cut one byte short


@pytest.mark.parametrize("body", EDGE_CASES)
def test_fast_and_state_machine_agree_on_edge_cases(body: bytes) -> None:
    _agree(body, "B")


def test_plain_bodies_take_the_fast_path_and_large_ones_do_not() -> None:
    body = encode_multipart([Part("prompt", b"a cat"), Part("f", b"\x89PNG" + b"x" * 100, "a.png")], B)
    assert _split_plain(body, B.encode()) is not None
    reader = MultipartReader(B.encode())
    reader.feed(body)
    assert reader._pending  # held until finish
    large = encode_multipart([Part("f", b"x" * FAST_BODY_BYTES, "a.bin")], B)
    reader = MultipartReader(B.encode())
    reader.feed(large[:100])
    reader.feed(large[100:])
    assert reader._pending is None  # past the limit: streamed through the state machine
    assert reader.finish()[0].size == FAST_BODY_BYTES


def test_parts_from_the_fast_path_are_plain_data_like_the_state_machines() -> None:
    """Each part gets its own headers dict (the cached reading is copied): parts pickle, deep-copy
    and change like those python-multipart's path builds (a shared read-only view did not)."""
    import copy
    import pickle

    body = b'--b\r\nContent-Disposition: form-data; name="prompt"\r\n\r\ncows\r\n--b--\r\n'
    first, _ = _split_plain(body, b"b") or ([], None)
    second, _ = _split_plain(body, b"b") or ([], None)
    assert type(first[0].headers) is dict and first[0].headers is not second[0].headers
    assert pickle.loads(pickle.dumps(first)) == first and copy.deepcopy(first) == first
