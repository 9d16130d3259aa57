"""SQLite state (--state): survives a restart, is shared by stores on one file, stays bounded."""

from __future__ import annotations

from pathlib import Path

import httpx
from mock_http import AUTH, TOKEN, create

from contract_tests.core.engine import VideoEngine
from contract_tests.core.stores import SqliteJournal, SqliteStore
from contract_tests.testing.strategies import GeneratedRequest
from mockserver.background import BackgroundServer
from mockserver.settings import Settings


def test_videos_and_journal_survive_a_restart(tmp_path: Path, example: GeneratedRequest) -> None:
    settings = Settings(state=str(tmp_path / "state.sqlite"), render_seconds=0)
    with BackgroundServer(settings) as first, httpx.Client(base_url=first.url, headers=AUTH) as http:
        video_id = create(http, example).json()["id"]
    with BackgroundServer(settings) as second, httpx.Client(base_url=second.url, headers=AUTH) as http:
        assert http.get(f"/v1/videos/{video_id}").json()["status"] == "completed"
        assert [v["id"] for v in http.get("/v1/videos").json()["data"]] == [video_id]
        journal = http.get("/__admin/requests").json()["data"]
        assert journal[0]["video_id"] == video_id and journal[0]["headers"]["authorization"] == "Bearer [REDACTED]"
        http.post("/__admin/reset")
        assert http.get(f"/v1/videos/{video_id}").status_code == 404


def test_two_stores_on_one_file_share_videos(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    one, two = VideoEngine(SqliteStore(path)), VideoEngine(SqliteStore(path))
    made = one.create({"prompt": "a", "seconds": "4", "size": "16x9"})
    assert two.get(made["id"]) == one.get(made["id"])
    assert two.delete(made["id"]) is not None and one.get(made["id"]) is None


def test_store_is_bounded_and_ordered(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite", capacity=3)
    engine = VideoEngine(store, seed=1)
    ids = [engine.create({"prompt": str(i)})["id"] for i in range(5)]
    assert store.ids() == ids[2:] and len(store) == 3
    assert [v["id"] for v in engine.list(order="asc").data] == ids[2:]
    store.clear()
    assert len(store) == 0


def test_journal_is_bounded_redacted_and_keeps_extras(tmp_path: Path) -> None:
    journal = SqliteJournal(tmp_path / "j.sqlite", capacity=2)
    for i in range(3):
        journal.record(
            method="GET", path=f"/{i}", query="", headers={"Authorization": f"Bearer {TOKEN}"}, verdict="-",
            problems=[], fields={}, files=[], status=200, response=None, duration_ms=1.0,
            extra={"preferences": ["latency=1"]},
        )
    entries = journal.entries()
    assert [e.path for e in entries] == ["/1", "/2"] and len(journal) == 2
    assert entries[0].headers["Authorization"] == "Bearer [REDACTED]"
    assert entries[0].as_dict()["preferences"] == ["latency=1"]
    journal.clear()
    assert journal.entries() == []


def test_characters_and_derived_videos_survive_a_restart(tmp_path: Path, example: GeneratedRequest) -> None:
    """--state keeps characters too (their own table), and an extension's stitched seconds."""
    settings = Settings(state=str(tmp_path / "state.sqlite"), render_seconds=0)
    with BackgroundServer(settings) as first, httpx.Client(base_url=first.url, headers=AUTH) as http:
        source = create(http, example).json()
        mp4 = http.get(f"/v1/videos/{source['id']}/content").content
        character = http.post(
            "/v1/videos/characters", files={"name": (None, "Bessie"), "video": ("b.mp4", mp4, "video/mp4")}
        ).json()
        extended = http.post(
            "/v1/videos/extensions", json={"prompt": "on", "seconds": "8", "video": {"id": source["id"]}}
        ).json()
    with BackgroundServer(settings) as second, httpx.Client(base_url=second.url, headers=AUTH) as http:
        assert http.get(f"/v1/videos/characters/{character['id']}").json() == character
        again = http.get(f"/v1/videos/{extended['id']}").json()
        assert again["seconds"] == str(int(source["seconds"]) + 8)
        assert again["remixed_from_video_id"] == source["id"]
        http.post("/__admin/reset")
        assert http.get(f"/v1/videos/characters/{character['id']}").status_code == 404


def test_sqlite_characters_are_bounded(tmp_path: Path) -> None:
    engine = VideoEngine(SqliteStore(tmp_path / "c.sqlite", capacity=2), seed=3)
    made = [engine.create_character(f"c{i}") for i in range(3)]
    assert engine.get_character(made[0]["id"]) is None
    assert [engine.get_character(c["id"]) for c in made[1:]] == made[1:]
