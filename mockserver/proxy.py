"""The validating proxy door (``sora-mock --proxy URL``): forward to the real relay, check both halves.

Every request goes to the relay as it came (the client's ``Authorization`` passes through, or
``--proxy-token-env`` injects one), its body streamed: each chunk goes to the relay and to the core's
multipart reader, which keeps only the head of each file (and a sha256 of every part is computed as it
passes), so an upload of any size is never held whole. The relay's answer streams back; a JSON answer
(small: a video, a list, an error) is buffered up to :data:`KEEP_JSON_BYTES` first, so it can be
checked and recorded before its headers go out.

The checks: the request by the contract (the same router and checker as the mock), the response by
the documents (:mod:`contract_tests.core.conformance` for a create), by the OpenAI Videos family
document for the lifecycle calls, and by the family's ``Error`` schema for every error answer. What
broke goes into the journal (``response_verdict`` and ``violations`` beside the request's verdict)
and into the ``sora-violations`` response header, compact JSON in the spirit of Prism's
``sl-violations``. With ``--record FILE.har`` each exchange is written to a HAR 1.2 file through the
one redaction path, uploads as size, sha256 and sniffed type.

An upstream that cannot be reached answers 502, one that does not answer in time 504, both in the
OpenAI error format naming the upstream: a client never hangs on the proxy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import httpx2
from starlette.types import Message, Receive, Scope, Send

from contract_tests.core import conformance, har
from contract_tests.core.checker import Verdict
from contract_tests.core.classify import probe
from contract_tests.core.http import RawRequest, RawResponse
from contract_tests.core.parts import Part
from contract_tests.core.problems import Code, Problem, body_problem, internal_error, too_large
from contract_tests.core.redaction import Redactor
from contract_tests.core.routing import Route, family_document
from contract_tests.core.service import VideoService
from contract_tests.core.wire import BodyTooLarge, MultipartReader, WireError
from mockserver.door import (
    SNIFF_FILE_BYTES,
    VIOLATIONS_HEADER,
    Disconnected,
    _boundary,
    _chunks,
    _headers,
    arrived,
    send_answer,
)

logger = logging.getLogger("sora-mock.proxy")

# The header stays well under what servers and browsers accept for one header line.
MAX_VIOLATIONS_HEADER = 2048
MAX_MESSAGE_CHARS = 240
# A JSON answer larger than this is streamed through unchecked (a video or an error is far smaller).
KEEP_JSON_BYTES = 1024 * 1024
# Hop-by-hop headers (RFC 9110 7.6.1) and what the proxy sets itself: never forwarded.
_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
                  "te", "trailer", "transfer-encoding", "upgrade", "host", "expect", "accept-encoding"})
# Set by the proxy's own HTTP server on every answer: the relay's are recorded, not sent twice.
_SERVER_SET = frozenset({"date", "server"})
_CREATE_SCHEMA_CHECKS = ["content_type_json", "json_object_body", "response_schema", "video_object",
                         "video_id_present"]


@dataclass
class HashingReader(MultipartReader):
    """The core's multipart reader, also taking the sha256 of each part as it passes (for the HAR)."""

    digests: list[str] = field(default_factory=list)
    _digest: Any = None
    # Every body through the parser's callbacks, where the digests are taken (the small-body fast
    # path builds its parts in one go, without them; the proxy is not the mock's hot path).
    fast: bool = False

    def _on_part_begin(self) -> None:
        super()._on_part_begin()
        self._digest = hashlib.sha256()

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        self._digest.update(data[start:end])
        super()._on_part_data(data, start, end)

    def _on_part_end(self) -> None:
        before = len(self.parts)
        super()._on_part_end()
        if len(self.parts) > before:
            self.digests.append(self._digest.hexdigest())


