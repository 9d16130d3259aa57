"""``sora-contract observe``: a relay's behaviour profile, built from a HAR recording's ``_sora`` notes.

The documents describe one call and no error at all; a recording shows what each relay really
does. Per server, for every request class seen (``valid``, each invalid class and field, each
lifecycle call): the statuses, whether it was accepted, and for the answers that were not, the
error body's media type and shape (its JSON paths and their types). Then the fields its videos
carry beyond the documents' response schemas, the response header names, latency p50/p95 and,
when videos were followed, how long they took to render.

"Accepted" means what a client would take as success: a 2xx whose body, for a create, is a video
(a JSON object with an ``id``). Some relays answer errors with HTTP 200 and ``{"code": 40001,
"msg": ...}``; those count as rejections, and their shape is the error shape.

The profile is plain JSON-able data, so ``drift`` compares two of them and ``--format json`` is the
profile itself.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from contract_tests.core import har
from contract_tests.core.media_type import parse_media_type
from contract_tests.core.refs import LocalRefs
from contract_tests.core.specs import SpecRegistry

PROFILE_VERSION = 1
CREATE = "POST /v1/videos"
VIDEO_GET = "GET /v1/videos/{id}"
_MAX_DEPTH = 8
# Headers every HTTP server sends: listing them says nothing about the relay.
_COMMON_HEADERS = frozenset({"content-length", "date", "connection", "keep-alive", "transfer-encoding"})


# --- shapes ----------------------------------------------------------------------------------


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def shape(value: Any, path: str = "$", depth: int = 0) -> dict[str, str]:
    """JSON path -> type of every value in ``value`` (``$.error.code``: ``string``; array items as ``[]``)."""
    found = {path: json_type(value)}
    if depth >= _MAX_DEPTH:
        return found
    if isinstance(value, dict):
        for key, item in value.items():
            found.update(shape(item, f"{path}.{key}", depth + 1))
    elif isinstance(value, list):
        for item in value:
            found = _merge_shapes(found, shape(item, f"{path}[]", depth + 1))
    return found


def _merge_shapes(into: Mapping[str, str], other: Mapping[str, str]) -> dict[str, str]:
    """Union of two shapes; a path seen with several types reads ``integer|string`` (sorted)."""
    merged = dict(into)
    for path, kind in other.items():
        kinds = set(merged.get(path, kind).split("|")) | set(kind.split("|"))
        merged[path] = "|".join(sorted(kinds))
    return merged


def _schema_paths(schema: Any, refs: LocalRefs, path: str = "$", depth: int = 0) -> set[str]:
    """The JSON paths a response schema documents (local ``$ref`` followed, composition merged).

    The documents are the registry's, whose references all resolve (it refuses any that do not); a
    recursive schema stops at ``_MAX_DEPTH``."""
    schema = refs.deref(schema)
    if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
        return set()
    found = {path}
    for combined in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(combined) or ():
            found |= _schema_paths(sub, refs, path, depth + 1)
    for name, sub in (schema.get("properties") or {}).items():
        found |= _schema_paths(sub, refs, f"{path}.{name}", depth + 1)
    if "items" in schema:
        found |= _schema_paths(schema["items"], refs, f"{path}[]", depth + 1)
    return found


def documented_paths(registry: SpecRegistry | None, server_id: str) -> set[str]:
    """Every JSON path the server's documents give their create answer (2xx, application/json)."""
    if registry is None or server_id not in registry.servers:
        return set()
    found: set[str] = set()
    for document in registry.server(server_id).documents:
        refs = LocalRefs(document.data)
        for op in document.operations:
            if f"{op.method.upper()} {op.path}" != CREATE:
                continue
            for code, response in op.responses.items():
                if code.startswith("2"):
                    media = ((response.get("content") or {}).get("application/json") or {})
                    found |= _schema_paths(media.get("schema"), refs)
    return found


# --- classes ---------------------------------------------------------------------------------


def class_key(sora: Mapping[str, Any]) -> str:
    """``valid``, ``missing_required:model``, ``json_body`` or ``GET /v1/videos/{id}`` (lifecycle)."""
    probe = sora.get("probe")
    if isinstance(probe, Mapping):
        return f"{probe.get('class')}:{probe['field']}" if probe.get("field") else str(probe.get("class"))
    if sora.get("kind") == "lifecycle":
        return str(sora.get("operation"))
    return "valid"


