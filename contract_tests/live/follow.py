"""Follow a paid video (``--live-follow``): poll it until it ends and check the lifecycle it promises.

The create answer is all the documents describe, but the video it started is already paid for
and polling costs nothing. OpenAI's format promises: ``GET /v1/videos/{id}`` answers the same id;
``status`` moves queued -> in_progress -> completed (or failed, with an ``error``), never back;
``progress`` never falls and is 100 once completed; ``completed_at`` is set; the content then
answers 200 (or 206) with a video media type. The relays do not document these calls, so the
live door reports what breaks as observations unless ``--live-strict``.

Each broken promise is a :class:`~contract_tests.core.conformance.Failure` with a stable check id.
The content is probed with a ranged GET whose body is never read: no video is downloaded.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx2

from contract_tests.core.conformance import Failure
from contract_tests.core.routing import family_url
from contract_tests.live.transport import Transport, UpstreamUnreachable

log = logging.getLogger(__name__)

STATUS_RANK = {"queued": 0, "in_progress": 1, "completed": 2, "failed": 2}
TERMINAL = frozenset({"completed", "failed"})
DEFAULT_INTERVAL = 1.0
MAX_INTERVAL = 5.0
MIN_INTERVAL = 0.05
CONTENT_RANGE = "bytes=0-1023"

# Stable ids of the lifecycle checks (README, "Live mode").
FOLLOW_CHECKS = {
    "follow_poll_200": "every GET /v1/videos/{id} answers 200 with a JSON video",
    "follow_same_id": "the polled video has the id the create answered",
    "follow_status_known": "status is one of queued, in_progress, completed, failed",
    "follow_status_order": "status only moves forward: queued -> in_progress -> completed or failed",
    "follow_progress_monotonic": "progress never falls",
    "follow_completed_progress_100": "progress is 100 once completed",
    "follow_completed_at_set": "completed_at is a Unix time once completed",
    "follow_failed_error": "a failed video carries an error object",
    "follow_content_video": "GET /v1/videos/{id}/content answers 200/206 with a video/* media type",
}


@dataclass
class Followed:
    """What following one video found."""

    video_id: str
    statuses: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    finished: bool = False
    content: dict[str, Any] | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "video_id": self.video_id,
            "statuses": self.statuses,
            "final": self.statuses[-1] if self.statuses else None,
            "finished": self.finished,
            "content": self.content,
            "seconds": round(self.seconds, 2),
            "failures": [str(f) for f in self.failures],
        }


def lifecycle_failures(video_id: str, snapshots: Sequence[Mapping[str, Any]]) -> list[Failure]:
    """Every broken lifecycle promise in a sequence of polled video objects (oldest first)."""
    failures: list[Failure] = []
    rank, progress = -1, -1
    last_status: str | None = None
    for video in snapshots:
        status, value = video.get("status"), video.get("progress")
        if video.get("id") != video_id:
            failures.append(Failure("follow_same_id", f"polled id is {video.get('id')!r}, expected {video_id!r}"))
        if status not in STATUS_RANK:
            failures.append(Failure("follow_status_known", f"status is {status!r}"))
        else:
            if STATUS_RANK[status] < rank or (last_status in TERMINAL and status != last_status):
                failures.append(Failure("follow_status_order", f"status went from {last_status!r} to {status!r}"))
            rank = max(rank, STATUS_RANK[status])
            last_status = status
        if isinstance(value, int | float) and not isinstance(value, bool):
            if value < progress:
                failures.append(Failure("follow_progress_monotonic", f"progress fell from {progress} to {value}"))
            progress = max(progress, int(value))
        if status == "completed":
            if value != 100:
                failures.append(Failure("follow_completed_progress_100", f"completed with progress {value!r}"))
            completed_at = video.get("completed_at")
            if not isinstance(completed_at, int) or isinstance(completed_at, bool):
                failures.append(Failure("follow_completed_at_set", f"completed with completed_at {completed_at!r}"))
        if status == "failed" and not isinstance(video.get("error"), Mapping):
            failures.append(Failure("follow_failed_error", f"failed with error {video.get('error')!r}"))
    return _first_of_each(failures)


def _first_of_each(failures: list[Failure]) -> list[Failure]:
    """One failure per check: a status that keeps jumping is one finding, not twenty."""
    seen: dict[str, Failure] = {}
    for failure in failures:
        seen.setdefault(failure.check, failure)
    return list(seen.values())


def poll_interval(response: httpx2.Response, default: float = DEFAULT_INTERVAL) -> float:
    """The server's ``openai-poll-after-ms`` hint if it gives one, kept within sane bounds."""
    hint = response.headers.get("openai-poll-after-ms")
    try:
        wanted = float(hint) / 1000 if hint else default
    except ValueError:
        wanted = default
    return min(MAX_INTERVAL, max(MIN_INTERVAL, wanted))


def _json(response: httpx2.Response) -> Any:
    try:
        return json.loads(response.content) if response.content else None
    except ValueError:
        return None


class Follower:
    """Polls one server's videos through the live transport, within a total time."""

    def __init__(
        self,
        transport: Transport,
        seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.transport = transport
        self.seconds = seconds
        self._clock = clock
        self._sleep = sleep

    def follow(self, base_url: str, video_id: str, headers: Mapping[str, str]) -> Followed:
        started = self._clock()
        deadline = started + self.seconds
        found = Followed(video_id)
        url = family_url(base_url, "RetrieveVideo", video_id=video_id)
        snapshots: list[Mapping[str, Any]] = []
        while True:
            try:
                response = self.transport.send("GET", url, headers, b"").response
                response.read()
            except UpstreamUnreachable as exc:
                found.failures.append(Failure("follow_poll_200", str(exc)))
                break
            payload = _json(response)
            if response.status_code != 200 or not isinstance(payload, Mapping):
                found.failures.append(
                    Failure("follow_poll_200", f"GET {url} answered {response.status_code}: {response.text[:200]}")
                )
                break
            snapshots.append(payload)
            found.statuses.append(str(payload.get("status")))
            if payload.get("status") in TERMINAL:
                found.finished = True
                break
            wait = poll_interval(response)
            if self._clock() + wait > deadline:
                break
            self._sleep(wait)
        found.failures[:0] = lifecycle_failures(video_id, snapshots)
        if found.finished and found.statuses[-1] == "completed":
            content_url = family_url(base_url, "RetrieveVideoContent", video_id=video_id)
            found.content = self._probe_content(content_url, headers)
            if not found.content["ok"]:
                found.failures.append(Failure("follow_content_video", found.content["message"]))
        found.seconds = self._clock() - started
        return found

    def _probe_content(self, url: str, headers: Mapping[str, str]) -> dict[str, Any]:
        """A ranged GET, closed after its headers: the status and media type, not the video."""
        try:
            with self.transport.client.stream("GET", url, headers={**headers, "Range": CONTENT_RANGE}) as response:
                status, media = response.status_code, response.headers.get("content-type", "")
        except httpx2.TransportError as exc:
            log.warning("content probe %s failed: %s", url, exc)
            return {"ok": False, "status": None, "content_type": None, "message": f"GET {url}: {exc}"}
        ok = status in (200, 206) and media.split(";")[0].strip().lower().startswith("video/")
        message = f"GET {url} answered {status} with Content-Type {media!r}, expected 200/206 and video/*"
        return {"ok": ok, "status": status, "content_type": media, "message": "" if ok else message}
