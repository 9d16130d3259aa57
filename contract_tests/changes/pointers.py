"""JSON pointers into a document and the line each one starts on in the published file.

Findings name a place twice: as a JSON pointer (stable, tool-friendly) and as a line (what GitHub
annotations and editors need). Lines come from PyYAML's node marks, so they are exact for YAML and
JSON alike, and are shifted by the Markdown preamble for Apifox exports.
"""

from __future__ import annotations

from collections.abc import Iterable

import yaml

from contract_tests.core.refs import escape as escape  # RFC 6901 lives with the resolver; re-exported for the gate


def join(*tokens: object) -> str:
    """The pointer made of ``tokens`` (each escaped)."""
    return "".join("/" + escape(t) for t in tokens)


def child(pointer: str, *tokens: object) -> str:
    """``pointer`` extended by ``tokens``."""
    return pointer + join(*tokens)


def parent(pointer: str) -> str:
    """The pointer one level up (``""`` stays ``""``)."""
    return pointer.rsplit("/", 1)[0] if pointer else ""


def line_index(text: str, offset: int = 0) -> dict[str, int]:
    """Map every pointer in the YAML/JSON ``text`` to its 1-based line, plus ``offset`` lines.

    Returns an empty index when ``text`` does not compose (the loader reports that error itself).
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    index: dict[str, int] = {}
    if root is not None:
        _walk(root, "", offset, index)
    return index


def _walk(node: yaml.Node, pointer: str, offset: int, index: dict[str, int]) -> None:
    index.setdefault(pointer, node.start_mark.line + 1 + offset)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            token = escape(key.value) if isinstance(key, yaml.ScalarNode) else "?"
            here = f"{pointer}/{token}"
            index[here] = key.start_mark.line + 1 + offset
            _walk(value, here, offset, index)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, f"{pointer}/{i}", offset, index)


def nearest_line(index: dict[str, int], pointer: str) -> int | None:
    """The line of ``pointer``, or of its closest ancestor that has one."""
    here = pointer
    while True:
        if here in index:
            return index[here]
        if not here:
            return None
        here = parent(here)


def first(pointers: Iterable[str], index: dict[str, int]) -> str:
    """The first of ``pointers`` that exists in ``index`` (else the last one)."""
    last = ""
    for last in pointers:
        if last in index:
            return last
    return last