def _is_accepted(status: int, operation: str, body: Any) -> bool:
    if not 200 <= status < 300:
        return False
    if operation == CREATE:
        return isinstance(body, dict) and isinstance(body.get("id"), str)
    return True


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _timing(values: Sequence[float], digits: int = 1) -> dict[str, Any]:
    if not values:
        return {"count": 0}
    return {"count": len(values), "p50": round(statistics.median(values), digits),
            "p95": round(_percentile(values, 0.95), digits), "max": round(max(values), digits)}


class _ServerProfile:
    """Accumulates one server's entries."""

    def __init__(self, documented: set[str]) -> None:
        self.documented = documented
        self.classes: dict[str, dict[str, Any]] = {}
        self.fields: dict[str, str] = {}
        self.headers: dict[str, set[str]] = {}  # operation -> response header names
        self.latencies: list[float] = []
        self.created: dict[str, float] = {}  # video id -> create time (s since epoch)
        self.completed: dict[str, float] = {}  # video id -> first completed answer time
        self.entries = 0

    def add(self, recorded: Mapping[str, Any], sora: Mapping[str, Any]) -> None:
        self.entries += 1
        response = recorded.get("response") or {}
        status = int(response.get("status") or 0)
        operation = str(sora.get("operation") or "")
        body = har.response_json(recorded)
        accepted = _is_accepted(status, operation, body)
        key = class_key(sora)
        probe = sora.get("probe") if isinstance(sora.get("probe"), Mapping) else None
        row = self.classes.setdefault(key, {
            "class": probe.get("class") if probe else ("valid" if sora.get("kind") != "lifecycle" else "lifecycle"),
            "field": probe.get("field") if probe else None,
            "basis": probe.get("basis") if probe else None,
            "operation": operation, "count": 0, "statuses": {}, "accepted": 0, "rejected": 0, "errors": [],
            "known": 0,
        })
        # Carried from an earlier recording (--live-known): its class counts, its timing and fields were
        # measured another day and stay out of this profile's.
        carried = sora.get("verdict") == "known"
        row["known"] += int(carried)
        row["count"] += 1
        row["statuses"][str(status)] = row["statuses"].get(str(status), 0) + 1
        if status == 0:
            return  # never answered: nothing else to learn
        if not carried:
            self.latencies.append(float(recorded.get("time") or 0.0))
            names = {str(h.get("name", "")).lower() for h in response.get("headers") or ()} - _COMMON_HEADERS
            self.headers.setdefault(operation, set()).update(names)
        if accepted:
            row["accepted"] += 1
            if isinstance(body, dict) and operation in (CREATE, VIDEO_GET) and not carried:
                self.fields = _merge_shapes(self.fields, {p: t for p, t in shape(body).items() if p != "$"})
                self._timing(recorded, operation, body)
            return
        row["rejected"] += 1
        media = parse_media_type((response.get("content") or {}).get("mimeType")).essence
        error_shape = shape(body) if body is not None else {}
        for known in row["errors"]:
            if known["status"] == status and known["media_type"] == media:
                known["shape"] = _merge_shapes(known["shape"], error_shape)
                break
        else:
            row["errors"].append({"status": status, "media_type": media, "shape": error_shape})

    def _timing(self, recorded: Mapping[str, Any], operation: str, body: Mapping[str, Any]) -> None:
        started = har.started_at(recorded)
        if started is None:
            return
        at = started.timestamp() + float(recorded.get("time") or 0.0) / 1000
        video_id = body.get("id") if isinstance(body.get("id"), str) else None
        if video_id is None:
            video_id = urlsplit(str((recorded.get("request") or {}).get("url", ""))).path.rstrip("/").rsplit("/")[-1]
        if operation == CREATE:
            self.created.setdefault(video_id, started.timestamp())
        elif body.get("status") == "completed":
            self.completed.setdefault(video_id, at)

    def as_dict(self) -> dict[str, Any]:
        renders = [self.completed[v] - self.created[v] for v in self.completed if v in self.created]
        for row in self.classes.values():
            row["errors"].sort(key=lambda e: (e["status"], e["media_type"]))
            row["outcome"] = _outcome(row)
        return {
            "entries": self.entries,
            "classes": dict(sorted(self.classes.items())),
            "response_fields": {
                path: {"type": kind, "documented": path in self.documented}
                for path, kind in sorted(self.fields.items())
            },
            "headers": {operation: sorted(names) for operation, names in sorted(self.headers.items())},
            "latency_ms": _timing(self.latencies),
            "render_seconds": _timing(renders, 2),
        }


def _outcome(row: Mapping[str, Any]) -> str:
    if row["accepted"] and row["rejected"]:
        return "mixed"
    if row["accepted"]:
        return "accepted"
    return "rejected" if row["rejected"] else "unanswered"


