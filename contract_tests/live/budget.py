"""The cost guard: a budget of requests expected to be accepted, and a hard cap on paid creates.

Every create answered 2xx starts a paid video, whatever the test expected, so every one is
counted (``paid``). Two limits per server:

- the **budget** (``--live-budget``): how many requests *expected* to be accepted are sent;
- the **cap** (``--live-max-paid``, default budget + 2): no request that could start a video is
  sent once ``paid`` plus the requests still in flight reach it. Requests expected to be rejected
  may only use the slots the budget does not still reserve, so a relay that accepts everything
  cannot eat the budget of the valid-request tests; and *practice* probes (whose acceptance is an
  observation) leave one more slot to the document-backed ones, so a lenient relay can never
  starve the checks the documents back, whatever order pytest-xdist runs them in.

A slot is granted *before* the request is sent and settled after its answer, all under one
exclusive lock on a small JSON ledger, so pytest-xdist workers share one budget and one cap and
can never overshoot it together.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: one process, the thread lock is enough
    fcntl = None  # type: ignore[assignment]

_THREAD_LOCK = threading.Lock()
CAP_HEADROOM = 2  # default cap: the budget plus this many unexpected acceptances
DOCUMENT_RESERVE = 1  # cap slots practice probes leave to document-backed ones
_SETTLE_POLL = 0.02  # seconds between looks at the ledger while requests are in flight


@dataclass
class Tally:
    """One server's ledger row."""

    budget: int = 0  # requests expected to be accepted that were sent (or are in flight)
    paid: int = 0  # creates answered 2xx, expected or not
    pending: int = 0  # granted requests that could start a video, not yet answered


def default_max_paid(budget: int) -> int:
    return budget + CAP_HEADROOM


class Budget:
    """Grants and settles potentially paid requests per server, across every process of the run."""

    def __init__(self, limit: int, ledger: Path, max_paid: int | None = None, patience: float = 120.0) -> None:
        self.limit = limit
        self.max_paid = default_max_paid(limit) if max_paid is None else max_paid
        self.ledger = Path(ledger)
        # How long a grant waits for in-flight requests to settle before it gives up on a slot.
        self.patience = patience

    def grant(self, server_id: str, expected: bool, practice: bool = False) -> str | None:
        """Reserve a slot for one request that could start a video; the skip reason if none is left.

        ``expected``: the request is expected to be accepted (it spends the budget). Otherwise it
        may only use the cap's slots beyond what the budget still reserves; a ``practice`` probe
        also leaves one slot to the document-backed probes (when the cap has room for two).
        """
        deadline = time.monotonic() + self.patience
        while True:
            with self._locked() as rows:
                row = rows.setdefault(server_id, Tally())
                if expected and row.budget >= self.limit:
                    return self.skip_reason(server_id)
                reserved = 0 if expected else max(0, self.limit - row.budget)
                if practice and not expected and self.max_paid - self.limit >= DOCUMENT_RESERVE + 1:
                    reserved += DOCUMENT_RESERVE
                if row.paid + reserved >= self.max_paid:
                    return self.cap_reason(server_id)
                if row.paid + row.pending + reserved < self.max_paid:
                    row.pending += 1
                    row.budget += int(expected)
                    return None
            # Only requests still in flight stand in the way: wait for their answers (most are
            # rejections, which free their slot) instead of skipping by the luck of timing.
            if time.monotonic() >= deadline:
                return self.cap_reason(server_id) + f" (requests in flight did not settle in {self.patience:g} s)"
            time.sleep(_SETTLE_POLL)

    def settle(self, server_id: str, expected: bool, accepted: bool, reached: bool = True) -> None:
        """Close a granted slot: ``accepted`` (2xx) counts as paid; one that never ``reached`` the
        server gives its budget unit back."""
        with self._locked() as rows:
            row = rows.setdefault(server_id, Tally())
            row.pending = max(0, row.pending - 1)
            row.paid += int(accepted)
            if expected and not reached:
                row.budget = max(0, row.budget - 1)

    def tallies(self) -> dict[str, Tally]:
        with self._locked() as rows:
            return {sid: Tally(**asdict(row)) for sid, row in rows.items()}

    def spent(self) -> dict[str, int]:
        """Paid creates (2xx answers) per server: what the run cost."""
        return {sid: row.paid for sid, row in self.tallies().items()}

    def skip_reason(self, server_id: str) -> str:
        return f"live budget of {self.limit} spent for server {server_id}; raise --live-budget"

    def cap_reason(self, server_id: str) -> str:
        return (
            f"live cap of {self.max_paid} paid creates reached for server {server_id} (--live-max-paid): "
            "no further request that could start a video is sent"
        )

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, Tally]]:
        self.ledger.parent.mkdir(parents=True, exist_ok=True)
        with _THREAD_LOCK, open(self.ledger, "a+", encoding="utf-8") as handle:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                handle.seek(0)
                text = handle.read()
                stored = json.loads(text) if text.strip() else {}
                rows = {sid: Tally(**row) for sid, row in stored.items()}
                yield rows
                changed = {sid: asdict(row) for sid, row in rows.items()}
                if changed != stored:
                    handle.seek(0)
                    handle.truncate()
                    handle.write(json.dumps(changed))
                    handle.flush()
            finally:
                if fcntl is not None:
                    fcntl.flock(handle, fcntl.LOCK_UN)
