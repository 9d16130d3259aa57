"""No secret a client sends survives into any store, page or file of sora-mock, in memory or ``--state``.

The same canaries go to both modes, on a create and on lifecycle calls: every secret header, every
secret query parameter, a malformed ``Authorization`` that the checker quotes back in its error,
and a key-shaped video id quoted back in a 404. Then everything sora-mock keeps or serves about
them is searched: ``/__admin/requests``, the feed, the page, and the state file with its WAL.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from contract_tests.core.redaction import MASK
from contract_tests.testing.strategies import GeneratedRequest
from mockserver.background import BackgroundServer
from mockserver.settings import Settings

BEARER = "canary-bearer-3b9f1d"
X_API_KEY = "canary-xapikey-8c2e7a"
COOKIE = "canary-cookie-5d4a90"
RAW_AUTHORIZATION = "canary-rawauth-1e6b3c"  # no scheme: the 401 message quotes it
QUERY = {
    "api_key": "canary-apikey-q1w2e3",
    "token": "canary-token-r4t5y6",
    "access_token": "canary-access-u7i8o9",
    "key": "canary-key-p0a1s2",
}
KEY_SHAPED_ID = "sk-canaryvideoid7h8j9"  # an id that looks like a key: the 404 message quotes it
CANARIES = [BEARER, X_API_KEY, COOKIE, RAW_AUTHORIZATION, *QUERY.values(), KEY_SHAPED_ID]
SECRET_HEADERS = {"Authorization": f"Bearer {BEARER}", "X-Api-Key": X_API_KEY, "Cookie": f"session={COOKIE}"}


def _send_canaries(http: httpx.Client, example: GeneratedRequest) -> None:
    example_headers = {k: v for k, v in example.headers.items() if k.lower() != "authorization"}
    created = http.post("/v1/videos", params=QUERY, content=example.body, headers={**example_headers, **SECRET_HEADERS})
    assert created.status_code == 200, created.text
    video_id = created.json()["id"]
    for path in (f"/v1/videos/{video_id}", "/v1/videos"):
        assert http.get(path, params=QUERY, headers=SECRET_HEADERS).status_code == 200
    refused = http.get("/v1/videos", headers={"Authorization": RAW_AUTHORIZATION})
    assert refused.status_code == 401 and RAW_AUTHORIZATION in refused.text  # the client's own answer quotes it
    missing = http.get(f"/v1/videos/{KEY_SHAPED_ID}", params=QUERY, headers=SECRET_HEADERS)
    assert missing.status_code == 404 and KEY_SHAPED_ID in missing.text


def _served(http: httpx.Client) -> dict[str, str]:
    pages = ("/__admin/requests", "/__admin/feed", "/__admin", "/__admin/static/admin.js")
    return {page: http.get(page).text for page in pages}


def _files(state: Path | None) -> dict[str, bytes]:
    if state is None:
        return {}
    return {path.name: path.read_bytes() for path in state.parent.iterdir() if path.name.startswith(state.name)}


@pytest.mark.parametrize("mode", ["memory", "state"])
def test_no_canary_secret_reaches_any_store_page_or_file(tmp_path: Path, example: GeneratedRequest, mode: str) -> None:
    state = tmp_path / "state.sqlite" if mode == "state" else None
    settings = Settings(render_seconds=0, state=str(state) if state else None)
    with BackgroundServer(settings) as running, httpx.Client(base_url=running.url, timeout=10) as http:
        _send_canaries(http, example)
        served = _served(http)
        files_while_running = _files(state)
        journal = http.get("/__admin/requests").json()["data"]
    searched = {**served, **{f"{name} (running)": data.decode("latin-1") for name, data in files_while_running.items()}}
    searched.update({f"{name} (stopped)": data.decode("latin-1") for name, data in _files(state).items()})
    leaks = [(canary, where) for canary in CANARIES for where, text in searched.items() if canary in text]
    assert leaks == []

    # Not vacuous: every request was journaled, masked where it stood, and the files were read.
    assert len(journal) == 5
    assert journal[0]["headers"]["authorization"] == f"Bearer {MASK}"
    assert journal[0]["headers"]["x-api-key"] == MASK and journal[0]["headers"]["cookie"] == f"session={MASK}"
    assert all(f"{name}={MASK}" in journal[0]["query"] for name in QUERY)
    assert journal[3]["response"]["error"]["message"] == f"The Authorization header uses the '{MASK}' scheme; " \
        "expected 'Bearer YOUR_KEY'."
    assert journal[4]["path"] == f"/v1/videos/{MASK}"
    if state is not None:
        assert state.name in files_while_running and f"{state.name}-wal" in files_while_running
        assert any(f"Bearer {MASK}".encode() in data for data in files_while_running.values())
