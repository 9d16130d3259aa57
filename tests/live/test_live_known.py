"""``--live-known``: which probes a recording lets live mode skip (practice ones answered 2xx, only)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from contract_tests.core import har
from contract_tests.live.known import load_known


def _recorded(label: str, field: str | None, basis: str, status: int, server: str = "chainhub") -> dict[str, object]:
    return har.entry(
        method="POST", url="http://relay.test/v1/videos", request_headers={}, request_body=b"", status=status,
        reason="", response_headers={}, response_body=b"{}", started=dt.datetime.now(dt.timezone.utc),
        elapsed_ms=1.0, sora={"server": server, "probe": {"class": label, "field": field, "basis": basis}},
    )


def test_only_practice_probes_answered_2xx_are_known(tmp_path: Path) -> None:
    path = tmp_path / "before.har"
    writer = har.HarWriter(path)
    for recorded in (
        _recorded("unknown_field", "x_unknown_field", "practice", 200),
        _recorded("duplicate_field", "prompt", "practice", 400),
        _recorded("missing_required", "model", "document", 200),  # always sent: the documents back it
        _recorded("json_body", None, "practice", 201, server="jxincm"),
    ):
        writer.append(recorded)
    known = load_known(path)
    assert known.accepted == {("chainhub", "unknown_field", "x_unknown_field"): 200, ("jxincm", "json_body", None): 201}
    assert known.status("chainhub", "json_body", None) is None
    assert "chainhub answered practice class unknown_field, field x_unknown_field with 200" in known.reason(
        "chainhub", "unknown_field", "x_unknown_field")
