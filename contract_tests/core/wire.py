"""Multipart on the wire: parse what was actually sent, once, with a streaming parser.

openapi-core reads multipart through ``email.parser``, which is slow on large uploads and loses
what matters for a contract: whether a field came as a file part or a text part, whether it
was repeated, whether the body ended. This parser keeps all of that and can be fed chunk by
chunk, so a server can check an upload while it streams in. What it gives back is the one part
model, :class:`contract_tests.core.parts.Part`, with the headers as received.
"""

from __future__ import annotations

import functools
import logging
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from email.utils import collapse_rfc2231_value

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser

from contract_tests.core.media_type import TOKEN_BYTES, MediaType
from contract_tests.core.media_type import media_type_of as media_type_of  # its old home; parse_media_type is the one
from contract_tests.core.parts import Part

logger = logging.getLogger(__name__)

# python-multipart logs every parse error; ours become Problems, so keep its logger quiet.
logging.getLogger("python_multipart").addHandler(logging.NullHandler())
logging.getLogger("python_multipart").propagate = False


# A body up to this size is held until it ends and then split in one go when it has the plain
# shape every client sends (see _split_plain); anything else, or anything larger, goes through
# python-multipart's byte-by-byte state machine. Both give the same parts (tests/perf).
FAST_BODY_BYTES = 64 * 1024
_MAX_HEADERS = 8  # python-multipart's limits: past them it is its call, so its parser decides
_MAX_HEADER_LINE = 4096


class WireError(Exception):
    """The body is not well-formed multipart; ``reason`` is a stable short id."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class BodyTooLarge(Exception):
    """The body went past the configured limit while it was being read."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body larger than {limit} bytes")
        self.limit = limit


# RFC 2046 §5.1.1: boundary := 0*69<bchars> bcharsnospace (so 1 to 70 characters, no trailing space).
BOUNDARY_CHARS = frozenset(string.digits + string.ascii_letters + "'()+_,-./:=? ")
MAX_BOUNDARY_LENGTH = 70


def _describe_char(char: str) -> str:
    code = ord(char)
    kind = "a control character " if code < 0x20 or code == 0x7F else "a non-ASCII character " if code > 0x7F else ""
    return f"{kind}{char!r} (U+{code:04X})"


def boundary_problem(boundary: str) -> str | None:
    """Why ``boundary`` breaks RFC 2046's grammar, in words a client's author can act on; None if it does not."""
    if not boundary:
        return "the multipart boundary is empty; RFC 2046 allows 1 to 70 characters"
    if len(boundary) > MAX_BOUNDARY_LENGTH:
        return f"the multipart boundary is {len(boundary)} characters long; RFC 2046 allows 1 to 70"
    bad = next((char for char in boundary if char not in BOUNDARY_CHARS), None)
    if bad is not None:
        return (
            f"the multipart boundary contains {_describe_char(bad)}, which RFC 2046 does not allow; "
            "use letters, digits, spaces and '()+_,-./:=?"
        )
    if boundary.endswith(" "):
        return "the multipart boundary ends with a space, which RFC 2046 does not allow"
    return None


def multipart_boundary(media: MediaType) -> str:
    """The boundary of a multipart Content-Type, checked before any parser sees it.

    Raises :class:`WireError` (reason ``invalid_boundary``) naming the problem: a header whose
    parameters cannot be read, no boundary, a boundary given twice with different values, or one
    RFC 2046 does not allow. Other parameters (``charset``, unknown ones) do not matter here.
    """
    if media.syntax_error is not None:
        raise WireError("invalid_boundary", f"the Content-Type header cannot be read: {media.syntax_error}")
    values = media.conflicts.get("boundary")
    if values:
        shown = ", ".join(repr(value) for value in values)
        raise WireError(
            "invalid_boundary",
            f"the Content-Type gives the boundary {len(values)} different values ({shown}), so it is "
            "ambiguous; send one boundary parameter",
        )
    boundary = media.params.get("boundary")
    if boundary is None:
        raise WireError(
            "invalid_boundary",
            "the multipart/form-data Content-Type has no boundary parameter, so the body cannot be split into fields",
        )
    problem = boundary_problem(boundary)
    if problem is not None:
        raise WireError("invalid_boundary", problem)
    return boundary


