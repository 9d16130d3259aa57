"""Replay: answer the way a recorded relay did, offline (``sora-mock --replay FILE.har``).

A frontend developer wants to see the error a real relay gives, not the contract's idea of it:
some relays answer a missing field with HTTP 200 and ``{"code": 40001, "msg": ...}``. A recording
(``sora-mock --proxy --record`` or ``pytest --live --live-record``) holds those answers, each entry
annotated with its invalid class and field (``_sora.probe``). :class:`Replay` indexes them and the
service asks it per request (only when built with one: without ``--replay`` nothing here runs):

* a create the checker rejects, of a class and field the recorded relay accepted, is accepted too
  (a new video from the engine; the journal keeps the contract's verdict and marks it replayed);
* a create the checker rejects gets the recorded status, headers and body of the same class and
  field, else of the same class with the recorded field's name replaced by this request's field;
* a video answer (create, retrieve, remix) gets the fields the recorded relay's videos carried
  beyond the engine's, and the headers its answers carried: the lifecycle stays the engine's;
* anything the recording does not cover keeps the contract's answer.

Entries another tool recorded (no ``_sora``: a browser's devtools, WireMock) are classified by their
request's shape instead: the request is rebuilt from the HAR (file parts as placeholders of their
recorded type) and put to the checker, whose verdict names the class.

A plain library: it reads the HAR with :mod:`contract_tests.core.har` and builds
:class:`~contract_tests.core.http.RawResponse` objects.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contract_tests.core import har
from contract_tests.core.checker import RequestChecker, Verdict
from contract_tests.core.classify import probe
from contract_tests.core.http import RawRequest, RawResponse
from contract_tests.core.multipart import encode_multipart
from contract_tests.core.parts import Part
from contract_tests.core.wire import WireError, multipart_boundary, parse_multipart

# Headers that describe one transfer, not the relay's behaviour: never replayed.
_FRAMING = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive", "date", "content-encoding",
                      "server"})  # server: the mock's own HTTP server names itself
# Headers the engine sets itself on a video answer (its own lifecycle timing wins).
_ENGINE_HEADERS = frozenset({"content-type", "openai-poll-after-ms", "preference-applied"})
_VIDEO_OPERATIONS = frozenset({"POST /v1/videos", "GET /v1/videos/{id}", "POST /v1/videos/{id}/remix"})


@dataclass(frozen=True)
class RecordedAnswer:
    """One recorded rejection: what the relay answered, and the field its request was about."""

    status: int
    headers: Mapping[str, str]
    text: str
    field: str | None
    source: str

    def for_field(self, field: str | None) -> RawResponse:
        """The answer, the recorded field's name replaced by ``field`` where the body named it."""
        text = self.text
        if field and self.field and field != self.field:
            text = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(self.field)}(?![A-Za-z0-9_])", field, text)
        return RawResponse(self.status, text.encode("utf-8"), dict(self.headers))


def _headers(recorded: Mapping[str, Any]) -> dict[str, str]:
    pairs = (recorded.get("response") or {}).get("headers") or ()
    return {str(h.get("name", "")).lower(): str(h.get("value", "")) for h in pairs
            if str(h.get("name", "")).lower() not in _FRAMING}


def _accepted(status: int, body: Any) -> bool:
    return 200 <= status < 300 and isinstance(body, dict) and isinstance(body.get("id"), str)


