"""The request and the response every door translates to and from: bytes on a wire, no transport.

The respx router, the ASGI door and the tests build a :class:`RawRequest`; the service answers a
:class:`RawResponse`. Errors are rendered by :meth:`contract_tests.core.problems.Problem.render` only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any
from urllib.parse import urlsplit

from contract_tests.core.media_type import MediaType, parse_media_type
from contract_tests.core.problems import Problem


def _not_serializable(obj: Any) -> Any:
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def _json_encoder() -> Callable[[Any], str]:
    """``json.dumps(payload, ensure_ascii=False)``, made once: every answer is encoded with it.

    ``JSONEncoder.encode`` builds a new C encoder (and a dict for circular references) on every
    call; the C encoder itself keeps no state between calls, so one is made here and reused.
    Payloads are trees the service builds, never circular (one would end in a RecursionError, which
    the doors answer as any bug: a logged 500). Where ``json`` has no C encoder, or its private
    constructor changed, ``JSONEncoder`` does the same work."""
    general = json.JSONEncoder(ensure_ascii=False).encode
    try:  # a private constructor: should its signature change, the general encoder does the work
        encode = c_make_encoder(None, _not_serializable, encode_basestring, None, ": ", ", ", False, False, True)
        if "".join(encode({"a": [1, 2.5, None]}, 0)) != general({"a": [1, 2.5, None]}):
            return general
    except TypeError:  # c_make_encoder is None (no C accelerator) or takes other arguments
        return general
    return lambda payload: "".join(encode(payload, 0))


_ENCODE = _json_encoder()
# What a URL parser drops or cuts at: a target holding one is read through the URL.
_URL_TROUBLE = re.compile(r"[#\t\r\n]")


def json_bytes(payload: Any, *, default: Callable[[Any], Any] | None = None) -> bytes:
    """``payload`` as UTF-8 JSON for the wire: every answer, page and recording is written here.

    A lone surrogate has no UTF-8 form, yet JSON text may carry one (``"\\ud800"``), so a client
    can send one in a body the mock echoes (a remix prompt). Such a payload is written with its
    non-ASCII characters escaped, which a JSON reader turns back into the same text, instead of
    failing the request with a 500.
    """
    try:
        text = _ENCODE(payload) if default is None else json.dumps(payload, ensure_ascii=False, default=default)
        return text.encode()
    except UnicodeEncodeError:
        return json.dumps(payload, default=default).encode()


@dataclass(frozen=True)
class RawRequest:
    """An HTTP request as bytes on a wire; headers are stored lower-cased."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    # Read from ``url`` once, when the request is made: every step asks for them.
    path: str = field(init=False, repr=False, compare=False)
    host: str = field(init=False, repr=False, compare=False)
    query: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_field = object.__setattr__
        set_field(self, "method", self.method.upper())
        set_field(self, "headers", {k.lower(): v for k, v in self.headers.items()})
        url = urlsplit(self.url)
        set_field(self, "path", url.path or "/")
        set_field(self, "host", url.hostname or "")
        set_field(self, "query", url.query)

    @classmethod
    def arrived(cls, method: str, host: str, path: str, query: str, headers: dict[str, str]) -> RawRequest:
        """A request as an ASGI server hands it over, without a body: the method upper-case and the
        header names lower-case already (the caller sees to both; the door lower-cases names as it
        reads them), the path and query apart. The same request as ``RawRequest(method, url,
        headers)``, without taking apart a URL the door would first have to put together, unless
        the target holds what a URL parser drops or cuts at (a fragment, tabs, line breaks): that
        one is read through the URL."""
        url = f"http://{host}{path}?{query}" if query else f"http://{host}{path}"
        if _URL_TROUBLE.search(url):
            return cls(method, url, headers)
        request = object.__new__(cls)
        set_field = object.__setattr__
        set_field(request, "method", method)
        set_field(request, "url", url)
        set_field(request, "headers", headers)
        set_field(request, "body", b"")
        set_field(request, "path", path or "/")
        set_field(request, "host", host)
        set_field(request, "query", query)
        return request

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def media(self) -> MediaType:
        """The parsed Content-Type, read once however many steps ask (the door, then the checker).

        Kept in the instance by hand: ``functools.cached_property`` takes a lock on every first
        read before Python 3.12, and every request is a first read."""
        media: MediaType | None = self.__dict__.get("_media")
        if media is None:
            media = parse_media_type(self.header("content-type"))
            object.__setattr__(self, "_media", media)
        return media


@dataclass(frozen=True)
class RawResponse:
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=lambda: {"content-type": "application/json"})
    # Seconds the door should wait before answering (latency controls); the service sleeps it
    # itself only when built with ``sleep`` (the default), so an async door can await it instead.
    delay: float = 0.0
    # The object a JSON body was made from, so the journal does not parse back what was just dumped.
    data: Any = field(default=None, compare=False, repr=False)

    @classmethod
    def json(cls, status: int, payload: Any, headers: Mapping[str, str] | None = None) -> RawResponse:
        return cls(status, json_bytes(payload), {"content-type": "application/json", **(headers or {})}, data=payload)

    @classmethod
    def error(cls, *problems: Problem, headers: Mapping[str, str] | None = None) -> RawResponse:
        """The one rendering of problems every door sends: status, OpenAI error JSON, its headers."""
        status, payload = Problem.render(problems)
        return cls.json(status, payload, headers)

    def payload(self) -> Any:
        if self.data is not None:
            return self.data
        return json.loads(self.body) if self.body else None
