"""The video engine: what a queued video looks like, and how it moves to completed.

The respx mock and the mock server both create videos here, so "what a valid create answers"
has one implementation. A video's status is derived from the clock when it is read (queued,
then in_progress with rising progress, then completed or failed), so there is no background
task to run or to keep in step between worker processes: a shared store is enough.
"""

from __future__ import annotations

import functools
import os
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from contract_tests.core.mp4_probe import Probe
from contract_tests.core.stores import MemoryStore, VideoRecord, VideoStore

DEFAULT_MODEL = "sora-2"
DEFAULT_SECONDS = "4"
DEFAULT_SIZE = "720x1280"
LANDSCAPE_SIZE = "1280x720"
# The sizes the official SDKs' Video type allows (openai-python's VideoSize literals).
SDK_SIZES = frozenset({"720x1280", "1280x720", "1024x1792", "1792x1024"})
DEFAULT_RENDER_SECONDS = 30.0
EXPIRY_SECONDS = 24 * 3600
_SIZE = re.compile(r"^\s*(\d{1,5})\s*[xX×*:]\s*(\d{1,5})\s*$")
# Aspect ratios that the relays accept in ``size`` ("16x9"), as the resolution they render.
_ASPECT_LIMIT = 32
# ``size`` texts up to this long are remembered (a real one is "1280x720"); longer ones are read each time.
_CACHED_SIZE_TEXT = 24


def normalize_size(value: Any, default: str = DEFAULT_SIZE) -> str:
    """Answer ``size`` as WxH pixels, the way the relays do: ``16x9`` -> ``1280x720``.

    The jxincm documents send aspect ratios; their response example answers pixels. Text, what
    every create sends, is read once per distinct short value (a bounded cache: clients repeat a few sizes).
    """
    if type(value) is str and len(value) <= _CACHED_SIZE_TEXT:
        return _normalized_text(value, default)
    return _normalized(str(value), default) if value is not None else default


@functools.lru_cache(maxsize=256)
def _normalized_text(text: str, default: str) -> str:
    return _normalized(text, default)


def _normalized(text: str, default: str) -> str:
    match = _SIZE.match(text)
    if not match:
        return default
    width, height = int(match.group(1)), int(match.group(2))
    if width == 0 or height == 0:
        return default
    if width <= _ASPECT_LIMIT and height <= _ASPECT_LIMIT:
        if width == height:
            return "720x720"
        return "1280x720" if width > height else "720x1280"
    return f"{width}x{height}"


def sdk_size(width: int, height: int) -> str:
    """``WxH`` when the SDKs' ``VideoSize`` names it, else the default size of that orientation."""
    size = f"{width}x{height}"
    if size in SDK_SIZES:
        return size
    return LANDSCAPE_SIZE if width > height else DEFAULT_SIZE


def whole_seconds(value: Any) -> int:
    """A video's ``seconds`` as a whole number (``"4"`` -> 4); the default for what does not read as one."""
    try:
        return max(1, round(float(str(value))))
    except (ValueError, OverflowError):  # "abc", "nan", "inf"
        return int(DEFAULT_SECONDS)


# The hex digit that holds a UUID's variant, RFC 4122's ``10xx`` bits over the random low two.
_VARIANT_DIGIT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


# The generator video ids come from: the module's own, never the global ``random``, which
# Hypothesis resets before every example and user code may seed (ids would repeat, and drawing
# them would move the user's sequence). Seeded from the OS, and again in a forked child, so two
# worker processes never share a sequence.
_IDS = random.Random()
os.register_at_fork(after_in_child=lambda: _IDS.seed())


def _uuid4_text() -> str:
    """``str(uuid.uuid4())``'s form and bits, from :data:`_IDS` and without the UUID object.

    A video id must be unique, not unguessable (anyone may ask the mock for any id), so it comes
    from a Mersenne Twister seeded from the OS instead of a system call per create. The version
    digit (13th) is written as ``4`` and the variant digit (17th) mapped to ``8``-``b``, which is
    what ``uuid.UUID(int=..., version=4)`` does to the same random bits.
    """
    h = f"{_IDS.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT_DIGIT[h[16]]}{h[17:20]}-{h[20:]}"


