"""Edge-case controls: make the mock fail, end a video ``failed`` or answer late, on purpose.

A frontend must handle a 500, a video that ends ``failed`` and a slow server; waiting for the real
upstream to do those is not a plan. Two ways to ask, shared by every door (respx and the server):

- per request, a ``Prefer`` header in Prism's style (RFC 7240): ``Prefer: code=503``,
  ``Prefer: video=failed``, ``Prefer: latency=1500``, ``Prefer: render-seconds=5``;
- globally, :class:`Controls`: a share of videos that end failed, a share of requests answered
  500, a latency (fixed or a range). Draws come from one seeded RNG, so ``--seed`` replays them.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from contract_tests.core.problems import Code, Problem

PREFER = "prefer"
VIDEO_FAILED = "video_generation_failed"
MAX_LATENCY_MS = 60_000.0
MAX_RENDER_SECONDS = 24 * 3600.0
_TOKEN = re.compile(r'^\s*(?P<name>[A-Za-z][A-Za-z0-9_-]*)\s*(?:=\s*(?P<value>"[^"]*"|[^\s"]*)\s*)?$')
# The Prefer header parse_prefer accepts, as one regular expression (ECMA-262 and Python alike), for
# documents (sora-mock's /openapi.json): every string it matches parses without a problem. The known
# preferences with their values' exact ranges, plus RFC 7240's registered ones, which are ignored.
_LATENCY_VALUE = r"(?:(?:[0-9]{1,4}|[1-5][0-9]{4})(?:\.[0-9]{1,3})?|60000)"  # 0..MAX_LATENCY_MS
_RENDER_VALUE = r"(?:(?:[0-9]{1,4}|[0-7][0-9]{4}|8[0-5][0-9]{3}|86[0-3][0-9]{2})(?:\.[0-9]{1,3})?|86400)"
_PREFERENCE = (
    r"(?:code=[45][0-9]{2}|video=(?:failed|completed)|failure-code=[A-Za-z0-9_.-]{1,64}"
    rf"|latency={_LATENCY_VALUE}|render-seconds={_RENDER_VALUE}"
    r"|respond-async|return=(?:minimal|representation)|handling=(?:strict|lenient)|wait=[0-9]{1,6})"
)
PREFER_PATTERN = rf"^(?:{_PREFERENCE}(?: ?[,;] ?{_PREFERENCE})*)?$"
# What a forced status says in ``error.code``: the code a real server would use for it.
_FORCED_CODES = {
    401: Code.INVALID_API_KEY,
    404: Code.NOT_FOUND,
    405: Code.METHOD_NOT_ALLOWED,
    413: Code.REQUEST_TOO_LARGE,
    415: Code.UNSUPPORTED_MEDIA_TYPE,
    429: Code.RATE_LIMITED,
}


@dataclass(frozen=True)
class Preferences:
    """What one request's ``Prefer`` header asks for; unknown preferences are ignored (RFC 7240)."""

    code: int | None = None
    video: str | None = None
    failure_code: str | None = None
    latency_ms: float | None = None
    render_seconds: float | None = None
    applied: tuple[str, ...] = ()


def _bad(message: str) -> Problem:
    return Problem(Code.INVALID_VALUE, f"Invalid Prefer header: {message}.", "Prefer")


def _number(name: str, value: str, low: float, high: float) -> float | Problem:
    try:
        number = float(value)
    except ValueError:
        return _bad(f"{name}={value!r} is not a number")
    if not low <= number <= high:
        return _bad(f"{name}={value} is outside {low:g}..{high:g}")
    return number


def parse_prefer(header: str | None) -> Preferences | Problem:
    """Parse ``Prefer``; a known preference with a bad value is a 400, so a typo is not silent."""
    if not header or not header.strip():
        return _NO_PREFERENCES  # most requests: one shared value (a Preferences never changes)
    found: dict[str, Any] = {}
    applied: list[str] = []
    for token in re.split(r"[,;]", header):
        if not token.strip():
            continue
        match = _TOKEN.match(token)
        if not match:
            return _bad(f"cannot read {token.strip()!r}; expected name=value")
        name = match["name"].lower()
        value = (match["value"] or "").strip('"')
        if name == "code":
            if not value.isdigit() or not 400 <= int(value) <= 599:
                return _bad(f"code={value!r} must be an HTTP error status from 400 to 599")
            found["code"] = int(value)
        elif name == "video":
            if value.lower() not in {"failed", "completed"}:
                return _bad(f"video={value!r} must be 'failed' or 'completed'")
            found["video"] = value.lower()
        elif name == "failure-code":
            if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", value):
                return _bad(f"failure-code={value!r} must be a short identifier")
            found["failure_code"] = value
        elif name in {"latency", "render-seconds"}:
            high = MAX_LATENCY_MS if name == "latency" else MAX_RENDER_SECONDS
            number = _number(name, value, 0, high)
            if isinstance(number, Problem):
                return number
            found["latency_ms" if name == "latency" else "render_seconds"] = number
        else:
            continue
        applied.append(f"{name}={value}")
    return Preferences(**found, applied=tuple(applied))


