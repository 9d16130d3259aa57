"""Walking an OpenAPI document the way both ``diff`` and ``lint`` need: refs resolved, typed views.

Upstream documents are hand-edited exports; any node may be missing or of the wrong type. The
helpers here turn "not a mapping" into "empty" so the checks compare what is there instead of
crashing on what is not (the loader already rejected documents that are not OpenAPI at all).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from contract_tests.changes import pointers
from contract_tests.core.refs import LocalRefs

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def as_map(value: object) -> dict[str, Any]:
    """``value`` if it is a mapping, else an empty one."""
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    """``value`` if it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def lenient_refs(document: dict[str, Any]) -> LocalRefs:
    """The core resolver in lenient mode, as ``diff`` and ``lint`` ask for it: they compare whatever is
    there, so a broken ``$ref`` reads as an empty schema instead of stopping the comparison. Lint
    reports each broken one itself (``unresolved-ref``, from :meth:`LocalRefs.problems`)."""
    return LocalRefs(document, lenient=True)


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every ``(path, method, operation)`` of a document, in document order."""
    for path, item in as_map(document.get("paths")).items():
        for method, operation in as_map(item).items():
            if method in HTTP_METHODS and isinstance(operation, dict):
                yield str(path), method, operation


def operation_pointer(path: str, method: str) -> str:
    """``/paths/~1v1~1videos/post``."""
    return pointers.join("paths", path, method)


def operation_label(path: str, method: str) -> str:
    """``POST /v1/videos``, how people name an operation."""
    return f"{method.upper()} {path}"


def type_of(schema: dict[str, Any]) -> str | None:
    """The schema's type as one comparable string (3.1 type lists joined, ``nullable`` ignored)."""
    value = schema.get("type")
    if isinstance(value, list):
        return "|".join(sorted(str(v) for v in value)) or None
    return None if value is None else str(value)


def required_names(schema: dict[str, Any]) -> list[str]:
    """The schema's ``required`` list, as strings, tolerating junk."""
    return [str(name) for name in as_list(schema.get("required"))]


def example_of(schema: dict[str, Any]) -> tuple[bool, Any]:
    """``(True, value)`` when the schema documents an example (``example`` or first ``examples``)."""
    if "example" in schema:
        return True, schema["example"]
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return True, examples[0]
    return False, None


def media_examples(media: dict[str, Any], pointer: str) -> Iterator[tuple[str, Any]]:
    """Every example a media type object carries: ``example`` and each ``examples[*].value``."""
    if "example" in media:
        yield pointers.child(pointer, "example"), media["example"]
    for name, example in as_map(media.get("examples")).items():
        if isinstance(example, dict) and "value" in example:
            yield pointers.child(pointer, "examples", name, "value"), example["value"]


def server_urls(document: dict[str, Any]) -> list[str]:
    """The document's server URLs, in order."""
    return [str(s.get("url")) for s in as_list(document.get("servers")) if isinstance(s, dict) and s.get("url")]
