"""What an uploaded MP4 is: is it one at all, and its picture size and duration (ISO/IEC 14496-12).

Edits, extensions and characters take an MP4 upload. The mock sniffs it (``ftyp`` first) and, for
an edit or extension, reads the movie's duration (``mvhd``) and the first video track's size
(``tkhd``) so the new video follows the upload, as it follows a source given by id. Only box
headers are read; anything malformed or missing makes :func:`probe` answer None, never raise.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass


@dataclass(frozen=True)
class Probe:
    """An MP4's first visual track size (pixels) and its movie duration (seconds)."""

    width: int
    height: int
    seconds: float


def is_mp4(data: bytes) -> bool:
    """Whether uploaded bytes are ISO base media (MP4, MOV): a file type box (``ftyp``) comes first."""
    return data[4:8] == b"ftyp"


def _boxes(data: bytes, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of each box in ``data[start:end]``; stops at the first bad header."""
    found = []
    while start + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, start)
        header = 8
        if size == 1 and start + 16 <= end:  # a 64-bit largesize follows the type
            size, header = struct.unpack_from(">Q", data, start + 8)[0], 16
        elif size == 0:  # to the end of the enclosing box
            size = end - start
        if size < header or start + size > end:
            break
        found.append((kind, start + header, start + size))
        start += size
    return found


def _child(data: bytes, start: int, end: int, kind: bytes) -> list[tuple[int, int]]:
    return [(s, e) for k, s, e in _boxes(data, start, end) if k == kind]


def _duration(mvhd: bytes) -> float | None:
    """The movie's duration in seconds: (version 0) 4+4+4 bytes, then timescale and duration, 32-bit each."""
    if not mvhd:
        return None
    if mvhd[0] == 1 and len(mvhd) >= 32:
        timescale, duration = struct.unpack_from(">IQ", mvhd, 20)
    elif len(mvhd) >= 20:
        timescale, duration = struct.unpack_from(">II", mvhd, 12)
    else:
        return None
    return duration / timescale if timescale else None


def _track_size(tkhd: bytes) -> tuple[int, int] | None:
    """``tkhd``'s width and height (16.16 fixed point), the last 8 bytes of the box."""
    expected = 96 if tkhd[:1] == b"\x01" else 84  # version 1: 64-bit times and duration
    if len(tkhd) < expected:
        return None
    width, height = struct.unpack_from(">II", tkhd, expected - 8)
    return (width >> 16, height >> 16) if width >> 16 and height >> 16 else None


def probe(data: bytes) -> Probe | None:
    """The upload's size and duration, or None when it is not an MP4 this can read."""
    if not is_mp4(data):
        return None
    for moov_start, moov_end in _child(data, 0, len(data), b"moov"):
        mvhd = _child(data, moov_start, moov_end, b"mvhd")
        seconds = _duration(data[mvhd[0][0] : mvhd[0][1]]) if mvhd else None
        for trak_start, trak_end in _child(data, moov_start, moov_end, b"trak"):
            tkhd = _child(data, trak_start, trak_end, b"tkhd")
            size = _track_size(data[tkhd[0][0] : tkhd[0][1]]) if tkhd else None
            if size is not None and seconds is not None:
                return Probe(size[0], size[1], seconds)
    return None
