"""SQLite state for ``--state PATH``: videos and journal that survive a restart and are shared.

Several uvicorn worker processes open the same file; WAL mode lets readers and the one writer
proceed together, and ``busy_timeout`` makes a writer wait for the lock instead of failing.
Each thread gets its own connection (sqlite3 connections are not shared across threads). Both
tables are bounded like their in-memory twins, so a long-running mock does not grow forever.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from contract_tests.engine import VideoRecord
from contract_tests.journal import Entry, Journal, redact_headers

_SCHEMA = """
CREATE TABLE IF NOT EXISTS videos (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entry TEXT NOT NULL
);
"""
_ENTRY_FIELDS = frozenset(f for f in Entry.__dataclass_fields__ if f != "extra")


class _Database:
    """One SQLite file, one connection per thread, schema created once."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(Path(path).expanduser())
        self._local = threading.local()
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.connection().executescript(_SCHEMA)

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
    """A :class:`~contract_tests.engine.VideoStore` in a SQLite file, oldest forgotten past ``capacity``."""

    def __init__(self, path: str | Path, capacity: int = 10_000) -> None:
        self.db = _Database(path)
        self.capacity = capacity

    def put(self, record: VideoRecord) -> None:
        conn = self.db.connection()
        conn.execute(
            "INSERT INTO videos (id, record) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET record = excluded.record",
            (record.video["id"], json.dumps(record.to_dict())),
        )
        conn.execute(
            "DELETE FROM videos WHERE seq <= (SELECT MAX(seq) FROM videos) - ?",
            (self.capacity,),
        )

    def get(self, video_id: str) -> VideoRecord | None:
        row = self.db.connection().execute("SELECT record FROM videos WHERE id = ?", (video_id,)).fetchone()
        return VideoRecord.from_dict(json.loads(row[0])) if row else None

    def delete(self, video_id: str) -> bool:
        cursor = self.db.connection().execute("DELETE FROM videos WHERE id = ?", (video_id,))
        return cursor.rowcount > 0

    def ids(self) -> list[str]:
        return [row[0] for row in self.db.connection().execute("SELECT id FROM videos ORDER BY seq")]

    def records(self) -> list[VideoRecord]:
        """Every record in creation order, in one query (the engine lists with it)."""
        rows = self.db.connection().execute("SELECT record FROM videos ORDER BY seq")
        return [VideoRecord.from_dict(json.loads(row[0])) for row in rows]

    def clear(self) -> None:
        self.db.connection().execute("DELETE FROM videos")

    def __len__(self) -> int:
        return int(self.db.connection().execute("SELECT COUNT(*) FROM videos").fetchone()[0])


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

    def record(self, **values: Any) -> Entry:
        values["headers"] = redact_headers(values.get("headers") or {})
        values.setdefault("time", time.time())
        values.update(values.pop("extra", None) or {})  # stored flat, as Entry.as_dict shows it
        data = _entry(0, values).as_dict()
        data.pop("id")
        conn = self.db.connection()
        cursor = conn.execute("INSERT INTO journal (entry) VALUES (?)", (json.dumps(data, default=str),))
        entry_id = int(cursor.lastrowid or 0)
        conn.execute("DELETE FROM journal WHERE id <= ?", (entry_id - self.capacity,))
        return _entry(entry_id, data)

    def entries(self) -> list[Entry]:
        rows = self.db.connection().execute("SELECT id, entry FROM journal ORDER BY id")
        return [_entry(int(row[0]), json.loads(row[1])) for row in rows]

    def clear(self) -> None:
        self.db.connection().execute("DELETE FROM journal")

    def __len__(self) -> int:
        return int(self.db.connection().execute("SELECT COUNT(*) FROM journal").fetchone()[0])
