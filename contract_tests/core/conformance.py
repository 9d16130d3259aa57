"""The response checker: is this answer to a valid create a conformant *queued* video?

Conformant means valid against the document's 200 schema and, beyond what the schema can say,
a video that was just queued. Every check has a stable id (as Schemathesis' checks do), so a
failure names exactly which promise broke, and each check has its own test.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from contract_tests.core.specs import Operation

_WXH = re.compile(r"^[1-9]\d{1,4}x[1-9]\d{1,4}$")
# A plausible creation time: after the relays' first documented example, and not in the future.
EARLIEST_CREATED_AT = 1_700_000_000
CLOCK_SKEW_SECONDS = 600


@dataclass(frozen=True)
class Failure:
    """One broken promise: the check's stable id and what was wrong."""

    check: str
    message: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.message}"


@dataclass(frozen=True)
class Context:
    """What a check may look at: the response and the request that caused it."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    payload: Any
    request_fields: Mapping[str, str]
    operation: Operation | None
    now: float


Check = Callable[[Context], str | None]
CHECKS: dict[str, Check] = {}


def check(check_id: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        CHECKS[check_id] = fn
        return fn

    return register


def _video(ctx: Context) -> Mapping[str, Any]:
    return ctx.payload if isinstance(ctx.payload, Mapping) else {}


@check("status_code_200")
def _status(ctx: Context) -> str | None:
    return None if ctx.status == 200 else f"expected status 200 for a valid request, got {ctx.status}"


@check("content_type_json")
def _content_type(ctx: Context) -> str | None:
    value = next((v for k, v in ctx.headers.items() if k.lower() == "content-type"), "")
    return None if value.split(";")[0].strip().lower() == "application/json" else f"Content-Type is {value!r}"


@check("json_object_body")
def _json_body(ctx: Context) -> str | None:
    return None if isinstance(ctx.payload, Mapping) else "the body is not a JSON object"


@check("response_schema")
def _schema(ctx: Context) -> str | None:
    if ctx.operation is None or not isinstance(ctx.payload, Mapping):
        return None
    validator = ctx.operation.response_validators.get(str(ctx.status))
    if validator is None:
        return None
    errors = list(validator.validator.iter_errors(ctx.payload))
    if not errors:
        return None
    described = "; ".join(
        f"{'/'.join(map(str, e.path)) or '(root)'}: {e.message}" for e in errors[:5]
    )
    return f"the body does not match the document's {ctx.status} schema: {described}"


@check("video_object")
def _object(ctx: Context) -> str | None:
    value = _video(ctx).get("object")
    return None if value == "video" else f"object is {value!r}, expected 'video'"


@check("video_status_queued")
def _queued(ctx: Context) -> str | None:
    value = _video(ctx).get("status")
    return None if value == "queued" else f"status is {value!r}, expected 'queued' for a new video"


@check("video_progress_zero")
def _progress(ctx: Context) -> str | None:
    value = _video(ctx).get("progress")
    ok = value == 0 and not isinstance(value, bool)
    return None if ok else f"progress is {value!r}, expected 0 for a new video"


@check("video_id_present")
def _id(ctx: Context) -> str | None:
    value = _video(ctx).get("id")
    return None if isinstance(value, str) and value.strip() else f"id is {value!r}, expected a non-empty string"


@check("video_created_at_plausible")
def _created_at(ctx: Context) -> str | None:
    value = _video(ctx).get("created_at")
    if not isinstance(value, int) or isinstance(value, bool):
        return f"created_at is {value!r}, expected a Unix time in seconds"
    if value < EARLIEST_CREATED_AT or value > ctx.now + CLOCK_SKEW_SECONDS:
        return f"created_at {value} is not a plausible Unix time (now is {int(ctx.now)})"
    return None


@check("video_size_wxh")
def _size(ctx: Context) -> str | None:
    value = _video(ctx).get("size")
    return None if isinstance(value, str) and _WXH.match(value) else f"size is {value!r}, expected WIDTHxHEIGHT"


@check("video_seconds_echo")
def _seconds(ctx: Context) -> str | None:
    value = _video(ctx).get("seconds")
    if not isinstance(value, str):
        return f"seconds is {value!r}, expected a string"
    sent = ctx.request_fields.get("seconds")
    if sent is not None and value != sent:
        return f"seconds is {value!r} but the request asked for {sent!r}"
    return None


def check_response(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    request_fields: Mapping[str, str] | None = None,
    operation: Operation | None = None,
    *,
    only: list[str] | None = None,
    now: float | None = None,
) -> list[Failure]:
    """Run every check (or ``only`` those ids) on a response to a valid create."""
    try:
        payload = json.loads(body) if body else None
    except ValueError:
        payload = None
    ctx = Context(status, headers, body, payload, request_fields or {}, operation, time.time() if now is None else now)
    failures = []
    for check_id, fn in CHECKS.items():
        if only is not None and check_id not in only:
            continue
        message = fn(ctx)
        if message is not None:
            failures.append(Failure(check_id, message))
    return failures
