"""Hypothesis strategies for multipart Content-Type headers with fuzzed parameters, each with its verdict.

A case is built from parts whose legality is known by construction (a boundary drawn legal or
drawn to break one rule of RFC 2046 §5.1.1, quoted or not, a parameter repeated or not...), so
the verdict it carries is stated here from the RFCs, independently of the checker it tests
(:mod:`contract_tests.core.media_type`, :func:`contract_tests.core.wire.multipart_boundary`).

The body is either the example's form encoded with the case's boundary (a legal header then
owes a 200) or random bytes (owing a 4xx). Every case owes an answer: a server that hangs up
fails it.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass

from hypothesis import strategies as st

from contract_tests.core.multipart import encode_multipart
from contract_tests.core.parts import Part

TCHARS = "!#$%&'*+-.^_`|~" + string.digits + string.ascii_letters  # RFC 9110 token characters
BCHARS_NO_SPACE = string.digits + string.ascii_letters + "'()+_,-./:=?"  # RFC 2046 bcharsnospace
UNUSUAL_LEGAL = ("'()+_,-./:=?", "a b", "x" * 70, ("'()+_,-./:=? " * 6)[:69] + "z", "0")


@dataclass(frozen=True)
class ContentTypeCase:
    """One request's Content-Type (bytes, as sent) and body, and what the contract owes it."""

    header: bytes
    body: bytes
    legal: bool  # the header names one RFC 2046 boundary, readably
    body_matches: bool  # the body is a well-formed form with that boundary

    @property
    def expected_status(self) -> int | None:
        """200 or 400; None when only "some 4xx" is owed (a legal header over random bytes)."""
        if not self.legal:
            return 400
        return 200 if self.body_matches else None

    @property
    def http_legal(self) -> bool:
        """Whether HTTP itself allows this header value (RFC 9110 field-value: no CTL but HTAB).

        A server may refuse one that is not before the application sees it: a 400, but not ours.
        """
        return all(byte == 0x09 or 0x20 <= byte != 0x7F for byte in self.header)

    def check_answer(self, status: int, body: bytes) -> None:
        """Assert that one door's answer is what this case is owed (an AssertionError says which case)."""
        where = (self.describe(), body[:300])
        assert status < 500, where
        if self.expected_status is not None:
            assert status == self.expected_status, where
        else:
            assert 400 <= status < 500, where
        if status == 400 and self.http_legal:  # it reached the application: the contract's own error
            assert json.loads(body)["error"]["code"] in {"invalid_multipart", "empty_body"}, where

    def describe(self) -> str:
        return f"Content-Type: {self.header!r} ({'legal' if self.legal else 'illegal'}, {len(self.body)} bytes)"


def _is_legal_boundary(boundary: str) -> bool:
    """RFC 2046: 1 to 70 bchars, the last not a space."""
    return 1 <= len(boundary) <= 70 and all(c in BCHARS_NO_SPACE + " " for c in boundary) and boundary[-1] != " "


legal_boundaries = st.one_of(
    st.sampled_from(UNUSUAL_LEGAL),
    st.builds(
        lambda body, last: body + last,
        st.text(BCHARS_NO_SPACE + " ", max_size=69),
        st.sampled_from(BCHARS_NO_SPACE),
    ),
)
# Characters outside bchars: quotes, backslash, other ASCII punctuation, HTAB, controls, non-ASCII.
# CR and LF are left out: they end the header line, a different fault from a bad parameter.
_foreign = st.one_of(
    st.sampled_from('"\\\t\x00\x01\x1f\x7f;@<>[]{}!#$%&*^`|~'),
    st.characters(codec="utf-8", min_codepoint=0x80, max_codepoint=0x2FFF),
)
_too_long = st.builds(
    lambda length, pattern: (pattern * length)[:length],
    st.sampled_from([71, 100, 256, 257, 300, 400]),
    st.text(BCHARS_NO_SPACE + " ", min_size=1, max_size=8),
)
illegal_boundaries = st.one_of(
    st.just(""),
    *[_too_long] * 2,  # twice as likely: python-multipart >= 0.0.34 raises on a boundary over 256
    st.builds(lambda a, c, b: a + c + b, st.text(BCHARS_NO_SPACE, max_size=30), _foreign,
              st.text(BCHARS_NO_SPACE, max_size=30)),
    st.text(BCHARS_NO_SPACE, min_size=1, max_size=60).map(lambda b: b + " "),
)
_space = st.sampled_from(["", " ", "  ", "\t"])


@st.composite
def _rendered(draw: st.DrawFn, name: str, value: str) -> str:
    """``name=value`` as a client might write it: any name case, spaces around ``=``, quoted or not."""
    name = "".join(draw(st.sampled_from([c.lower(), c.upper()])) for c in name)
    quoted = draw(st.booleans()) or not value or any(c not in TCHARS for c in value)
    if quoted:
        pairs = draw(st.booleans())  # escape every character as a quoted-pair, not only " and \
        text = "".join("\\" + c if pairs or c in '"\\' else c for c in value)
        rendered = f'"{text}"'
    else:
        rendered = value
    return f"{name}{draw(_space)}={draw(_space)}{rendered}"


@st.composite
def content_type_cases(draw: st.DrawFn, parts: tuple[Part, ...]) -> ContentTypeCase:
    """A multipart Content-Type with fuzzed parameters, and a body for it (``parts`` encoded, or noise)."""
    boundary = draw(st.one_of(legal_boundaries, legal_boundaries, illegal_boundaries))
    legal = _is_legal_boundary(boundary)
    params = [draw(_rendered("boundary", boundary))]
    repeat = draw(st.sampled_from(["no", "no", "no", "same", "other"]))
    if repeat == "same":
        params.append(draw(_rendered("boundary", boundary)))
    elif repeat == "other":
        other = draw(legal_boundaries.filter(lambda b: b != boundary))
        params.append(draw(_rendered("boundary", other)))
        legal = False  # two different boundaries: ambiguous
    extras = [("charset", "utf-8"), ("charset", "ISO-8859-1"), ("x-unknown", "1"), ("name", "a b")]
    for extra in draw(st.lists(st.sampled_from(extras), max_size=3)):
        params.append(draw(_rendered(*extra)))
    params = draw(st.permutations(params))
    media = draw(st.sampled_from(["multipart/form-data", "Multipart/Form-Data", "MULTIPART/FORM-DATA"]))
    header = media + "".join(f"{draw(_space)};{draw(_space)}{p}" for p in params)
    header += draw(st.sampled_from(["", ";", " ; "]))
    encoded = boundary.encode("utf-8")
    matches = legal and draw(st.sampled_from([True, True, False])) and not any(encoded in part.data for part in parts)
    body = encode_multipart(parts, boundary) if matches else draw(st.binary(max_size=512))
    return ContentTypeCase(header.encode("utf-8"), body, legal, matches)
