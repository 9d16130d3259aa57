"""Every video call of the official Python SDK against sora-mock, with strict response validation.

``_strict_response_validation=True`` makes the SDK check each answer against its own types (``size``
one of its literals, ``status`` one of four, integers as integers...), so a field the mock answers
wrong fails here instead of in a frontend. The ten calls: create, retrieve, list, delete,
download_content, remix, edit, extend, create_character, get_character; plus create_and_poll and
the ``with_raw_response`` / ``with_streaming_response`` variants.

What the SDK cannot send is sent over raw httpx, next to it: openai 3.54 refuses a dict for
``video`` in ``edit``/``extend`` (``RuntimeError: Expected entry at `video` to be bytes...``), so
an edit or extension of a completed video by id (``video[id]`` in a form, as the Node SDK sends
it, or ``{"video": {"id"}}`` as JSON) goes over httpx (and, as JSON, through the SDK's generic
``client.post``, as the README shows); so do bodies the SDK's signatures forbid (no prompt).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from mock_http import AUTH, TOKEN

from contract_tests.core import images
from mockserver.background import BackgroundServer
from mockserver.settings import Settings

PNG = ("first-frame.png", images.png(), "image/png")
RELAY_FIELDS = {"watermark": False, "private": True}  # the jxincm documents require them
QUICK = {"Prefer": "render-seconds=0"}  # completed at once: nothing here waits for a render

pytestmark = pytest.mark.filterwarnings("ignore:The Sora API is scheduled:DeprecationWarning")


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with BackgroundServer(Settings(render_seconds=1.0, seed=54)) as running:
        yield running


@pytest.fixture(scope="module")
def sdk(server: BackgroundServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(
        base_url=f"{server.url}/v1", api_key=TOKEN, max_retries=0, _strict_response_validation=True
    ) as client:
        yield client


@pytest.fixture(scope="module")
def http(server: BackgroundServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers=AUTH, timeout=10) as client:
        yield client


def completed(sdk: openai.OpenAI, size: Any = "1280x720", seconds: Any = "8") -> openai.types.Video:
    video = sdk.videos.create(
        model="sora-2", prompt="a cow takes its driving test", seconds=seconds, size=size,
        input_reference=PNG, extra_body=RELAY_FIELDS, extra_headers=QUICK,
    )
    done = sdk.videos.retrieve(video.id)
    assert done.status == "completed", done
    return done


@pytest.fixture(scope="module")
def source(sdk: openai.OpenAI) -> openai.types.Video:
    """A completed landscape 8-second video to edit, extend and make characters from."""
    return completed(sdk)


@pytest.fixture(scope="module")
def mp4(sdk: openai.OpenAI, source: openai.types.Video) -> bytes:
    return sdk.videos.download_content(source.id).content


def test_create_retrieve_list_delete_and_their_raw_variants(sdk: openai.OpenAI) -> None:
    raw = sdk.videos.with_raw_response.create(
        model="sora-2", prompt="raw", seconds="4", size="720x1280", input_reference=PNG, extra_body=RELAY_FIELDS
    )
    video = raw.parse()
    assert raw.status_code == 200 and video.status == "queued" and video.size == "720x1280"
    assert raw.headers["openai-poll-after-ms"].isdigit()
    assert sdk.videos.with_raw_response.retrieve(video.id).parse().id == video.id
    listed = sdk.videos.with_raw_response.list(limit=1).parse()
    assert listed.data and listed.data[0].object == "video"
    deleted = sdk.videos.with_raw_response.delete(video.id).parse()
    assert (deleted.id, deleted.deleted, deleted.object) == (video.id, True, "video.deleted")
    with pytest.raises(openai.NotFoundError) as gone:
        sdk.videos.retrieve(video.id)
    assert (gone.value.code, gone.value.param) == ("not_found", "video_id")


def test_list_auto_paginates_strictly(sdk: openai.OpenAI) -> None:
    made = {completed(sdk, seconds="4").id for _ in range(3)}
    pages = sdk.videos.list(limit=1)
    seen = {video.id for video in pages}  # follows has_more/after, each page validated
    assert made <= seen


def test_create_and_poll_and_the_three_downloads(sdk: openai.OpenAI) -> None:
    video = sdk.videos.create_and_poll(
        model="sora-2", prompt="polled", seconds="4", size="1792x1024", input_reference=PNG,
        extra_body=RELAY_FIELDS, extra_headers={"Prefer": "render-seconds=0.3"}, poll_interval_ms=100,
    )
    assert (video.status, video.progress, video.size) == ("completed", 100, "1792x1024")
    assert sdk.videos.download_content(video.id).content[4:8] == b"ftyp"
    assert sdk.videos.download_content(video.id, variant="thumbnail").content[8:12] == b"WEBP"
    assert sdk.videos.download_content(video.id, variant="spritesheet").content[:2] == b"\xff\xd8"
    raw = sdk.videos.with_raw_response.download_content(video.id)
    assert raw.headers["content-type"] == "video/mp4" and raw.content[4:8] == b"ftyp"
    with sdk.videos.with_streaming_response.download_content(video.id, variant="thumbnail") as streamed:
        assert streamed.headers["content-type"] == "image/webp"
        assert b"".join(streamed.iter_bytes())[8:12] == b"WEBP"


def test_remix_keeps_size_and_seconds(sdk: openai.OpenAI, source: openai.types.Video) -> None:
    remix = sdk.videos.with_raw_response.remix(source.id, prompt="now in the rain").parse()
    assert (remix.remixed_from_video_id, remix.size, remix.seconds) == (source.id, source.size, source.seconds)


def test_edit_an_uploaded_mp4(sdk: openai.OpenAI, mp4: bytes) -> None:
    edited = sdk.videos.edit(prompt="make it night", video=("source.mp4", mp4, "video/mp4"), extra_headers=QUICK)
    assert edited.status == "queued" and edited.prompt == "make it night"
    # The upload's boxes give the new video its size and seconds (the source's: 1280x720, 8 s); no source id.
    assert (edited.size, edited.seconds, edited.remixed_from_video_id) == ("1280x720", "8", None)
    assert sdk.videos.retrieve(edited.id).status == "completed"
    assert sdk.videos.with_raw_response.edit(prompt="again", video=("s.mp4", mp4, "video/mp4")).parse().id


def test_extend_an_upload_adds_its_seconds(sdk: openai.OpenAI, mp4: bytes) -> None:
    extended = sdk.videos.extend(prompt="and then", seconds="8", video=("source.mp4", mp4, "video/mp4"))
    assert (extended.status, extended.seconds, extended.size) == ("queued", "16", "1280x720")  # 8 + 8
    portrait = sdk.videos.download_content(completed(sdk, size="720x1280", seconds="4").id).content
    longer = sdk.videos.extend(prompt="and then", seconds="4", video=("p.mp4", portrait, "video/mp4"))
    assert (longer.seconds, longer.size) == ("8", "720x1280")


def test_characters_are_created_and_read_back(sdk: openai.OpenAI, mp4: bytes) -> None:
    created = sdk.videos.create_character(name="Bessie the cow", video=("bessie.mp4", mp4, "video/mp4"))
    assert created.id and created.id.startswith("char_") and created.name == "Bessie the cow"
    # The issue's {"id", "object", "name", "created_at"}: neither SDK types `object`, and strict
    # validation accepts a field its model does not declare (it reaches the model as an extra).
    assert created.model_extra == {"object": "character"}
    fetched = sdk.videos.get_character(created.id)
    assert fetched.model_dump() == created.model_dump()
    raw = sdk.videos.with_raw_response.get_character(created.id)
    assert raw.status_code == 200 and raw.parse().name == "Bessie the cow"
    with pytest.raises(openai.NotFoundError) as unknown:
        sdk.videos.get_character("char_does_not_exist")
    assert (unknown.value.code, unknown.value.param) == ("not_found", "character_id")


def test_typed_errors_carry_param(sdk: openai.OpenAI, mp4: bytes) -> None:
    with pytest.raises(openai.BadRequestError) as png:
        sdk.videos.create_character(name="not a video", video=PNG)
    assert (png.value.code, png.value.param) == ("invalid_value", "video")
    with pytest.raises(openai.BadRequestError) as png_edit:
        sdk.videos.edit(prompt="x", video=PNG)
    assert png_edit.value.param == "video"
    with pytest.raises(openai.BadRequestError) as seconds:
        sdk.videos.extend(prompt="x", seconds="5", video=("s.mp4", mp4, "video/mp4"))  # type: ignore[arg-type]
    assert (seconds.value.code, seconds.value.param) == ("invalid_value", "seconds")
    with pytest.raises(openai.BadRequestError) as empty:
        sdk.videos.create_character(name="", video=("s.mp4", mp4, "video/mp4"))
    assert empty.value.param == "name"


def test_extensions_of_16_and_20_seconds(sdk: openai.OpenAI, mp4: bytes) -> None:
    """Beyond the SDK's ``VideoSeconds`` literals ("4", "8", "12"), as OpenAI's extensions take them."""
    for extra, total in (("16", "24"), ("20", "28")):  # the upload is 8 s long
        video = sdk.videos.extend(prompt="longer", seconds=extra, video=("s.mp4", mp4, "video/mp4"))  # type: ignore[arg-type]
        assert video.seconds == total


@pytest.mark.parametrize(
    "call", ["edit", "extend", "create_character"]
)
def test_prefer_controls_on_the_new_calls(sdk: openai.OpenAI, mp4: bytes, call: str) -> None:
    arguments: dict[str, Any] = {"video": ("s.mp4", mp4, "video/mp4")}
    arguments.update(
        {"edit": {"prompt": "x"}, "extend": {"prompt": "x", "seconds": "4"}, "create_character": {"name": "x"}}[call]
    )
    method = getattr(sdk.videos.with_raw_response, call)
    with pytest.raises(openai.InternalServerError) as forced:
        method(**arguments, extra_headers={"Prefer": "code=503"})
    assert forced.value.status_code == 503
    with pytest.raises(openai.RateLimitError):
        method(**arguments, extra_headers={"Prefer": "code=429"})
    raw = method(**arguments, extra_headers={"Prefer": "latency=0, render-seconds=0"})
    assert raw.headers["preference-applied"] == "latency=0, render-seconds=0"
    if call != "create_character":
        assert sdk.videos.retrieve(raw.parse().id).status == "completed"  # rendered in 0 s
        failed = method(**arguments, extra_headers={"Prefer": "video=failed, render-seconds=0"}).parse()
        done = sdk.videos.retrieve(failed.id)
        assert done.status == "failed" and done.error is not None and done.error.code == "video_generation_failed"


# What the Python SDK cannot send: the source as a reference to a completed video.


def edit_form(http: httpx.Client, path: str, fields: dict[str, str], headers: dict[str, str] | None = None) -> Any:
    return http.post(path, files={name: (None, value) for name, value in fields.items()}, headers=headers)


@pytest.mark.parametrize("encoding", ["form video[id]", "json {video: {id}}"])
def test_edit_and_extend_a_completed_video_by_id(
    http: httpx.Client, sdk: openai.OpenAI, source: openai.types.Video, encoding: str
) -> None:
    def send(path: str, **fields: str) -> httpx.Response:
        if encoding.startswith("form"):
            return edit_form(http, path, {**fields, "video[id]": source.id})
        return http.post(path, json={**fields, "video": {"id": source.id}})

    edit = send("/v1/videos/edits", prompt="night")
    assert edit.status_code == 200, edit.text
    edited = openai.types.Video.model_validate(edit.json(), strict=True)
    assert (edited.remixed_from_video_id, edited.size, edited.seconds) == (source.id, "1280x720", "8")
    extension = send("/v1/videos/extensions", prompt="more", seconds="12")
    extended = openai.types.Video.model_validate(extension.json(), strict=True)
    assert (extended.seconds, extended.size, extended.remixed_from_video_id) == ("20", "1280x720", source.id)
    assert sdk.videos.retrieve(extended.id).seconds == "20"


def test_bad_sources_are_4xx_with_param_video(http: httpx.Client, sdk: openai.OpenAI) -> None:
    pending = sdk.videos.create(
        model="sora-2", prompt="slow", seconds="4", size="1280x720", input_reference=PNG, extra_body=RELAY_FIELDS,
        extra_headers={"Prefer": "render-seconds=3600"},
    )
    cases = [
        ({"prompt": "x", "video[id]": "video_unknown"}, 404, "not_found", "video"),
        ({"prompt": "x", "video[id]": pending.id}, 400, "video_not_ready", "video"),
        ({"prompt": "x"}, 400, "missing_required_parameter", "video"),
        ({"prompt": "x", "video": pending.id}, 400, "invalid_type", "video"),  # a text part, not a file
        ({"video[id]": pending.id}, 400, "missing_required_parameter", "prompt"),
    ]
    for fields, status, code, param in cases:
        for path in ("/v1/videos/edits", "/v1/videos/extensions"):
            sent = {**fields, "seconds": "4"} if path.endswith("extensions") else fields
            answer = edit_form(http, path, sent)
            error = answer.json()["error"]
            assert (answer.status_code, error["code"], error["param"]) == (status, code, param), (path, fields)
    unknown = http.post("/v1/videos/extensions", json={"prompt": "x", "seconds": "4", "video": {"id": "video_nope"}})
    assert (unknown.status_code, unknown.json()["error"]["param"]) == (404, "video")
    as_string = http.post("/v1/videos/edits", json={"prompt": "x", "video": "video_nope"})
    assert (as_string.status_code, as_string.json()["error"]["param"]) == (400, "video")
    both = http.post(
        "/v1/videos/edits",
        files={"prompt": (None, "x"), "video[id]": (None, pending.id), "video": ("s.mp4", b"....ftyp", "video/mp4")},
    )
    assert (both.status_code, both.json()["error"]["param"]) == (400, "video")


def test_the_journal_shows_the_new_calls_with_verdict_and_source(
    http: httpx.Client, server: BackgroundServer, source: openai.types.Video
) -> None:
    edit_form(http, "/v1/videos/edits", {"prompt": "journaled", "video[id]": source.id})
    edit_form(http, "/v1/videos/extensions", {"prompt": "journaled", "seconds": "3", "video[id]": source.id})
    rows = http.get("/__admin/feed").json()["data"]
    edits = [r for r in rows if r["path"] == "/v1/videos/edits" and r["fields"].get("prompt") == "journaled"]
    edit = edits[-1]
    assert (edit["verdict"], edit["status"], edit["source_video_id"]) == ("accepted", 200, source.id)
    assert edit["document"] == "openai-videos" and edit["video_id"] == edit["response"]["id"]
    refused = next(r for r in reversed(rows) if r["path"] == "/v1/videos/extensions")
    assert (refused["verdict"], refused["status"]) == ("rejected", 400)
    assert refused["problems"][0]["param"] == "seconds"


def test_the_sdk_generic_post_sends_a_reference_as_json(sdk: openai.OpenAI, source: openai.types.Video) -> None:
    """The README's way to edit by id from Python: the SDK's own client, a JSON body, a strict Video back."""
    edited = sdk.post("/videos/edits", body={"prompt": "dusk", "video": {"id": source.id}}, cast_to=openai.types.Video)
    assert (edited.remixed_from_video_id, edited.prompt, edited.status) == (source.id, "dusk", "queued")


def test_openapi_json_describes_the_new_calls(http: httpx.Client) -> None:
    document = http.get("/openapi.json").json()
    paths, schemas = document["paths"], document["components"]["schemas"]
    for path in ("/v1/videos/edits", "/v1/videos/extensions", "/v1/videos/characters"):
        body = paths[path]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
        assert body["$ref"].removeprefix("#/components/schemas/") in schemas
    assert paths["/v1/videos/characters/{character_id}"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ] == {"$ref": "#/components/schemas/Character"}
    assert schemas["ExtensionSeconds"]["enum"] == ["4", "8", "12", "16", "20"]
    assert set(schemas["Character"]["required"]) == {"id", "object", "name", "created_at"}
