"""JSON text may carry a lone surrogate (``"\\ud800"``), which has no UTF-8 form: a body the mock
echoes with one is answered, and the pages that show it are served, never a 500."""

from __future__ import annotations

import json

import httpx
from mock_http import create, until

from contract_tests.testing.strategies import GeneratedRequest

PROMPT = "cows \ud800 dancing"


def test_a_remix_prompt_with_a_lone_surrogate_is_echoed_not_a_500(
    client: httpx.Client, example: GeneratedRequest
) -> None:
    source = create(client, example).json()["id"]
    until(lambda: client.get(f"/v1/videos/{source}").json()["status"] == "completed", f"{source} completed")
    body = json.dumps({"prompt": PROMPT}).encode()  # ASCII JSON: the surrogate as the escape \ud800
    answer = client.post(f"/v1/videos/{source}/remix", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 200, answer.text
    assert json.loads(answer.content)["prompt"] == PROMPT  # the same text back, escaped as it came
    remix = json.loads(answer.content)["id"]
    assert json.loads(client.get(f"/v1/videos/{remix}").content)["prompt"] == PROMPT
    journal = client.get("/__admin/requests")
    assert journal.status_code == 200
    remixes = [e for e in json.loads(journal.content)["data"] if e["path"].endswith("/remix")]
    assert remixes[-1]["fields"]["prompt"] == PROMPT
