"""The Video schema the mock serves in /openapi.json describes every video the engine makes."""

from __future__ import annotations

from openapi_core import OpenAPI
from openapi_core.validation.schemas import oas30_read_schema_validators_factory

from contract_tests.core.engine import VideoEngine
from contract_tests.core.service import VideoService
from contract_tests.core.specs import load_registry
from mockserver.openapi import build


class Clock:
    now = 1_763_000_000.0

    def __call__(self) -> float:
        return self.now


def test_every_state_of_a_video_matches_the_served_schema() -> None:
    clock = Clock()
    engine = VideoEngine(clock=clock, render_seconds=10)
    api = OpenAPI.from_dict(build(VideoService(load_registry(), "jxincm", engine=engine), "http://127.0.0.1:4010"))
    validator = oas30_read_schema_validators_factory.create(api.spec, api.spec / "components" / "schemas" / "Video")
    plain = engine.create({"model": "sora-2", "prompt": "p", "seconds": "8", "size": "16x9"})["id"]
    failing = engine.create({"prompt": "p"}, fail={"code": "moderation_blocked", "message": "no"})["id"]
    states = {}
    for step in (0, 5, 11):
        clock.now += step
        for video_id in (plain, failing):
            video = engine.get(video_id)
            assert video is not None
            states[video["status"]] = video
            validator.validate(video)
    remix = engine.remix(plain, "again")
    assert remix is not None
    validator.validate(remix)
    assert set(states) == {"queued", "in_progress", "completed", "failed"}
