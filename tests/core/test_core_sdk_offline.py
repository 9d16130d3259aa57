"""The official ``openai`` SDK (built on httpx2) answered by the ``sora_mock`` fixture: no server, no network.

Every test here runs with sockets refused (``no_network``), so a request the mock let through
would fail with a connection error instead of reaching a relay.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import httpx2
import openai
import pytest
import respx

from contract_tests.core import images
from contract_tests.testing.respx_mock import SoraMock

README = Path(__file__).resolve().parents[2] / "README.md"
CHAINHUB = "https://api.chainhub.tech/v1"
JXINCM = "https://api.jxincm.cn/v1"
PNG = ("场景1.png", images.png(pad_to=3000), "image/png")
# What each relay's documents require besides the SDK's own arguments (jxincm: seconds, size,
# watermark and an image); the SDK sends extra_body fields as multipart text fields.
RELAY_ARGS: dict[str, dict[str, Any]] = {
    CHAINHUB: {},
    JXINCM: {"seconds": "10", "size": "16x9", "extra_body": {"watermark": False}},
}
# Renders finish at once, so create_and_poll returns on its first poll.
RENDER_NOW = {"Prefer": "render-seconds=0"}


class NetworkUsed(AssertionError):
    """A socket was opened: something went past the mock."""


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise NetworkUsed(f"network used: {args[1:]!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def create_args(base_url: str, **overrides: Any) -> dict[str, Any]:
    return {"model": "sora-2", "prompt": "画面动起来", "input_reference": PNG, **RELAY_ARGS[base_url], **overrides}


def assert_upload_journaled(mock: SoraMock, video_id: str) -> None:
    entry = next(e for e in mock.requests() if e.video_id == video_id and e.method == "POST")
    assert entry.verdict == "accepted"
    assert entry.files == [{"param": "input_reference", "filename": "场景1.png", "content_type": "image/png",
                            "size": len(PNG[1])}]


def assert_downloads(video: bytes, thumbnail: bytes, spritesheet: bytes) -> None:
    assert video[4:8] == b"ftyp"
    assert thumbnail[8:12] == b"WEBP"
    assert spritesheet[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize("base_url", [CHAINHUB, JXINCM])
def test_sync_sdk_lifecycle(sora_mock: SoraMock, base_url: str) -> None:
    with openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0) as sdk:
        created = sdk.videos.create(**create_args(base_url))
        assert isinstance(created, openai.types.Video) and created.status == "queued"
        assert_upload_journaled(sora_mock, created.id)
        assert sdk.videos.retrieve(created.id).id == created.id
        assert created.id in [video.id for video in sdk.videos.list(limit=10).data]

        done = sdk.videos.create_and_poll(**create_args(base_url), extra_headers=RENDER_NOW)
        assert (done.status, done.progress) == ("completed", 100)
        assert_downloads(
            sdk.videos.download_content(done.id).content,
            sdk.videos.download_content(done.id, variant="thumbnail").content,
            sdk.videos.download_content(done.id, variant="spritesheet").content,
        )
        remix = sdk.videos.remix(done.id, prompt="now in the rain")
        assert (remix.remixed_from_video_id, remix.status) == (done.id, "queued")

        deleted = sdk.videos.delete(created.id)
        assert (deleted.id, deleted.deleted) == (created.id, True)
        with pytest.raises(openai.NotFoundError):
            sdk.videos.retrieve(created.id)
    assert sora_mock.calls.call_count == len(sora_mock.journal.entries()) == 11


@pytest.mark.parametrize("base_url", [CHAINHUB, JXINCM])
def test_async_sdk_lifecycle(sora_mock: SoraMock, base_url: str) -> None:
    async def scenario() -> None:
        async with openai.AsyncOpenAI(base_url=base_url, api_key="sk-test", max_retries=0) as sdk:
            created = await sdk.videos.create(**create_args(base_url))
            assert created.status == "queued"
            assert_upload_journaled(sora_mock, created.id)
            assert (await sdk.videos.retrieve(created.id)).id == created.id
            assert created.id in [video.id for video in (await sdk.videos.list(limit=10)).data]

            done = await sdk.videos.create_and_poll(**create_args(base_url), extra_headers=RENDER_NOW)
            assert (done.status, done.progress) == ("completed", 100)
            downloads = [await sdk.videos.download_content(done.id, variant=variant)
                         for variant in ("video", "thumbnail", "spritesheet")]
            assert_downloads(*(download.content for download in downloads))
            remix = await sdk.videos.remix(done.id, prompt="now in the rain")
            assert remix.remixed_from_video_id == done.id

            assert (await sdk.videos.delete(created.id)).deleted is True
            with pytest.raises(openai.NotFoundError):
                await sdk.videos.retrieve(created.id)

    asyncio.run(scenario())
    assert sora_mock.calls.call_count == 11


def test_a_rejected_create_is_a_typed_bad_request_with_param(sora_mock: SoraMock) -> None:
    with openai.OpenAI(base_url=CHAINHUB, api_key="sk-test", max_retries=0) as sdk, \
            pytest.raises(openai.BadRequestError) as caught:
        sdk.videos.create(prompt="no model")  # chainhub's document requires model
    assert (caught.value.status_code, caught.value.param, caught.value.code) == (
        400, "model", "missing_required_parameter")
    assert next(sora_mock.requests()).verdict == "rejected"


def test_the_async_sdk_gets_the_same_typed_error(sora_mock: SoraMock) -> None:
    async def create_without_image() -> None:
        async with openai.AsyncOpenAI(base_url=JXINCM, api_key="sk-test", max_retries=0) as sdk:
            await sdk.videos.create(**create_args(JXINCM, input_reference=openai.omit))

    with pytest.raises(openai.BadRequestError) as caught:
        asyncio.run(create_without_image())
    assert caught.value.param == "input_reference"


def test_httpx_and_httpx2_clients_share_one_record(sora_mock: SoraMock) -> None:
    fields = {"model": (None, "sora-2"), "prompt": (None, "hi")}
    first = httpx.post(f"{CHAINHUB}/videos", headers={"Authorization": "Bearer k"}, files=fields)
    second = httpx2.post(f"{CHAINHUB}/videos", headers={"Authorization": "Bearer k"}, files=fields)
    assert first.json()["status"] == second.json()["status"] == "queued"
    assert sora_mock.calls.call_count == 2
    assert [entry.verdict for entry in sora_mock.requests()] == ["accepted", "accepted"]


def sync_get(client_class: Callable[[], Any]) -> Callable[[str], None]:
    def get(url: str) -> None:
        with client_class() as client:
            client.get(url)

    return get


def async_get(client_class: Callable[[], Any]) -> Callable[[str], None]:
    async def get(url: str) -> None:
        async with client_class() as client:
            await client.get(url)

    return lambda url: asyncio.run(get(url))


@pytest.mark.parametrize(
    "get",
    [sync_get(httpx.Client), sync_get(httpx2.Client), async_get(httpx.AsyncClient), async_get(httpx2.AsyncClient)],
    ids=["httpx", "httpx2", "httpx-async", "httpx2-async"],
)
def test_other_hosts_fail_loudly_in_both_stacks(sora_mock: SoraMock, get: Callable[[str], None]) -> None:
    with pytest.raises(respx.models.AllMockedAssertionError):
        get("https://api.example.org/v1/videos")
    assert sora_mock.calls.call_count == 0


def test_the_sdk_pointed_at_an_undocumented_host_fails_without_network(sora_mock: SoraMock) -> None:
    """respx's assertion is not an httpx2 error, so the SDK neither retries it nor wraps it."""
    with openai.OpenAI(base_url="https://api.openai.com/v1", api_key="sk-test") as sdk, \
            pytest.raises(respx.models.AllMockedAssertionError):
        sdk.videos.retrieve("video_123")
    assert sora_mock.calls.call_count == 0


