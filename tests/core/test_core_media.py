"""The generated content: an MP4 of the video's own size and duration, images of its aspect ratio.

Every file is read back with the spec-based readers of ``media_reader`` (not the writers' code):
the boxes a player reads first, the SPS a decoder sizes its frames from, the image headers.
The browser test (tests/admin/test_content_browser.py) checks that Chromium plays and shows them.
"""

from __future__ import annotations

import struct

import pytest
from media_reader import boxes, jpeg_size, parse_sps, payload, unescape, webp_size

from contract_tests.core import assets, h264

SIZES = ["720x1280", "1280x720", "1024x1792", "1792x1024", "160x90"]
SECONDS = ["4", "8", "10", "12", "20"]


def timed(data: bytes, path: str) -> tuple[int, int]:
    """(timescale, duration) of an ``mvhd`` or ``mdhd`` version 0."""
    body = payload(data, path)
    assert body[0] == 0, "version 0 expected"
    return struct.unpack_from(">II", body, 12)


def avc1(data: bytes) -> tuple[int, int, bytes]:
    """The sample entry's width and height, and its ``avcC`` payload."""
    stsd = payload(data, "moov/trak/mdia/minf/stbl/stsd")
    (count,) = struct.unpack_from(">I", stsd, 4)
    entries = boxes(stsd, 8)
    assert count == 1 and entries[0][0] == b"avc1"
    _, start, end = entries[0]
    width, height = struct.unpack_from(">HH", stsd, start + 24)
    (config,) = [(s, e) for kind, s, e in boxes(stsd, start + 78, end) if kind == b"avcC"]
    return width, height, stsd[config[0] : config[1]]


def table(data: bytes, name: str, entry: str) -> list[tuple[int, ...]]:
    body = payload(data, f"moov/trak/mdia/minf/stbl/{name}")
    (count,) = struct.unpack_from(">I", body, 4)
    size = struct.calcsize(">" + entry)
    return [struct.unpack_from(">" + entry, body, 8 + i * size) for i in range(count)]


@pytest.mark.parametrize("seconds", SECONDS)
@pytest.mark.parametrize("size", SIZES)
def test_the_mp4_has_the_videos_size_and_duration(size: str, seconds: str) -> None:
    data, media_type = assets.content("video", size, seconds)
    width, height = (int(side) for side in size.split("x"))
    assert media_type == "video/mp4"
    kinds = [kind for kind, _, _ in boxes(data)]
    assert kinds == [b"ftyp", b"moov", b"mdat"], "moov must come before mdat (faststart)"
    assert payload(data, "ftyp")[:4] == b"isom"

    for path in ("moov/mvhd", "moov/trak/mdia/mdhd"):
        timescale, duration = timed(data, path)
        assert duration / timescale == int(seconds)
    tkhd = payload(data, "moov/trak/tkhd")
    assert struct.unpack_from(">II", tkhd, 76) == (width << 16, height << 16)  # 16.16 fixed point
    assert payload(data, "moov/trak/mdia/hdlr")[8:12] == b"vide"

    entry_width, entry_height, config = avc1(data)
    assert (entry_width, entry_height) == (width, height)
    assert config[0] == 1 and config[4] & 3 == 3  # version 1, 4-byte NAL lengths
    assert config[5] & 0x1F == 1
    (sps_length,) = struct.unpack_from(">H", config, 6)
    sps = parse_sps(config[8 : 8 + sps_length])
    assert (sps.width, sps.height) == (width, height), "the SPS, after cropping, codes the video's size"
    assert (sps.profile, config[1], config[3]) == (66, 66, sps.level)

    durations = table(data, "stts", "II")
    assert sum(count * delta for count, delta in durations) == timed(data, "moov/trak/mdia/mdhd")[1]
    sizes = _sample_sizes(data)
    assert len(sizes) == sum(count for count, _ in durations) == int(seconds)
    assert table(data, "stsc", "III") == [(1, len(sizes), 1)]
    (offset,) = table(data, "stco", "I")[0]
    (_, mdat_start, mdat_end) = boxes(data)[2]
    assert offset == mdat_start and sum(sizes) == mdat_end - mdat_start

    sync = {number for (number,) in table(data, "stss", "I")}
    assert 1 in sync and len(sync) >= int(seconds) // 2
    at = offset
    for number, sample_size in enumerate(sizes, 1):
        (length,) = struct.unpack_from(">I", data, at)
        assert length == sample_size - 4, "one length-prefixed NAL unit per sample"
        assert data[at + 4] & 0x1F == (5 if number in sync else 1), "sync samples are IDR pictures"
        at += sample_size


