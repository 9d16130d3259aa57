"""Loading an OpenAPI document from a file or an http(s) URL, plain or wrapped in Apifox Markdown.

The relays publish Apifox exports: a Markdown page holding one fenced ```yaml block. The block's text
is kept verbatim (``adopt`` writes it into ``specs/`` unchanged) next to the parsed document and a
pointer -> line index for annotations. Every failure becomes a ``LoadError`` naming the source and
the problem, which the CLI prints as one line and exits 2 with: a broken input is not a breaking
change, and must never look like one (or like a crash).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2
import yaml

from contract_tests.changes import pointers
from contract_tests.core.spec_loading import (
    DocumentError,
    looks_like_openapi,
    not_openapi,
    read_text,
    readable,
    yaml_problem,
)

# The change gate's name for the core's loading error: one class, so one message per problem.
LoadError = DocumentError

_FENCE = re.compile(
    r"^(?P<fence>```+|~~~+)[ \t]*(?P<lang>[\w+-]*)[^\n]*\n(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Loaded:
    """One document as published: where from, its OpenAPI text verbatim, parsed, and located.

    ``published`` is the whole file as read: the Apifox page around the block when ``wrapped``,
    else the same as ``text``. ``adopt`` keeps it beside the document it writes.
    """

    source: str
    text: str
    published: str
    document: dict[str, Any]
    wrapped: bool = False
    lines: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    @property
    def doc_id(self) -> str:
        """The document id a source suggests: its file name without extensions."""
        name = urlsplit(self.source).path if is_url(self.source) else self.source
        stem = Path(name).name
        return stem.split(".", 1)[0] or stem

    def line_of(self, pointer: str) -> int | None:
        """The line ``pointer`` (or its nearest ancestor) starts on, in the published file."""
        return pointers.nearest_line(self.lines, pointer)


def is_url(source: str) -> bool:
    """Whether ``source`` is fetched over http(s) rather than read from disk."""
    return urlsplit(source).scheme in ("http", "https")


def read_source(source: str) -> str:
    """The raw text of a file or an http(s) URL."""
    if is_url(source):
        try:
            response = httpx2.get(source, follow_redirects=True, timeout=_TIMEOUT_SECONDS)
        except httpx2.HTTPError as exc:
            raise LoadError(source, f"cannot fetch: {exc}") from None
        if response.status_code >= 400:
            raise LoadError(source, f"cannot fetch: HTTP {response.status_code}")
        return response.text
    return read_text(Path(source), source)


def load(source: str) -> Loaded:
    """Read and parse ``source``; raise ``LoadError`` unless it holds an OpenAPI document we read
    (``core.spec_loading.readable``: 3.0.x and 3.1.x)."""
    return parse(read_source(source), source)


def parse(raw: str, source: str) -> Loaded:
    """Parse ``raw`` as plain OpenAPI YAML/JSON, else as Markdown with a fenced OpenAPI block."""
    plain_error: str | None = None
    try:
        whole = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        whole, plain_error = None, yaml_problem(exc)
    if looks_like_openapi(whole):
        return _checked(Loaded(source, raw, raw, whole, False, pointers.line_index(raw)))
    for match in _FENCE.finditer(raw):
        if match.group("lang").lower() not in ("", "yaml", "yml", "json"):
            continue
        body = match.group("body")
        try:
            block = yaml.safe_load(body)
        except yaml.YAMLError as exc:
            if "openapi:" in body or '"openapi"' in body:
                raise LoadError(source, f"the OpenAPI block is not valid YAML: {yaml_problem(exc)}") from None
            continue
        if looks_like_openapi(block):
            offset = raw.count("\n", 0, match.start("body"))
            return _checked(Loaded(source, body, raw, block, True, pointers.line_index(body, offset)))
    if plain_error and not _FENCE.search(raw):
        raise LoadError(source, f"not an OpenAPI document: not valid YAML or JSON ({plain_error}) "
                              "and no ```yaml block")
    raise not_openapi(whole, source, "no ```yaml block holding one")


def _checked(loaded: Loaded) -> Loaded:
    """The shared loading-level gate (version and top-level types); 3.1 is read here, unlike the registry."""
    readable(loaded.document, loaded.source)
    return loaded
