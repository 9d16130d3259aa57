"""Reading an OpenAPI document: the one place that decides what is a document we can read, and which
version it is. The registry (``specs.load_document``) and the change gate (``changes.loading``) both
go through :func:`readable`; each adds its own stricter checks on top (the registry: the checker's
version and openapi-core's validation; the change gate: Apifox Markdown around the document).

**Version policy** (:data:`VERSIONS`):

- ``3.0.x`` is read everywhere: the registry, the checker, the mock, the strategies, diff and lint.
- ``3.1.x`` is read by ``sora-contract diff`` and ``lint`` (which walk documents and validate
  examples with a 3.1 validator) but refused by the registry: the checker, the mock and the
  strategies enforce OpenAPI 3.0 schemas, and 3.1 changes what a schema means: ``type`` may be a list
  (``[string, 'null']``, which the 3.0 validator cannot even read), ``nullable`` is gone, ``const``
  and JSON Schema ``examples`` arrays are new (the 3.0 validator ignores ``const``, so a 3.1 document
  saying ``model: {const: sora-2}`` would accept any model). A mock that says "valid" for what the
  relay's 3.1 document forbids is worse than a clear refusal.
- Anything else (Swagger 2.0, ``2.x``, ``4.x``, junk) is refused by both, with the same message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS30Validator, OAS31Validator

from contract_tests.core.refs import LocalRefs


class DocumentError(Exception):
    """An input that is not an OpenAPI document we can read; ``str()`` is ``source: problem``, one line."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


@dataclass(frozen=True)
class VersionLine:
    """One minor line of OpenAPI (``3.0``) and who can use a document written in it."""

    line: str
    checkable: bool  # the registry (checker, mock, strategies) enforces it; else diff/lint only
    why_not_checkable: str = ""
    # The JSON Schema dialect of the line's schemas: what ``lint`` validates examples with.
    schema_validator: Any = OAS30Validator


VERSIONS: tuple[VersionLine, ...] = (
    VersionLine("3.0", checkable=True),
    VersionLine(
        "3.1",
        checkable=False,
        schema_validator=OAS31Validator,
        why_not_checkable="the checker, the mock and the strategies enforce OpenAPI 3.0 schemas, and 3.1 "
        "changes their meaning (`type` lists such as [string, 'null'], `const`, JSON Schema `examples`, no "
        "`nullable`): a 3.1 document would be enforced wrongly. `sora-contract diff` and `lint` read it; "
        "write it as 3.0.x for the mock and the suite",
    ),
)
_VERSION = re.compile(r"(?P<line>\d+\.\d+)(?:\.\d+)?(?:-[0-9A-Za-z.-]+)?")
_NOT_OPENAPI = "not an OpenAPI document (no top-level `openapi` key"
_SWAGGER = "Swagger 2.0 is not supported; convert it to OpenAPI 3 first"


@dataclass(frozen=True)
class OpenAPIVersion:
    """The ``openapi`` field of a document we can read, and its line's policy."""

    text: str
    policy: VersionLine

    @property
    def checkable(self) -> bool:
        return self.policy.checkable


def looks_like_openapi(value: object) -> bool:
    """Whether ``value`` claims to be an OpenAPI document (a mapping with a scalar ``openapi``)."""
    return isinstance(value, dict) and isinstance(value.get("openapi"), str | int | float)


def not_openapi(value: object, source: str, also: str = "") -> DocumentError:
    """The error for a value that holds no OpenAPI document (Swagger 2.0 named as such).

    ``also`` adds where else the caller looked (``no ```yaml block holding one``)."""
    if isinstance(value, dict) and "swagger" in value:
        return DocumentError(source, _SWAGGER)
    return DocumentError(source, f"{_NOT_OPENAPI}{', ' + also if also else ''})")


def openapi_version(document: object, source: str) -> OpenAPIVersion:
    """Which OpenAPI version ``document`` is, when it is one this toolkit reads; else ``DocumentError``."""
    if not looks_like_openapi(document):
        raise not_openapi(document, source)
    assert isinstance(document, dict)
    text = str(document["openapi"])
    match = _VERSION.fullmatch(text)
    policy = next((v for v in VERSIONS if match and v.line == match["line"]), None)
    if policy is None:
        lines = " or ".join(f"{v.line}.x" for v in VERSIONS)
        raise DocumentError(source, f"unsupported OpenAPI version {text!r} (expected {lines})")
    return OpenAPIVersion(text, policy)


def readable(document: object, source: str) -> OpenAPIVersion:
    """The one loading-level gate: ``document`` is an OpenAPI document of a version we read, and its
    top-level parts have the types every reader walks (``paths`` a mapping, ``servers`` a list...)."""
    version = openapi_version(document, source)
    assert isinstance(document, dict)
    for key in ("paths", "components", "info"):
        if document.get(key) is not None and not isinstance(document[key], dict):
            raise DocumentError(source, f"`{key}` must be a mapping, not {type(document[key]).__name__}")
    if document.get("servers") is not None and not isinstance(document["servers"], list):
        raise DocumentError(source, "`servers` must be a list")
    return version


def checkable(document: Mapping[str, Any], source: str) -> OpenAPIVersion:
    """:func:`readable`, and enforceable by the checker: its version line and every local ``$ref``.

    The registry's gate. A ``$ref`` that points at nothing or loops is refused here with the message
    ``sora-contract lint`` reports it with (its ``unresolved-ref`` rule)."""
    version = readable(document, source)
    if not version.checkable:
        raise DocumentError(source, f"OpenAPI {version.text} cannot be checked: {version.policy.why_not_checkable}")
    problems = LocalRefs(document).problems()
    if problems:
        raise DocumentError(source, str(problems[0]))
    return version


def yaml_problem(exc: yaml.YAMLError) -> str:
    """A one-line description of a YAML error (PyYAML's own message spans several lines)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{problem} (line {mark.line + 1})" if mark is not None else str(problem)


def read_text(path: Path, source: str | None = None) -> str:
    """A document file's text; ``DocumentError`` naming the file and why it cannot be read."""
    source = source or str(path)
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DocumentError(source, "no such file") from None
    except IsADirectoryError:
        raise DocumentError(source, "is a directory, not a document") from None
    except UnicodeDecodeError:
        raise DocumentError(source, "not UTF-8 text") from None
    except OSError as exc:
        raise DocumentError(source, f"cannot read: {exc.strerror or exc}") from None


def parse_plain(text: str, source: str) -> dict[str, Any]:
    """A plain YAML/JSON OpenAPI document (no Markdown around it), passed through :func:`readable`."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DocumentError(source, f"not valid YAML or JSON ({yaml_problem(exc)})") from None
    readable(data, source)
    assert isinstance(data, dict)
    return data