def profile(entries: Iterable[Mapping[str, Any]], registry: SpecRegistry | None = None,
            source: str = "") -> dict[str, Any]:
    """The behaviour profile of every server a recording's annotated entries talk to."""
    servers: dict[str, _ServerProfile] = {}
    for recorded in entries:
        sora = har.annotation(recorded)
        server = sora.get("server")
        if not isinstance(server, str):
            continue  # not recorded by sora-contract (or a test without a server): no class to put it in
        if server not in servers:
            servers[server] = _ServerProfile(documented_paths(registry, server))
        servers[server].add(recorded, sora)
    return {"version": PROFILE_VERSION, "source": source,
            "servers": {sid: p.as_dict() for sid, p in sorted(servers.items())}}


def profile_file(path: Path | str, registry: SpecRegistry | None = None) -> dict[str, Any]:
    return profile(har.read_entries(path), registry, str(path))


# --- rendering -------------------------------------------------------------------------------


def _statuses(row: Mapping[str, Any]) -> str:
    return ", ".join(f"{s}x{n}" if n > 1 else s for s, n in sorted(row["statuses"].items()))


def _shape_text(error: Mapping[str, Any]) -> str:
    paths = {p: t for p, t in error["shape"].items() if p != "$"}
    body = "{" + ", ".join(f"{p}: {t}" for p, t in paths.items()) + "}" if paths else "(no JSON body)"
    return f"{error['status']} {error['media_type'] or '(no media type)'} {body}"


def _timing_text(timing: Mapping[str, Any], unit: str) -> str:
    if not timing.get("count"):
        return "none recorded"
    return f"p50 {timing['p50']} {unit}, p95 {timing['p95']} {unit}, max {timing['max']} {unit} ({timing['count']})"


def _extra_fields(server: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(p, f["type"]) for p, f in server["response_fields"].items() if not f["documented"]]


def _header_names(server: Mapping[str, Any]) -> list[str]:
    return sorted({name for names in server["headers"].values() for name in names})


def render_text(prof: Mapping[str, Any]) -> str:
    lines = [f"behaviour profile of {prof.get('source') or 'a recording'}"]
    for sid, server in prof["servers"].items():
        lines += ["", f"{sid}: {server['entries']} exchange(s); latency {_timing_text(server['latency_ms'], 'ms')}; "
                  f"render {_timing_text(server['render_seconds'], 's')}"]
        for key, row in server["classes"].items():
            basis = f" ({row['basis']})" if row["basis"] else ""
            known = " (known: carried from an earlier recording)" if row["known"] else ""
            lines.append(f"  {key}{basis}: {row['outcome']}, status {_statuses(row)}{known}")
            lines += [f"    error {_shape_text(e)}" for e in row["errors"]]
        extra = _extra_fields(server)
        lines.append("  fields beyond the documents: " + (", ".join(f"{p} ({t})" for p, t in extra) or "none"))
        lines.append("  response headers: " + (", ".join(_header_names(server)) or "none"))
    if not prof["servers"]:
        lines.append("no annotated exchanges (record one with pytest contract_tests --live --live-record FILE.har)")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(prof: Mapping[str, Any]) -> str:
    out = [f"## Relay behaviour: {prof.get('source') or 'recording'}", ""]
    for sid, server in prof["servers"].items():
        out += [f"### {sid}", "",
                f"{server['entries']} exchange(s); latency {_timing_text(server['latency_ms'], 'ms')}; "
                f"render {_timing_text(server['render_seconds'], 's')}.", "",
                "| request class | basis | outcome | statuses | error shape |", "| --- | --- | --- | --- | --- |"]
        for key, row in server["classes"].items():
            errors = "<br>".join(f"`{_cell(_shape_text(e))}`" for e in row["errors"])
            outcome = f"{row['outcome']} (known)" if row["known"] else row["outcome"]
            out.append(f"| `{_cell(key)}` | {row['basis'] or ''} | {outcome} | {_statuses(row)} | {errors} |")
        extra = _extra_fields(server)
        out += ["", "Fields beyond the documents: " + (", ".join(f"`{p}` ({t})" for p, t in extra) or "none") + ".",
                "", "Response headers: " + (", ".join(f"`{h}`" for h in _header_names(server)) or "none") + ".", ""]
    if not prof["servers"]:
        out += ["No annotated exchanges.", ""]
    return "\n".join(out)


def render(fmt: str, prof: Mapping[str, Any]) -> str:
    if fmt == "json":
        return json.dumps(prof, indent=2, ensure_ascii=False) + "\n"
    return render_markdown(prof) if fmt == "markdown" else render_text(prof)


FORMATS = ("text", "json", "markdown")