class Replay:
    """What one recording says a relay answers, indexed for the service."""

    def __init__(
        self, entries: Iterable[Mapping[str, Any]], source: str = "", server: str | None = None,
        checker: RequestChecker | None = None,
    ) -> None:
        self.source = source
        self.server = server
        self.checker = checker
        self.rejections: dict[tuple[str, str | None], RecordedAnswer] = {}
        # (class, field) pairs the recorded relay accepted: offline they are accepted too.
        self.leniencies: set[tuple[str, str | None]] = set()
        self.by_class: dict[str, RecordedAnswer] = {}
        self.video_fields: dict[str, Any] = {}
        self.video_headers: dict[str, str] = {}
        for recorded in entries:
            sora = har.annotation(recorded)
            if server is not None and sora.get("server") not in (server, None):
                continue
            self._add(recorded, sora)

    @classmethod
    def load(cls, path: Path | str, server: str | None = None, checker: RequestChecker | None = None) -> Replay:
        """The replay of a HAR file (:class:`~contract_tests.core.har.HarError` when it is not one);
        with a ``checker``, entries without a ``_sora`` annotation are classified by their shape."""
        return cls(har.read_entries(path), str(path), server, checker)

    def __len__(self) -> int:
        return len(self.rejections) + len(self.leniencies) + int(bool(self.video_fields or self.video_headers))

    def invalid_class(
        self, verdict: Verdict, parts: Sequence[Part] | None, request: RawRequest
    ) -> tuple[str, str | None] | None:
        """The invalid class and field of a rejected request, as the recording keys them (None: no
        class applies). Asked once per request; :meth:`accepts` and :meth:`answer` take its answer."""
        found = probe(verdict, parts, request.media.essence)
        return None if found is None else (str(found["class"]), found["field"])

    def accepts(self, found: tuple[str, str | None]) -> bool:
        """Whether the recorded relay accepted this invalid class for this field (an unknown
        field's name is the client's choice, so any unknown field matches a recorded one)."""
        return found in self.leniencies or (
            found[0] == "unknown_field" and any(c == found[0] for c, _ in self.leniencies)
        )

    def _add(self, recorded: Mapping[str, Any], sora: Mapping[str, Any]) -> None:
        response = recorded.get("response") or {}
        status = int(response.get("status") or 0)
        if status == 0:
            return  # never answered: nothing to replay
        body = har.response_json(recorded)
        operation = str(sora.get("operation") or har.operation_of(
            str((recorded.get("request") or {}).get("method", "GET")),
            str((recorded.get("request") or {}).get("url", ""))))
        found = sora.get("probe") if sora else self._shape_probe(recorded)
        if isinstance(found, Mapping) and found.get("class") and _accepted(status, body):
            field = found.get("field") if isinstance(found.get("field"), str) else None
            self.leniencies.add((str(found["class"]), field))
        if isinstance(found, Mapping) and found.get("class") and not _accepted(status, body):
            text = str((response.get("content") or {}).get("text") or "")
            field = found.get("field") if isinstance(found.get("field"), str) else None
            answer = RecordedAnswer(status, _headers(recorded), text, field, self.source)
            self.rejections.setdefault((str(found["class"]), field), answer)
            self.by_class.setdefault(str(found["class"]), answer)
        elif operation in _VIDEO_OPERATIONS and _accepted(status, body) and body.get("object") == "video":
            self.video_fields.update(body)
            self.video_headers.update({k: v for k, v in _headers(recorded).items() if k not in _ENGINE_HEADERS})

    def _shape_probe(self, recorded: Mapping[str, Any]) -> dict[str, Any] | None:
        """The invalid class of an unannotated entry's create request, by the checker (None: not a rejected create)."""
        if self.checker is None:
            return None
        request = request_of(recorded)
        route = self.checker.router.route_of(request, self.server)
        if not route.documented:
            return None
        parts = _parts(request)
        return probe(self.checker.check_route(route, request, parts), parts, request.media.essence)

    def rejection(self, found: tuple[str, str | None]) -> RawResponse | None:
        """The recorded answer to a rejected request's invalid class, or None when none was recorded."""
        cls, field = found
        answer = self.rejections.get(found) or self.by_class.get(cls)
        return answer.for_field(field) if answer is not None else None

    def video(self, response: RawResponse) -> RawResponse | None:
        """An engine video answer with the recorded relay's extra fields and headers, or None to keep it."""
        if not (self.video_fields or self.video_headers) or response.status != 200:
            return None
        video = response.payload()
        if not isinstance(video, dict) or video.get("object") != "video":
            return None
        extra = {k: v for k, v in self.video_fields.items() if k not in video}
        headers = {k: v for k, v in self.video_headers.items() if k not in response.headers}
        if not extra and not headers:
            return None  # the recorded relay's videos look like the engine's: nothing replayed
        merged = RawResponse.json(200, {**video, **extra}, {**headers, **response.headers})
        return dataclasses.replace(merged, delay=response.delay)

    def answer(self, response: RawResponse, found: tuple[str, str | None] | None) -> RawResponse | None:
        """What the recording answers instead of ``response`` (None: the contract's answer stands):
        its rejection of the request's invalid class (``found``, from :meth:`invalid_class`) unless it
        accepted that class, else an engine video with the recorded relay's extra fields."""
        if found is not None and not self.accepts(found):
            return self.rejection(found)
        return self.video(response)

    def summary(self) -> str:
        """One line for the banner: what this replay covers."""
        classes = sorted(f"{cls}:{field}" if field else cls for cls, field in self.rejections)
        return (f"{len(classes)} recorded rejection(s) ({', '.join(classes) or 'none'}); "
                f"{'recorded videos' if self.video_fields else 'no recorded video'} to take extra fields from")


def request_of(recorded: Mapping[str, Any]) -> RawRequest:
    """A HAR entry's request, rebuilt: a multipart body from its params, each file as a one-byte placeholder
    (the recording never held its bytes; the checker needs only that a file part came)."""
    request = recorded.get("request") or {}
    headers = {str(h.get("name", "")): str(h.get("value", "")) for h in request.get("headers") or ()}
    headers = {k: v for k, v in headers.items() if k.lower() not in {"content-length", "transfer-encoding"}}
    post = request.get("postData") or {}
    raw = RawRequest(str(request.get("method", "GET")), str(request.get("url", "")), headers)
    body = b""
    if isinstance(post.get("params"), list):
        try:
            boundary = multipart_boundary(raw.media)
        except WireError:
            boundary = "sora-replay-boundary"
        parts = tuple(
            Part(str(p.get("name", "")), b"\0", str(p.get("fileName")), p.get("contentType") or None)
            if "fileName" in p else Part(str(p.get("name", "")), str(p.get("value", "")).encode("utf-8"))
            for p in post["params"] if isinstance(p, Mapping)
        )
        body = encode_multipart(parts, boundary)
    elif isinstance(post.get("text"), str):
        body = post["text"].encode("utf-8")
    return RawRequest(raw.method, raw.url, headers, body)


def _parts(request: RawRequest) -> list[Part] | None:
    try:
        return parse_multipart(request.body, multipart_boundary(request.media))
    except WireError:
        return None
