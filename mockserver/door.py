"""The HTTP door: an ASGI request in, the shared :class:`VideoService` answers, ASGI response out.

Its only jobs are transport jobs. It streams a multipart upload into the core's
``MultipartReader`` chunk by chunk as it arrives (so a body is held once, and a too-large one is
cut off while streaming, Content-Length or not; of a file part only its first MiB is kept, the
rest counted and dropped), drains what it refuses so the client reads the
413 instead of a broken pipe, and awaits the latency the controls asked for without blocking
the event loop. Checking, videos and the journal are the service's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping

from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from contract_tests.core.http import RawRequest, RawResponse
from contract_tests.core.media_type import MULTIPART
from contract_tests.core.parts import Part
from contract_tests.core.problems import CUT_SHORT, Problem, body_problem, internal_error, too_large
from contract_tests.core.routing import Route
from contract_tests.core.service import VideoService
from contract_tests.core.wire import BodyTooLarge, MultipartReader, WireError, multipart_boundary

# What the door keeps of each uploaded file: its head (type sniffing, the admin page's previews,
# which only take whole files up to 1 MiB); the rest is counted, checked as it streams, dropped.
KEEP_FILE_BYTES = 1024 * 1024
# When the declared body is larger than that, no file in it can be previewed: keep only enough
# to sniff its type, so many concurrent large uploads stay small in memory.
SNIFF_FILE_BYTES = 64 * 1024
# The host a request's URL names; never used to route (the service is told its upstream explicitly).
HOST = "sora-mock"
# The validating proxy's report of what an exchange broke (mockserver/proxy.py); pages may read it (CORS).
VIOLATIONS_HEADER = "sora-violations"

logger = logging.getLogger("sora-mock")


class Disconnected(Exception):
    """The client went away mid-request: nobody is left to answer."""


async def _next_chunk(receive: Receive) -> tuple[bytes, bool]:
    """The next piece of the body and whether more follows: how the door reads an ASGI body, once."""
    message = await receive()
    if message["type"] == "http.disconnect":
        raise Disconnected
    return message.get("body", b""), message.get("more_body", False)


async def _read_body(receive: Receive, take: Callable[[bytes], bool | None], length: int | None = None) -> bool:
    """Hand each chunk of the body to ``take`` as it arrives, until the body ends (True) or
    ``take`` answers True to stop reading (False). A plain loop, not an async generator: this
    runs on every request, and a generator's machinery costs more than the body's handling.

    ``length`` is the body's length when its framing says so (a Content-Length, no
    Transfer-Encoding): once that many bytes came, the body is whole, and the server's closing
    empty message is not waited for (granian sends a small body with ``more_body`` and then an
    empty last message, one more trip through the event loop per request)."""
    received = 0
    while True:
        body, more = await _next_chunk(receive)
        if body:
            if take(body):
                return False
            received += len(body)
        if not more or received == length:
            return True


async def _chunks(receive: Receive) -> AsyncIterator[bytes]:
    """The body chunk by chunk, for a caller that passes each one on as it comes (the proxy streams
    them to the relay); the door itself reads with :func:`_read_body`."""
    while True:
        body, more = await _next_chunk(receive)
        if body:
            yield body
        if not more:
            return


# Header names as the server sent them -> as the door keeps them (lower-case text): clients send
# the same few names, and a lookup costs less than a decode and a lower. Bounded: names past
# _KNOWN_NAMES are converted every time.
_HEADER_NAMES: dict[bytes, str] = {}
_KNOWN_NAMES = 256


def _headers(scope: Scope) -> dict[str, str]:
    """Request headers, a repeated header joined with commas as HTTP allows."""
    headers: dict[str, str] = {}
    known = _HEADER_NAMES
    for raw_name, raw_value in scope.get("headers", ()):
        name = known.get(raw_name)
        if name is None:
            name = raw_name.decode("latin-1").lower()
            if len(known) < _KNOWN_NAMES:
                known[raw_name] = name
        value = raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def arrived(scope: Scope, headers: dict[str, str] | None = None) -> RawRequest:
    """The request an ASGI ``scope`` carries (its body still to come), with ``headers`` when the
    caller changed them (the proxy forwards its own), else the scope's.

    The same request as ``RawRequest(method, url, headers)`` of the URL the scope names, made
    without joining a URL to split it again. The one difference is kept on purpose: a ``?`` in a
    decoded ``path`` (a server without ``raw_path``) stays in the path; a URL would cut it there.
    """
    path = (scope.get("raw_path") or scope.get("path", "/").encode()).decode("latin-1")
    if path[:1] != "/":
        path = "/" + path
    raw_query = scope.get("query_string")
    query = raw_query.decode("latin-1") if raw_query else ""
    headers = _headers(scope) if headers is None else headers
    return RawRequest.arrived(scope["method"].upper(), HOST, path, query, headers)


def _boundary(request: RawRequest) -> str | None:
    """The boundary of a streamed route's multipart body, or None to read the body whole.

    None for a Content-Type the core refuses too: the body is then read whole (within
    ``max_bytes``) and the checker, with the same functions, says what is wrong.
    """
    media = request.media
    if media.essence != MULTIPART:
        return None
    try:
        return multipart_boundary(media)
    except WireError:
        return None


def _declared_length(headers: Mapping[str, str]) -> int | None:
    try:
        return int(headers["content-length"])
    except (KeyError, ValueError):
        return None


class VideoDoor:
    """ASGI app for every route the service answers (``/v1/...`` and unknown paths)."""

    def __init__(self, service: VideoService, max_bytes: int, keep_file_bytes: int | None = KEEP_FILE_BYTES) -> None:
        self.service = service
        self.max_bytes = max_bytes
        self.keep_file_bytes = keep_file_bytes
        # What a refused upload may still send before the connection is closed on it.
        self.drain_limit = 4 * max_bytes + 16 * 1024 * 1024

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Route, read, let the service answer, then send: each step once, in that order.

        The route comes from the router itself (the door needs it before reading, to know whether
        to stream), and the service receives it with the body. Nothing is sent before the answer
        is whole and its headers are encoded, so a bug on the way (a header value latin-1 cannot
        carry included) still gets the OpenAI-format 500, on a closed connection, and a logged
        traceback.
        """
        head = scope["method"] == "HEAD"
        try:
            request = arrived(scope)
            route = self.service.router.route_of(request)  # once: every step receives it
            try:
                answer, close = await self._answer(request, route, receive)
            except Disconnected:
                # The body stopped short. Answer anyway (a half-closed client still reads it, and some
                # servers turn an app that sends nothing into a bare 500) and journal what came in.
                answer, close = self.service.handle(request, body_problem=CUT_SHORT, route=route), True
            start = response_start(answer.status, answer.headers, len(answer.body), close, head=head)
        except Exception as exc:
            logger.exception("sora-mock: the door failed on %s %s", scope.get("method"), scope.get("path"))
            answer = RawResponse.error(internal_error(exc))
            start = response_start(answer.status, answer.headers, len(answer.body), True, head=head)
        if answer.delay > 0:
            await asyncio.sleep(answer.delay)
        await send(start)
        await send({"type": "http.response.body", "body": b"" if head else answer.body})

    async def _answer(self, request: RawRequest, route: Route, receive: Receive) -> tuple[RawResponse, bool]:
        declared = _declared_length(request.headers)
        # The body's length, when its framing is a Content-Length alone (chunked framing wins over one).
        length = declared if "transfer-encoding" not in request.headers else None
        if declared is not None and declared > self.max_bytes:
            # Say no before reading; with "Expect: 100-continue" the client never sends the body.
            if "100-continue" not in (request.header("expect") or "").lower():
                await self._drain(receive, 0)
            return self.service.handle(request, body_problem=too_large(self.max_bytes), route=route), True
        boundary = _boundary(request) if route.streamed else None
        if boundary is not None:
            return await self._streamed(request, route, boundary, receive, length)
        body = bytearray()

        def gather(chunk: bytes) -> bool:
            body.extend(chunk)
            return len(body) > self.max_bytes

        if not await _read_body(receive, gather, length):
            drained = await self._drain(receive, len(body))
            return self.service.handle(request, body_problem=too_large(self.max_bytes), route=route), not drained
        full = RawRequest(request.method, request.url, request.headers, bytes(body))
        return self.service.handle(full, route=route), False

    def kept_per_file(self, request: RawRequest, declared: int | None = None) -> int | None:
        """How much of each file to keep: a preview's worth, or a sniff when none can be previewed
        (``declared``: the request's Content-Length, when the caller has read it already)."""
        keep = self.keep_file_bytes
        if declared is None:
            declared = _declared_length(request.headers)
        if keep is not None and declared is not None and declared > keep + SNIFF_FILE_BYTES:
            return min(keep, SNIFF_FILE_BYTES)
        return keep

    async def _streamed(
        self, request: RawRequest, route: Route, boundary: str, receive: Receive, length: int | None
    ) -> tuple[RawResponse, bool]:
        reader = MultipartReader(boundary.encode("latin-1"), self.max_bytes, self.kept_per_file(request, length))
        problem: Problem | None = None
        parts: list[Part] | None = None
        close = False
        try:
            await _read_body(receive, reader.feed, length)
            parts = reader.finish()
        except BodyTooLarge as exc:
            problem = body_problem(exc)
            close = not await self._drain(receive, reader.received)
        except WireError as exc:
            problem = body_problem(exc)
        finally:
            reader.close()
        return self.service.handle(request, parts, body_problem=problem, route=route), close

    async def _drain(self, receive: Receive, received: int) -> bool:
        """Read and drop the rest of a refused body; False when it went past ``drain_limit``."""
        def count(chunk: bytes) -> bool:
            nonlocal received
            received += len(chunk)
            return received > self.drain_limit

        return await _read_body(receive, count)


