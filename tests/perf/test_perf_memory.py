"""Issue 6, memory: a streaming server keeps the head of each uploaded file, never the upload.

``MultipartReader(keep_file_bytes=N)`` keeps at most N bytes of every file part and counts the
rest in ``Part.size``; text parts are kept whole. The server door uses it, so the journal, the
admin page and the answer still report the upload's real size, and previews only take whole files.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from types import SimpleNamespace

import httpx
import pytest

from contract_tests import load_registry
from contract_tests.core import images
from contract_tests.core.http import RawRequest
from contract_tests.core.multipart import content_type, encode_multipart
from contract_tests.core.parts import Part
from contract_tests.core.wire import MultipartReader, parse_multipart
from contract_tests.testing.strategies import example_request
from mockserver.background import BackgroundServer
from mockserver.door import KEEP_FILE_BYTES, SNIFF_FILE_BYTES, VideoDoor
from mockserver.settings import Settings

BOUNDARY = "perfboundary0123456789"
AUTH = {"Authorization": "Bearer sk-perf"}
MIB = 1024 * 1024


def _body(image: bytes, prompt: str = "a cat on a skateboard") -> bytes:
    parts = [
        Part("model", b"sora-2"),
        Part("prompt", prompt.encode()),
        Part("seconds", b"4"),
        Part("size", b"16x9"),
        Part("watermark", b"false"),
        Part("input_reference", image, "frame.png", "image/png"),
    ]
    return encode_multipart(parts, BOUNDARY)


def _feed(body: bytes, chunk: int, keep: int | None) -> list[Part]:
    reader = MultipartReader(BOUNDARY.encode(), None, keep)
    for start in range(0, len(body), chunk):
        reader.feed(body[start : start + chunk])
    return reader.finish()


@pytest.mark.parametrize("chunk", [1, 7, 4096, 65536, 10**9])
def test_reader_keeps_at_most_n_bytes_of_a_file_and_reports_its_full_size(chunk: int) -> None:
    image = images.png(pad_to=300_000) if chunk > 1 else images.png(pad_to=5_000)
    parts = _feed(_body(image), chunk, keep=1000)
    upload = next(p for p in parts if p.name == "input_reference")
    assert upload.size == len(image)
    assert upload.data == image[:1000]
    assert upload.truncated
    texts = {p.name: p.text for p in parts if not p.is_file}
    assert texts == {
        "model": "sora-2",
        "prompt": "a cat on a skateboard",
        "seconds": "4",
        "size": "16x9",
        "watermark": "false",
    }
    assert all(not p.truncated and p.size == len(p.data) for p in parts if not p.is_file)


def test_text_parts_are_never_cut_even_past_the_file_limit() -> None:
    prompt = "p" * 50_000
    parts = _feed(_body(images.png(), prompt), 4096, keep=100)
    assert next(p for p in parts if p.name == "prompt").text == prompt


def test_text_field_named_filename_is_a_text_part() -> None:
    body = encode_multipart([Part("filename", b"x" * 5000), Part("f", b"y" * 5000, "a.bin")], BOUNDARY)
    text, upload = _feed(body, 1000, keep=10)
    assert (text.is_file, text.size, text.data) == (False, 5000, b"x" * 5000)
    assert (upload.is_file, upload.size, upload.data) == (True, 5000, b"y" * 10)


def test_without_a_limit_everything_is_kept() -> None:
    image = images.png(pad_to=200_000)
    parts = parse_multipart(_body(image), BOUNDARY)
    upload = next(p for p in parts if p.name == "input_reference")
    assert (upload.data, upload.size, upload.truncated) == (image, len(image), False)
    assert _feed(_body(image), 8192, keep=len(image))[-1].truncated is False


def test_an_empty_file_part_is_size_zero() -> None:
    parts = _feed(_body(b""), 100, keep=10)
    assert (parts[-1].size, parts[-1].data, parts[-1].truncated) == (0, b"", False)


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with BackgroundServer(Settings(render_seconds=1.0, seed=3)) as running:
        yield running


def test_server_reports_the_real_size_of_a_large_upload_and_keeps_no_preview(server: BackgroundServer) -> None:
    image = images.png(pad_to=3 * MIB)
    headers = {**AUTH, "Content-Type": content_type(BOUNDARY)}
    with httpx.Client(base_url=server.url, timeout=30) as http:
        answer = http.post("/v1/videos", content=_body(image), headers=headers)
        assert answer.status_code == 200, answer.text
        entry = server.service.journal.entries()[-1]
        assert entry.files == [
            {"param": "input_reference", "filename": "frame.png", "content_type": "image/png", "size": len(image)}
        ]
        assert server.service.journal.previews.get(entry.id, "input_reference") is None
        listed = http.get("/__admin/requests").json()["data"][-1]
        assert listed["files"][0]["size"] == len(image)


def test_server_keeps_a_preview_of_a_small_upload(server: BackgroundServer) -> None:
    example = example_request(load_registry().document("jxincm-private"))
    with httpx.Client(base_url=server.url, timeout=30) as http:
        answer = http.post("/v1/videos", content=example.body, headers={**example.headers, **AUTH})
        assert answer.status_code == 200, answer.text
    entry = server.service.journal.entries()[-1]
    kept = server.service.journal.previews.get(entry.id, "input_reference")
    assert kept is not None and kept[0] == "image/png"
    assert server.service.journal.previews.max_bytes <= KEEP_FILE_BYTES  # previews are never cut files


@pytest.mark.parametrize("finish", [True, False])
def test_a_finished_or_closed_reader_is_freed_without_the_cyclic_gc(finish: bool) -> None:
    """The parser's callbacks are the reader's bound methods: finish() and close() break that cycle,
    so a reader and its kept parts go as soon as the request is done, not at the next GC run."""
    body = _body(images.png(pad_to=200_000))
    gc.disable()
    try:
        reader = MultipartReader(BOUNDARY.encode(), None, 1000)
        for start in range(0, len(body), 70_000):  # past FAST_BODY_BYTES: the state machine is made
            reader.feed(body[start : start + 70_000])
        if finish:
            reader.finish()
        else:
            reader.close()
        ref = weakref.ref(reader)
        del reader
        assert ref() is None
    finally:
        gc.enable()


def test_door_keeps_a_preview_only_when_the_body_could_hold_one() -> None:
    door = VideoDoor(service=SimpleNamespace(router=None), max_bytes=50 * 1024 * 1024)  # type: ignore[arg-type]
    small = RawRequest("POST", "http://x/v1/videos", {"content-length": str(KEEP_FILE_BYTES)})
    large = RawRequest("POST", "http://x/v1/videos", {"content-length": str(20 * 1024 * 1024)})
    chunked = RawRequest("POST", "http://x/v1/videos", {"transfer-encoding": "chunked"})
    assert door.kept_per_file(small) == KEEP_FILE_BYTES
    assert door.kept_per_file(large) == SNIFF_FILE_BYTES
    assert door.kept_per_file(chunked) == KEEP_FILE_BYTES
