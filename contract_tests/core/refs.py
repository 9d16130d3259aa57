"""Local ``$ref``s inside one OpenAPI document: the one resolver every reader of a document uses.

The registry (and so the checker, the strategies and ``/openapi.json``), ``sora-contract diff`` and
``lint``, and ``observe`` all follow ``#/components/...`` references. They follow them here, so a
pointer reads the same everywhere: RFC 6901 tokens (``~1`` is ``/``, ``~0`` is ``~``, in that order)
of a percent-decoded URI fragment, as openapi-core resolves them when it validates.

Two ways a reference can fail, each a :class:`RefError` whose message says which:

- it points at nothing (:class:`UnresolvedRef`);
- it is a cycle of references that never reaches a node (:class:`RefCycle`): ``A -> B -> A``.

A recursive schema (``Node.properties.children.items -> Node``) is legal and resolves one step at a
time; only :meth:`LocalRefs.inline`, which must build a finite copy, refuses it.

Strict by default: a caller that compares whatever is there (``diff``, ``lint``, which report broken
references themselves) asks for ``lenient=True`` and gets ``{}`` where a reference fails.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote


class RefError(LookupError):
    """A ``$ref`` that cannot be followed; ``str()`` is the one-line reason, the same for every reader."""

    def __init__(self, ref: str, message: str) -> None:
        super().__init__(message)
        self.ref = ref
        self.message = message

    def __str__(self) -> str:
        return self.message


class UnresolvedRef(RefError):
    """The reference points at nothing in the document (or outside it)."""

    def __init__(self, ref: str) -> None:
        super().__init__(ref, f"$ref {ref!r} points at nothing in the document")


class RefCycle(RefError):
    """The reference never reaches a node: following it comes back to a reference already followed."""

    def __init__(self, ref: str, chain: tuple[str, ...], why: str = "its references form a cycle") -> None:
        super().__init__(ref, f"$ref {ref!r} never resolves: {why} ({' -> '.join(chain)})")
        self.chain = chain


def escape(token: object) -> str:
    """One reference token, escaped per RFC 6901 (``/v1/videos`` -> ``~1v1~1videos``)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """One reference token, unescaped per RFC 6901: ``~1`` first, then ``~0`` (so ``~01`` is ``~1``)."""
    return token.replace("~1", "/").replace("~0", "~")


def ref_tokens(ref: str) -> tuple[str, ...]:
    """The unescaped tokens of a local reference: ``#/components/schemas/A~1B`` -> (components, schemas, A/B).

    ``UnresolvedRef`` for anything that is not a local JSON pointer (another file, a URL, an anchor).
    """
    if not ref.startswith("#"):
        raise UnresolvedRef(ref)
    fragment = unquote(ref[1:])
    if fragment == "":
        return ()
    if not fragment.startswith("/"):
        raise UnresolvedRef(ref)
    return tuple(unescape(token) for token in fragment[1:].split("/"))


def _ref_of(node: Any) -> str | None:
    """The node's ``$ref`` when it is a reference object, else ``None``."""
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str):
            return ref
    return None


@dataclass(frozen=True)
class RefProblem:
    """A ``$ref`` of the document that cannot be followed, where it is (a JSON pointer to the key)."""

    pointer: str
    error: RefError

    @property
    def message(self) -> str:
        return self.error.message

    def __str__(self) -> str:
        """How the registry, ``lint`` and ``diff`` each say it: the reason, then where."""
        return f"{self.message} (at {self.pointer})"


class LocalRefs:
    """Follows local ``$ref``s inside one document (strict unless ``lenient``: see the module doc)."""

    def __init__(self, document: Mapping[str, Any], *, lenient: bool = False) -> None:
        self.document = document
        self.lenient = lenient

    def lookup(self, ref: str) -> Any:
        """The node ``ref`` points at, one step (a reference there is not followed); ``UnresolvedRef``."""
        node: Any = self.document
        for token in ref_tokens(ref):
            if isinstance(node, Mapping) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise UnresolvedRef(ref)
        return node

    def deref(self, node: Any) -> Any:
        """``node`` with its chain of references followed to a node that is not one.

        ``RefCycle`` for a chain that loops, ``UnresolvedRef`` for one that ends nowhere; ``{}`` for
        either when lenient.
        """
        seen: list[str] = []
        while (ref := _ref_of(node)) is not None:
            if ref in seen:
                return self._failed(RefCycle(seen[0], (*seen, ref)))
            seen.append(ref)
            try:
                node = self.lookup(ref)
            except UnresolvedRef as exc:
                return self._failed(exc)  # names the reference that is broken, wherever the chain began
        return node

    def inline(self, node: Any, *, open_recursion: bool = False) -> Any:
        """A copy of ``node`` with every reference replaced by its target, for a validator that needs a
        self-contained schema. A recursive schema has no finite copy: ``RefCycle`` (``{}`` in its place
        when lenient, so the rest is still checked). ``open_recursion`` asks for the copy of a legal
        recursive schema: where the schema repeats itself the copy holds ``{}`` (anything), the
        caller validating the recursion another way; a reference that is broken is still an error."""
        return self._inline(node, (), open_recursion)

    def _inline(self, node: Any, expanding: tuple[str, ...], open_recursion: bool) -> Any:
        ref = _ref_of(node)
        if ref is not None:
            if ref in expanding:
                if open_recursion:
                    return {}
                return self._failed(RefCycle(expanding[0], (*expanding, ref), "the schema contains itself"))
            return self._inline(self.deref(node), (*expanding, ref), open_recursion)
        if isinstance(node, Mapping):
            return {key: self._inline(value, expanding, open_recursion) for key, value in node.items()}
        if isinstance(node, list):
            return [self._inline(value, expanding, open_recursion) for value in node]
        return node

    def problems(self) -> list[RefProblem]:
        """Every local ``$ref`` of the document that cannot be followed, in document order: one that
        points at nothing, and one whose chain loops. A reference that only leads to one pointing at
        nothing is not repeated (that one is reported where it is written); every reference whose
        chain ends in a loop is, the loop's own and those leading into it, each naming the chain."""
        strict = LocalRefs(self.document)
        found: list[RefProblem] = []
        for pointer, node in _reference_objects(self.document, ""):
            try:
                strict.lookup(node["$ref"])
                strict.deref(node)
            except UnresolvedRef as exc:
                if exc.ref == node["$ref"]:
                    found.append(RefProblem(f"{pointer}/$ref", exc))
            except RefCycle as exc:
                found.append(RefProblem(f"{pointer}/$ref", exc))
        return found

    def _failed(self, error: RefError) -> Any:
        if self.lenient:
            return {}
        raise error


def _reference_objects(node: Any, pointer: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every local reference object under ``node`` with its JSON pointer (other files' refs are not ours)."""
    if isinstance(node, Mapping):
        ref = _ref_of(node)
        if ref is not None and ref.startswith("#"):
            yield pointer, node
        for key, value in node.items():
            yield from _reference_objects(value, f"{pointer}/{escape(key)}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _reference_objects(value, f"{pointer}/{i}")
