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

_FENCE = re.compile(
    r"^(?P<fence>```+|~~~+)[ \t]*(?P<lang>[\w+-]*)[^\n]*\n(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_TIMEOUT_SECONDS = 30.0


class LoadError(Exception):
    """An input that is not a usable OpenAPI document; ``str()`` is the one-line explanation."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


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
    try:
        return Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LoadError(source, "no such file") from None
    except IsADirectoryError:
        raise LoadError(source, "is a directory, not a document") from None
    except UnicodeDecodeError:
        raise LoadError(source, "not UTF-8 text") from None
    except OSError as exc:
        raise LoadError(source, f"cannot read: {exc.strerror or exc}") from None


def load(source: str) -> Loaded:
    """Read and parse ``source``; raise ``LoadError`` unless it holds an OpenAPI 3 document."""
    return parse(read_source(source), source)


def parse(raw: str, source: str) -> Loaded:
    """Parse ``raw`` as plain OpenAPI YAML/JSON, else as Markdown with a fenced OpenAPI block."""
    plain_error: str | None = None
    try:
        whole = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        whole, plain_error = None, _yaml_problem(exc)
    if _looks_like_openapi(whole):
        return _checked(Loaded(source, raw, raw, whole, False, pointers.line_index(raw)))
    for match in _FENCE.finditer(raw):
        if match.group("lang").lower() not in ("", "yaml", "yml", "json"):
            continue
        body = match.group("body")
        try:
            block = yaml.safe_load(body)
        except yaml.YAMLError as exc:
            if "openapi:" in body or '"openapi"' in body:
                raise LoadError(source, f"the OpenAPI block is not valid YAML: {_yaml_problem(exc)}") from None
            continue
        if _looks_like_openapi(block):
            offset = raw.count("\n", 0, match.start("body"))
            return _checked(Loaded(source, body, raw, block, True, pointers.line_index(body, offset)))
    if plain_error and not _FENCE.search(raw):
        raise LoadError(source, f"not an OpenAPI document: not valid YAML or JSON ({plain_error}) "
                              "and no ```yaml block")
    if isinstance(whole, dict) and "swagger" in whole:
        raise LoadError(source, "Swagger 2.0 is not supported; convert it to OpenAPI 3 first")
    raise LoadError(source, "not an OpenAPI document (no top-level `openapi` key, no ```yaml block holding one)")


def _looks_like_openapi(value: object) -> bool:
    return isinstance(value, dict) and isinstance(value.get("openapi"), (str, int, float))


def _checked(loaded: Loaded) -> Loaded:
    """Reject documents the comparisons cannot walk, with the reason."""
    doc = loaded.document
    if not str(doc["openapi"]).startswith("3."):
        raise LoadError(loaded.source, f"unsupported OpenAPI version {doc['openapi']!r} (expected 3.x)")
    for key in ("paths", "components", "info"):
        if key in doc and doc[key] is not None and not isinstance(doc[key], dict):
            raise LoadError(loaded.source, f"`{key}` must be a mapping, not {type(doc[key]).__name__}")
    if "servers" in doc and doc["servers"] is not None and not isinstance(doc["servers"], list):
        raise LoadError(loaded.source, "`servers` must be a list")
    return loaded


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """A one-line description of a YAML error (PyYAML's own message spans several lines)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{problem} (line {mark.line + 1})" if mark is not None else str(problem)
