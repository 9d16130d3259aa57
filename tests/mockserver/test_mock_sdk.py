"""The official ``openai`` Python SDK, pointed at sora-mock, end to end."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest
from mock_http import TOKEN

from contract_tests.core import images
from mockserver.background import BackgroundServer

PNG = ("first-frame.png", images.png(), "image/png")
# The jxincm documents require these besides the SDK's own arguments; the SDK sends extra_body
# fields as multipart text fields ("false", not JSON false).
RELAY_FIELDS = {"watermark": False, "private": True}


@pytest.fixture(scope="module")
def sdk(server: BackgroundServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=f"{server.url}/v1", api_key=TOKEN, max_retries=0) as client:
        yield client


def make(sdk: openai.OpenAI, **extra: object) -> openai.types.Video:
    return sdk.videos.create(
        model="sora-2",
        prompt="a cow takes its driving test",
        seconds="4",
        size="1280x720",
        input_reference=PNG,
        extra_body={**RELAY_FIELDS, **extra},
    )


def test_create_retrieve_list_delete(sdk: openai.OpenAI) -> None:
    video = make(sdk)
    assert isinstance(video, openai.types.Video) and video.status == "queued"
    assert sdk.videos.retrieve(video.id).id == video.id
    assert video.id in [v.id for v in sdk.videos.list(limit=100, order="desc").data]
    deleted = sdk.videos.delete(video.id)
    assert deleted.deleted is True and deleted.object == "video.deleted"
    with pytest.raises(openai.NotFoundError) as caught:
        sdk.videos.retrieve(video.id)
    assert caught.value.code == "not_found" and caught.value.param == "video_id"


def test_list_auto_paginates(sdk: openai.OpenAI) -> None:
    ids = {make(sdk).id for _ in range(3)}
    seen = {v.id for v in sdk.videos.list(limit=1)}  # iterating follows has_more/after page by page
    assert ids <= seen


def test_create_and_poll_then_download_and_remix(sdk: openai.OpenAI) -> None:
    video = sdk.videos.create_and_poll(
        model="sora-2",
        prompt="character test",
        seconds="4",
        size="1280x720",
        input_reference=PNG,
        extra_body={
            **RELAY_FIELDS,
            "character_url": "https://example.com/c.mp4",
            "character_timestamps": "1,3",
        },
    )
    assert video.status == "completed" and video.progress == 100
    content = sdk.videos.download_content(video.id)
    assert content.content[4:8] == b"ftyp"
    thumbnail = sdk.videos.download_content(video.id, variant="thumbnail")
    assert thumbnail.content[8:12] == b"WEBP"
    remix = sdk.videos.remix(video.id, prompt="now in the rain")
    assert remix.remixed_from_video_id == video.id and remix.status == "queued"


def test_failed_video_through_prefer_header(sdk: openai.OpenAI) -> None:
    video = sdk.videos.create_and_poll(
        model="sora-2",
        prompt="doomed",
        seconds="4",
        size="1280x720",
        input_reference=PNG,
        extra_body=RELAY_FIELDS,
        extra_headers={"Prefer": "video=failed, failure-code=moderation_blocked"},
    )
    assert video.status == "failed"
    assert video.error is not None and video.error.code == "moderation_blocked"


def test_exceptions_carry_param_and_code(sdk: openai.OpenAI, server: BackgroundServer) -> None:
    with pytest.raises(openai.BadRequestError) as bad:
        sdk.videos.create(model="sora-2", prompt="no image", extra_body=RELAY_FIELDS)
    assert bad.value.code == "missing_required_parameter"
    assert bad.value.param in {"seconds", "input_reference", "size"}
    with pytest.raises(openai.BadRequestError) as typo:
        make(sdk, watermark_typo="x")
    assert typo.value.code == "unknown_parameter" and typo.value.param == "watermark_typo"
    with openai.OpenAI(
        base_url=f"{server.url}/v1", api_key="unused", default_headers={"Authorization": "Token abc"}, max_retries=0
    ) as wrong_scheme, pytest.raises(openai.AuthenticationError) as auth:
        wrong_scheme.videos.list()
    assert auth.value.code == "invalid_api_key"
    with pytest.raises(openai.InternalServerError) as forced:
        sdk.videos.list(extra_headers={"Prefer": "code=503"})
    assert forced.value.status_code == 503 and forced.value.code == "server_error"