class _Body:
    """The request body on its way to the relay: each chunk is also read for the checker, never kept whole."""

    def __init__(self, receive: Receive, reader: HashingReader | None, max_bytes: int) -> None:
        self.receive = receive
        self.reader = reader
        self.max_bytes = max_bytes
        self.size = 0
        self.digest = hashlib.sha256()
        self.head = bytearray()  # a body that is not streamed multipart: kept for the checker up to max_bytes
        self.problem: Problem | None = None
        self.disconnected = False

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in _chunks(self.receive):
                self.size += len(chunk)
                self.digest.update(chunk)
                self._read(chunk)
                yield chunk
        except Disconnected:
            self.disconnected = True
            self.problem = self.problem or body_problem(WireError("truncated", "the connection closed before the "
                                                                  "whole request body arrived"))

    def _read(self, chunk: bytes) -> None:
        if self.reader is None:
            if self.problem is None and len(self.head) + len(chunk) > self.max_bytes:
                self.problem, self.head = too_large(self.max_bytes), bytearray()
            elif self.problem is None:
                self.head += chunk
            return
        if self.problem is not None:
            return
        try:
            self.reader.feed(chunk)
        except (BodyTooLarge, WireError) as exc:
            self.problem = body_problem(exc)
            self.reader.close()

    def parts(self) -> list[Part] | None:
        """The parts once the body ended (``problem`` says why there are none)."""
        if self.reader is None or self.problem is not None:
            return None
        try:
            return self.reader.finish()
        except WireError as exc:
            self.problem = body_problem(exc)
            return None


@dataclass
class Exchange:
    """What the proxy learnt of one exchange, for the journal, the header and the recording."""

    request: RawRequest
    route: Route
    started: dt.datetime
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""  # the buffered JSON answer (or the proxy's own error); empty when streamed through
    streamed_bytes: int = 0
    head: bytes = b""  # the first bytes of a streamed answer (its sniffed type)
    verdict: Verdict | None = None
    parts: list[Part] | None = None
    violations: list[dict[str, Any]] = field(default_factory=list)


def violation(location: str, check: str, message: str) -> dict[str, Any]:
    return {"location": location, "check": check, "message": message[:MAX_MESSAGE_CHARS]}


def violations_header(found: list[dict[str, Any]]) -> str:
    """Compact JSON, ASCII, bounded: the violations that fit, then how many more there were."""
    kept: list[dict[str, Any]] = []
    for index, item in enumerate(found):
        candidate = json.dumps([*kept, item], separators=(",", ":"))
        if len(candidate) > MAX_VIOLATIONS_HEADER - 80:
            more = violation("-", "truncated", f"{len(found) - index} more in the journal")
            return json.dumps([*kept, more], separators=(",", ":"))
        kept.append(item)
    return json.dumps(kept, separators=(",", ":"))


def _error_validator() -> Any:
    """The family document's ``Error`` schema (OpenAI's envelope), via an operation that answers it."""
    for op in family_document().operations:
        if "404" in op.response_validators:
            return op.response_validators["404"].validator
    return None


_ERROR_VALIDATOR = _error_validator()


def _schema_errors(validator: Any, payload: Any) -> str | None:
    errors = list(validator.iter_errors(payload))
    if not errors:
        return None
    return "; ".join(f"{'/'.join(map(str, e.path)) or '(root)'}: {e.message}" for e in errors[:3])


