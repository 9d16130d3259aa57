"""What ``GET /v1/videos/{id}/content`` serves: an MP4 and images shaped like the video itself.

A frontend testing a player, a portrait layout or a duration label needs the content to have the
video's ``size`` and ``seconds``, so every file is generated for them, in pure Python (no ffmpeg
at run time) and cached: a flat-coloured H.264 still (:mod:`contract_tests.core.h264`) muxed for the
whole duration (:mod:`contract_tests.core.mp4`), a WebP thumbnail and a JPEG spritesheet of the same
aspect ratio (:mod:`contract_tests.core.images`).

Sizes H.264 cannot code as asked are adjusted, and said so in the README: an odd side is rounded
down to even (4:2:0 has no odd sizes), a frame beyond level 5.1 (36864 macroblocks, e.g. more than
4096x2304) is scaled down keeping its aspect ratio. ``seconds`` that is not a positive number
plays the engine's default; a duration past :data:`MAX_SECONDS` is cut to it.
"""

from __future__ import annotations

import functools
import math

from contract_tests.core import h264, images, mp4
from contract_tests.core.engine import DEFAULT_SECONDS, DEFAULT_SIZE, normalize_size

VARIANTS: dict[str, str] = {"video": "video/mp4", "thumbnail": "image/webp", "spritesheet": "image/jpeg"}
COLOUR = (38, 87, 197)  # the admin page's blue
MAX_SECONDS = 600
FRAME_MS = 1000  # one picture a second: the picture is still, and seeking lands on whole seconds
KEYFRAME_SECONDS = 2  # an IDR (sync sample) this often, so a seek decodes at most one more frame
MAX_KEYFRAMES = 30  # longer videos space them out, keeping the file small
THUMBNAIL_SIDE = 320
SPRITE_TILE_SIDE = 160
SPRITE_GRID = 4  # a square grid of tiles keeps the sheet's aspect ratio the video's


def frame_size(size: object) -> tuple[int, int]:
    """The coded width and height for a video's ``size`` (WxH, as the engine stores it)."""
    width, height = (int(side) for side in normalize_size(size, DEFAULT_SIZE).split("x"))
    scale = 1.0
    while True:
        even = (max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2))
        try:
            h264.Frame(*even)
        except ValueError:
            scale *= 0.95
            continue
        return even


def duration_ms(seconds: object) -> int:
    """A video's ``seconds`` in milliseconds, between 1 ms and :data:`MAX_SECONDS`."""
    try:
        value = float(str(seconds))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        value = float(DEFAULT_SECONDS)
    return max(1, round(min(value, MAX_SECONDS) * 1000))


def content(variant: str, size: object, seconds: object) -> tuple[bytes, str]:
    """The bytes and media type of one variant for a video of this ``size`` and ``seconds``."""
    width, height = frame_size(size)
    if variant == "video":
        return movie(width, height, duration_ms(seconds)), VARIANTS[variant]
    if variant == "thumbnail":
        return thumbnail(width, height), VARIANTS[variant]
    if variant == "spritesheet":
        return spritesheet(width, height), VARIANTS[variant]
    raise KeyError(variant)


@functools.lru_cache(maxsize=32)
def movie(width: int, height: int, milliseconds: int) -> bytes:
    """An MP4 of ``width`` x ``height`` lasting exactly ``milliseconds``: one frame a second."""
    frame = h264.Frame(width, height)
    count = math.ceil(milliseconds / FRAME_MS)
    interval = max(KEYFRAME_SECONDS, math.ceil(count / MAX_KEYFRAMES))
    idr = [h264.idr_slice(frame, COLOUR, idr_pic_id) for idr_pic_id in (0, 1)]  # consecutive IDRs differ
    samples = []
    for index in range(count):
        since_key = index % interval
        unit = idr[(index // interval) % 2] if since_key == 0 else h264.skip_slice(frame, since_key)
        length = min(FRAME_MS, milliseconds - index * FRAME_MS)
        samples.append(mp4.Sample((unit,), length, sync=since_key == 0))
    return mp4.mux(width, height, h264.sps(frame), h264.pps(), samples)


def _fit(width: int, height: int, side: int) -> tuple[int, int]:
    """``width`` x ``height`` scaled down (never up) so its longer side is at most ``side``."""
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


@functools.lru_cache(maxsize=32)
def thumbnail(width: int, height: int) -> bytes:
    """A WebP of the video's aspect ratio, at most :data:`THUMBNAIL_SIDE` pixels a side."""
    return images.flat_webp(*_fit(width, height, THUMBNAIL_SIDE), COLOUR)


@functools.lru_cache(maxsize=32)
def spritesheet(width: int, height: int) -> bytes:
    """A JPEG grid of :data:`SPRITE_GRID` x :data:`SPRITE_GRID` tiles of the video's aspect ratio.

    Each tile is a lighter shade than the one before, so a scrubbing preview visibly moves.
    """
    tile_width, tile_height = _fit(width, height, SPRITE_TILE_SIDE)
    tiles = SPRITE_GRID * SPRITE_GRID

    def colour_at(x: int, y: int) -> tuple[int, int, int]:
        index = (y // tile_height) * SPRITE_GRID + x // tile_width
        mix = 0.6 * index / (tiles - 1)
        red, green, blue = (round(c + (255 - c) * mix) for c in COLOUR)
        return red, green, blue

    return images.block_jpeg(SPRITE_GRID * tile_width, SPRITE_GRID * tile_height, colour_at)
