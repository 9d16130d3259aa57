"""``sora-contract drift OLD.har NEW.har``: what changed in a relay's behaviour, as findings.

Both recordings become behaviour profiles (:mod:`.observe`); the profiles are compared server by
server with the rules of kind ``drift`` in the catalog, so the report reads like ``diff``'s and
speaks its formats and ``--fail-on``. When the recordings share no server but hold one each, the
two are compared with each other: that is the **differential report** between two relays (what a
frontend team must handle when it switches relay or fails over).

Only what both recordings saw is compared: a class one run did not send is reported once, as
``behaviour-class-unobserved`` (info), never as a change in behaviour.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contract_tests.changes.findings import Finding, Location
from contract_tests.changes.rules import rule

# latency-regressed: the new p95 is over this factor of the old one and over this many ms more.
LATENCY_FACTOR = 2.0
LATENCY_MIN_MS = 200.0
# render-time-regressed: the new median render time is over this factor of the old one.
RENDER_FACTOR = 1.5


def pairs(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Which server of OLD is compared with which of NEW: same ids, else the only one of each."""
    common = sorted(set(old["servers"]) & set(new["servers"]))
    if common:
        return [(sid, sid) for sid in common]
    if len(old["servers"]) == 1 and len(new["servers"]) == 1:
        return [(next(iter(old["servers"])), next(iter(new["servers"])))]
    return []


class _Compare:
    def __init__(self, source: str, old_id: str, new_id: str) -> None:
        self.source = source
        self.label = old_id if old_id == new_id else f"{old_id} -> {new_id}"
        self.new_id = new_id
        self.findings: list[Finding] = []

    def report(self, rule_id: str, message: str, where: str, operation: str = "") -> None:
        self.findings.append(Finding(rule_id, rule(rule_id).level, message,
                                     Location(self.source, f"/servers/{self.new_id}/{where}"),
                                     f"{self.label} {operation}".strip()))


def _is_probe(row: Mapping[str, Any]) -> bool:
    return row["class"] not in ("valid", "lifecycle")


def _accepts(row: Mapping[str, Any]) -> bool:
    return bool(row["accepted"])


def _compare_class(c: _Compare, key: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    where = f"classes/{key}"
    was, now = _accepts(old), _accepts(new)
    if _is_probe(new):
        if now and not was:
            c.report("behaviour-now-accepts-invalid",
                     f"invalid class {key} ({new['basis']}) is now accepted (status {_statuses(new)}); it was "
                     f"rejected (status {_statuses(old)})", where, key)
        elif was and not now:
            c.report("behaviour-now-rejects-invalid",
                     f"invalid class {key} is now rejected (status {_statuses(new)}); it was accepted", where, key)
    elif was and not now:
        c.report("behaviour-now-rejects-valid",
                 f"{key} requests are now rejected (status {_statuses(new)}); they were accepted "
                 f"(status {_statuses(old)})", where, key)
    if not (old["errors"] and new["errors"]):
        return
    old_statuses = {e["status"] for e in old["errors"]}
    new_statuses = {e["status"] for e in new["errors"]}
    if old_statuses != new_statuses:
        c.report("error-status-changed", f"{key} errors now answer {sorted(new_statuses)}, were {sorted(old_statuses)}",
                 where, key)
    old_media = {e["media_type"] for e in old["errors"]}
    new_media = {e["media_type"] for e in new["errors"]}
    if old_media != new_media:
        c.report("error-media-type-changed",
                 f"{key} error bodies are now {sorted(new_media)}, were {sorted(old_media)}", where, key)
    old_shape, new_shape = _union(old["errors"]), _union(new["errors"])
    if old_shape != new_shape and old_media == new_media:
        c.report("error-shape-changed", f"{key} error body shape changed: {_shape_delta(old_shape, new_shape)}",
                 where, key)


def _statuses(row: Mapping[str, Any]) -> str:
    return ", ".join(sorted(row["statuses"]))


def _union(errors: list[Mapping[str, Any]]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for error in errors:
        merged.update(error["shape"])
    return merged


def _shape_delta(old: Mapping[str, str], new: Mapping[str, str]) -> str:
    parts = [f"-{p}" for p in sorted(set(old) - set(new))] + [f"+{p} ({new[p]})" for p in sorted(set(new) - set(old))]
    parts += [f"{p} {old[p]} -> {new[p]}" for p in sorted(set(old) & set(new)) if old[p] != new[p]]
    return ", ".join(parts)


def _compare_fields(c: _Compare, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    if not (old and new):
        return  # one side saw no accepted video: nothing to compare fields with
    for path in sorted(set(old) | set(new)):
        documented = (new.get(path) or old.get(path) or {}).get("documented")
        note = " (documented)" if documented else " (beyond the documents)"
        where = f"response_fields/{path}"
        if path not in new:
            c.report("response-field-removed", f"video field {path} ({old[path]['type']}) no longer comes{note}",
                     where, path)
        elif path not in old:
            c.report("response-field-added", f"video field {path} ({new[path]['type']}) now comes{note}", where, path)
        elif _retyped(old[path]["type"], new[path]["type"]):
            c.report("response-field-retyped",
                     f"video field {path} is now {new[path]['type']}, was {old[path]['type']}{note}", where, path)


def _retyped(old: str, new: str) -> bool:
    """A type the field never had before (``integer`` -> ``string``). Fewer types, or ``null`` coming
    or going, is what a video's stage decides (``completed_at`` is null until it completes), not a
    change; nor is a first type for a field only ever seen null."""
    before = set(old.split("|")) - {"null"}
    return bool(before and set(new.split("|")) - before - {"null"})


def _compare_timing(c: _Compare, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    before, after = old["latency_ms"], new["latency_ms"]
    if (before.get("count") and after.get("count") and after["p95"] > before["p95"] * LATENCY_FACTOR
            and after["p95"] - before["p95"] > LATENCY_MIN_MS):
        c.report("latency-regressed", f"latency p95 is now {after['p95']} ms, was {before['p95']} ms", "latency_ms")
    before, after = old["render_seconds"], new["render_seconds"]
    if before.get("count") and after.get("count") and after["p50"] > before["p50"] * RENDER_FACTOR:
        c.report("render-time-regressed", f"videos now render in {after['p50']} s (median), were {before['p50']} s",
                 "render_seconds")


def drift(old: Mapping[str, Any], new: Mapping[str, Any], source: str = "") -> list[Finding]:
    """Findings for every behaviour change from profile ``old`` to profile ``new``."""
    findings: list[Finding] = []
    for old_id, new_id in pairs(old, new):
        before, after = old["servers"][old_id], new["servers"][new_id]
        c = _Compare(source or str(new.get("source", "")), old_id, new_id)
        for key in sorted(set(before["classes"]) | set(after["classes"])):
            if key not in after["classes"]:
                c.report("behaviour-class-unobserved", f"{key} was recorded before and not this time", f"classes/{key}",
                         key)
            elif key in before["classes"]:
                _compare_class(c, key, before["classes"][key], after["classes"][key])
        _compare_fields(c, before["response_fields"], after["response_fields"])
        for operation in sorted(set(before["headers"]) & set(after["headers"])):  # calls both runs made
            for header in sorted(set(before["headers"][operation]) - set(after["headers"][operation])):
                c.report("response-header-removed", f"response header {header} no longer comes", f"headers/{header}",
                         operation)
        _compare_timing(c, before, after)
        findings += c.findings
    return findings
