"""Every rule that keeps a secret out of what sora-contract stores, serves or writes: the one home.

Used by every store of the request journal (memory and ``--state`` SQLite, *before* anything is
stored, so a state file never holds a secret), and therefore by every page and JSON it serves,
and by live mode's scrubbing of pytest reports, the terminal summary and the JSON report.

The rules:

* **Secret headers** (:data:`SECRET_HEADERS`: ``Authorization``, ``Proxy-Authorization``,
  ``X-Api-Key``, ``Api-Key``, ``X-Auth-Token``, ``X-Access-Token``, ``Cookie``, ``Set-Cookie``) and
  **secret query parameters** (:data:`SECRET_QUERY_KEYS`: ``api_key``, ``apikey``, ``key``,
  ``token``, ``access_token``, ...) are matched case-insensitively, ``-`` and ``_`` alike.
* **One mask**, :data:`MASK` (``[REDACTED]``), never a fingerprint: a hash of a short secret can
  be brute-forced. An ``Authorization`` value keeps its scheme (``Bearer [REDACTED]``) and a
  cookie its names (``session=[REDACTED]``), which is what a person debugging needs to see.
* **Known values are scrubbed from any text**: the tokens a run knows (live mode's from the
  environment) and, for a journal entry, the values of the request's own secret headers and query
  parameters, wherever they show up again (an error message quoting a malformed ``Authorization``,
  a body). Values shorter than :data:`MIN_SECRET_LENGTH` are masked where they stand but not
  searched for elsewhere: replacing every ``"1"`` would garble the text.
* **Credential-shaped text is masked even when unknown**: an OpenAI-style key (``sk-`` then 8+
  of ``[A-Za-z0-9_-]``, not inside a longer word, so ``task-management`` stays), a ``Bearer``
  credential of 16+ token characters (so ``Bearer YOUR_KEY`` in a help text stays), the value of a
  secret query parameter inside a URL (``?api_key=...``) and a URL's password (``//user:pw@``).
"""

from __future__ import annotations

import marshal
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

MASK = "[REDACTED]"
# Known values shorter than this are not searched for in text (they would garble it).
MIN_SECRET_LENGTH = 6
# How deep :meth:`Redactor.scrub_object` walks nested data (report objects nest deeply, not forever).
_MAX_DEPTH = 12


def _forms(names: Iterable[str]) -> frozenset[str]:
    """Every spelling a lower-cased name may take: ``-`` and ``_`` alike."""
    lowered = [name.lower() for name in names]
    return frozenset(form for name in lowered for form in (name.replace("_", "-"), name.replace("-", "_")))


SECRET_HEADERS = _forms(
    (
        "Authorization", "Proxy-Authorization", "X-Api-Key", "Api-Key", "X-Auth-Token", "X-Access-Token",
        "Cookie", "Set-Cookie",
    )
)
SECRET_QUERY_KEYS = _forms(
    (
        "key", "api_key", "apikey", "token", "access_token", "refresh_token", "id_token", "auth",
        "password", "secret", "client_secret",
    )
)
_COOKIES = _forms(("Cookie", "Set-Cookie"))
_AUTH_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9._~+-]*$")
# ``=`` then a lookbehind per name (each of fixed width): a pattern that starts with a literal.
_AFTER_QUERY_KEY = "|".join(f"(?<=[?&;]{re.escape(key)}=)" for key in sorted(SECRET_QUERY_KEYS))
# What the "=" rule below needs to see before its pattern runs: the part of each secret query key
# after its last 'i', 'k' or 's'. The pattern is case-insensitive, and in Unicode those three
# letters also match non-ASCII characters ('İ', 'ı', 'K' Kelvin, 'ſ'); every other letter of a key
# is matched only by itself in either case, so these survive lower-casing the ASCII way, in text
# or in its UTF-8 bytes. ('boundary=' in a multipart Content-Type is none of them.)
_QUERY_KEY_NEEDLES = tuple(sorted({re.split("[iks]", key)[-1] + "=" for key in SECRET_QUERY_KEYS}))
# Credential-shaped text, masked wherever it appears (the module docstring says why each is safe).
# Each rule runs only when one of its needles is in the lower-cased text, and each pattern starts
# with a literal where it can (Python's ``re`` then skips ahead fast): a journal entry with nothing
# to hide costs a few microseconds, not a regex scan per character.
_CREDENTIALS: tuple[tuple[tuple[str, ...], re.Pattern[str], str], ...] = (
    (("sk-",), re.compile(r"sk-(?<![A-Za-z0-9_-]sk-)[A-Za-z0-9_-]{8,}"), MASK),
    (("bearer",), re.compile(r"(?i)(bearer(?<!\wbearer)\s+)[A-Za-z0-9._~+/-]{16,}=*"), rf"\1{MASK}"),
    (_QUERY_KEY_NEEDLES, re.compile(rf"(?i)=(?:{_AFTER_QUERY_KEY})[^&#;\s\"'<>]+"), f"={MASK}"),
    (("://",), re.compile(r"(://[^/?#\s:@\"'<>]+:)[^/?#\s@\"'<>]+@"), rf"\1{MASK}@"),
)


