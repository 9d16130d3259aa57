"""Schemathesis hooks for test_mock_schemathesis.py, loaded in its subprocess (``SCHEMATHESIS_HOOKS``).

``Prefer`` is declared with its exact grammar, so Schemathesis generates every preference, the ones
that ask for a failure too: ``code=503`` answers 503 and ``video=failed`` (or a long
``render-seconds``) leaves a video whose content is not ready, both on purpose. Such a request is
not a contract finding, so before each call a ``Prefer`` that injects a fault is dropped; the
grammar itself is checked against the parser in tests/core (every string it matches parses).
"""

from __future__ import annotations

from typing import Any

import schemathesis

from contract_tests.core.controls import Preferences, parse_prefer

HARMLESS_LATENCY_MS = 50.0


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
