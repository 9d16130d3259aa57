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
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from email.utils import collapse_rfc2231_value
from typing import Literal

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
# The same grammar as one match, for the boundaries every request brings (the loop below only
# runs to say what is wrong with one).
_LEGAL_BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")


def _describe_char(char: str) -> str:
    code = ord(char)
    kind = "a control character " if code < 0x20 or code == 0x7F else "a non-ASCII character " if code > 0x7F else ""
    return f"{kind}{char!r} (U+{code:04X})"


def boundary_problem(boundary: str) -> str | None:
    """Why ``boundary`` breaks RFC 2046's grammar, in words a client's author can act on; None if it does not."""
    if _LEGAL_BOUNDARY.fullmatch(boundary) is not None:
        return None
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


def _stdlib_form_field(value: str) -> tuple[str, str | None, str | None]:
    """A Content-Disposition's kind, ``name`` and ``filename`` as the stdlib reads it (quoting,
    RFC 2231 ``filename*=``, the last of a repeated parameter as a dict keeps it)."""
    msg = Message()
    msg["content-disposition"] = value
    params = msg.get_params(header="content-disposition") or []
    kind = params[0][0].lower() if params else ""
    fields = {key.lower(): collapse_rfc2231_value(raw) for key, raw in params[1:]}
    return kind, fields.get("name"), fields.get("filename")


# The shape every client sends, ``form-data; name="x"[; filename="y"]``, read with one match: a
# quoted value without the characters the stdlib treats specially (a backslash or quote to
# unescape, ``<...>`` it strips, a line break) is its text as is. Anything else (other
# parameters, ``filename*=``, unquoted values, another order) goes to the stdlib; the two are held
# to the same answers on generated headers (tests/core/test_core_wire.py).
_PLAIN_VALUE = r'"([^"\\<>\r\n\ud800-\udfff]*)"'
_PLAIN_DISPOSITION = re.compile(
    rf"form-data[ \t]*;[ \t]*name={_PLAIN_VALUE}(?:[ \t]*;[ \t]*filename={_PLAIN_VALUE})?[ \t]*"
)


@functools.lru_cache(maxsize=4096)
def _form_field(value: str) -> tuple[str, str | None, str | None]:
    """A Content-Disposition's kind, ``name`` and ``filename`` (None when absent).

    Cached: clients send the same few headers over and over, and the stdlib parser is slow.
    """
    plain = _PLAIN_DISPOSITION.fullmatch(value)
    if plain is not None:
        return "form-data", plain[1], plain[2]
    return _stdlib_form_field(value)


# Why a part's headers do not make a form field: (reason, the message after "part N").
PartProblem = tuple[str, str]


def _part_fields(headers: Mapping[str, str]) -> tuple[str, str | None, str | None, PartProblem | None]:
    """A part's ``name``, ``filename`` and ``content_type`` from its headers, or why it has none.

    The one judgement of a part's headers, for both paths (the state machine's ``_on_part_end``
    and the small-body split, which caches it per header block)."""
    disposition = headers.get("content-disposition")
    if disposition is None:
        return "", None, None, ("bad_part_headers", " has no Content-Disposition header")
    kind, name, filename = _form_field(disposition)
    if kind != "form-data":
        return "", None, None, ("bad_part_headers", f": Content-Disposition is {kind!r}, not form-data")
    if not name:
        return "", None, None, ("bad_part_headers", ": Content-Disposition has no name")
    return name, filename, headers.get("content-type"), None


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
    _pending: list[bytes] | None = field(default_factory=list)  # a small body, held; None once streaming

    _parser: MultipartParser | None = None  # made on first use: the fast path never needs it
    # The state machine's state, made with it (a small body split in one go never needs it).
    _header_field: bytearray = field(init=False, repr=False, compare=False)
    _header_value: bytearray = field(init=False, repr=False, compare=False)
    _headers: dict[str, str] = field(init=False, repr=False, compare=False)
    _data: list[bytes] = field(init=False, repr=False, compare=False)
    _kept: int = field(init=False, repr=False, compare=False)
    _size: int = field(init=False, repr=False, compare=False)
    _limit: int | None = field(init=False, repr=False, compare=False)

    def _state_machine(self) -> MultipartParser:
        if self._parser is not None:
            return self._parser
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._on_part_begin()
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
        if _form_field(disposition)[2] is not None:
            self._limit = self.keep_file_bytes  # a file part: keep its head, count the rest

    def _on_part_end(self) -> None:
        name, filename, content_type, problem = _part_fields(self._headers)
        if problem is not None:
            self._fail(problem[0], f"part {len(self.parts) + 1}{problem[1]}")
            return
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
        plain = _split_plain(body, self.boundary, self.keep_file_bytes)
        if plain is None:
            self._pending = pending
            self._replay()
            return
        parts, problem = plain
        self.parts += parts
        if problem is not None:
            self._fail(*problem)
        self._on_end()

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


