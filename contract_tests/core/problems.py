"""Problems: why a request was rejected, in the error format OpenAI clients already parse.

Every rejection names the field (``param``), a stable ``code`` (a :class:`Code` member, so a typo is
a type error) and a message a person can act on. This module is the one home of the codes, of the
problems more than one place makes (route, auth, body, video state, the 500) and of their
rendering (:meth:`Problem.render`), which every door uses through
:meth:`contract_tests.core.http.RawResponse.error`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contract_tests.core.wire import BodyTooLarge, WireError


class Code(str, Enum):
    """Stable error codes. Clients and tests match on these, so they never change meaning.

    A member is its string (``Code.NOT_FOUND == "not_found"``, hashed and formatted as it), so
    JSON, the journal and sets of codes see plain strings.
    """

    MISSING_REQUIRED_PARAMETER = "missing_required_parameter"
    UNKNOWN_PARAMETER = "unknown_parameter"
    DUPLICATE_PARAMETER = "duplicate_parameter"
    INVALID_TYPE = "invalid_type"
    INVALID_VALUE = "invalid_value"
    INVALID_MULTIPART = "invalid_multipart"
    EMPTY_BODY = "empty_body"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    INVALID_API_KEY = "invalid_api_key"
    REQUEST_TOO_LARGE = "request_too_large"
    UNKNOWN_URL = "unknown_url"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_FOUND = "not_found"
    VIDEO_NOT_READY = "video_not_ready"
    SERVER_ERROR = "server_error"
    RATE_LIMITED = "rate_limit_exceeded"
    UPSTREAM_UNREACHABLE = "upstream_unreachable"  # the proxy (sora-mock --proxy) could not reach the relay
    UPSTREAM_TIMEOUT = "upstream_timeout"
    FORCED_ERROR = "forced_error"  # a status forced by Prefer: code=... that no other code names

    __hash__ = str.__hash__

    def __str__(self) -> str:
        return self.value


# OpenAI's ``type`` field: what kind of failure, from the client's side.
_TYPES = {401: "invalid_request_error", 429: "requests", 500: "server_error", 503: "server_error"}


@dataclass(frozen=True)
class Problem:
    """One reason a request is not acceptable."""

    code: Code
    message: str
    param: str | None = None
    status: int = 400

    @property
    def type(self) -> str:
        return _TYPES.get(self.status, "server_error" if self.status >= 500 else "invalid_request_error")

    def as_error(self) -> dict[str, Any]:
        """The OpenAI error envelope: ``{"error": {"message", "type", "param", "code"}}``."""
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code.value}}

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "code": self.code.value}

    @classmethod
    def render(cls, problems: Sequence[Problem]) -> tuple[int, dict[str, Any]]:
        """Status and body for a rejection: the first problem leads, the others are listed after it.

        OpenAI's envelope has room for one error; clients read ``error.param``/``error.code``, so the
        first problem fills them and ``error.problems`` keeps the rest, so nothing is lost. On the
        type, like :meth:`as_error`: rendering problems is reading values, not a step of its own.
        """
        first = problems[0]
        body = first.as_error()
        if len(problems) > 1:
            body["error"]["message"] = first.message + f" (and {len(problems) - 1} more problem(s))"
            body["error"]["problems"] = [
                {"param": p.param, "code": p.code.value, "message": p.message} for p in problems
            ]
        return first.status, body


# The one renderer (:meth:`Problem.render`), by the names the public API has used.
render = Problem.render
error_response = render


def unknown_url(method: str, path: str) -> Problem:
    return Problem(Code.UNKNOWN_URL, f"Invalid URL ({method} {path}).", None, 404)


def method_not_allowed(method: str, path: str) -> Problem:
    return Problem(Code.METHOD_NOT_ALLOWED, f"Method {method} is not allowed on {path}.", None, 405)


def no_api_key() -> Problem:
    return Problem(
        Code.INVALID_API_KEY, "You didn't provide an API key. Send it as 'Authorization: Bearer YOUR_KEY'.", None, 401
    )


def wrong_auth_scheme(scheme: str) -> Problem:
    return Problem(
        Code.INVALID_API_KEY, f"The Authorization header uses the '{scheme}' scheme; expected 'Bearer YOUR_KEY'.", None,
        401,
    )


def too_large(limit: int) -> Problem:
    """The 413 problem, shared by the checker and the streaming server."""
    return Problem(
        Code.REQUEST_TOO_LARGE,
        f"Request body too large: the limit is {limit} bytes ({limit / 1048576:.0f} MiB).",
        None,
        413,
    )


def body_problem(exc: WireError | BodyTooLarge) -> Problem:
    """The problem for a body that could not be read, in memory or while it streamed in."""
    from contract_tests.core.wire import BodyTooLarge

    if isinstance(exc, BodyTooLarge):
        return too_large(exc.limit)
    code = Code.EMPTY_BODY if exc.reason == "empty_body" else Code.INVALID_MULTIPART
    return Problem(code, exc.message[:1].upper() + exc.message[1:] + ".")


# A body that stopped before its end (the client hung up mid-upload).
CUT_SHORT = Problem(
    Code.INVALID_MULTIPART, "The connection closed before the whole request body arrived (truncated upload?)."
)


def not_found(video_id: str, param: str = "video_id", kind: str = "video") -> Problem:
    """No such video (or ``kind``: character); ``param`` names where the id was given."""
    return Problem(Code.NOT_FOUND, f"No {kind} found with id '{video_id}'.", param, 404)


def not_ready(video_id: str, status: str, param: str = "video_id") -> Problem:
    return Problem(
        Code.VIDEO_NOT_READY,
        f"Video '{video_id}' is {status}; its content is available once it is completed.",
        param,
        400,
    )


def internal_error(exc: BaseException | None = None) -> Problem:
    """The one 500 every door answers when a bug surfaces (logged where it is caught)."""
    what = f": {type(exc).__name__}" if exc is not None else ""
    return Problem(Code.SERVER_ERROR, f"The mock hit an internal error{what}.", None, 500)
