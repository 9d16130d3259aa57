"""The request and the response every door translates to and from: bytes on a wire, no transport.

The respx router, the ASGI door and the tests build a :class:`RawRequest`; the service answers a
:class:`RawResponse`. Errors are rendered by :meth:`contract_tests.core.problems.Problem.render` only.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from contract_tests.core.media_type import MediaType, parse_media_type
from contract_tests.core.problems import Problem

# json.dumps(payload, ensure_ascii=False), with the encoder built once instead of per call.
_PUBLIC_ENCODE: Callable[[Any], str] = json.JSONEncoder(ensure_ascii=False).encode


def _c_encoder() -> Callable[[Any], str] | None:
    """The C encoder ``encode`` runs, called straight (about 0.6 us less per answer), or None.

    ``JSONEncoder.encode`` builds a cycle-check dict and a float closure on every call before it
    reaches ``_json``'s encoder. Our payloads are plain trees of dicts, lists, text and numbers, so
    the C encoder is built once, without the cycle check (a cycle would still end in RecursionError).
    Its signature is CPython's private one: if it differs, or its text differs from ``encode``'s on
    a sample, the public path is used.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    basestring = getattr(json.encoder, "c_encode_basestring", None)
    if make is None or basestring is None:
        return None
    public = json.JSONEncoder(ensure_ascii=False)
    try:
        chunks = make(None, public.default, basestring, None, ": ", ", ", False, False, True)

        def encode(payload: Any) -> str:
            return "".join(chunks(payload, 0))

        sample = {"a": [1, 2.5, None, True, "é\n\"猫"], "b": {"c": -0.0, "d": ""}, "e": 10**20}
        if encode(sample) != _PUBLIC_ENCODE(sample):
            return None
    except Exception:  # another Python's private signature: the public encoder is just slower
        logging.getLogger(__name__).debug("json's C encoder not usable directly", exc_info=True)
        return None
    return encode


_ENCODE: Callable[[Any], str] = _c_encoder() or _PUBLIC_ENCODE


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

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @functools.cached_property
    def media(self) -> MediaType:
        """The parsed Content-Type, read once however many steps ask (the door, then the checker)."""
        return parse_media_type(self.header("content-type"))


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
    def json(
        cls, status: int, payload: Any, headers: Mapping[str, str] | None = None, *, text: str | None = None
    ) -> RawResponse:
        """``payload`` as a JSON answer; ``text`` is its JSON text when the caller already wrote it."""
        merged = {"content-type": "application/json"}
        if headers:
            merged.update(headers)
        # What ``cls(status, body, merged, data=payload)`` makes, without the frozen dataclass's five
        # ``object.__setattr__`` calls: every answer is made here (a test holds the two equal).
        body = (_ENCODE(payload) if text is None else text).encode()
        response = object.__new__(cls)
        vars(response).update(status=status, body=body, headers=merged, delay=0.0, data=payload)
        return response

    @classmethod
    def error(cls, *problems: Problem, headers: Mapping[str, str] | None = None) -> RawResponse:
        """The one rendering of problems every door sends: status, OpenAI error JSON, its headers."""
        status, payload = Problem.render(problems)
        return cls.json(status, payload, headers)

    def payload(self) -> Any:
        if self.data is not None:
            return self.data
        return json.loads(self.body) if self.body else None
