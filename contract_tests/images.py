"""Real image bytes, made without any imaging library.

Generated uploads must look like what a browser sends (a PNG, JPEG or WebP that starts with its
real signature and decodes), and the mock's thumbnails must be images a page can show.
"""

from __future__ import annotations

import struct
import zlib


def png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (40, 120, 200), pad_to: int = 0) -> bytes:
    """A valid RGB PNG; ``pad_to`` appends an ancillary chunk so the file reaches that size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width
    raw = row * height
    head = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    body = chunk(b"IDAT", zlib.compress(raw, 6))
    tail = chunk(b"IEND", b"")
    missing = pad_to - len(head) - len(body) - len(tail) - 12
    if missing > 0:
        body += chunk(b"tEXt", b"pad\x00" + b"x" * (missing - 4))
    return head + body + tail


# An 8x8 grey baseline JPEG and an 8x8 lossless WebP, as ffmpeg encodes them.
_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010200000100010000fffe00104c61766335392e33372e31303000ffdb0043000814141714171b"
    "1b1b1b1b1b201e20212121202020202121212424242a2a2a2424242121242428282a2a2e2f2e2b2b2a2b2f2f3232323c3c39"
    "39464648565667ffc4004a0001000000000000000000000000000000000101000000000000000000000000000000001001000"
    "00000000000000000000000000000110100000000000000000000000000000000ffc0001108000800080301220002110003"
    "1100ffda000c03010002110311003f00000fffd9"
)
_WEBP = bytes.fromhex("524946461e000000574542505650384c110000002f07c001000750c00216b0ff8188e87f0000")


def jpeg(pad_to: int = 0) -> bytes:
    """A decodable JPEG, grown with comment (COM) segments to ``pad_to`` bytes when asked."""
    missing = pad_to - len(_JPEG)
    segments = b""
    while missing > 4:
        size = min(missing - 2, 65535)
        segments += b"\xff\xfe" + struct.pack(">H", size) + b"p" * (size - 2)
        missing -= size + 2
    return _JPEG[:2] + segments + _JPEG[2:]


def webp(pad_to: int = 0) -> bytes:
    """A decodable WebP, grown with an unknown RIFF chunk (which decoders skip) when asked."""
    chunks = _WEBP[12:]
    missing = pad_to - len(_WEBP)
    if missing > 8:
        size = missing - 8
        chunks += b"PADD" + struct.pack("<I", size) + b"\x00" * (size + size % 2)
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + chunks


SIGNATURES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff", "image/webp": b"RIFF"}
