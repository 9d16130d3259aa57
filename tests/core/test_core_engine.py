"""The video engine: the one definition of a queued video, and its lifecycle."""

from __future__ import annotations

import pytest

from contract_tests.core.engine import VideoEngine, normalize_size, whole_seconds
from contract_tests.core.stores import MemoryStore


class Clock:
    def __init__(self, now: float = 1_763_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_queued_video_echoes_the_request() -> None:
    clock = Clock()
    video = VideoEngine(clock=clock).create({"model": "sora-2", "prompt": "p", "seconds": "10", "size": "16x9"})
    assert video["id"].startswith("video_")
    assert (video["object"], video["status"], video["progress"]) == ("video", "queued", 0)
    assert (video["model"], video["seconds"], video["size"]) == ("sora-2", "10", "1280x720")
    assert video["created_at"] == int(clock.now)


def test_defaults_when_the_request_leaves_fields_out() -> None:
    video = VideoEngine().create({"prompt": "p"})
    assert (video["model"], video["seconds"], video["size"]) == ("sora-2", "4", "720x1280")


@pytest.mark.parametrize(
    ("given", "answered"),
    [("16x9", "1280x720"), ("9x16", "720x1280"), ("1x1", "720x720"), ("1792x1024", "1792x1024"),
     ("banana", "720x1280"), (None, "720x1280"), ("0x0", "720x1280")],
)
def test_size_is_answered_as_pixels(given: str | None, answered: str) -> None:
    assert normalize_size(given) == answered


def test_ids_are_unique_and_reproducible_under_a_seed() -> None:
    first = [VideoEngine(seed=7).new_id() for _ in range(2)]
    assert first[0] == first[1]
    engine = VideoEngine()
    assert len({engine.new_id() for _ in range(100)}) == 100


def test_lifecycle_is_derived_from_the_clock() -> None:
    clock = Clock()
    engine = VideoEngine(clock=clock, render_seconds=10)
    video_id = engine.create({"prompt": "p"})["id"]
    assert engine.get(video_id)["status"] == "queued"  # type: ignore[index]
    clock.now += 5
    middle = engine.get(video_id)
    assert middle is not None and middle["status"] == "in_progress" and 0 < middle["progress"] < 100
    clock.now += 1
    later = engine.get(video_id)
    assert later is not None and later["progress"] > middle["progress"]
    clock.now += 10
    done = engine.get(video_id)
    assert done is not None and (done["status"], done["progress"]) == ("completed", 100)
    assert done["completed_at"] == int(clock.now - 16 + 10)
    assert done["expires_at"] > done["completed_at"]


def test_a_failing_job_ends_failed_with_an_error() -> None:
    clock = Clock()
    engine = VideoEngine(clock=clock, render_seconds=1)
    video_id = engine.create({"prompt": "p"}, fail={"code": "moderation_blocked", "message": "no"})["id"]
    clock.now += 2
    video = engine.get(video_id)
    assert video is not None and video["status"] == "failed" and video["error"]["code"] == "moderation_blocked"


def test_list_pages_with_cursor_and_order() -> None:
    engine = VideoEngine()
    ids = [engine.create({"prompt": str(i)})["id"] for i in range(5)]
    page = engine.list(limit=2).as_dict()
    assert [v["id"] for v in page["data"]] == ids[::-1][:2] and page["has_more"] is True
    assert page["first_id"] == ids[4] and page["last_id"] == ids[3]
    rest = engine.list(limit=10, after=page["last_id"]).as_dict()
    assert [v["id"] for v in rest["data"]] == ids[::-1][2:] and rest["has_more"] is False
    assert [v["id"] for v in engine.list(order="asc").data] == ids


def test_delete_and_remix() -> None:
    clock = Clock()
    engine = VideoEngine(clock=clock, render_seconds=1)
    source = engine.create({"prompt": "p", "seconds": "8"})["id"]
    remix = engine.remix(source, "again")
    assert remix is not None and remix["remixed_from_video_id"] == source and remix["seconds"] == "8"
    assert engine.delete(source) == {"id": source, "object": "video.deleted", "deleted": True}
    assert engine.get(source) is None and engine.delete(source) is None


def test_memory_store_is_bounded() -> None:
    store = MemoryStore(capacity=3)
    engine = VideoEngine(store)
    ids = [engine.create({"prompt": "p"})["id"] for _ in range(5)]
    assert store.ids() == ids[2:]


def test_edits_and_extensions_derive_from_a_source_or_an_upload() -> None:
    clock = Clock()
    engine = VideoEngine(clock=clock, render_seconds=2, seed=5)
    source = engine.create({"prompt": "p", "seconds": "8", "size": "1792x1024"}, render_seconds=7)["id"]
    edit = engine.derive(source, "night", call="edit")
    assert edit is not None
    assert (edit["seconds"], edit["size"], edit["prompt"], edit["remixed_from_video_id"]) == (
        "8", "1792x1024", "night", source
    )
    assert engine.render_seconds_of(edit["id"]) == 7  # renders like its source, as a remix does
    extension = engine.derive(source, "on", call="extension", add_seconds=12)
    assert extension is not None and extension["seconds"] == "20"  # the stitched total
    upload = engine.derive(None, "from a file", call="extension", add_seconds=4, render_seconds=0)
    assert upload is not None and (upload["seconds"], upload["size"], upload["remixed_from_video_id"]) == (
        "8", "720x1280", None
    )
    assert engine.get(upload["id"])["status"] == "completed"  # type: ignore[index]
    assert engine.derive("video_unknown", "x", call="edit") is None
    record = engine.store.get(extension["id"])
    assert record is not None and record.extra == {"call": "extension", "source_video_id": source}


@pytest.mark.parametrize(("value", "whole"), [("8", 8), ("4.4", 4), (10, 10), ("0", 1), ("abc", 4), ("nan", 4)])
def test_whole_seconds(value: object, whole: int) -> None:
    assert whole_seconds(value) == whole


def test_characters_are_stored_and_cleared() -> None:
    engine = VideoEngine(clock=Clock(), seed=2)
    character = engine.create_character("Bessie")
    assert character == {"id": character["id"], "object": "character", "name": "Bessie", "created_at": 1_763_000_000}
    assert character["id"].startswith("char_") and engine.get_character(character["id"]) == character
    assert engine.get_character("char_unknown") is None
    engine.reset()
    assert engine.get_character(character["id"]) is None