def response_start(
    status: int, headers: Mapping[str, str], body_length: int, close: bool = False, *, head: bool = False
) -> Message:
    """The ``http.response.start`` message of a whole answer, as Starlette's ``Response`` would
    make it, minus its overhead. It encodes the header values (latin-1), so it can fail: a door
    makes it before sending anything.

    To ``HEAD`` the length is the service's (a HEAD answer names the GET's length), else that of
    the body.
    """
    length = body_length
    raw = []
    for name, value in headers.items():
        lower = name.lower()
        if lower == "content-length":
            length = int(value) if head else length
            continue
        raw.append((lower.encode("latin-1"), value.encode("latin-1")))
    if status >= 200 and status not in (204, 304):
        raw.append((b"content-length", b"%d" % length))
    if close:
        raw.append((b"connection", b"close"))
    return {"type": "http.response.start", "status": status, "headers": raw}


async def send_answer(
    send: Send, status: int, headers: Mapping[str, str], body: bytes, close: bool = False, *, head: bool = False
) -> None:
    """Send a whole answer straight to the server (to ``HEAD``, no body goes out)."""
    await send(response_start(status, headers, len(body), close, head=head))
    await send({"type": "http.response.body", "body": b"" if head else body})


def starlette_response(answer: RawResponse, **headers: str) -> Response:
    """A service answer (or :meth:`RawResponse.error`) as a Starlette response, for routes outside the door."""
    return Response(answer.body, answer.status, {**answer.headers, **headers})


def asgi_error(problem: Problem, **headers: str) -> Response:
    """A problem in the one rendering (:func:`contract_tests.core.problems.render`), as a Starlette response."""
    return starlette_response(RawResponse.error(problem), **headers)
