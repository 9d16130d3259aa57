"""Real image bytes, made without any imaging library.

Generated uploads must look like what a browser sends (a PNG, JPEG or WebP that starts with its
real signature and decodes), and the mock's thumbnails must be images a page can show.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

from contract_tests.core.bits import BitWriter


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


# What each raster image type starts with (WebP: RIFF, then WEBP at byte 8): one table for the
# uploads made here and the journal's sniffing of what clients sent (only real rasters are kept).
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
# The types this module makes, by the bytes they start with.
SIGNATURES = {**{media: sig for sig, media in _SIGNATURES if media != "image/gif"}, "image/webp": b"RIFF"}


def image_type(data: bytes) -> str | None:
    """The raster image type ``data`` really is (PNG, JPEG, GIF, WebP), or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((media for signature, media in _SIGNATURES if data.startswith(signature)), None)


def flat_webp(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A lossless (VP8L) WebP of one colour, any size up to 16384x16384, in a few dozen bytes.

    Each of the five prefix codes is a "simple" code of one symbol, which takes zero bits per
    use, so the pixels themselves cost nothing (WebP lossless bitstream specification, 3.7.2).
    """
    if not (1 <= width <= 16384 and 1 <= height <= 16384):
        raise ValueError(f"WebP sides are 1..16384 pixels, not {width}x{height}")
    bits = _LsbBits()
    bits.put(14, width - 1)
    bits.put(14, height - 1)
    bits.put(1, 0)  # alpha_is_used
    bits.put(3, 0)  # version
    bits.put(1, 0)  # no transform
    bits.put(1, 0)  # no colour cache
    bits.put(1, 0)  # no meta prefix codes: one set of codes for the whole image
    red, green, blue = rgb
    for symbol in (green, red, blue, 255):  # green (+ length prefixes), red, blue, alpha
        bits.put(1, 1)  # simple code
        bits.put(1, 0)  # one symbol
        bits.put(1, 1)  # written in 8 bits
        bits.put(8, symbol)
    bits.put(4, 0b0001)  # distance code: simple, one symbol, 1 bit, symbol 0 (never used)
    payload = b"\x2f" + bits.finish()
    chunk = b"VP8L" + struct.pack("<I", len(payload)) + payload + b"\x00" * (len(payload) % 2)
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


class _LsbBits:
    """Least-significant-bit-first packing, as WebP lossless reads its bits."""

    def __init__(self) -> None:
        self._value = 0
        self._count = 0

    def put(self, bits: int, value: int) -> None:
        self._value |= (value & ((1 << bits) - 1)) << self._count
        self._count += bits

    def finish(self) -> bytes:
        return self._value.to_bytes((self._count + 7) // 8, "little")


# Baseline JPEG Huffman tables (ITU T.81): the standard luminance DC table (Annex K.3, categories
# 0..11) and an AC table holding only end-of-block, the one AC symbol a flat 8x8 block needs.
_DC_COUNTS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
_DC_SYMBOLS = tuple(range(12))
_AC_COUNTS = (1, *(0,) * 15)
_AC_SYMBOLS = (0x00,)
_QUANT = 8  # a flat block's DC coefficient is 8 * (sample - 128): quantised by 8 it is exact


def _canonical_codes(counts: tuple[int, ...], symbols: tuple[int, ...]) -> dict[int, tuple[int, int]]:
    """symbol -> (code, length), assigned in order as T.81 Annex C does."""
    codes: dict[int, tuple[int, int]] = {}
    code, index = 0, 0
    for length, count in enumerate(counts, 1):
        for _ in range(count):
            codes[symbols[index]] = (code, length)
            code += 1
            index += 1
        code <<= 1
    return codes


def block_jpeg(width: int, height: int, colour_at: Callable[[int, int], tuple[int, int, int]]) -> bytes:
    """A baseline JPEG whose every 8x8 block is flat, coloured by ``colour_at(x, y)`` of its corner.

    Only DC coefficients are coded (4:4:4, one quantisation and one table pair), so a picture of
    coloured tiles is a few bytes per block and decodes exactly in any JPEG decoder.
    """
    if not (1 <= width <= 65535 and 1 <= height <= 65535):
        raise ValueError(f"JPEG sides are 1..65535 pixels, not {width}x{height}")
    dc_codes = _canonical_codes(_DC_COUNTS, _DC_SYMBOLS)
    eob_code, eob_length = _canonical_codes(_AC_COUNTS, _AC_SYMBOLS)[0]
    writer = BitWriter()
    predictions = [0, 0, 0]
    for block_y in range(0, height, 8):
        for block_x in range(0, width, 8):
            for component, sample in enumerate(_jfif_ycbcr(colour_at(block_x, block_y))):
                dc = sample - 128  # 8 * (sample - 128) / _QUANT
                diff, predictions[component] = dc - predictions[component], dc
                category = abs(diff).bit_length()
                code, length = dc_codes[category]
                writer.u(length, code)
                if category:  # the difference's low bits, negative ones as ones' complement
                    writer.u(category, diff if diff > 0 else diff + (1 << category) - 1)
                writer.u(eob_length, eob_code)
    if writer.pending:
        writer.u(8 - writer.pending, 0xFF)  # pad with one bits
    scan = bytes(writer.out).replace(b"\xff", b"\xff\x00")  # byte stuffing (T.81 F.1.2.3)

    def segment(marker: int, payload: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload

    def table(table_class: int, counts: tuple[int, ...], symbols: tuple[int, ...]) -> bytes:
        return bytes([table_class << 4, *counts, *symbols])

    components = b"".join(bytes([ident, 0x11, 0]) for ident in (1, 2, 3))
    return b"".join(
        (
            b"\xff\xd8",
            segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            segment(0xDB, bytes([0, *(_QUANT,) * 64])),
            segment(0xC0, struct.pack(">BHHB", 8, height, width, 3) + components),
            segment(0xC4, table(0, _DC_COUNTS, _DC_SYMBOLS) + table(1, _AC_COUNTS, _AC_SYMBOLS)),
            segment(0xDA, bytes([3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0])),
            scan,
            b"\xff\xd9",
        )
    )


def _jfif_ycbcr(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """Full-range Y'CbCr, the JFIF convention."""
    r, g, b = rgb
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    luma, blue, red = (max(0, min(255, round(v))) for v in (y, cb, cr))
    return luma, blue, red
