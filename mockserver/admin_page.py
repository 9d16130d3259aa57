"""The request journal page: ``GET /__admin``, a live list of what clients sent and the verdicts.

A frontend developer whose request was rejected opens it to see what the browser really sent
(fields, the uploaded image, headers with secrets redacted) beside why the contract said no
(each problem with its ``param``) and what the mock answered. The page is three static files
(no build step, no CDN: it works offline) that poll :func:`feed` once a second.

The routes here only read the service: the journal (already redacted when recorded), the
bounded upload previews, and the engine for each video's status *now*, so the page shows a
video move from queued to completed without the client polling it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from contract_tests.core.http import json_bytes
from contract_tests.core.images import png
from contract_tests.core.problems import Code, Problem
from contract_tests.core.service import VideoService
from mockserver.door import asgi_error, starlette_response

PREFIX = "/__admin"
# Rows one feed answer carries at most; the page shows the same number.
FEED_LIMIT = 200
_STATIC = {"admin.js": "text/javascript", "admin.css": "text/css"}
# The page loads only its own files and talks only to its own origin: offline by construction.
_PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "media-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
_NO_STORE = {"cache-control": "no-store"}


# Package data beside this module (importlib.resources trips over editable installs' namespace paths).
STATIC_DIR = Path(__file__).with_name("static")


def _static(name: str) -> bytes:
    return (STATIC_DIR / name).read_bytes()


def _json(payload: Any, status: int = 200) -> Response:
    body = json_bytes(payload, default=str)
    return Response(body, status, {"content-type": "application/json", **_NO_STORE})


def _not_found(message: str) -> Response:
    return asgi_error(Problem(Code.NOT_FOUND, message, None, 404), **_NO_STORE)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def feed(service: VideoService, after: int = 0, limit: int = FEED_LIMIT) -> dict[str, Any]:
    """What the page polls: entries newer than ``after`` and the current status of every video.

    ``first_id`` lets the page drop rows the journal forgot (cleared, or pushed out by newer
    ones); ``videos`` is computed now, for every video the newest ``limit`` entries name.
    """
    entries = service.journal.entries()[-limit:]
    videos: dict[str, Any] = {}
    for entry in entries:
        if entry.video_id and entry.video_id not in videos:
            video = service.engine.get(entry.video_id)
            videos[entry.video_id] = (
                {"status": video["status"], "progress": video.get("progress")} if video else {"status": "deleted"}
            )
    rows = []
    for entry in entries:
        if entry.id <= after:
            continue
        row = entry.as_dict()
        row["previews"] = {
            param: f"{PREFIX}/requests/{entry.id}/files/{param}"
            for param in (f.get("param") for f in entry.files)
            if param and service.journal.previews.get(entry.id, param) is not None
        }
        rows.append(row)
    return {
        "object": "admin.feed",
        "first_id": entries[0].id if entries else None,
        "last_id": entries[-1].id if entries else None,
        "data": rows,
        "videos": videos,
    }


def admin_routes(service: VideoService) -> Sequence[BaseRoute]:
    """The page, its two static files and icon, its feed, upload previews and unauthenticated content."""

    async def page(request: Request) -> Response:
        headers = {"content-security-policy": _PAGE_POLICY, **_NO_STORE}
        return Response(_static("admin.html"), 200, headers, media_type="text/html")

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in _STATIC:
            return _not_found(f"No admin file '{name}'.")
        return Response(_static(name), 200, _NO_STORE, media_type=_STATIC[name])

    async def favicon(request: Request) -> Response:
        # Without an icon of its own the browser asks the door for /favicon.ico: noise in the journal.
        return Response(png(16, 16, (38, 87, 197)), 200, {"cache-control": "max-age=86400"}, media_type="image/png")

    async def journal_feed(request: Request) -> Response:
        after = _int(request.query_params.get("after"), 0)
        limit = max(1, min(FEED_LIMIT, _int(request.query_params.get("limit"), FEED_LIMIT)))
        return _json(feed(service, after, limit))

    async def preview(request: Request) -> Response:
        entry_id = _int(request.path_params["entry"], -1)
        kept = service.journal.previews.get(entry_id, request.path_params["param"])
        if kept is None:
            return _not_found("No preview kept for that upload (only small images of recent requests are).")
        media_type, data = kept
        # The type is sniffed, never the client's; nosniff and a sandbox keep the bytes inert.
        headers = {"x-content-type-options": "nosniff", "content-security-policy": "sandbox", **_NO_STORE}
        return Response(data, 200, headers, media_type=media_type)

    async def content(request: Request) -> Response:
        variant = request.query_params.get("variant", "video")
        head = request.method == "HEAD"  # Starlette routes HEAD here too; the answer has no body then
        answer = service.content(request.path_params["video_id"], variant, request.headers.get("range"), head=head)
        return starlette_response(answer, **{"x-content-type-options": "nosniff"})

    return [
        Route(PREFIX, page, methods=["GET"]),
        Route(f"{PREFIX}/", page, methods=["GET"]),
        Route(f"{PREFIX}/static/{{name}}", static, methods=["GET"]),
        Route(f"{PREFIX}/favicon.png", favicon, methods=["GET"]),
        Route(f"{PREFIX}/feed", journal_feed, methods=["GET"]),
        Route(f"{PREFIX}/requests/{{entry}}/files/{{param}}", preview, methods=["GET"]),
        Route(f"{PREFIX}/videos/{{video_id}}/content", content, methods=["GET"]),
    ]
