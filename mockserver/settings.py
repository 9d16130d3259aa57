"""What one sora-mock runs with, and how a worker process rebuilds the same service from it.

uvicorn starts each of ``--workers N`` processes from an import string, so the settings cross
the process boundary as JSON in an environment variable; :func:`build_service` turns them into
the shared core's :class:`VideoService` (checker, engine, journal, controls) in every process.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path

from contract_tests.core.checker import DEFAULT_MAX_BODY_BYTES, RequestChecker
from contract_tests.core.controls import Controls
from contract_tests.core.engine import DEFAULT_RENDER_SECONDS, MemoryStore, VideoEngine, VideoStore
from contract_tests.core.journal import Journal
from contract_tests.core.service import VideoService
from contract_tests.core.specs import SpecRegistry, load_registry

ENV = "SORA_MOCK_SETTINGS"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4010
DEFAULT_UPSTREAM = "jxincm"
DEFAULT_JOURNAL = 1000
DEFAULT_CAPACITY = 10_000


@dataclass(frozen=True)
class Settings:
    """Every knob of the server; the CLI fills it, tests build it directly."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    upstream: str | None = None  # None: the last --spec document's server, else DEFAULT_UPSTREAM
    specs: tuple[tuple[str | None, str], ...] = ()  # (document id or None, path) added or replaced
    seed: int | None = None
    render_seconds: float = DEFAULT_RENDER_SECONDS
    failure_rate: float = 0.0
    error_rate: float = 0.0
    latency_ms: tuple[float, float] = (0.0, 0.0)
    max_upload_bytes: int = DEFAULT_MAX_BODY_BYTES
    state: str | None = None
    workers: int = 1
    journal_capacity: int = DEFAULT_JOURNAL
    video_capacity: int = DEFAULT_CAPACITY
    access_log: bool = False
    # The validating proxy (mockserver/proxy.py) and the recording, and the replay of one.
    proxy: str | None = None
    proxy_token_env: str | None = None
    proxy_timeout: float = 60.0
    record: str | None = None
    replay: str | None = None

    def to_env(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_env(cls, text: str | None = None) -> Settings:
        raw = json.loads(text if text is not None else os.environ.get(ENV, "{}"))
        raw["specs"] = tuple((doc, path) for doc, path in raw.get("specs", ()))
        if "latency_ms" in raw:
            raw["latency_ms"] = tuple(raw["latency_ms"])
        return cls(**raw)


def registry_for(settings: Settings) -> SpecRegistry:
    """The bundled documents plus every ``--spec`` (a same-named document is replaced)."""
    registry = load_registry()
    for doc_id, path in settings.specs:
        registry = registry.with_document(Path(path), doc_id)
    return registry


def upstream_for(settings: Settings, registry: SpecRegistry) -> str:
    """The server whose documents are enforced; raises SpecError for an unknown one."""
    if settings.upstream:
        return registry.server(settings.upstream).id
    if settings.specs:
        doc_id, path = settings.specs[-1]
        return registry.document(doc_id or Path(path).stem).server_id
    return registry.server(DEFAULT_UPSTREAM).id


def build_service(settings: Settings) -> VideoService:
    """One process's service. With ``state`` the videos and the journal live in SQLite."""
    registry = registry_for(settings)
    server = upstream_for(settings, registry)
    store: VideoStore
    journal: Journal
    if settings.state:
        from contract_tests.core.stores import SqliteJournal, SqliteStore

        store = SqliteStore(settings.state, capacity=settings.video_capacity)
        journal = SqliteJournal(settings.state, capacity=settings.journal_capacity)
    else:
        store = MemoryStore(settings.video_capacity)
        journal = Journal(settings.journal_capacity)
    seed = settings.seed
    if seed is not None and settings.workers > 1:
        seed = seed * 1_000_003 + os.getpid()  # each worker its own id sequence: ids never collide
    engine = VideoEngine(store, render_seconds=settings.render_seconds, seed=seed)
    controls = Controls(settings.failure_rate, settings.error_rate, settings.latency_ms, seed)
    checker = RequestChecker(registry, settings.max_upload_bytes)
    replay = None
    if settings.replay:
        from contract_tests.core.replay import Replay

        replay = Replay.load(settings.replay, server, checker)
    return VideoService(
        registry, server, checker=checker, engine=engine, journal=journal, controls=controls, sleep=None,
        replay=replay,
    )