def _split_plain(
    body: bytes, boundary: bytes, keep_file_bytes: int | None = None
) -> tuple[list[Part], tuple[str, str] | None] | None:
    """The parts of a body in the plain shape, and the first part's problem if one has any (what
    the state machine's callbacks would build, built directly); None for anything else.

    Plain: it starts with the first delimiter (no preamble), every delimiter is followed by CRLF
    and then header lines ``Name: value`` (token names, at most 8, none too long, no bare CR or
    LF) and a blank line, and it ends with the close delimiter (``--``, optionally CRLF). Whatever
    is not plain (an empty form, a preamble or epilogue, malformed headers...) returns None, and
    python-multipart's parser has the last word on it, errors included. Of a file part, only its
    first ``keep_file_bytes`` are kept (``size`` is its full length), as ``_on_part_data`` does.
    """
    pieces = (b"\r\n" + body).split(b"\r\n--" + boundary)
    if len(pieces) < 3 or pieces[0] or pieces[-1] not in _CLOSE:
        return None
    parts: list[Part] = []
    problem = None
    heads = _HEADS
    for piece in pieces[1:-1]:
        block, blank, data = piece.partition(b"\r\n\r\n")  # block: the CRLF after the delimiter, then headers
        if not blank:
            return None
        head = heads.get(block)
        if head is None:
            head = _read_head(block)
        if not head:
            return None
        headers, name, filename, content_type, wrong = head
        if wrong is not None:
            if problem is None:
                problem = (wrong[0], f"part {len(parts) + 1}{wrong[1]}")
            continue
        size = len(data)
        if filename is not None and keep_file_bytes is not None and size > keep_file_bytes:
            data = data[:keep_file_bytes]
        parts.append(Part(name, data, filename, content_type, headers.copy(), size))
    return parts, problem


_CLOSE = (b"--", b"--\r\n")
# What a part's header block says, as _part_fields reads it, with the headers themselves:
# (headers, name, filename, content_type, problem), or False when the block is not plain.
_Head = tuple[dict[str, str], str, str | None, str | None, PartProblem | None]
# Clients send the same few part header blocks over and over: their reading is kept, for blocks up
# to _CACHED_BLOCK bytes and at most _CACHED_HEADS of them (then it starts over), so a few MB.
_HEADS: dict[bytes, _Head | Literal[False]] = {}
_CACHED_BLOCK = 512
_CACHED_HEADS = 4096


def _read_head(block: bytes) -> _Head | Literal[False]:
    """What follows a delimiter up to the blank line, read (and kept in ``_HEADS`` when small):
    False unless it is CRLF and then plain header lines."""
    headers = _plain_headers(block[2:]) if block.startswith(b"\r\n") else None
    head: _Head | Literal[False] = False if headers is None else (headers, *_part_fields(headers))
    if len(block) <= _CACHED_BLOCK:
        if len(_HEADS) >= _CACHED_HEADS:
            _HEADS.clear()
        _HEADS[block] = head
    return head


def _plain_headers(block: bytes) -> dict[str, str] | None:
    """A part's header lines in the plain shape, as lower-case name -> value; None if not plain."""
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
    return headers


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
