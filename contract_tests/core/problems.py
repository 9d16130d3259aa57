"""Problems: why a request was rejected, in the error format OpenAI clients already parse.

Every rejection names the field (``param``), a stable ``code`` and a message a person can act
on. The same objects feed the respx mock, the mock server, the journal and the test reports.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


class Code:
    """Stable error codes. Clients and tests match on these, so they never change meaning."""

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


# OpenAI's ``type`` field: what kind of failure, from the client's side.
_TYPES = {401: "invalid_request_error", 429: "requests", 500: "server_error", 503: "server_error"}


@dataclass(frozen=True)
class Problem:
    """One reason a request is not acceptable."""

    code: str
    message: str
    param: str | None = None
    status: int = 400

    @property
    def type(self) -> str:
        return _TYPES.get(self.status, "server_error" if self.status >= 500 else "invalid_request_error")

    def as_error(self) -> dict[str, Any]:
        """The OpenAI error envelope: ``{"error": {"message", "type", "param", "code"}}``."""
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}

    def to_json(self) -> bytes:
        return json.dumps(self.as_error(), ensure_ascii=False).encode()

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def render(problems: Sequence[Problem]) -> tuple[int, dict[str, Any]]:
    """Status and body for a rejection: the first problem leads, the others are listed after it.

    OpenAI's envelope has room for one error; clients read ``error.param``/``error.code``, so the
    first problem fills them and ``error.problems`` keeps the rest, so nothing is lost.
    """
    first = problems[0]
    body = first.as_error()
    if len(problems) > 1:
        body["error"]["message"] = first.message + f" (and {len(problems) - 1} more problem(s))"
        body["error"]["problems"] = [{"param": p.param, "code": p.code, "message": p.message} for p in problems]
    return first.status, body


# Its name before :func:`render` was the one renderer; kept for the public API.
error_response = render