@dataclass(frozen=True)
class Page:
    """One page of a list, in OpenAI's cursor style."""

    data: list[dict[str, Any]]
    has_more: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "object": "list",
            "data": self.data,
            "has_more": self.has_more,
            "first_id": self.data[0]["id"] if self.data else None,
            "last_id": self.data[-1]["id"] if self.data else None,
        }


class VideoEngine:
    """Creates video jobs and reports them as they would be at the current time."""

    def __init__(
        self,
        store: VideoStore | None = None,
        *,
        render_seconds: float = DEFAULT_RENDER_SECONDS,
        seed: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store: VideoStore = store if store is not None else MemoryStore()
        self.render_seconds = render_seconds
        self.clock = clock
        self._rng = random.Random(seed)
        self._seeded = seed is not None
        self._lock = threading.Lock()

    def new_id(self, prefix: str = "video_") -> str:
        """``video_<uuid>``, as the relays answer (``char_<uuid>`` for a character); reproducible under a seed."""
        if not self._seeded:
            return f"{prefix}{_uuid4_text()}"
        with self._lock:
            return f"{prefix}{uuid.UUID(int=self._rng.getrandbits(128), version=4)}"

    def queued_video(self, fields: Mapping[str, Any], *, remix_of: str | None = None) -> dict[str, Any]:
        """The one definition of a freshly accepted video (one dict literal: it is built per create)."""
        get = fields.get
        model, prompt, seconds = get("model"), get("prompt"), get("seconds")
        return {
            "id": self.new_id(),
            "object": "video",
            "model": str(model) if model else DEFAULT_MODEL,
            "status": "queued",
            "progress": 0,
            "created_at": int(self.clock()),
            "completed_at": None,
            "expires_at": None,
            "error": None,
            "prompt": str(prompt) if prompt is not None else None,
            "remixed_from_video_id": remix_of,
            "seconds": str(seconds) if seconds not in (None, "") else DEFAULT_SECONDS,
            "size": normalize_size(get("size")),
        }

    def create(
        self,
        fields: Mapping[str, Any],
        *,
        remix_of: str | None = None,
        fail: Mapping[str, Any] | None = None,
        render_seconds: float | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Store a new job and answer its queued video. ``fail`` makes the job end ``failed``.

        The store keeps the video built here; the caller gets its one copy, free to change."""
        video = self.queued_video(fields, remix_of=remix_of)
        self.store.put(
            VideoRecord(
                video,
                self.clock(),
                self.render_seconds if render_seconds is None else render_seconds,
                dict(fail) if fail else None,
                dict(extra) if extra else {},
            )
        )
        return video.copy()

    def remix(
        self,
        video_id: str,
        prompt: str,
        *,
        fail: Mapping[str, Any] | None = None,
        render_seconds: float | None = None,
    ) -> dict[str, Any] | None:
        """A new job from a completed one, as ``POST /v1/videos/{id}/remix`` does."""
        source = self.store.get(video_id)
        if source is None:
            return None
        fields = {**source.video, "prompt": prompt}
        seconds = source.render_seconds if render_seconds is None else render_seconds
        return self.create(fields, remix_of=video_id, fail=fail, render_seconds=seconds)

    def derive(
        self,
        source_id: str | None,
        prompt: str,
        *,
        call: str,
        add_seconds: int = 0,
        upload: Probe | None = None,
        fail: Mapping[str, Any] | None = None,
        render_seconds: float | None = None,
    ) -> dict[str, Any] | None:
        """A new job made from a video, as ``POST /v1/videos/edits`` (``call="edit"``) and
        ``/extensions`` (``call="extension"``, ``add_seconds`` long) do; None when ``source_id`` is unknown.

        ``source_id`` None is an uploaded MP4: ``upload`` is what its boxes say (None: unreadable,
        so the default size and seconds); its size is kept when it is one the SDKs' ``VideoSize``
        names, else the default of its orientation, so a strict SDK still reads the answer. A source
        by id gives its size and seconds, and is linked through ``remixed_from_video_id``, the one
        source field of the SDKs' Video type. An extension's seconds is the stitched total, source
        plus extension, as the SDKs document.
        """
        fields: dict[str, Any] = {"size": DEFAULT_SIZE, "seconds": DEFAULT_SECONDS}
        if upload is not None:
            fields.update(size=sdk_size(upload.width, upload.height), seconds=whole_seconds(upload.seconds))
        render = self.render_seconds
        if source_id is not None:
            source = self.store.get(source_id)
            if source is None:
                return None
            fields, render = dict(source.video), source.render_seconds
        fields.update(prompt=prompt, seconds=str(whole_seconds(fields.get("seconds")) + add_seconds))
        return self.create(
            fields,
            remix_of=source_id,
            fail=fail,
            render_seconds=render if render_seconds is None else render_seconds,
            extra={"call": call, "source_video_id": source_id},
        )

    def create_character(self, name: str) -> dict[str, Any]:
        """Store and answer a character (``POST /v1/videos/characters``; the upload was checked before)."""
        character = {"id": self.new_id("char_"), "object": "character", "name": name, "created_at": int(self.clock())}
        self.store.put_character(character)
        return character

    def get_character(self, character_id: str) -> dict[str, Any] | None:
        return self.store.get_character(character_id)

    def view(self, record: VideoRecord, now: float | None = None) -> dict[str, Any]:
        """The record's video as it is at ``now``: queued, in_progress, completed or failed."""
        now = self.clock() if now is None else now
        video = dict(record.video)
        elapsed = now - record.started_at
        total = max(record.render_seconds, 0.0)
        queue_time = total * 0.1
        if elapsed >= total:
            done_at = int(record.started_at + total)
            if record.fail:
                video.update(status="failed", progress=0, error=dict(record.fail), completed_at=done_at)
            else:
                video.update(
                    status="completed",
                    progress=100,
                    completed_at=done_at,
                    expires_at=done_at + EXPIRY_SECONDS,
                )
        elif elapsed >= queue_time:
            fraction = (elapsed - queue_time) / max(total - queue_time, 1e-9)
            video.update(status="in_progress", progress=min(99, max(1, int(fraction * 100))))
        return video

    def get(self, video_id: str) -> dict[str, Any] | None:
        record = self.store.get(video_id)
        return self.view(record) if record else None

    def render_seconds_of(self, video_id: str, asked: float | None = None) -> float:
        """How long a video renders: ``asked`` (its Prefer: render-seconds) when given, else the stored
        value, else the engine's default. A create knows it without reading the store back."""
        if asked is not None:
            return asked
        record = self.store.get(video_id)
        return record.render_seconds if record is not None else self.render_seconds

    def delete(self, video_id: str) -> dict[str, Any] | None:
        if not self.store.delete(video_id):
            return None
        return {"id": video_id, "object": "video.deleted", "deleted": True}

    def iter_videos(self) -> Iterator[dict[str, Any]]:
        now = self.clock()
        for record in self.store.records():  # one read for the lot, in creation order
            yield self.view(record, now)

    def list(self, *, limit: int = 20, after: str | None = None, order: str = "desc") -> Page:
        """A page of videos, newest first by default, after the ``after`` cursor."""
        videos = list(self.iter_videos())  # creation order
        if order != "asc":
            videos.reverse()
        if after is not None:
            index = next((i for i, v in enumerate(videos) if v["id"] == after), None)
            videos = videos[index + 1 :] if index is not None else []
        page = videos[:limit]
        return Page(page, len(videos) > limit)

    def reset(self) -> None:
        self.store.clear()
