"""The multipart part: one model for a part to send and a part as received.

Its home is this module, not the reader (wire.py) nor the encoder (multipart.py), because both of
them speak it: the encoder writes a :class:`Part` byte for byte, the reader builds one for every
part it meets, and the checker, service, journal, proxy and strategies pass it around. A part the
strategies build therefore compares equal to the part the server reads back (``tests/core/
test_core_parts.py`` holds that, and fails if a second part class comes back).

What each side needs, in the same fields:

- a sender's deliberate malformations: ``headers`` given on a part to send replaces the header
  lines ``name``, ``filename`` and ``content_type`` imply (``headers={}`` sends no header at all,
  ``{"Content-Type": "text/plain"}`` a part without Content-Disposition); a ``filename`` with no
  ``content_type`` is a file part without Content-Type; text sent as a file is a text value with a
  ``filename``;
- a receiver's truth: ``headers`` as they arrived (lower-case names), and ``data`` perhaps only the
  kept head of a large file, with ``size`` its full length and ``truncated`` true.

It stays a plain mutable dataclass (not frozen, no ``__post_init__`` work beyond today's) because
the mock server's reader builds one per part on its hot path; freezing would add a
``object.__setattr__`` per field to every part received.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(init=False, eq=False, slots=True)
class Part:
    """One multipart/form-data part: a file part when it has a ``filename``.

    ``headers`` is None on a part to send whose header lines are the ones its fields imply (see
    :attr:`wire_headers`); otherwise it is the header block itself, written verbatim by the
    encoder (a value may carry anything, line breaks included) and filled in by the reader. On a
    part to send with its own ``headers``, ``name``, ``filename`` and ``content_type`` are what the
    sender means the headers to say (the encoder writes only the headers); the reader derives them
    from the headers it read.
    Two parts are equal when they are the same on the wire: same fields, same bytes kept, same
    size and the same header lines (names compared case-insensitively).
    """

    name: str
    data: bytes
    filename: str | None = None
    content_type: str | None = None
    headers: Mapping[str, str] | None = None
    size: int = -1  # the part's full length in bytes; ``data`` may hold only its first bytes

    def __init__(
        self,
        name: str,
        data: bytes,
        filename: str | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        size: int = -1,
    ) -> None:
        # Written out rather than generated with a __post_init__: the reader makes every part of
        # every request, and one call costs less than two.
        self.name = name
        self.data = data
        self.filename = filename
        self.content_type = content_type
        self.headers = headers
        self.size = len(data) if size < 0 else size

    @property
    def truncated(self) -> bool:
        """True when only the first ``len(data)`` of ``size`` bytes were kept (a streaming server)."""
        return self.size > len(self.data)

    # The checker's fast lane (checker._plain_form) reads ``filename is not None`` and decodes
    # ``data`` the same way inline, on the hot path: change these two and change it too
    # (tests/core/test_core_checker_fast_lane.py holds its verdicts to the general path's).
    @property
    def is_file(self) -> bool:
        return self.filename is not None

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")

    @property
    def wire_headers(self) -> Mapping[str, str]:
        """The part's header lines on the wire: ``headers``, or the ones its fields imply.

        The implied ones are what clients send: a Content-Disposition naming the field (and the
        file, for a file part), and a Content-Type when one is given.
        """
        if self.headers is not None:
            return self.headers
        disposition = f'form-data; name="{_quote(self.name)}"'
        if self.filename is not None:
            disposition += f'; filename="{_quote(self.filename)}"'
        lines = {"Content-Disposition": disposition}
        if self.content_type:
            lines["Content-Type"] = self.content_type
        return lines

    def _identity(self) -> tuple[object, ...]:
        headers = {key.lower(): value for key, value in self.wire_headers.items()}
        return self.name, self.filename, self.content_type, self.data, self.size, headers

    def __eq__(self, other: object) -> bool:  # defining it leaves the mutable part unhashable, as before
        if not isinstance(other, Part):
            return NotImplemented
        return self._identity() == other._identity()


def _quote(value: str) -> str:
    """A Content-Disposition parameter as a quoted-string; CR and LF percent-encoded as WHATWG does."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "%0D").replace("\n", "%0A")


# The names this class had before it was one (both public; kept so code written against them runs):
# ``FormPart`` was the part to send, ``UploadedFile`` the checker's name for a received file part.
FormPart = Part
UploadedFile = Part