def parse_latency(text: str) -> tuple[float, float]:
    """``"200"`` -> (200, 200); ``"100-400"`` -> a uniform range, in milliseconds."""
    low, sep, high = str(text).partition("-")
    values = (float(low), float(high) if sep else float(low))
    if not 0 <= values[0] <= values[1] <= MAX_LATENCY_MS:
        raise ValueError(f"latency {text!r}: expected MS or MIN-MAX with 0 <= MIN <= MAX <= {MAX_LATENCY_MS:g}")
    return values


def forced_problem(status: int, why: str) -> Problem:
    """The error for a status the client asked for (or that ``error_rate`` drew)."""
    code = Code.SERVER_ERROR if status >= 500 else _FORCED_CODES.get(status, Code.FORCED_ERROR)
    return Problem(code, f"Forced HTTP {status} ({why}).", None, status)


_NO_PREFERENCES = Preferences()


def failure_object(code: str | None, why: str) -> dict[str, Any]:
    """The ``error`` of a video that ends ``failed``, as OpenAI's Video object carries it."""
    return {"code": code or VIDEO_FAILED, "message": f"The video could not be generated ({why})."}


@dataclass(frozen=True)
class Decision:
    """What the controls decided for one request."""

    problem: Problem | None = None  # answer this instead (Prefer code, error rate, bad Prefer)
    fail: dict[str, Any] | None = None  # a created video ends failed with this error
    delay: float = 0.0  # seconds to wait before answering
    render_seconds: float | None = None
    applied: tuple[str, ...] = ()


# What most requests get (no Prefer, no fault injection): one shared value, as a Decision never changes.
NO_DECISION = Decision()


@dataclass
class Controls:
    """Global fault injection; every draw comes from one RNG seeded by ``seed``."""

    failure_rate: float = 0.0  # share of created videos that end failed
    error_rate: float = 0.0  # share of API requests answered 500
    latency_ms: tuple[float, float] = (0.0, 0.0)
    seed: int | None = None
    _rng: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        for name in ("failure_rate", "error_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {getattr(self, name)}")
        self.latency_ms = (float(self.latency_ms[0]), float(self.latency_ms[1]))
        self._rng = random.Random(self.seed)

    def _draw(self, rate: float) -> bool:
        """Draw only when the rate is neither 0 nor 1, so unused controls never move the RNG."""
        if rate <= 0.0 or rate >= 1.0:
            return rate >= 1.0
        with self._lock:
            return self._rng.random() < rate

    def _latency(self) -> float:
        low, high = self.latency_ms
        if low == high:
            return low / 1000
        with self._lock:
            return self._rng.uniform(low, high) / 1000

    def decide(self, prefer: str | None, *, creates: bool) -> Decision:
        """Combine the request's ``Prefer`` header with the global controls."""
        prefs = parse_prefer(prefer)
        if isinstance(prefs, Problem):
            return Decision(problem=prefs)
        delay = prefs.latency_ms / 1000 if prefs.latency_ms is not None else self._latency()
        problem: Problem | None = None
        if prefs.code is not None:
            problem = forced_problem(prefs.code, f"Prefer: code={prefs.code}")
        elif self._draw(self.error_rate):
            problem = forced_problem(500, "injected by the error rate")
        fail: dict[str, Any] | None = None
        if creates:
            if prefs.video == "failed" or (prefs.failure_code and prefs.video is None):
                fail = failure_object(prefs.failure_code, "forced by Prefer: video=failed")
            elif prefs.video is None and self._draw(self.failure_rate):
                fail = failure_object(None, "injected by the failure rate")
        if prefs is _NO_PREFERENCES and problem is None and fail is None and delay == 0.0:
            return NO_DECISION
        return Decision(problem, fail, delay, prefs.render_seconds, prefs.applied)
