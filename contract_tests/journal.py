"""The request journal: what each client sent, the contract's verdict, and what was answered.

Bounded, so a long-running mock does not grow without limit; secrets are redacted on the way
in, so nothing that reads the journal (a test, an admin page, a JSON dump) can leak a token.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "x-api-key", "api-key", "cookie"})


def redact_header(name: str, value: str) -> str:
    """Keep the scheme and hide the credential: ``Bearer sk-abc`` -> ``Bearer [REDACTED]``."""
    if name.lower() not in SECRET_HEADERS:
        return value
    scheme, sep, _ = value.partition(" ")
    return f"{scheme} [REDACTED]" if sep else "[REDACTED]"


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: redact_header(name, value) for name, value in headers.items()}


@dataclass
class Entry:
    """One journaled exchange."""

    id: int
    time: float
    method: str
    path: str
    query: str
    headers: dict[str, str]
    verdict: str  # "accepted", "rejected" or "-" for routes the contract does not cover
    problems: list[dict[str, Any]]
    fields: dict[str, Any]
    files: list[dict[str, Any]]
    status: int
    response: Any
    duration_ms: float
    document: str | None = None
    video_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "time": self.time,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "verdict": self.verdict,
            "problems": self.problems,
            "fields": self.fields,
            "files": self.files,
            "status": self.status,
            "response": self.response,
            "duration_ms": self.duration_ms,
            "document": self.document,
            "video_id": self.video_id,
            **self.extra,
        }


class Journal:
    """A bounded, thread-safe list of :class:`Entry`, newest last."""

    def __init__(self, capacity: int = 1000) -> None:
        self._entries: deque[Entry] = deque(maxlen=capacity)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, **values: Any) -> Entry:
        values["headers"] = redact_headers(values.get("headers") or {})
        with self._lock:
            entry = Entry(id=next(self._ids), time=values.pop("time", time.time()), **values)
            self._entries.append(entry)
        return entry

    def entries(self) -> list[Entry]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