def _mask_credentials(text: str) -> str:
    lowered = text.lower()
    for needles, pattern, replacement in _CREDENTIALS:
        if any(needle in lowered for needle in needles):
            text = pattern.sub(replacement, text)
    return text


# The rules' needles as bytes, for :func:`_has_credentials`; and all of them, for
# :func:`_may_hold_credentials`: those ending with "=" by what stands before it, the others whole.
_NEEDLES = tuple((tuple(n.encode() for n in needles), pattern) for needles, pattern, _ in _CREDENTIALS)
_BEFORE_EQUALS = tuple(n[:-1] for needles, _ in _NEEDLES for n in needles if n.endswith(b"="))
_WHOLE_NEEDLES = tuple(n for needles, _ in _NEEDLES for n in needles if not n.endswith(b"="))
_MASKED_BEARER = f"bearer {MASK}".lower().encode()


def _utf8(text: str) -> bytes:
    """``text`` as UTF-8 (lone surrogates kept as themselves): a substring of the text is then a
    substring of the bytes, and searching bytes skips the wide-string paths a CJK prompt takes."""
    return text.encode("utf-8", "surrogatepass")


def _lowered(data: bytes) -> bytes:
    """UTF-8 bytes lower-cased the ASCII way, with the masks this module writes taken out (a
    ``Bearer [REDACTED]`` header is no credential): where the needles are looked for."""
    return data.lower().replace(_MASKED_BEARER, b"")


def _has_credentials(text: str, data: bytes | None = None) -> bool:
    """Whether any credential rule matches ``text`` (``data``: its :func:`_utf8`, when the caller has it).

    The needles are looked for in the UTF-8 bytes, lower-cased the ASCII way: every needle is ASCII
    and no other character lower-cases to one of their letters, so this finds whatever the text's
    own ``lower()`` would, at a fraction of its cost on non-ASCII text; a rule's pattern then runs
    on the text itself only when one of its needles is there."""
    lowered = _lowered(data if data is not None else _utf8(text))
    return any(any(n in lowered for n in needles) and pattern.search(text) for needles, pattern in _NEEDLES)


def _may_hold_credentials(data: bytes) -> bool:
    """Whether a needle of any credential rule is in UTF-8 ``data`` (:func:`_lowered` first): the
    rules' first test, done without a regex. Needles ending with "=" (the query rule's) are not
    searched one by one: "=" is found at memory speed, and what stands before each one is compared
    with all of them at once."""
    lowered = _lowered(data)
    if any(needle in lowered for needle in _WHOLE_NEEDLES):
        return True
    end = lowered.find(b"=")
    while end >= 0:
        if lowered.endswith(_BEFORE_EQUALS, 0, end):
            return True
        end = lowered.find(b"=", end + 1)
    return False


def is_secret_header(name: str) -> bool:
    """Case-insensitive, ``-`` and ``_`` alike (``x_api_key`` is ``X-Api-Key``)."""
    return name.lower() in SECRET_HEADERS


def is_secret_query_key(name: str) -> bool:
    return name.lower() in SECRET_QUERY_KEYS


def redact_header(name: str, value: str) -> str:
    """A secret header's value masked: ``Bearer sk-abc`` -> ``Bearer [REDACTED]``; others unchanged."""
    if not is_secret_header(name):
        return value
    if name.lower() in _COOKIES:
        return "; ".join(_mask_cookie(part) for part in value.split(";") if part.strip())
    scheme, _, credential = value.strip().partition(" ")
    return f"{scheme} {MASK}" if credential.strip() and _AUTH_SCHEME.match(scheme) else MASK


def _mask_cookie(part: str) -> str:
    name, sep, _ = part.strip().partition("=")
    return f"{name}={MASK}" if sep else MASK


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return masked_request(headers)[0]


def redact_query(query: str) -> str:
    """A query string with the values of secret parameters masked (``api_key=[REDACTED]``), the rest kept."""
    return _masked_query(query, [])


