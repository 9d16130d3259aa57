"""The cost guard: a per-server cap on requests expected to be accepted (each starts a paid video).

The ledger is a small JSON file under an exclusive lock, so pytest-xdist workers share one budget
instead of each spending its own. Requests expected to be rejected never touch it.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: one process, the thread lock is enough
    fcntl = None  # type: ignore[assignment]

_THREAD_LOCK = threading.Lock()


class Budget:
    """At most ``limit`` accepted-expected requests per server, across every process of the run."""

    def __init__(self, limit: int, ledger: Path) -> None:
        self.limit = limit
        self.ledger = Path(ledger)

    def try_spend(self, server_id: str) -> bool:
        """Reserve one unit for ``server_id``; False (nothing reserved) once its budget is spent."""
        with self._locked() as spent:
            if spent.get(server_id, 0) >= self.limit:
                return False
            spent[server_id] = spent.get(server_id, 0) + 1
            return True

    def refund(self, server_id: str) -> None:
        """Give back a unit whose request provably never reached the server."""
        with self._locked() as spent:
            if spent.get(server_id, 0) > 0:
                spent[server_id] -= 1

    def spent(self) -> dict[str, int]:
        with self._locked() as spent:
            return dict(spent)

    def skip_reason(self, server_id: str) -> str:
        return f"live budget of {self.limit} spent for server {server_id}; raise --live-budget"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, int]]:
        self.ledger.parent.mkdir(parents=True, exist_ok=True)
        with _THREAD_LOCK, open(self.ledger, "a+", encoding="utf-8") as handle:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                handle.seek(0)
                text = handle.read()
                spent: dict[str, int] = json.loads(text) if text.strip() else {}
                before = dict(spent)
                yield spent
                if spent != before:
                    handle.seek(0)
                    handle.truncate()
                    handle.write(json.dumps(spent))
                    handle.flush()
            finally:
                if fcntl is not None:
                    fcntl.flock(handle, fcntl.LOCK_UN)
