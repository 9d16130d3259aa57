"""HTTP ``Range`` requests (RFC 9110, 14.1-14.4) on one representation of known length.

A ``<video>`` element reads an MP4 in pieces (``Range: bytes=0-``, then the parts it seeks to),
so the content route answers a single byte range with 206. What a server may ignore is ignored
(another unit, bad syntax, several ranges: the whole body with 200); a range that starts past the
end is unsatisfiable (416).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPEC = re.compile(r"^\s*(?P<first>\d*)\s*-\s*(?P<last>\d*)\s*$")


@dataclass(frozen=True)
class ByteRange:
    """Inclusive first and last byte positions within a body of ``total`` bytes."""

    first: int
    last: int
    total: int

    @property
    def content_range(self) -> str:
        return f"bytes {self.first}-{self.last}/{self.total}"


class Unsatisfiable(Exception):
    """No byte of the range is in the body: answer 416 with ``Content-Range: bytes */total``."""

    def __init__(self, total: int) -> None:
        super().__init__(f"bytes */{total}")
        self.total = total


def requested_range(header: str | None, total: int) -> ByteRange | None:
    """The one range to answer with 206, or None to answer the whole body; raises :class:`Unsatisfiable`."""
    if header is None:
        return None
    unit, _, ranges = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in ranges:
        return None  # other units, and multipart/byteranges answers, are not offered
    match = _SPEC.match(ranges)
    if match is None or not (match["first"] or match["last"]):
        return None
    if not match["first"]:  # a suffix: the last N bytes
        length = int(match["last"])
        if length == 0 or total == 0:
            raise Unsatisfiable(total)
        return ByteRange(max(0, total - length), total - 1, total)
    first = int(match["first"])
    if match["last"] and int(match["last"]) < first:
        return None  # invalid syntax (RFC 9110 14.1.1): ignored
    if first >= total:
        raise Unsatisfiable(total)
    last = int(match["last"]) if match["last"] else total - 1
    return ByteRange(first, min(last, total - 1), total)
