"""``--live-known FILE.har``: practice probes a previous recording showed a relay accepts are not resent.

Each such probe answered 2xx starts a paid video and teaches nothing new: the leniency is already
on record. They are skipped before anything is sent and listed as *known* observations. Only
practice probes (the documents do not back their rejection) are ever skipped; a document-backed
probe is always sent. A change in the relay's behaviour still shows when a new recording is made
deliberately without ``--live-known`` and compared with ``sora-contract drift``.

With ``--live-record`` too, each skipped probe's earlier exchange is copied into the new recording,
marked ``"verdict": "known"`` with the file it came from, so the next run still knows it (a nightly
job that records with the previous night's recording as ``--live-known`` pays for each leniency once).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contract_tests.core import har
from contract_tests.testing.strategies import PRACTICE

Key = tuple[str, str, str | None]  # server, class, field


@dataclass(frozen=True)
class KnownLeniencies:
    """Which (server, class, field) practice probes a recording shows accepted, and where it came from."""

    source: str
    accepted: dict[Key, int]  # the status each was answered
    entries: dict[Key, dict[str, Any]]  # the recorded exchange that showed it (the first one)

    def status(self, server_id: str, label: str, param: str | None) -> int | None:
        return self.accepted.get((server_id, label, param))

    def reason(self, server_id: str, label: str, param: str | None) -> str:
        where = f", field {param}" if param else ""
        return (f"known leniency: {server_id} answered practice class {label}{where} with "
                f"{self.accepted[(server_id, label, param)]} in {self.source}; not sent again (--live-known)")


def load_known(path: Path | str) -> KnownLeniencies:
    """The accepted practice probes of a recording; :class:`~contract_tests.core.har.HarError` if unreadable."""
    accepted: dict[Key, int] = {}
    entries: dict[Key, dict[str, Any]] = {}
    for recorded in har.read_entries(path):
        sora = har.annotation(recorded)
        probe: Any = sora.get("probe")
        status = (recorded.get("response") or {}).get("status")
        if not isinstance(probe, dict) or probe.get("basis") != PRACTICE or not isinstance(status, int):
            continue
        if 200 <= status < 300 and isinstance(sora.get("server"), str):
            key = (sora["server"], str(probe.get("class")), probe.get("field"))
            accepted.setdefault(key, status)
            entries.setdefault(key, recorded)
    return KnownLeniencies(str(path), accepted, entries)