def readme_plugin_examples() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Testing your own client (the pytest plugin)", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_a_client_project_runs_the_readme_examples_offline(pytester: pytest.Pytester) -> None:
    """A project with only sora-contract installed: the README's tests pass with sockets refused."""
    examples = readme_plugin_examples()
    assert "openai.OpenAI(" in examples[0] and "httpx.post(" in examples[1]  # the SDK example comes first
    pytester.makeconftest(
        """
        import socket
        import pytest

        @pytest.fixture(autouse=True)
        def no_network(monkeypatch):
            def refuse(*args, **kwargs):
                raise AssertionError("network used")
            monkeypatch.setattr(socket.socket, "connect", refuse)
            monkeypatch.setattr(socket, "getaddrinfo", refuse)
        """
    )
    (pytester.path / "frame.png").write_bytes(images.png())
    pytester.makepyfile(
        test_readme_sdk=examples[0],
        test_readme_httpx=examples[1],
        test_async_sdk="""
        import asyncio
        import openai

        def test_async_sdk(sora_mock):
            async def scenario():
                client = openai.AsyncOpenAI(base_url="https://api.jxincm.cn/v1", api_key="sk-test")
                return (await client.videos.list()).data
            assert asyncio.run(scenario()) == []
            assert sora_mock.calls.call_count == 1
        """,
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=3)