def request_secrets(headers: Mapping[str, str], query: str = "") -> list[str]:
    """The secret values one request carries: its secret headers' credentials, cookies and query values."""
    return list(masked_request(headers, query)[2])


def masked_request(headers: Mapping[str, str], query: str = "") -> tuple[dict[str, str], str, tuple[str, ...]]:
    """A request's headers and query with each secret masked where it stands, and the secret values
    themselves, to scrub wherever else they show up: one pass, as a journal entry needs all three."""
    masked = dict(headers)
    values: list[str] = []
    for name, value in headers.items():
        lower = name.lower()
        if lower not in SECRET_HEADERS:
            continue
        masked[name] = redact_header(name, value)
        value = value.strip()
        values.append(value)
        if lower in _COOKIES:
            values.extend(part.partition("=")[2].strip() for part in value.split(";"))
        else:
            values.append(value.partition(" ")[2].strip())
    query = _masked_query(query, values)
    return masked, query, tuple(values)


def _masked_query(query: str, values: list[str]) -> str:
    """``query`` with secret parameters' values masked; those values are added to ``values``."""
    if not query:
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    secret = [v for k, v in pairs if is_secret_query_key(k)]
    if not secret:
        return query
    values.extend(secret)
    return urlencode([(k, MASK if is_secret_query_key(k) else v) for k, v in pairs], safe="[]")


