"""Schemathesis hooks for test_mock_schemathesis.py, loaded in its subprocess (``SCHEMATHESIS_HOOKS``).

``Prefer`` is declared with its exact grammar, so Schemathesis generates every preference, the ones
that ask for a failure too: ``code=503`` answers 503 and ``video=failed`` (or a long
``render-seconds``) leaves a video whose content is not ready, both on purpose. Such a request is
not a contract finding, so before each call a ``Prefer`` that injects a fault is dropped; the
grammar itself is checked against the parser in tests/core (every string it matches parses).

A ``video`` file part (edits, extensions, characters) must be an MP4: the document says so in the
field's description, but no schema keyword can state a container format, so Schemathesis' random
bytes are replaced by a real MP4 (what any client uploads); the mock's refusal of other media is
tested in tests/mockserver/test_mock_sdk_strict.py and tests/core.
"""

from __future__ import annotations

from typing import Any

import schemathesis

from contract_tests.core.assets import content
from contract_tests.core.controls import Preferences, parse_prefer

HARMLESS_LATENCY_MS = 50.0
SAMPLE_MP4 = content("video", "160x90", "1")[0]


def injects_fault(prefer: str) -> bool:
    """True when the preferences ask for an error, a failed video, a render time or a real delay."""
    prefs = parse_prefer(prefer)
    if not isinstance(prefs, Preferences):
        return False  # a malformed header: the mock's 400 is what the checks should see
    return (
        prefs.code is not None
        or prefs.video == "failed"
        or prefs.failure_code is not None
        or (prefs.latency_ms or 0.0) > HARMLESS_LATENCY_MS
        or bool(prefs.render_seconds)
    )


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    headers = case.headers or {}
    for name in [n for n in headers if n.lower() == "prefer"]:
        if injects_fault(str(headers[name])):
            del headers[name]


@schemathesis.hook
def map_body(context: Any, body: Any) -> Any:
    """A ``video`` file part is an MP4 (see the module docstring)."""
    if isinstance(body, dict) and "video" in body and not isinstance(body["video"], dict):
        body["video"] = SAMPLE_MP4
    return body


@schemathesis.hook
def filter_body(context: Any, body: Any) -> bool:
    """Schemathesis' multipart generator adds optional properties without re-checking a body-level
    ``oneOf``, so it can send both ``video`` and ``video[id]``, which the document's ``oneOf``
    forbids: such a body is not schema-valid, so it is not sent as one."""
    return not (isinstance(body, dict) and "video" in body and "video[id]" in body)
