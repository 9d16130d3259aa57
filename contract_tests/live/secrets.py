"""Tokens that never reach output: a masked holder, and a scrubber for everything pytest writes.

A token travels as a :class:`Secret` whose ``repr`` is masked, so dataclass reprs, Hypothesis
notes and ``-l`` locals show nothing. The header that finally carries it is a plain string in
some frame, though, and a broken upstream may echo it back in a body the suite quotes; so the
:class:`Redactor` also scrubs every known token from test reports before the terminal, JUnit XML
and the JSON report see them (defence in depth, not the only line).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

MASK = "[REDACTED]"
# Shorter "tokens" are not secrets worth scrubbing, and replacing them would garble output.
MIN_SECRET_LENGTH = 6


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
    """Replace every known secret with ``[REDACTED]`` in strings and in pytest's report objects."""

    def __init__(self, secrets: Iterable[Secret | str] = ()) -> None:
        values = {s.reveal() if isinstance(s, Secret) else s for s in secrets}
        # Longest first, so a token that contains another is replaced whole.
        self._values = sorted((v for v in values if len(v) >= MIN_SECRET_LENGTH), key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self._values)

    def scrub(self, text: str) -> str:
        for value in self._values:
            if value in text:
                text = text.replace(value, MASK)
        return text

    def scrub_object(self, obj: Any) -> Any:
        """Scrub ``obj`` in place where it is mutable; return the scrubbed value (strings are new)."""
        if not self._values:
            return obj
        return self._walk(obj, set(), 0)

    def _walk(self, obj: Any, seen: set[int], depth: int) -> Any:
        if isinstance(obj, str):
            return self.scrub(obj)
        if isinstance(obj, bytes):
            return self.scrub(obj.decode("utf-8", "replace")).encode() if self._in_bytes(obj) else obj
        if obj is None or isinstance(obj, int | float | bool) or depth > 12 or id(obj) in seen:
            return obj
        seen.add(id(obj))
        if isinstance(obj, list):
            obj[:] = [self._walk(item, seen, depth + 1) for item in obj]
            return obj
        if isinstance(obj, tuple):
            items = [self._walk(item, seen, depth + 1) for item in obj]
            return type(obj)(*items) if hasattr(obj, "_fields") else tuple(items)
        if isinstance(obj, dict):
            scrubbed = {self._walk(k, seen, depth + 1): self._walk(v, seen, depth + 1) for k, v in obj.items()}
            obj.clear()
            obj.update(scrubbed)
            return obj
        if _is_report_part(obj):
            for name in _attribute_names(obj):
                value = getattr(obj, name, None)
                new = self._walk(value, seen, depth + 1)
                if new is not value:
                    object.__setattr__(obj, name, new)
        return obj

    def _in_bytes(self, data: bytes) -> bool:
        return any(v.encode() in data for v in self._values)

    def scrub_report(self, report: Any) -> None:
        """Scrub a pytest TestReport/CollectReport: longrepr, captured sections, user properties."""
        if not self._values:
            return
        for name in ("longrepr", "sections", "user_properties"):
            if hasattr(report, name):
                value = getattr(report, name)
                new = self.scrub_object(value)
                if new is not value:
                    setattr(report, name, new)


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
