"""The request journal: what each client sent, the contract's verdict, and what was answered.

Bounded, so a long-running mock does not grow without limit; secrets are redacted on the way
in (:meth:`Journal.redact`, the rules of :mod:`contract_tests.core.redaction`), by every store, so
nothing that reads the journal (a test, an admin page, a JSON dump, a state file) can leak a token.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contract_tests.core.images import image_type
from contract_tests.core.redaction import Redactor, masked_request

# Uploaded images kept for the admin page's thumbnails: small ones, of the newest entries only.
PREVIEW_MAX_BYTES = 1024 * 1024
PREVIEW_ENTRIES = 20
PREVIEW_TOTAL_BYTES = 8 * 1024 * 1024
@dataclass(slots=True)
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


class Previews:
    """Uploaded images of the newest few entries, so a page can show what a client sent.

    Bounded three ways (``max_bytes`` per file, ``entries`` entries, ``total_bytes`` in all), so
    a mock taking uploads for hours holds at most ``total_bytes`` here, oldest forgotten first;
    per process, not in any shared state.
    """

    def __init__(
        self,
        entries: int = PREVIEW_ENTRIES,
        max_bytes: int = PREVIEW_MAX_BYTES,
        total_bytes: int = PREVIEW_TOTAL_BYTES,
    ) -> None:
        self.entries = entries
        self.max_bytes = max_bytes
        self.total_bytes = total_bytes
        # entry id -> (its kept files: name -> (media type, bytes), their total size)
        self._kept: OrderedDict[int, tuple[dict[str, tuple[str, bytes]], int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def keep(self, entry_id: int, files: Mapping[str, bytes]) -> None:
        """Keep the files of ``entry_id`` (form field name -> bytes) that are small real images.

        Runs on every create with an upload, so each entry's size is counted once, when kept."""
        kept = {}
        size = 0
        for name, data in files.items():
            media_type = image_type(data) if len(data) <= self.max_bytes else None
            if media_type is not None:
                kept[name] = (media_type, data)
                size += len(data)
        if not kept:
            return
        with self._lock:
            replaced = self._kept.pop(entry_id, None)
            if replaced is not None:
                self._size -= replaced[1]
            self._kept[entry_id] = (kept, size)
            self._size += size
            while len(self._kept) > self.entries or self._size > self.total_bytes:
                self._size -= self._kept.popitem(last=False)[1][1]

    def get(self, entry_id: int, name: str) -> tuple[str, bytes] | None:
        """``(sniffed media type, bytes)`` of one kept upload, or None when not (or no longer) kept."""
        with self._lock:
            kept = self._kept.get(entry_id)
        return kept[0].get(name) if kept is not None else None

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._size = 0


class Journal:
    """A bounded, thread-safe list of :class:`Entry`, newest last."""

    def __init__(self, capacity: int = 1000, redactor: Redactor | None = None) -> None:
        self.redactor = redactor if redactor is not None else Redactor()
        self._entries: deque[Entry] = deque(maxlen=capacity)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.previews = Previews()

    def redact(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """An entry's values with no secret left, before any store keeps them.

        Secret headers and query parameters are masked where they stand; their values, and
        credential-shaped text, are then scrubbed from everything else (an error message may
        quote a malformed ``Authorization``, a response may echo a token). Every store calls this.
        """
        return self._redact_own(dict(values))

    def _redact_own(self, values: dict[str, Any]) -> dict[str, Any]:
        """:meth:`redact` on a dict the caller gives away (:meth:`record`'s own keyword arguments):
        the masked headers and query replace the originals in it instead of in a copy."""
        headers, query, secrets = masked_request(values.get("headers") or {}, values.get("query") or "")
        scrubber = self.redactor.with_values(secrets) if secrets else self.redactor
        values["headers"], values["query"] = headers, query
        # The values only: the keys are the entry's own field names, never a request's text.
        if not scrubber.finds_in(tuple(values.values())):
            return values  # the common case: nothing else to hide, so nothing is walked
        return {name: scrubber.scrub_object(value) for name, value in values.items()}

    def record(self, uploads: Mapping[str, bytes] | None = None, **values: Any) -> Entry:
        """Keep one exchange, redacted first; ``uploads`` (form field -> the whole file) are kept
        for the page's previews too, so one call journals everything a request leaves behind."""
        entry = self._append(self._redact_own(values))
        if uploads:
            self.previews.keep(entry.id, uploads)
        return entry

    def _append(self, values: dict[str, Any]) -> Entry:
        """Store redacted ``values`` as the next entry (a store of another kind overrides this)."""
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
        self.previews.clear()

    def __len__(self) -> int:
        return len(self._entries)