@functools.lru_cache(maxsize=4096)
def _disposition(value: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Parse Content-Disposition with the stdlib, which handles quoting and RFC 2231 names.

    Cached: clients send the same few headers over and over, and the stdlib parser is slow.
    """
    msg = Message()
    msg["content-disposition"] = value
    params = msg.get_params(header="content-disposition") or []
    kind = params[0][0].lower() if params else ""
    return kind, tuple((key.lower(), collapse_rfc2231_value(raw)) for key, raw in params[1:])


@functools.lru_cache(maxsize=4096)
def _form_field(value: str) -> tuple[str, str | None, str | None]:
    """A Content-Disposition's kind, ``name`` and ``filename`` (the last of each, as a dict keeps)."""
    kind, items = _disposition(value)
    params = dict(items)
    return kind, params.get("name"), params.get("filename")


@dataclass
class MultipartReader:
    """Incremental multipart/form-data reader: ``feed`` chunks, then ``finish`` for the parts.

    ``keep_file_bytes`` bounds what is kept of each *file* part (one with a filename): its first
    bytes are kept (enough to sniff the type and show a preview), the rest is only counted in
    ``Part.size``. A server streaming 16 uploads of 20 MB at once then holds kilobytes, not the
    uploads. Text parts are always kept whole (they are bounded by ``max_bytes``).
    """

    boundary: bytes
    max_bytes: int | None = None
    keep_file_bytes: int | None = None
    fast: bool = True  # False: always python-multipart's parser (the agreement tests compare)
    parts: list[Part] = field(default_factory=list)
    received: int = 0
    _ended: bool = False
    _error: WireError | None = None
    _header_field: bytearray = field(default_factory=bytearray)
    _header_value: bytearray = field(default_factory=bytearray)
    _headers: dict[str, str] = field(default_factory=dict)
    _data: list[bytes] = field(default_factory=list)
    _kept: int = 0
    _size: int = 0
    _limit: int | None = None
    _pending: list[bytes] | None = field(default_factory=list)  # a small body, held; None once streaming

    _parser: MultipartParser | None = None  # made on first use: the fast path never needs it

    def _state_machine(self) -> MultipartParser:
        if self._parser is not None:
            return self._parser
        callbacks = {
            "on_part_begin": self._on_part_begin,
            "on_part_data": self._on_part_data,
            "on_part_end": self._on_part_end,
            "on_header_field": self._on_header_field,
            "on_header_value": self._on_header_value,
            "on_header_end": self._on_header_end,
            "on_headers_finished": self._on_headers_finished,
            "on_end": self._on_end,
        }
        self._parser = MultipartParser(self.boundary, callbacks)  # type: ignore[arg-type]
        return self._parser

    def close(self) -> None:
        """Drop the parser (and what it holds). Its callbacks are this reader's bound methods, a
        reference cycle that only the cyclic GC frees, and under a few large uploads it runs rarely,
        so a reader left to it keeps its parts (up to ``keep_file_bytes`` each) for a long time.
        ``finish`` closes; a door that gives up on a body early calls it."""
        self._parser = None
        self._pending = None
        self._data = []

    def _on_part_begin(self) -> None:
        self._headers = {}
        self._data = []
        self._kept = 0
        self._size = 0
        self._limit = None

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        self._size += end - start
        limit = self._limit
        if limit is not None:
            if self._kept >= limit:
                return
            end = min(end, start + limit - self._kept)
        self._kept += end - start
        self._data.append(data[start:end])

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        name = self._header_field.decode("latin-1").strip().lower()
        self._headers[name] = self._header_value.decode("utf-8", errors="replace").strip()
        self._header_field.clear()
        self._header_value.clear()

    def _on_headers_finished(self) -> None:
        disposition = self._headers.get("content-disposition")
        if self.keep_file_bytes is None or disposition is None:
            return
        if any(key == "filename" for key, _ in _disposition(disposition)[1]):
            self._limit = self.keep_file_bytes  # a file part: keep its head, count the rest

    def _on_part_end(self) -> None:
        index = len(self.parts) + 1
        disposition = self._headers.get("content-disposition")
        if disposition is None:
            self._fail("bad_part_headers", f"part {index} has no Content-Disposition header")
            return
        kind, name, filename = _form_field(disposition)
        if kind != "form-data":
            self._fail("bad_part_headers", f"part {index}: Content-Disposition is {kind!r}, not form-data")
            return
        if not name:
            self._fail("bad_part_headers", f"part {index}: Content-Disposition has no name")
            return
        content_type = self._headers.get("content-type")
        data = self._data[0] if len(self._data) == 1 else b"".join(self._data)
        self._data = []
        self.parts.append(Part(name, data, filename, content_type, self._headers, self._size))

    def _on_end(self) -> None:
        self._ended = True

    def _fail(self, reason: str, message: str) -> None:
        if self._error is None:
            self._error = WireError(reason, message)

    def feed(self, chunk: bytes) -> None:
        """Parse one more chunk; raises :class:`BodyTooLarge` as soon as the limit is passed."""
        self.received += len(chunk)
        if self.max_bytes is not None and self.received > self.max_bytes:
            raise BodyTooLarge(self.max_bytes)
        if self._error is not None or not chunk:
            return
        if self._pending is not None:
            self._pending.append(chunk)
            if self.fast and self.received <= FAST_BODY_BYTES:
                return
            self._replay()
            return
        self._write(chunk)

    def _write(self, chunk: bytes) -> None:
        try:
            self._state_machine().write(chunk)
        except FormParserError as exc:  # its own verdict on the body (or, made, on the boundary)
            self._fail("malformed", f"malformed multipart body: {exc}")
        except Exception as exc:  # anything else it raises is still about this body: a 400, never a 500
            logger.warning("python-multipart raised %r on a request body; answered invalid_multipart", exc,
                           exc_info=True)
            self._fail("malformed", f"malformed multipart body: {exc}")

    def _replay(self) -> None:
        """Feed the held chunks to the state machine as they came (its error offsets are per chunk)."""
        pending, self._pending = self._pending or [], None
        for chunk in pending:
            if self._error is not None:
                return
            self._write(chunk)

    def _flush(self) -> None:
        """Parse a held small body: split in one go when plain, else through the state machine."""
        pending, self._pending = self._pending, None
        if not pending:
            return
        body = pending[0] if len(pending) == 1 else b"".join(pending)
        plain = _split_plain(body, self.boundary)
        if plain is None:
            self._pending = pending
            self._replay()
            return
        for headers, data in plain:  # what the state machine's callbacks would build, built directly
            self._headers = headers
            self._size = len(data)
            self._data = [self._kept_of(headers, data)]
            self._on_part_end()
        self._on_end()

    def _kept_of(self, headers: dict[str, str], data: bytes) -> bytes:
        """What ``_on_part_data`` keeps of a whole part's data (a file part's head)."""
        keep = self.keep_file_bytes
        if keep is None or len(data) <= keep:
            return data
        disposition = headers.get("content-disposition")
        if disposition is not None and any(key == "filename" for key, _ in _disposition(disposition)[1]):
            return data[:keep]
        return data

    def finish(self) -> list[Part]:
        """The parts, or :class:`WireError` if the body was empty, malformed or cut short."""
        if self._pending is not None and self._error is None:
            self._flush()
        self.close()
        if self._error is not None:
            raise self._error
        if self.received == 0:
            raise WireError("empty_body", "the request body is empty")
        if not self._ended:
            raise WireError(
                "truncated",
                "the multipart body ends before its closing boundary (truncated upload?)",
            )
        return self.parts


def _split_plain(body: bytes, boundary: bytes) -> list[tuple[dict[str, str], bytes]] | None:
    """The parts of a body in the plain shape, as (headers, data); None for anything else.

    Plain: it starts with the first delimiter (no preamble), every delimiter is followed by CRLF
    and then header lines ``Name: value`` (token names, at most 8, none too long, no bare CR or
    LF) and a blank line, and it ends with the close delimiter (``--``, optionally CRLF). Whatever
    is not plain (an empty form, a preamble or epilogue, malformed headers...) returns None, and
    python-multipart's parser has the last word on it, errors included.
    """
    pieces = (b"\r\n" + body).split(b"\r\n--" + boundary)
    if len(pieces) < 3 or pieces[0] or pieces[-1] not in (b"--", b"--\r\n"):
        return None
    parts = []
    for piece in pieces[1:-1]:
        if not piece.startswith(b"\r\n") or piece.startswith(b"\r\n\r\n"):
            return None
        head_end = piece.find(b"\r\n\r\n", 2)
        if head_end < 0:
            return None
        block = piece[2:head_end]
        headers = _plain_headers(block) if len(block) <= _CACHED_BLOCK else _plain_headers.__wrapped__(block)
        if headers is None:
            return None
        parts.append((dict(headers), piece[head_end + 4 :]))
    return parts


# Clients send the same few part headers over and over: their parse is cached, for blocks up to
# this size (so the cache holds at most a few MB).
_CACHED_BLOCK = 512


@functools.lru_cache(maxsize=4096)
def _plain_headers(block: bytes) -> tuple[tuple[str, str], ...] | None:
    """A part's header lines in the plain shape, as (lower-case name, value); None if not plain."""
    lines = block.split(b"\r\n")
    if len(lines) > _MAX_HEADERS:
        return None
    headers: dict[str, str] = {}
    for line in lines:
        colon = line.find(b":")
        if colon <= 0 or len(line) > _MAX_HEADER_LINE or b"\r" in line or b"\n" in line:
            return None
        name = line[:colon]
        if name.translate(None, TOKEN_BYTES):
            return None
        headers[name.decode("latin-1").strip().lower()] = line[colon + 1 :].decode("utf-8", "replace").strip()
    return tuple(headers.items())


def parse_multipart(body: bytes, boundary: str, max_bytes: int | None = None) -> list[Part]:
    """Parse a whole multipart body held in memory."""
    reader = MultipartReader(boundary.encode("latin-1"), max_bytes)
    reader.feed(body)
    return reader.finish()


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup over a plain mapping."""
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None
