"""Readers for the generated media, written from the specs and independent of the writers.

ISO BMFF boxes (14496-12), the H.264 SPS (7.3.2.1.1 with 9.1 Exp-Golomb codes), and the size
fields of WebP (VP8L) and JPEG (SOF0) headers: enough to check what a player or an ``<img>``
would read first.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"dinf"}


def boxes(data: bytes, start: int = 0, end: int | None = None) -> list[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of every box between ``start`` and ``end``, in order."""
    end = len(data) if end is None else end
    found = []
    while start < end:
        size, kind = struct.unpack_from(">I4s", data, start)
        assert size >= 8 and start + size <= end, f"box {kind!r} at {start} overruns its parent"
        found.append((kind, start + 8, start + size))
        start += size
    return found


def box(data: bytes, path: str) -> tuple[int, int]:
    """The payload span of the first box at ``path`` ("moov/trak/tkhd"), descending containers."""
    start, end = 0, len(data)
    for name in path.split("/"):
        matches = [(s, e) for kind, s, e in boxes(data, start, end) if kind == name.encode()]
        assert matches, f"no {name} in {path}"
        start, end = matches[0]
    return start, end


def payload(data: bytes, path: str) -> bytes:
    start, end = box(data, path)
    return data[start:end]


class BitReader:
    def __init__(self, data: bytes) -> None:
        self.bits = "".join(f"{byte:08b}" for byte in data)
        self.at = 0

    def u(self, count: int) -> int:
        value = int(self.bits[self.at : self.at + count] or "0", 2)
        self.at += count
        return value

    def ue(self) -> int:
        zeros = 0
        while self.bits[self.at] == "0":
            zeros += 1
            self.at += 1
        return self.u(zeros + 1) - 1


def unescape(nal: bytes) -> bytes:
    """The RBSP of a NAL unit's payload: emulation prevention bytes (00 00 03) removed."""
    out, zeros = bytearray(), 0
    for byte in nal:
        if zeros >= 2 and byte == 3:
            zeros = 0
            continue
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


@dataclass
class Sps:
    profile: int
    level: int
    width: int
    height: int


def parse_sps(nal: bytes) -> Sps:
    assert nal[0] & 0x1F == 7, "not an SPS"
    bits = BitReader(unescape(nal[1:]))
    profile, _constraints, level = bits.u(8), bits.u(8), bits.u(8)
    assert profile == 66, "these readers know the Baseline SPS only"
    bits.ue()  # seq_parameter_set_id
    bits.ue()  # log2_max_frame_num_minus4
    assert bits.ue() == 2, "pic_order_cnt_type 2 expected"
    bits.ue()  # max_num_ref_frames
    bits.u(1)
    mb_width, map_height = bits.ue() + 1, bits.ue() + 1
    frame_mbs_only = bits.u(1)
    if not frame_mbs_only:
        bits.u(1)
    bits.u(1)
    left = right = top = bottom = 0
    if bits.u(1):
        left, right, top, bottom = bits.ue(), bits.ue(), bits.ue(), bits.ue()
    width = mb_width * 16 - 2 * (left + right)
    height = map_height * 16 * (2 - frame_mbs_only) - 2 * (2 - frame_mbs_only) * (top + bottom)
    return Sps(profile, level, width, height)


def webp_size(data: bytes) -> tuple[int, int]:
    assert data[:4] == b"RIFF" and data[8:16] == b"WEBPVP8L" and data[20] == 0x2F
    assert struct.unpack_from("<I", data, 4)[0] == len(data) - 8
    header = int.from_bytes(data[21:25], "little")
    return (header & 0x3FFF) + 1, ((header >> 14) & 0x3FFF) + 1


def jpeg_size(data: bytes) -> tuple[int, int]:
    assert data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"
    at = 2
    while True:
        marker, length = struct.unpack_from(">xBH", data, at)
        if marker == 0xC0:
            height, width = struct.unpack_from(">HH", data, at + 5)
            return width, height
        at += 2 + length