def _payload(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def response_violations(exchange: Exchange, complete: bool) -> list[dict[str, Any]]:
    """What the relay's answer breaks: the documents' promises for a create, the family's for the rest."""
    route, status, verdict = exchange.route, exchange.status, exchange.verdict
    found: list[dict[str, Any]] = []
    body = exchange.body if complete else b""
    payload = _payload(body)
    if route.documented and verdict is not None:
        if 200 <= status < 300 and not verdict.ok:
            first = verdict.problems[0]
            found.append(violation("response", "invalid_request_rejected",
                                   f"the contract rejects this request ({first.code}: {first.message}) but the "
                                   f"upstream answered {status}"))
        only = None if verdict.ok else (_CREATE_SCHEMA_CHECKS if 200 <= status < 300 else [])
        if not complete and only is None:
            only = ["status_code_200", "content_type_json"]
        if only != []:
            for failure in conformance.check_response(status, exchange.headers, body, verdict.fields,
                                                      verdict.operation, only=only):
                found.append(violation("response", failure.check, failure.message))
    elif route.operation is not None and complete and payload is not None:
        validator = route.operation.response_validators.get(str(status))
        if validator is None and not 200 <= status < 300 and status < 500:
            found.append(violation("response", "response_status_documented",
                                   f"{route.operation.operation_id} documents no {status} answer"))
        elif validator is not None and (problem := _schema_errors(validator.validator, payload)):
            found.append(violation("response", "response_schema",
                                   f"the body does not match the family document's {status} schema: {problem}"))
    if status >= 400 and _ERROR_VALIDATOR is not None and not any(v["check"] == "response_schema" for v in found):
        if payload is None:
            media = exchange.headers.get("content-type", "no Content-Type")
            found.append(violation("response", "error_format",
                                   f"the {status} error body is not OpenAI's error JSON ({media})"))
        elif problem := _schema_errors(_ERROR_VALIDATOR, payload):
            found.append(violation("response", "error_format",
                                   f"the {status} error body is not OpenAI's error format: {problem}"))
    return found


class ProxyDoor:
    """ASGI app forwarding every request the door would answer to ``upstream``, checking both halves."""

    def __init__(
        self,
        service: VideoService,
        upstream: str,
        *,
        max_bytes: int,
        token: str | None = None,
        timeout: float = 60.0,
        recorder: har.HarWriter | None = None,
    ) -> None:
        self.service = service
        self.upstream = upstream.rstrip("/")
        self.max_bytes = max_bytes
        self.token = token
        self.timeout = timeout
        self.recorder = recorder
        self.redactor = Redactor([token] if token else [])
        self.client = httpx2.AsyncClient(
            timeout=httpx2.Timeout(timeout, connect=min(timeout, 10.0)), follow_redirects=False
        )

    def _forwarded_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        forwarded = {k: v for k, v in headers.items() if k not in _HOP}
        forwarded["accept-encoding"] = "identity"  # bodies are checked and recorded as sent
        if self.token:
            forwarded["authorization"] = f"Bearer {self.token}"
        return forwarded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One exchange; a bug before the answer started still gets the OpenAI-format 500 (logged).
        Once the relay's answer is under way, the connection is all there is to break."""
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self._exchange(scope, receive, tracked)
        except Exception as exc:
            if started:
                raise
            logger.exception("sora-mock proxy: %s %s failed", scope.get("method"), scope.get("path"))
            answer = RawResponse.error(internal_error(exc))
            await send_answer(send, answer.status, answer.headers, answer.body, close=True)

    async def _exchange(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        client_headers = _headers(scope)
        forwarded = self._forwarded_headers(client_headers)
        # Checked as the relay receives it (an injected token counts), with the client's Content-Type.
        request = arrived(scope, forwarded)
        exchange = Exchange(request, self.service.router.route_of(request), dt.datetime.now(dt.timezone.utc))
        body = self._body(request, exchange.route, receive)
        path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        query = scope.get("query_string", b"").decode("latin-1")
        target = self.upstream + path + (f"?{query}" if query else "")
        has_body = ("content-length" in client_headers and client_headers["content-length"] != "0") or (
            "transfer-encoding" in client_headers)
        content = body.chunks() if has_body else None
        try:
            upstream = await self.client.send(
                self.client.build_request(request.method, target, headers=forwarded, content=content), stream=True
            )
        except httpx2.TimeoutException:
            await self._fail(exchange, body, send, 504, Code.UPSTREAM_TIMEOUT,
                             f"The upstream {self.upstream} did not answer within {self.timeout:g} s.", started)
            return
        except (httpx2.HTTPError, OSError) as exc:
            if body.disconnected:
                return  # the client went away mid-upload: nobody to answer
            logger.warning("sora-mock proxy: %s %s -> %s failed: %s", request.method, path, self.upstream, exc)
            await self._fail(exchange, body, send, 502, Code.UPSTREAM_UNREACHABLE,
                             f"The upstream {self.upstream} could not be reached: {type(exc).__name__}: {exc}.",
                             started)
            return
        try:
            await self._relay(exchange, body, upstream, send, head=scope["method"] == "HEAD")
        finally:
            await upstream.aclose()
        self._finish(exchange, body, started)

    def _body(self, request: RawRequest, route: Route, receive: Receive) -> _Body:
        boundary = _boundary(request) if route.streamed else None  # the door's decision, as the door makes it
        if boundary is None:
            return _Body(receive, None, self.max_bytes)
        reader = HashingReader(boundary.encode("latin-1"), self.max_bytes, SNIFF_FILE_BYTES)
        return _Body(receive, reader, self.max_bytes)

    async def _relay(self, exchange: Exchange, body: _Body, upstream: httpx2.Response, send: Send,
                     head: bool) -> None:
        exchange.status = upstream.status_code
        exchange.headers = {k.lower(): v for k, v in upstream.headers.items() if k.lower() not in _HOP}
        media = exchange.headers.get("content-type", "").lower()
        chunks = upstream.aiter_raw()
        buffered, complete = bytearray(), False
        if "json" in media or media.startswith("text/") or not media:  # small answers: checked whole
            try:
                buffered, complete = await _buffer(chunks, KEEP_JSON_BYTES)
            except httpx2.HTTPError as exc:  # the relay broke off its answer: what came is what there is
                logger.warning("sora-mock proxy: %s answer cut short: %s", self.upstream, exc)
                complete = True
        self._check(exchange, body, bytes(buffered), complete)
        headers = {k: v for k, v in exchange.headers.items() if k not in _SERVER_SET}
        if exchange.violations:
            headers[VIOLATIONS_HEADER] = violations_header(exchange.violations)
        if complete:
            if not head:  # a HEAD answer keeps the relay's length of the body it did not send
                headers.pop("content-length", None)
            await send_answer(send, exchange.status, headers, exchange.body, head=head)
            return
        exchange.body = b""
        # Streamed through: what was buffered, then the rest as it comes.
        raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": exchange.status, "headers": raw})
        exchange.head = bytes(buffered[:64])
        exchange.streamed_bytes = len(buffered)
        if buffered:
            await send({"type": "http.response.body", "body": bytes(buffered), "more_body": True})
        try:
            async for chunk in chunks:
                if not exchange.head:
                    exchange.head = chunk[:64]
                exchange.streamed_bytes += len(chunk)
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except httpx2.HTTPError as exc:
            logger.warning("sora-mock proxy: %s answer cut short while streaming: %s", self.upstream, exc)
        await send({"type": "http.response.body", "body": b""})

    def _check(self, exchange: Exchange, body: _Body, buffered: bytes, complete: bool) -> None:
        parts = body.parts()
        request = exchange.request
        if body.reader is None and body.problem is None:
            request = RawRequest(request.method, request.url, request.headers, bytes(body.head))
        exchange.verdict = self.service.checker.check_route(exchange.route, request, parts, body.problem)
        exchange.parts = parts
        exchange.body = buffered
        found = [violation("request", str(p.code), p.message) for p in exchange.verdict.problems]
        exchange.violations = found + response_violations(exchange, complete)

    async def _fail(self, exchange: Exchange, body: _Body, send: Send, status: int, code: Code, message: str,
                    started: float) -> None:
        """The relay gave no answer: say so in OpenAI's format, after reading what the client still sends."""
        async for _ in body.chunks():  # the rest of an upload the relay never took (bounded by the client)
            pass
        answer = RawResponse.error(Problem(code, message, None, status))
        exchange.status, exchange.headers, exchange.body = status, dict(answer.headers), answer.body
        self._check(exchange, body, answer.body, True)
        exchange.violations = [v for v in exchange.violations if v["location"] == "request"]
        headers = dict(answer.headers)
        if exchange.violations:
            headers[VIOLATIONS_HEADER] = violations_header(exchange.violations)
        await send_answer(send, status, headers, answer.body)
        self._finish(exchange, body, started)

    def _finish(self, exchange: Exchange, body: _Body, started: float) -> None:
        """Journal the exchange (and record it): after the answer went out, so it costs the client nothing."""
        seconds = time.perf_counter() - started
        response_side = [v for v in exchange.violations if v["location"] == "response"]
        verdict = exchange.verdict if exchange.route.documented else None
        answer = RawResponse(exchange.status, exchange.body, exchange.headers)
        extra = {"proxied": self.upstream, "response_verdict": "nonconformant" if response_side else "conformant",
                 "violations": response_side}
        self.service.record_exchange(exchange.request, verdict, answer, seconds, extra)
        if self.recorder is not None:
            try:
                self.recorder.append(self._har_entry(exchange, body, seconds, response_side))
            except (OSError, har.HarError) as exc:
                logger.error("sora-mock proxy: could not record to %s: %s", self.recorder.path, exc)

    def _har_entry(self, exchange: Exchange, body: _Body, seconds: float,
                   response_side: list[dict[str, Any]]) -> dict[str, Any]:
        request, verdict = exchange.request, exchange.verdict
        documented = exchange.route.documented
        sora = {
            "server": exchange.route.server,
            "document": verdict.document_id if verdict is not None and documented else None,
            "operation": har.operation_of(request.method, request.url),
            "probe": probe(verdict, exchange.parts, request.media.essence) if documented and verdict else None,
            "kind": "create" if documented else "lifecycle",
            "proxied": self.upstream,
            "verdict": "failed" if response_side else "passed",
            "failed_checks": sorted({v["check"] for v in response_side}),
        }
        entry = har.entry(
            method=request.method, url=self.upstream + request.path + (f"?{request.query}" if request.query else ""),
            request_headers=request.headers, request_body=b"", status=exchange.status,
            reason=_reason(exchange.status), response_headers=exchange.headers, response_body=exchange.body,
            started=exchange.started, elapsed_ms=seconds * 1000, redactor=self.redactor, sora=sora,
            post_data=_post_data(request, body, exchange.parts), request_size=body.size,
        )
        if exchange.streamed_bytes:  # streamed through (a video): its size and type, never its bytes
            content = entry["response"]["content"]
            content.update(size=exchange.streamed_bytes, _sora_file={
                "size": exchange.streamed_bytes, "type": har.sniff(exchange.head)})
            entry["response"]["bodySize"] = exchange.streamed_bytes
        return entry

    async def aclose(self) -> None:
        await self.client.aclose()


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _post_data(request: RawRequest, body: _Body, parts: list[Part] | None) -> dict[str, Any] | None:
    """The HAR ``postData`` of a body the proxy did not hold: parts summarised, never file bytes."""
    if body.size == 0:
        return None
    mime = request.header("content-type") or ""
    reader = body.reader
    if reader is not None and parts is not None:
        params: list[dict[str, Any]] = []
        for part, digest in zip(parts, reader.digests, strict=False):
            param: dict[str, Any] = {"name": part.name or ""}
            if part.is_file:
                param.update(fileName=part.filename or "", contentType=part.content_type or "",
                             _sora_file={"size": part.size, "sha256": digest, "type": har.sniff(part.data)})
            else:
                param["value"] = part.text
            params.append(param)
        return {"mimeType": mime, "params": params}
    summary = {"size": body.size, "sha256": body.digest.hexdigest(), "type": har.sniff(bytes(body.head[:64]))}
    if reader is None and body.problem is None and (request.media.essence.endswith("json")
                                                    or request.media.essence.startswith("text/")):
        return {"mimeType": mime, "text": bytes(body.head).decode("utf-8", "replace")}
    if reader is not None:
        reason = body.problem.code.value if body.problem is not None else "unparsed"
        return {"mimeType": mime, "text": "", "_sora_unparsed": {**summary, "reason": reason}}
    return {"mimeType": mime, "text": "", "_sora_file": summary}


async def _buffer(chunks: AsyncIterator[bytes], limit: int) -> tuple[bytearray, bool]:
    """Read ``chunks`` until they end (True) or more than ``limit`` bytes are held (False)."""
    buffered = bytearray()
    while len(buffered) <= limit:
        try:
            buffered += await chunks.__anext__()
        except StopAsyncIteration:
            return buffered, True
    return buffered, False