class Secret:
    """A credential whose ``repr``/``str`` never show it; :meth:`reveal` is the one way out."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class Redactor:
    """Masks known secret values and credential-shaped text in strings, data and pytest reports."""

    def __init__(self, secrets: Iterable[Secret | str] = ()) -> None:
        values = {s.reveal() if isinstance(s, Secret) else s for s in secrets}
        # Longest first, so a token that contains another is replaced whole.
        self._values = tuple(sorted((v for v in values if len(v) >= MIN_SECRET_LENGTH), key=len, reverse=True))
        self._encoded = tuple(_utf8(v) for v in self._values)  # what :meth:`finds_in` searches for
        # Of those, the ones no other contains ("Bearer sk-1..." holds "sk-1..."): where one of the
        # others is, these are too, so finding these is enough to know whether any is there.
        self._shortest = tuple(v for v in self._encoded if not any(o != v and o in v for o in self._encoded))
        # The quick look at marshal's bytes finds a value in a bytes object only as its UTF-8; the
        # walk decodes bytes with U+FFFD for what is not UTF-8, so a value holding U+FFFD (an
        # ``api_key=%FF...`` parameter, decoded) is only ever looked for by the walk.
        self._quick = not any("\ufffd" in v for v in self._values)
        self._known: dict[tuple[str, ...], Redactor] = {}  # with_values' answers, by values added

    def __bool__(self) -> bool:
        """Whether any secret value is known (credential-shaped text is masked either way)."""
        return bool(self._values)

    def finds_in(self, obj: Any) -> bool:
        """Whether :meth:`scrub_object` could change anything in ``obj``: a cheap test, so data with
        nothing to hide is not copied. It runs on every journal entry.

        Plain data (what a journal entry is) is first looked at whole, as ``marshal`` writes it:
        one C call that refuses anything but exact builtin types (a subclass, a pytest report part)
        and writes every string at any depth, keys included, as its UTF-8 bytes (lone surrogates
        kept), once per string object. A known value or a rule's needle found in a string is
        therefore found in those bytes; numbers and lengths written in binary can only add false
        alarms. When none is there, nothing can match. Otherwise, and for data marshal refuses,
        every string is searched in one text (:func:`texts_in`), for the known values and the
        credential patterns, which must run on the strings themselves. They are joined with NUL,
        which no pattern's start or lookbehind accepts, so whatever matches in one string matches
        in the text; a match across two only costs the full scrub. (Searching a JSON encoding
        instead missed a key after an escaped character: ``"x\\nsk-..."``.)
        """
        try:
            whole = marshal.dumps(obj) if self._quick else None
        except ValueError:
            whole = None
        if whole is not None:
            if any(v in whole for v in self._shortest):
                return True
            if not _may_hold_credentials(whole):
                return False
        text = texts_in(obj)
        data = _utf8(text)
        return any(v in data for v in self._encoded) or _has_credentials(text, data)

    def with_secrets(self, secrets: Iterable[Secret | str]) -> Redactor:
        """This redactor, knowing ``secrets`` too (a journal entry adds its request's own)."""
        return self.with_values(tuple(s.reveal() if isinstance(s, Secret) else s for s in secrets))

    def with_values(self, values: tuple[str, ...]) -> Redactor:
        """:meth:`with_secrets` for plain strings (a journal entry's, from :func:`masked_request`).

        One redactor per set, made once: a client sends the same token on every request. At most
        64 sets are kept; past them, a new set gets a redactor of its own each time."""
        found = self._known.get(values)
        if found is None:
            found = Redactor([*self._values, *values])
            if len(self._known) < 64:
                self._known[values] = found
        return found

    def scrub(self, text: str) -> str:
        for value in self._values:
            if value in text:
                text = text.replace(value, MASK)
        return _mask_credentials(text)

    def scrub_object(self, obj: Any) -> Any:
        """``obj`` with every string in it scrubbed.

        Containers that change are copied, never changed in place (a journal entry's response may
        be the very object a store keeps); pytest's own report objects are changed in place.
        """
        return self._walk(obj, set(), 0)

    def _walk(self, obj: Any, seen: set[int], depth: int) -> Any:
        if isinstance(obj, str):
            return self.scrub(obj)
        if isinstance(obj, bytes):
            text = obj.decode("utf-8", "replace")
            scrubbed = self.scrub(text)
            return obj if scrubbed == text else scrubbed.encode()
        if obj is None or isinstance(obj, int | float | bool) or depth > _MAX_DEPTH or id(obj) in seen:
            return obj
        seen.add(id(obj))
        try:
            if isinstance(obj, list | tuple):
                items = [self._walk(item, seen, depth + 1) for item in obj]
                if all(new is old for new, old in zip(items, obj, strict=True)):
                    return obj
                if isinstance(obj, list):
                    return items
                return type(obj)(*items) if hasattr(obj, "_fields") else tuple(items)
            if isinstance(obj, dict):
                pairs = [(self._walk(k, seen, depth + 1), self._walk(v, seen, depth + 1)) for k, v in obj.items()]
                if all(k is old_k and v is old_v for (k, v), (old_k, old_v) in zip(pairs, obj.items(), strict=True)):
                    return obj
                return dict(pairs)
            if _is_report_part(obj):
                for name in _attribute_names(obj):
                    value = getattr(obj, name, None)
                    new = self._walk(value, seen, depth + 1)
                    if new is not value:
                        object.__setattr__(obj, name, new)
            return obj
        finally:
            seen.discard(id(obj))

    def scrub_report(self, report: Any) -> None:
        """Scrub a pytest TestReport/CollectReport: longrepr, captured sections, user properties."""
        for name in ("longrepr", "sections", "user_properties"):
            if hasattr(report, name):
                value = getattr(report, name)
                new = self.scrub_object(value)
                if new is not value:
                    setattr(report, name, new)


def texts_in(obj: Any) -> str:
    """Every string :meth:`Redactor.scrub_object` looks at in ``obj`` (dict keys too, bytes decoded),
    joined with NUL."""
    found: list[str] = []
    _gather(obj, found, 0)
    return "\x00".join(found)


def _gather(obj: Any, found: list[str], depth: int) -> None:
    """``_walk``'s reach: strings and bytes at any depth, containers down to ``_MAX_DEPTH``.
    Plain strings and numbers inside a container are taken in the loop (no call each): this runs
    on every journal entry."""
    if isinstance(obj, dict | list | tuple):
        if depth > _MAX_DEPTH:
            return
        if isinstance(obj, dict):
            for key in obj:
                if key.__class__ is str:
                    found.append(key)
                else:
                    _gather(key, found, depth + 1)
            obj = obj.values()
        for item in obj:
            kind = item.__class__
            if kind is str:
                found.append(item)
            elif item is not None and kind is not int and kind is not float and kind is not bool:
                _gather(item, found, depth + 1)
    elif isinstance(obj, str):
        found.append(obj)
    elif isinstance(obj, bytes):
        found.append(obj.decode("utf-8", "replace"))
    elif depth <= _MAX_DEPTH and obj is not None and not isinstance(obj, int | float) and _is_report_part(obj):
        for name in _attribute_names(obj):
            _gather(getattr(obj, name, None), found, depth + 1)


def _is_report_part(obj: Any) -> bool:
    """Only pytest's own report objects are walked: never arbitrary user objects or modules."""
    module = type(obj).__module__ or ""
    return module.startswith(("_pytest", "pytest"))


def _attribute_names(obj: Any) -> list[str]:
    names = list(getattr(obj, "__dict__", {}))
    for cls in type(obj).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        names.extend([slots] if isinstance(slots, str) else slots)
    return names
