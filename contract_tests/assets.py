"""What ``GET /v1/videos/{id}/content`` serves: a real, playable MP4 and real images.

The files in ``media/`` were encoded once with ffmpeg (a 2 s 160x90 H.264 test pattern, a WebP
thumbnail and a JPEG spritesheet), so a ``<video>`` or ``<img>`` tag in a frontend shows them.
"""

from __future__ import annotations

import functools
from importlib import resources

VARIANTS: dict[str, tuple[str, str]] = {
    "video": ("sample.mp4", "video/mp4"),
    "thumbnail": ("thumbnail.webp", "image/webp"),
    "spritesheet": ("spritesheet.jpg", "image/jpeg"),
}


@functools.cache
def content(variant: str) -> tuple[bytes, str]:
    """The bytes and media type for a content variant (read once, then cached)."""
    filename, media_type = VARIANTS[variant]
    return resources.files("contract_tests").joinpath("media").joinpath(filename).read_bytes(), media_type