def _sample_sizes(data: bytes) -> list[int]:
    body = payload(data, "moov/trak/mdia/minf/stbl/stsz")
    uniform, count = struct.unpack_from(">II", body, 4)
    assert uniform == 0
    return list(struct.unpack_from(f">{count}I", body, 12))


def test_a_fractional_duration_is_kept_to_the_millisecond() -> None:
    data, _ = assets.content("video", "1280x720", "4.5")
    assert timed(data, "moov/mvhd") == (1000, 4500)


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ("16x9", (1280, 720)),  # an aspect ratio, as the jxincm documents send it
        ("161x91", (160, 90)),  # 4:2:0 codes even sides only
        ("4096x2304", (4096, 2304)),  # the largest 16:9 frame of level 5.1
        ("99999x99999", None),  # scaled down into level 5.1, square still
        ("nonsense", (720, 1280)),
    ],
)
def test_the_frame_size_is_the_videos_size_where_h264_can_code_it(size: str, expected: tuple[int, int] | None) -> None:
    width, height = assets.frame_size(size)
    if expected is not None:
        assert (width, height) == expected
    else:
        assert width == height and h264.Frame(width, height).mb_count <= h264.MAX_FRAME_MBS


@pytest.mark.parametrize(("seconds", "expected"), [("8", 8000), ("0", 4000), ("-3", 4000), ("nan", 4000),
                                                   ("x", 4000), ("100000", assets.MAX_SECONDS * 1000)])
def test_seconds_that_cannot_play_fall_back(seconds: str, expected: int) -> None:
    assert assets.duration_ms(seconds) == expected


def test_frames_h264_cannot_code_are_refused() -> None:
    for width, height in [(161, 90), (0, 2), (8192, 8192)]:
        with pytest.raises(ValueError):
            h264.Frame(width, height)
    assert h264.Frame(1792, 1024).level_idc == 40  # 7168 macroblocks: more than level 3.2 holds
    assert h264.Frame(720, 1280).level_idc == 31


def test_emulation_prevention_keeps_start_codes_out_of_a_nal_unit() -> None:
    rbsp = b"\x00\x00\x00\x00\x00\x01\x00\x00\x03\x80"
    unit = h264.nal(3, 5, rbsp)
    assert b"\x00\x00\x00" not in unit and b"\x00\x00\x01" not in unit
    assert unescape(unit[1:]) == rbsp


def test_a_long_video_stays_small() -> None:
    """Skipped pictures are a few bytes each, and past a minute the IDRs are spaced out."""
    data, _ = assets.content("video", "1792x1024", "600")
    assert len(data) < 300_000
    assert len(table(data, "stss", "I")) <= assets.MAX_KEYFRAMES


@pytest.mark.parametrize("size", SIZES)
def test_the_images_have_the_videos_aspect_ratio(size: str) -> None:
    width, height = (int(side) for side in size.split("x"))
    thumbnail, thumbnail_type = assets.content("thumbnail", size, "4")
    sheet, sheet_type = assets.content("spritesheet", size, "4")
    assert (thumbnail_type, sheet_type) == ("image/webp", "image/jpeg")
    tile_side = min(assets.SPRITE_TILE_SIDE, max(width, height))  # never scaled up
    for (image_width, image_height), longest in [
        (webp_size(thumbnail), min(assets.THUMBNAIL_SIDE, max(width, height))),
        (jpeg_size(sheet), tile_side * assets.SPRITE_GRID),
    ]:
        assert max(image_width, image_height) == longest
        assert abs(image_width / image_height - width / height) < 0.02 * width / height
    assert len(thumbnail) < 100 and len(sheet) < 20_000
