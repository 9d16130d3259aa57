"""The Starlette application: CORS, the admin routes, ``/openapi.json``, and the video door.

Everything under ``/v1`` (and any unknown path) goes to :class:`~mockserver.door.VideoDoor`,
which hands it to the shared :class:`VideoService`. The few answers made here (admin, the
document, a wrong method on an admin route) use the same OpenAI error format, and no exception
escapes as a bare 500 page.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from contract_tests.core.http import json_bytes
from contract_tests.core.problems import Code, Problem, internal_error, method_not_allowed, unknown_url
from contract_tests.core.service import POLL_AFTER, VideoService
from mockserver import openapi
from mockserver.admin_page import admin_routes
from mockserver.door import VIOLATIONS_HEADER, VideoDoor, asgi_error
from mockserver.settings import Settings, build_service

logger = logging.getLogger("sora-mock")

# Response headers a page's fetch() may read (CORS hides all others).
EXPOSED = [POLL_AFTER, "preference-applied", "content-length", "content-range", "accept-ranges", VIOLATIONS_HEADER]


def _json(payload: Any, status: int = 200) -> Response:
    body = json_bytes(payload, default=str)
    return Response(body, status, {"content-type": "application/json"})


class _App(Starlette):
    """Starlette, with a short way in for the API: a ``/v1/...`` request without an ``Origin``
    header (so no CORS to answer) goes straight to the door, past the middleware stack and the
    router's route-by-route matching, which it would reach anyway (no route lives under ``/v1``).
    The door answers every request itself and never raises for client input; should it fail, it
    answers the same 500 in the OpenAI error format as the stack would (and logs the traceback).
    """

    # The first path segment of every API operation (from the router's data), set by create_app.
    api_prefixes: tuple[str, ...] = ()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.api_prefixes) and _no_origin(scope):
            await self.router.default(scope, receive, send)  # each door answers its own failures (a 500)
            return
        await super().__call__(scope, receive, send)


def _no_origin(scope: Scope) -> bool:
    for name, _ in scope["headers"]:  # noqa: SIM110 (a loop, not all(...): it runs on every API request)
        if name == b"origin":
            return False
    return True


def create_app(settings: Settings | None = None, service: VideoService | None = None) -> Starlette:
    """The ASGI app for ``settings`` (or around an existing ``service``, as tests may pass)."""
    settings = settings or Settings()
    service = service or build_service(settings)
    documents: dict[str, dict[str, Any]] = {}

    async def openapi_json(request: Request) -> Response:
        base = f"{request.url.scheme}://{request.url.netloc}"
        if base not in documents:
            documents.clear()
            documents[base] = openapi.build(service, base, request.app.routes)
        return _json(documents[base])

    async def journal(request: Request) -> Response:
        if request.method == "DELETE":
            service.journal.clear()
            return _json({"object": "journal.cleared", "deleted": True})
        return _json({"object": "list", "data": [entry.as_dict() for entry in service.journal.entries()]})

    async def reset(request: Request) -> Response:
        service.reset()
        return _json({"object": "reset", "deleted": True})

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        if status == 405:
            return asgi_error(method_not_allowed(request.method, request.url.path))
        if status == 404:
            return asgi_error(unknown_url(request.method, request.url.path))
        if status >= 500:
            logger.error("sora-mock: %s %s failed", request.method, request.url.path, exc_info=exc)
            return asgi_error(internal_error(exc))
        detail = getattr(exc, "detail", None) or "error"
        return asgi_error(Problem(Code.SERVER_ERROR, f"{request.method} {request.url.path}: {detail}.", None, status))

    app = _App(
        routes=[
            Route("/openapi.json", openapi_json, methods=["GET"]),
            Route("/__admin/requests", journal, methods=["GET", "DELETE"]),
            Route("/__admin/reset", reset, methods=["POST"]),
            *admin_routes(service),  # the request journal page (mockserver/admin_page.py)
        ],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["*"],
                allow_headers=["*"],
                expose_headers=EXPOSED,
                max_age=600,
            )
        ],
        exception_handlers={HTTPException: http_error, Exception: http_error},
    )
    app.router.default = proxy_door(service, settings) if settings.proxy else VideoDoor(
        service, settings.max_upload_bytes)
    app.api_prefixes = service.router.prefixes
    app.state.service = service
    app.state.settings = settings
    return app


def proxy_door(service: VideoService, settings: Settings) -> Any:
    """The validating proxy (``--proxy URL``) in the video door's place; loaded only in that mode."""
    import os

    from contract_tests.core.har import HarWriter
    from mockserver.proxy import ProxyDoor

    token = os.environ.get(settings.proxy_token_env) if settings.proxy_token_env else None
    recorder = HarWriter(settings.record) if settings.record else None
    if recorder is not None:
        recorder.start()
    assert settings.proxy is not None
    return ProxyDoor(service, settings.proxy, max_bytes=settings.max_upload_bytes, token=token,
                     timeout=settings.proxy_timeout, recorder=recorder)


def app_from_env() -> Starlette:
    """The factory uvicorn's workers import (``--workers N``); settings come from the environment."""
    return create_app(Settings.from_env())
