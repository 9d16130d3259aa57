"""Storage: the video store protocol, the in-memory store and the SQLite state, in one place.

:class:`VideoStore` is everything the engine calls (videos, and the characters made from uploads);
:class:`MemoryStore` is the default, and
:class:`SqliteStore`/:class:`SqliteJournal` are ``sora-mock --state PATH``: videos and journal that
survive a restart and are shared between worker processes.

Several uvicorn worker processes open the same file; WAL mode lets readers and the one writer
proceed together, and ``busy_timeout`` makes a writer wait for the lock instead of failing.
Each thread gets its own connection (sqlite3 connections are not shared across threads). Both
tables are bounded like their in-memory twins, so a long-running mock does not grow forever.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from contract_tests.core.journal import Entry, Journal


@dataclass(slots=True)
class VideoRecord:
    """A stored job: the public video plus what the engine needs to advance it."""

    video: dict[str, Any]
    started_at: float
    render_seconds: float
    fail: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "video": self.video,
            "started_at": self.started_at,
            "render_seconds": self.render_seconds,
            "fail": self.fail,
            "extra": self.extra,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VideoRecord:
        return cls(
            dict(data["video"]),
            float(data["started_at"]),
            float(data["render_seconds"]),
            data.get("fail"),
            dict(data.get("extra") or {}),
        )


class VideoStore(Protocol):
    """Where records live. In memory by default; the mock server adds a SQLite one."""

    def put(self, record: VideoRecord) -> None: ...
    def get(self, video_id: str) -> VideoRecord | None: ...
    def delete(self, video_id: str) -> bool: ...
    def ids(self) -> list[str]: ...
    def records(self) -> list[VideoRecord]: ...  # every record in creation order, in one read
    def clear(self) -> None: ...  # videos and characters
    def put_character(self, character: dict[str, Any]) -> None: ...
    def get_character(self, character_id: str) -> dict[str, Any] | None: ...


class MemoryStore:
    """A bounded in-memory store: the oldest videos are forgotten past ``capacity``."""

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._records: OrderedDict[str, VideoRecord] = OrderedDict()
        self._characters: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, record: VideoRecord) -> None:
        with self._lock:
            self._records[record.video["id"]] = record
            while len(self._records) > self.capacity:
                self._records.popitem(last=False)

    def get(self, video_id: str) -> VideoRecord | None:
        return self._records.get(video_id)

    def delete(self, video_id: str) -> bool:
        with self._lock:
            return self._records.pop(video_id, None) is not None

    def ids(self) -> list[str]:
        return list(self._records)

    def records(self) -> list[VideoRecord]:
        """Every record in creation order (the engine lists with it)."""
        with self._lock:
            return list(self._records.values())

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            self._characters.clear()

    def put_character(self, character: dict[str, Any]) -> None:
        with self._lock:
            self._characters[character["id"]] = dict(character)
            while len(self._characters) > self.capacity:
                self._characters.popitem(last=False)

    def get_character(self, character_id: str) -> dict[str, Any] | None:
        found = self._characters.get(character_id)
        return dict(found) if found is not None else None

    def __len__(self) -> int:
        return len(self._records)


if sys.platform != "win32":
    import fcntl

    def _flock(fd: int, lock: bool) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX if lock else fcntl.LOCK_UN)

else:  # Windows: SQLite's own locking alone

    def _flock(fd: int, lock: bool) -> None:
        pass


_SCHEMA = """
CREATE TABLE IF NOT EXISTS videos (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS characters (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    character TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entry TEXT NOT NULL
);
"""
# Both tables are trimmed back to their capacity every this many writes (not on every write, to
# keep one SQLite write per request): they hold at most capacity + _TRIM_EVERY rows.
_TRIM_EVERY = 64
# ... and every read sees only the newest ``capacity`` of them, exactly as if trimmed on every write.
_LIVE_VIDEO = " AND seq > (SELECT MAX(seq) FROM videos) - ?"
_LIVE_ENTRY = " AND id > (SELECT MAX(id) FROM journal) - ?"
_ENTRY_FIELDS = frozenset(f for f in Entry.__dataclass_fields__ if f != "extra")


class _Database:
    """One SQLite file, one connection per thread, schema created once."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(Path(path).expanduser())
        self._local = threading.local()
        self._lock = threading.Lock()
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock_fd = os.open(self.path + ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        self.connection().executescript(_SCHEMA)

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, for one write, holding the file's writer lock.

        Writers of several workers take turns on a kernel lock (``flock`` on ``PATH.lock``), which
        wakes the next one as soon as a write ends. Left to itself, SQLite would make a writer
        that finds the file locked poll and sleep (1 ms, 2 ms, 5 ms...): with two busy workers that
        halves the throughput. A write is tens of microseconds, so waiting for it blocks no one long.
        """
        with self._lock:
            _flock(self._lock_fd, True)
            try:
                yield self.connection()
            finally:
                _flock(self._lock_fd, False)

    def connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            self._local.conn = conn
        return conn


class SqliteStore:
    """A :class:`~contract_tests.core.engine.VideoStore` in a SQLite file, oldest forgotten past ``capacity``."""

    def __init__(self, path: str | Path, capacity: int = 10_000) -> None:
        self.db = _Database(path)
        self.capacity = capacity
        self._puts = 0

    def put(self, record: VideoRecord) -> None:
        text = json.dumps(record.to_dict())
        self._puts += 1
        with self.db.writing() as conn:
            conn.execute(
                "INSERT INTO videos (id, record) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET record = excluded.record",
                (record.video["id"], text),
            )
            if self._puts % _TRIM_EVERY == 0:  # bounded, trimmed now and then: one write per put otherwise
                conn.execute("DELETE FROM videos WHERE seq <= (SELECT MAX(seq) FROM videos) - ?", (self.capacity,))

    def get(self, video_id: str) -> VideoRecord | None:
        row = (
            self.db.connection()
            .execute("SELECT record FROM videos WHERE id = ?" + _LIVE_VIDEO, (video_id, self.capacity))
            .fetchone()
        )
        return VideoRecord.from_dict(json.loads(row[0])) if row else None

    def delete(self, video_id: str) -> bool:
        with self.db.writing() as conn:
            cursor = conn.execute("DELETE FROM videos WHERE id = ?" + _LIVE_VIDEO, (video_id, self.capacity))
        return cursor.rowcount > 0

    def ids(self) -> list[str]:
        return [
            row[0]
            for row in self.db.connection().execute(
                "SELECT id FROM videos WHERE 1" + _LIVE_VIDEO + " ORDER BY seq", (self.capacity,)
            )
        ]

    def records(self) -> list[VideoRecord]:
        """Every record in creation order, in one query (the engine lists with it)."""
        rows = self.db.connection().execute(
            "SELECT record FROM videos WHERE 1" + _LIVE_VIDEO + " ORDER BY seq", (self.capacity,)
        )
        return [VideoRecord.from_dict(json.loads(row[0])) for row in rows]

    def clear(self) -> None:
        with self.db.writing() as conn:
            conn.execute("DELETE FROM videos")
            conn.execute("DELETE FROM characters")

    def put_character(self, character: dict[str, Any]) -> None:
        """Characters are few (one per upload): trimmed to ``capacity`` on each write."""
        with self.db.writing() as conn:
            conn.execute(
                "INSERT INTO characters (id, character) VALUES (?, ?) "
                "ON CONFLICT(id) DO UPDATE SET character = excluded.character",
                (character["id"], json.dumps(character)),
            )
            conn.execute(
                "DELETE FROM characters WHERE seq <= (SELECT MAX(seq) FROM characters) - ?", (self.capacity,)
            )

    def get_character(self, character_id: str) -> dict[str, Any] | None:
        row = (
            self.db.connection()
            .execute("SELECT character FROM characters WHERE id = ?", (character_id,))
            .fetchone()
        )
        return dict(json.loads(row[0])) if row else None

    def __len__(self) -> int:
        return int(
            self.db.connection()
            .execute("SELECT COUNT(*) FROM videos WHERE 1" + _LIVE_VIDEO, (self.capacity,))
            .fetchone()[0]
        )


def _entry(entry_id: int, data: dict[str, Any]) -> Entry:
    known = {k: v for k, v in data.items() if k in _ENTRY_FIELDS and k != "id"}
    extra = {k: v for k, v in data.items() if k not in _ENTRY_FIELDS}
    return Entry(id=entry_id, **known, extra=extra)


class SqliteJournal(Journal):
    """The journal in the same SQLite file, so every worker's requests show in ``/__admin/requests``."""

    def __init__(self, path: str | Path, capacity: int = 1000) -> None:
        super().__init__(capacity)
        self.db = _Database(path)
        self.capacity = capacity

    def _append(self, values: dict[str, Any]) -> Entry:
        # ``values`` come redacted (Journal.record): the file never holds a secret
        values.setdefault("time", time.time())
        values.update(values.pop("extra", None) or {})  # stored flat, as Entry.as_dict shows it
        values.setdefault("worker", os.getpid())  # several workers share this journal: which one answered
        data = _entry(0, values).as_dict()
        data.pop("id")
        text = json.dumps(data, default=str)
        with self.db.writing() as conn:
            entry_id = int(conn.execute("INSERT INTO journal (entry) VALUES (?)", (text,)).lastrowid or 0)
            if entry_id % _TRIM_EVERY == 0:
                conn.execute("DELETE FROM journal WHERE id <= ?", (entry_id - self.capacity,))
        return _entry(entry_id, data)

    def entries(self) -> list[Entry]:
        rows = self.db.connection().execute(
            "SELECT id, entry FROM journal WHERE 1" + _LIVE_ENTRY + " ORDER BY id", (self.capacity,)
        )
        return [_entry(int(row[0]), json.loads(row[1])) for row in rows]

    def clear(self) -> None:
        with self.db.writing() as conn:
            conn.execute("DELETE FROM journal")

    def __len__(self) -> int:
        return int(
            self.db.connection()
            .execute("SELECT COUNT(*) FROM journal WHERE 1" + _LIVE_ENTRY, (self.capacity,))
            .fetchone()[0]
        )
