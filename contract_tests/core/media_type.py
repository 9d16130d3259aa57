"""Content-Type as sent: one parser for the media type and its parameters, used by every door.

The checker and the streaming server both read a request's Content-Type through
:func:`parse_media_type`, so they cannot disagree about it, and no third-party parser's own rules
(python-multipart 0.0.34 started raising on a boundary over 256 bytes) decide what a client is told.

How a header is read (README, "Content-Type and the multipart boundary"):

- the type, the subtype and parameter names are case-insensitive; values are kept as sent;
- a value is a token or a quoted-string whose quoted-pairs (``\\"``) are unescaped (RFC 9110
  §5.6.4, §8.3.1); spaces or tabs around ``;`` and ``=`` are tolerated, empty parameters (``;;``)
  are skipped;
- a parameter repeated with the same value counts once; repeated with different values it is
  recorded in ``conflicts`` (for the boundary that is ambiguous, and rejected);
- anything else that breaks the grammar (a parameter with no ``=value``, an unquoted value with
  characters that need quotes, a quote that never closes) stops the reading and is described in
  ``syntax_error``, in words a person can act on.

Which parameters matter is the caller's decision: for multipart/form-data only ``boundary``
(see :func:`contract_tests.core.wire.multipart_boundary`).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field

# The media types the documents and the family use, named once.
MULTIPART = "multipart/form-data"
JSON = "application/json"

# RFC 9110 §5.6.2 tchar: what an unquoted parameter name or value may contain.
TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~" + string.digits + string.ascii_letters)
TOKEN_BYTES = bytes(sorted(ord(c) for c in TOKEN_CHARS))  # for bytes.translate in the multipart reader
_OWS = " \t"


@dataclass(frozen=True)
class MediaType:
    """A parsed Content-Type: ``essence`` is ``type/subtype`` in lower case, "" without a header."""

    essence: str
    params: Mapping[str, str] = field(default_factory=dict)  # lower-case name -> first value sent
    conflicts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # name -> its different values
    syntax_error: str | None = None  # why the parameters could not be read to their end


class _Scanner:
    """Reads ``*( OWS ";" OWS [ name "=" value ] )`` from the text after the media type."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def skip(self, chars: str) -> None:
        while self.at < len(self.text) and self.text[self.at] in chars:
            self.at += 1

    def token(self) -> str:
        start = self.at
        while self.at < len(self.text) and self.text[self.at] in TOKEN_CHARS:
            self.at += 1
        return self.text[start : self.at]

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def quoted(self, name: str) -> str:
        """The quoted-string at the cursor (its opening quote already checked), unescaped."""
        self.at += 1
        value: list[str] = []
        while self.at < len(self.text):
            char = self.text[self.at]
            if char == '"':
                self.at += 1
                return "".join(value)
            if char == "\\" and self.at + 1 < len(self.text):
                self.at += 1
                char = self.text[self.at]
            value.append(char)
            self.at += 1
        raise _SyntaxError(f"the value of '{name}' opens a double quote that never closes")

    def parameter(self) -> tuple[str, str] | None:
        """The next ``name=value``, or None at the end; raises :class:`_SyntaxError`."""
        self.skip(_OWS + ";")
        if self.at >= len(self.text):
            return None
        name = self.token().lower()
        if not name:
            raise _SyntaxError(f"a parameter name was expected at {self.text[self.at :]!r}")
        self.skip(_OWS)
        if self.peek() != "=":
            raise _SyntaxError(f"the parameter '{name}' has no value; send it as {name}=value")
        self.at += 1
        self.skip(_OWS)
        value = self.quoted(name) if self.peek() == '"' else self.token()
        self.skip(_OWS)
        if self.peek() not in ("", ";"):
            raise _SyntaxError(
                f"the value of '{name}' goes on with {self.text[self.at :]!r} after {value!r}; a value with "
                "characters other than letters, digits and !#$%&'*+-.^_`|~ must be in double quotes: "
                f'{name}="..."'
            )
        return name, value


class _SyntaxError(Exception):
    pass


_TOKEN_CLASS = "[" + re.escape("".join(sorted(TOKEN_CHARS))) + "]+"
# The shape nearly every client sends (one unquoted parameter): read in one match, with the same
# result the scanner gives it.
_ONE_TOKEN_PARAMETER = re.compile(f"[ \t;]*({_TOKEN_CLASS})[ \t]*=[ \t]*({_TOKEN_CLASS})[ \t;]*")


def parse_media_type(header: str | None) -> MediaType:
    """Read a Content-Type header; never raises (what could not be read is in ``syntax_error``)."""
    if not header:
        return MediaType("")
    essence, _, rest = header.partition(";")
    simple = _ONE_TOKEN_PARAMETER.fullmatch(rest)
    if simple is not None:
        return MediaType(essence.strip(_OWS).lower(), {simple[1].lower(): simple[2]})
    return scanned_media_type(essence, rest)


def scanned_media_type(essence: str, rest: str) -> MediaType:
    """The general reading of the parameters ``rest`` (the text after the first ``;``) with the scanner."""
    params: dict[str, str] = {}
    conflicts: dict[str, tuple[str, ...]] = {}
    scanner = _Scanner(rest)
    syntax_error = None
    while True:
        try:
            parameter = scanner.parameter()
        except _SyntaxError as exc:
            syntax_error = str(exc)
            break
        if parameter is None:
            break
        name, value = parameter
        first = params.setdefault(name, value)
        if value != first and value not in conflicts.get(name, ()):
            conflicts[name] = (*conflicts.get(name, (first,)), value)
    return MediaType(essence.strip(_OWS).lower(), params, conflicts, syntax_error)


def media_type_of(header: str | None) -> tuple[str, dict[str, str]]:
    """The lower-case media type and the parameters (first value of each) of a Content-Type header."""
    media = parse_media_type(header)
    return media.essence, dict(media.params)
