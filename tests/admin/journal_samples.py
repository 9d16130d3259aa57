"""The two requests every admin-page test sends: one the contract accepts, one it rejects.

Both carry a real bearer token, so each test can check the token never reaches the page.
"""

from __future__ import annotations

from typing import Any

import httpx
from starlette.testclient import TestClient

from contract_tests.core.images import png

TOKEN = "sk-admin-page-secret-4711"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# jxincm-private's required fields; the rejected request leaves out ``seconds``.
FIELDS = {"model": "sora-2", "prompt": "a red kite over the sea", "seconds": "4", "size": "16x9", "watermark": "false"}
OFFENDING = "seconds"
IMAGE = png(48, 32, (230, 90, 40))
# Starlette's TestClient is built on its own copy of httpx, so it is not an httpx.Client to mypy.
Client = httpx.Client | TestClient


def send_valid(client: Client, image: bytes = IMAGE, content_type: str = "image/png") -> Any:
    """Through Starlette's TestClient in process, or a real httpx.Client over a socket."""
    files = {"input_reference": ("kite.png", image, content_type)}
    return client.post("/v1/videos", data=FIELDS, files=files, headers=AUTH)


def send_invalid(client: Client) -> Any:
    data = {name: value for name, value in FIELDS.items() if name != OFFENDING}
    files = {"input_reference": ("kite.png", IMAGE, "image/png")}
    return client.post("/v1/videos", data=data, files=files, headers=AUTH)
