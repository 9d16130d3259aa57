"""The Videos API behind every door: one request in, one response out, no transport.

The respx router and the ASGI mock server both translate their own request type into a
:class:`RawRequest`, call :meth:`VideoService.handle` and translate the :class:`RawResponse`
back. Checking, video creation, the lifecycle routes and the journal therefore behave the same
whichever door a client comes through.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from contract_tests.core import assets
from contract_tests.core.byte_range import Unsatisfiable, requested_range
from contract_tests.core.checker import RequestChecker, Verdict
from contract_tests.core.controls import NO_DECISION, PREFER, Controls, Decision
from contract_tests.core.engine import VideoEngine, whole_seconds
from contract_tests.core.http import RawRequest, RawResponse
from contract_tests.core.journal import Journal
from contract_tests.core.mp4_probe import is_mp4, probe
from contract_tests.core.parts import Part
from contract_tests.core.problems import Code, Problem, internal_error, not_found, not_ready, unknown_url
from contract_tests.core.routing import Route, Router
from contract_tests.core.specs import SpecRegistry

if TYPE_CHECKING:  # the replay (and the HAR reader) load only when a replay is given
    from contract_tests.core.replay import Replay

logger = logging.getLogger(__name__)
POLL_AFTER = "openai-poll-after-ms"


@functools.lru_cache(maxsize=64)  # a few render times recur (the default, a Prefer value)
def _poll_after(render_seconds: float) -> str:
    """How often a poller should ask while a video renders: a tenth of its render time, 0.1-5 s, in ms."""
    return str(max(100, min(5000, int(render_seconds * 100))))


class VideoService:
    """The OpenAI Videos API for one upstream server, with its create call checked by contract."""

    def __init__(
        self,
        registry: SpecRegistry,
        server: str | None = None,
        *,
        checker: RequestChecker | None = None,
        engine: VideoEngine | None = None,
        journal: Journal | None = None,
        controls: Controls | None = None,
        sleep: Callable[[float], None] | None = time.sleep,
        replay: Replay | None = None,
    ) -> None:
        self.registry = registry
        self.server = server
        self.router = Router(registry, server)
        self.checker = checker or RequestChecker(registry, router=self.router)
        self.engine = engine or VideoEngine()
        self.journal = journal if journal is not None else Journal()
        self.controls = controls or Controls()
        self.sleep = sleep
        # A recorded relay's answers (sora-mock --replay): consulted only when given.
        self.replay = replay
        # What each operation of the family document does (by operationId); the create is the relays'.
        self._handlers: dict[str, Callable[[Route, RawRequest, Decision], RawResponse]] = {
            "ListVideos": self._list,
            "RetrieveVideo": self._retrieve,
            "DeleteVideo": self._delete,
            "RetrieveVideoContent": self._download,
            "RemixVideo": self._remix,
            "GetCharacter": self._get_character,
        }
        # The family's calls with a request body: answered from the checker's verdict (fields, files).
        # A Problem they answer is the request's fault the schema cannot see (an unknown source video,
        # an upload that is not an MP4): journaled as the verdict, like the checker's own rejections.
        self._body_handlers: dict[str, Callable[[Verdict, Decision], RawResponse | Problem]] = {
            "EditVideo": self._edit,
            "ExtendVideo": self._extend,
            "CreateCharacter": self._create_character,
        }

    def handle(
        self,
        request: RawRequest,
        parts: list[Part] | None = None,
        *,
        body_problem: Problem | None = None,
        route: Route | None = None,
    ) -> RawResponse:
        """Answer one request and journal it. Never raises for any client input.

        ``route`` is what the door resolved (resolved here when absent); ``parts`` is a body a
        streaming door already parsed, ``body_problem`` why a streamed body could not be read. The
        checker ranks that with the route, auth and media type, so every door ranks problems alike.
        """
        started = time.perf_counter()
        verdict: Verdict | None = None
        decision = NO_DECISION
        extra: dict[str, Any] = {}
        try:
            route = route or self.router.route_of(request)
            decision = self.controls.decide(request.header(PREFER), creates=route.creates)
            verdict = self.checker.check_route(route, request, parts, body_problem)
            invalid: tuple[str, str | None] | None = None  # the recording's key for this rejection, probed once
            if not verdict.ok and self.replay is not None and route.documented and decision.problem is None:
                invalid = self.replay.invalid_class(verdict, parts, request)
            if invalid is not None and self.replay is not None and self.replay.accepts(invalid):
                # The recorded relay accepted this: so does the replay (the journal keeps the verdict).
                response, extra["replayed"] = self._create(dataclasses.replace(verdict, problems=()), decision), True
            elif not verdict.ok:
                response = RawResponse.error(*verdict.problems)
            elif decision.problem is not None:
                response = RawResponse.error(decision.problem)  # forced: answered after the contract's checks
            elif route.documented:
                response = self._create(verdict, decision)
            elif route.operation_id in self._body_handlers:
                answer = self._body_handlers[route.operation_id](verdict, decision)
                if isinstance(answer, Problem):
                    verdict = dataclasses.replace(verdict, problems=(answer,))
                    answer = RawResponse.error(answer)
                response = answer
            else:
                response = self._handlers.get(route.operation_id or "", _unserved)(route, request, decision)
            if self.replay is not None and decision.problem is None:
                replayed = self.replay.answer(response, invalid)
                if replayed is not None:
                    response, extra["replayed"] = replayed, True
            if route.operation is None or not route.operation.bodies:
                verdict = None  # the journal's verdict is that of a checked body (a relay's or the family's)
        except Exception as exc:  # a bug must not become a stack trace on the wire, but must be seen
            logger.exception("internal error answering %s %s", request.method, request.path)
            response = RawResponse.error(internal_error(exc))
            verdict = None
        response = self._apply(response, decision)
        if decision.applied:
            extra["preferences"] = list(decision.applied)
        self.record_exchange(request, verdict, response, time.perf_counter() - started, extra)
        if self.sleep is not None and response.delay > 0:
            self.sleep(response.delay)
        return response

    def reset(self) -> None:
        """Forget every video and every journal entry."""
        self.engine.reset()
        self.journal.clear()

    @staticmethod
    def _apply(response: RawResponse, decision: Decision) -> RawResponse:
        if not decision.applied and response.delay == decision.delay:
            return response  # nothing to add (most requests): no copy
        headers = dict(response.headers)
        if decision.applied:
            headers["preference-applied"] = ", ".join(decision.applied)
        return dataclasses.replace(response, headers=headers, delay=decision.delay)

    def _video(self, video: dict[str, Any], render_seconds: float | None = None) -> RawResponse:
        """A video answer; while it renders, tell pollers (the SDK's ``poll``) how often to ask.

        ``render_seconds`` is what a create or remix just set; else the store is asked."""
        if video.get("status") not in {"queued", "in_progress"}:
            return RawResponse.json(200, video)
        render = render_seconds if render_seconds is not None else self.engine.render_seconds_of(str(video["id"]))
        return RawResponse.json(200, video, {POLL_AFTER: _poll_after(render)})

    def _create(self, verdict: Verdict, decision: Decision) -> RawResponse:
        """One write: the video is stored once and answered from what was written, not read back."""
        render = self.engine.render_seconds if decision.render_seconds is None else decision.render_seconds
        video = self.engine.create(verdict.fields, fail=decision.fail, render_seconds=render)
        return self._video(video, render)

    def _retrieve(self, route: Route, request: RawRequest, decision: Decision) -> RawResponse:
        video_id = route.params["video_id"]
        video = self.engine.get(video_id)
        return self._video(video) if video is not None else RawResponse.error(not_found(video_id))

    def _delete(self, route: Route, request: RawRequest, decision: Decision) -> RawResponse:
        video_id = route.params["video_id"]
        return self._found(video_id, self.engine.delete(video_id))

    def _download(self, route: Route, request: RawRequest, decision: Decision) -> RawResponse:
        variant = _query(request).get("variant", "video")
        return self.content(route.params["video_id"], variant, request.header("range"), head=request.method == "HEAD")

    @staticmethod
    def _found(video_id: str, payload: dict[str, Any] | None) -> RawResponse:
        if payload is None:
            return RawResponse.error(not_found(video_id))
        return RawResponse.json(200, payload)

    def _list(self, route: Route, request: RawRequest, decision: Decision) -> RawResponse:
        query = _query(request)
        try:
            limit = int(query.get("limit", "20"))
        except ValueError:
            limit = -1
        if not 1 <= limit <= 100:
            return RawResponse.error(
                Problem(Code.INVALID_VALUE, "Invalid value for 'limit': expected an integer from 1 to 100.", "limit")
            )
        order = query.get("order", "desc")
        if order not in {"asc", "desc"}:
            return RawResponse.error(
                Problem(Code.INVALID_VALUE, "Invalid value for 'order': expected 'asc' or 'desc'.", "order")
            )
        return RawResponse.json(200, self.engine.list(limit=limit, after=query.get("after"), order=order).as_dict())

    def _remix(self, route: Route, request: RawRequest, decision: Decision) -> RawResponse:
        video_id = route.params["video_id"]
        try:
            payload = json.loads(request.body or b"{}")
        except ValueError:
            payload = None
        prompt = payload.get("prompt") if isinstance(payload, dict) else None
        if not isinstance(prompt, str) or not prompt.strip():
            return RawResponse.error(
                Problem(Code.MISSING_REQUIRED_PARAMETER, "Missing required parameter: 'prompt'.", "prompt")
            )
        source = self.engine.get(video_id)
        if source is None:
            return RawResponse.error(not_found(video_id))
        if source["status"] != "completed":
            return RawResponse.error(not_ready(video_id, source["status"]))
        remixed = self.engine.remix(video_id, prompt, fail=decision.fail, render_seconds=decision.render_seconds)
        if remixed is None:  # deleted between the two reads
            return RawResponse.error(not_found(video_id))
        return self._video(remixed)

    def _source(self, verdict: Verdict) -> str | Part | Problem:
        """The video an edit or extension starts from: an uploaded MP4 (its part), else the id of a
        completed video (form field ``video[id]`` or JSON ``{"video": {"id"}}``), else the problem."""
        upload = verdict.files.get("video")
        reference = verdict.fields.get("video")
        source_id = reference.get("id") if isinstance(reference, dict) else verdict.fields.get("video[id]")
        # Exactly one of the two forms: the family document says so (a body-level oneOf) and the
        # checker has enforced it before this runs.
        if upload is not None:
            return upload if is_mp4(upload.data) else not_mp4(upload)
        source = self.engine.get(str(source_id))
        if source is None:
            return not_found(str(source_id), "video")
        if source["status"] != "completed":
            return not_ready(str(source_id), source["status"], "video")
        return str(source_id)

    def _derive(self, verdict: Verdict, decision: Decision, call: str, add_seconds: int = 0) -> RawResponse | Problem:
        source = self._source(verdict)
        if isinstance(source, Problem):
            return source
        source_id, upload = (None, probe(source.data)) if isinstance(source, Part) else (source, None)
        video = self.engine.derive(
            source_id, str(verdict.fields["prompt"]), call=call, add_seconds=add_seconds, upload=upload,
            fail=decision.fail, render_seconds=decision.render_seconds,
        )
        return self._video(video) if video is not None else not_found(str(source_id), "video")  # deleted meanwhile

    def _edit(self, verdict: Verdict, decision: Decision) -> RawResponse | Problem:
        return self._derive(verdict, decision, "edit")

    def _extend(self, verdict: Verdict, decision: Decision) -> RawResponse | Problem:
        return self._derive(verdict, decision, "extension", whole_seconds(verdict.fields["seconds"]))

    def _create_character(self, verdict: Verdict, decision: Decision) -> RawResponse | Problem:
        upload = verdict.files["video"]  # required, and a file part: the checker saw to both
        if not is_mp4(upload.data):
            return not_mp4(upload)
        return RawResponse.json(200, self.engine.create_character(str(verdict.fields["name"])))

    def _get_character(self, route: Route, request: RawRequest, decision: Decision) -> RawResponse:
        character_id = route.params["character_id"]
        found = self.engine.get_character(character_id)
        return RawResponse.json(200, found) if found else RawResponse.error(
            not_found(character_id, "character_id", "character")
        )

    def _content(self, video_id: str, variant: str, range_header: str | None) -> RawResponse:
        if variant not in assets.VARIANTS:
            allowed = ", ".join(assets.VARIANTS)
            return RawResponse.error(
                Problem(Code.INVALID_VALUE, f"Invalid value for 'variant': expected one of {allowed}.", "variant")
            )
        video = self.engine.get(video_id)
        if video is None:
            return RawResponse.error(not_found(video_id))
        if video["status"] != "completed":
            return RawResponse.error(not_ready(video_id, video["status"]))
        body, media_type = assets.content(variant, video.get("size"), video.get("seconds"))
        headers = {"content-type": media_type, "accept-ranges": "bytes"}
        status = 200
        try:
            byte_range = requested_range(range_header, len(body))
        except Unsatisfiable as exc:
            problem = Problem(
                Code.INVALID_VALUE,
                f"Range '{range_header}' is past the end of the {len(body)}-byte {variant}.",
                "range",
                416,
            )
            answer = RawResponse.error(problem)
            return dataclasses.replace(
                answer, headers={**answer.headers, "accept-ranges": "bytes", "content-range": str(exc)}
            )
        if byte_range is not None:
            status, body = 206, body[byte_range.first : byte_range.last + 1]
            headers["content-range"] = byte_range.content_range
        return RawResponse(status, body, headers)

    def content(
        self, video_id: str, variant: str = "video", range_header: str | None = None, *, head: bool = False
    ) -> RawResponse:
        """A video's content (the bearer is checked before, or not: the admin page links to it, and a
        link sends no token). ``head`` answers the GET's status and headers, its length included,
        without the body.
        """
        answer = self._content(video_id, variant, range_header)
        if not head:
            return answer
        length = str(len(answer.body))
        return dataclasses.replace(answer, body=b"", headers={**answer.headers, "content-length": length})

    def record_exchange(
        self, request: RawRequest, verdict: Verdict | None, response: RawResponse, seconds: float,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Journal one exchange (redacted by the journal); a door that answers itself (the proxy) calls it too.

        ``extra`` adds keys to the entry (``preferences``, ``replayed``, the proxy's ``response_verdict``).
        """
        content_type = response.headers.get("content-type")
        payload = _json_payload(response) if content_type == "application/json" else None
        if payload is None:
            payload = {"content-type": content_type, "bytes": len(response.body)}
        is_video = isinstance(payload, dict) and payload.get("object") == "video"
        source = payload.get("remixed_from_video_id") if is_video else None  # remix, edit, extension
        entry_extra = {"source_video_id": source, **(extra or {})} if source else dict(extra or {})
        if verdict is None:
            verdict_word, problems, fields, files, uploads, document = "-", [], {}, [], None, None
        else:
            verdict_word = "accepted" if verdict.ok else "rejected"
            problems = [p.as_dict() for p in verdict.problems]
            fields = dict(verdict.fields)
            files = [
                {"param": name, "filename": f.filename, "content_type": f.content_type, "size": f.size}
                for name, f in verdict.files.items()
            ]
            # Whole uploads only, for the admin page's thumbnails (bounded there): a streaming
            # server keeps just the head of a large one.
            uploads = {name: f.data for name, f in verdict.files.items() if len(f.data) == f.size}
            document = verdict.document_id
        self.journal.record(
            uploads=uploads,
            method=request.method,
            path=request.path,
            query=request.query,
            headers=request.headers,  # copied by the journal, masked on the way
            verdict=verdict_word,
            problems=problems,
            fields=fields,
            files=files,
            status=response.status,
            response=payload,
            duration_ms=round(seconds * 1000, 3),
            document=document,
            video_id=payload.get("id") if is_video else None,
            extra=entry_extra,
        )


def _query(request: RawRequest) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(request.query).items()}


def _json_payload(response: RawResponse) -> Any:
    """The JSON a response carries, or None when its body is not JSON after all (a proxied relay's)."""
    try:
        return response.payload()
    except ValueError:
        return None


def not_mp4(upload: Part) -> Problem:
    """An upload that should be a video and is not an MP4 (sniffed: ``ftyp`` at byte 4)."""
    return Problem(
        Code.INVALID_VALUE,
        f"'video' must be an MP4 (got '{upload.filename}', {upload.content_type or 'no type'}, "
        f"{upload.size} bytes with no 'ftyp' box).",
        "video",
    )


def _unserved(route: Route, request: RawRequest, decision: Decision) -> RawResponse:
    """An operation of the family document no handler serves yet: answered like an unknown URL."""
    return RawResponse.error(unknown_url(request.method, request.path))
