"""The upload probe: an MP4's size and duration from its boxes, None (never an exception) for anything else."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract_tests.core import assets, images
from contract_tests.core.engine import VideoEngine, sdk_size
from contract_tests.core.mp4 import box, full_box
from contract_tests.core.mp4_probe import Probe, is_mp4, probe


@pytest.mark.parametrize(("size", "seconds"), [("1280x720", "8"), ("720x1280", "4"), ("1792x1024", "12")])
def test_the_mocks_own_content_probes_as_its_video(size: str, seconds: str) -> None:
    mp4, _ = assets.content("video", size, seconds)
    width, height = map(int, size.split("x"))
    assert probe(mp4) == Probe(width, height, float(seconds))


def test_64_bit_boxes_are_read() -> None:
    """Version 1 mvhd/tkhd (64-bit times) inside a moov with a 64-bit largesize header."""
    mvhd = full_box(b"mvhd", 1, 0, struct.pack(">QQIQ", 0, 0, 1000, 6500), bytes(80))
    size = struct.pack(">II", 640 << 16, 360 << 16)
    tkhd = full_box(b"tkhd", 1, 3, struct.pack(">QQIIQ", 0, 0, 1, 0, 6500), bytes(52), size)
    inner = mvhd + box(b"trak", tkhd)
    moov = struct.pack(">I4sQ", 1, b"moov", 16 + len(inner)) + inner
    ftyp = box(b"ftyp", b"isom", bytes(4))
    assert probe(ftyp + moov) == Probe(640, 360, 6.5)


def test_what_is_not_a_readable_mp4_probes_as_none() -> None:
    mp4, _ = assets.content("video", "1280x720", "4")
    assert not is_mp4(images.png()) and probe(images.png()) is None
    assert probe(mp4[:40]) is None  # cut inside moov
    assert probe(box(b"ftyp", b"isom") + box(b"moov", box(b"trak"))) is None  # no mvhd, no tkhd


@given(st.binary(max_size=300))
def test_probe_never_raises(junk: bytes) -> None:
    probe(b"\0\0\0\x10ftypisom\0\0\0\0" + junk)


def test_an_upload_keeps_its_size_only_when_the_sdks_name_it() -> None:
    assert [sdk_size(*wh) for wh in ((1792, 1024), (1920, 1080), (160, 90), (90, 160), (500, 500))] == [
        "1792x1024", "1280x720", "1280x720", "720x1280", "720x1280"
    ]
    engine = VideoEngine(seed=1)
    edited = engine.derive(None, "x", call="extension", add_seconds=4, upload=Probe(1920, 1080, 7.6))
    assert edited is not None and (edited["size"], edited["seconds"]) == ("1280x720", "12")
