"""HAR 1.2 recordings of real exchanges: built redacted, written incrementally, read back.

HAR is what browsers' devtools, WireMock, Mockoon and Microcks import, so a recording of what a
relay really answers is useful beyond this project. This module is a plain library (no pytest, no
HTTP client): live mode writes with it today, and ``sora-mock --record`` and replay can call the
same :func:`entry`, :class:`HarWriter` and :func:`read_entries` later.

Three promises:

* **Nothing secret, no upload bytes.** Every header, URL and body goes through the one redaction
  path (:mod:`contract_tests.redaction`); a multipart file part is recorded as its size, sha256 and
  sniffed type (``_sora_file``), never its bytes.
* **Valid after any interruption.** The file on disk is a complete HAR after every entry: the
  writer overwrites the closing ``]}}`` with the next entry and the closing again, under an
  exclusive file lock, so pytest-xdist workers (and threads) append to one file safely.
* **Annotated.** Each entry may carry a ``_sora`` object (server, document, operation, probe,
  verdict, failed checks): HAR allows custom fields starting with ``_``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from contract_tests.core.http import json_bytes
from contract_tests.core.images import image_type
from contract_tests.core.media_type import parse_media_type
from contract_tests.core.mp4_probe import is_mp4
from contract_tests.core.redaction import Redactor, redact_headers, redact_query, request_secrets
from contract_tests.core.wire import WireError, parse_multipart

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: one process, the thread lock is enough
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

HAR_VERSION = "1.2"
CREATOR = {"name": "sora-contract", "version": "1"}
_HEAD = '{"log": {"version": "1.2", "creator": %s, "entries": ['
_TAIL = b"\n]}}\n"
_SEPARATOR = b",\n"
_THREAD_LOCK = threading.Lock()
# Response bodies are kept whole up to this size (error bodies and video objects are small).
MAX_TEXT_CHARS = 64 * 1024


class HarError(Exception):
    """A file that is not a HAR this module can read; ``str()`` says why in one line."""


# --- building an entry -----------------------------------------------------------------------


def _pairs(headers: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in redact_headers(headers).items()]


def _header(headers: Mapping[str, str], name: str) -> str:
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), "")


def sniff(data: bytes) -> str:
    """What uploaded bytes really are: a raster image or a video by signature, else octet-stream."""
    if is_mp4(data):  # ISO base media (MP4, MOV): a video, the relays' other upload
        return "video/mp4"
    return image_type(data) or "application/octet-stream"


def file_summary(data: bytes) -> dict[str, Any]:
    """What stands in for an upload's bytes: enough to tell files apart, nothing to rebuild them."""
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "type": sniff(data)}


def _post_data(headers: Mapping[str, str], body: bytes, redactor: Redactor) -> dict[str, Any] | None:
    if not body:
        return None
    mime = _header(headers, "content-type")
    media = parse_media_type(mime)
    if media.essence == "multipart/form-data" and media.params.get("boundary"):
        try:
            parts = parse_multipart(body, media.params["boundary"])
        except WireError as exc:  # malformed on purpose (a probe): say so, keep no bytes
            return {"mimeType": mime, "text": "", "_sora_unparsed": {**file_summary(body), "reason": exc.reason}}
        params: list[dict[str, Any]] = []
        for part in parts:
            param: dict[str, Any] = {"name": part.name or ""}
            if part.is_file:
                param.update(fileName=part.filename or "", contentType=part.content_type or "",
                             _sora_file=file_summary(part.data))
            else:
                param["value"] = redactor.scrub(part.text)
            params.append(param)
        return {"mimeType": mime, "params": params}  # HAR: ``params`` and ``text`` are mutually exclusive
    if media.essence.startswith("text/") or media.essence.endswith(("json", "x-www-form-urlencoded")):
        return {"mimeType": mime, "text": redactor.scrub(body.decode("utf-8", "replace"))}
    return {"mimeType": mime, "text": "", "_sora_file": file_summary(body)}


def operation_of(method: str, url: str) -> str:
    """``GET /v1/videos/video_1/content`` -> ``GET /v1/videos/{id}/content``: ids out of the label."""
    path = urlsplit(url).path.rstrip("/")
    marker = "/v1/videos/"
    if marker in path:
        rest = path.split(marker, 1)[1].split("/", 1)
        path = path.split(marker, 1)[0] + "/v1/videos/{id}" + ("/" + rest[1] if len(rest) > 1 else "")
    return f"{method.upper()} {path or '/'}"


def _iso(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as devtools write ``startedDateTime``."""
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def entry(
    *,
    method: str,
    url: str,
    request_headers: Mapping[str, str],
    request_body: bytes,
    status: int,
    reason: str,
    response_headers: Mapping[str, str],
    response_body: bytes,
    started: dt.datetime,
    elapsed_ms: float,
    redactor: Redactor | None = None,
    sora: Mapping[str, Any] | None = None,
    http_version: str = "HTTP/1.1",
    post_data: Mapping[str, Any] | None = None,
    request_size: int | None = None,
) -> dict[str, Any]:
    """One HAR entry, redacted: secrets of the request's own headers and query are scrubbed everywhere.

    A response that never came (``status`` 0) is recorded the way browsers do: status 0, empty content.
    ``post_data`` (with ``request_size``) stands for a request body a streaming recorder did not hold.
    """
    query = urlsplit(url).query
    scrub = (redactor or Redactor()).with_secrets(request_secrets(request_headers, query))
    parts = urlsplit(url)  # secret query values by name, then known values and passwords anywhere
    safe_query = scrub.scrub(redact_query(parts.query))
    safe_url = scrub.scrub(urlunsplit(parts._replace(query=safe_query)))
    text = response_body.decode("utf-8", "replace")
    request: dict[str, Any] = {
        "method": method.upper(),
        "url": safe_url,
        "httpVersion": http_version,
        "cookies": [],
        "headers": scrub.scrub_object(_pairs(request_headers)),
        "queryString": [
            {"name": k, "value": v} for k, v in parse_qsl(safe_query, keep_blank_values=True)
        ],
        "headersSize": -1,
        "bodySize": len(request_body) if request_size is None else request_size,
    }
    post = _post_data(request_headers, request_body, scrub) if post_data is None else scrub.scrub_object(
        dict(post_data))
    if post is not None:
        request["postData"] = post
    content: dict[str, Any] = {"size": len(response_body), "mimeType": _header(response_headers, "content-type")}
    if response_body:
        content["text"] = scrub.scrub(text[:MAX_TEXT_CHARS])
        if len(text) > MAX_TEXT_CHARS:
            content["comment"] = f"text cut at {MAX_TEXT_CHARS} characters"
    elapsed = max(0.0, round(elapsed_ms, 3))
    recorded: dict[str, Any] = {
        "startedDateTime": _iso(started),
        "time": elapsed,
        "request": request,
        "response": {
            "status": status,
            "statusText": reason,
            "httpVersion": http_version,
            "cookies": [],
            "headers": scrub.scrub_object(_pairs(response_headers)),
            "content": content,
            "redirectURL": _header(response_headers, "location"),
            "headersSize": -1,
            "bodySize": len(response_body),
        },
        "cache": {},
        "timings": {"send": 0, "wait": elapsed, "receive": 0},
    }
    if sora is not None:
        recorded["_sora"] = scrub.scrub_object(dict(sora))
    return recorded


# --- writing ---------------------------------------------------------------------------------


class HarWriter:
    """Appends entries to one HAR file, which is a complete, valid HAR after every append.

    Safe across processes (an exclusive ``flock`` per append, as the live budget's ledger does) and
    threads. The first append creates the file; an existing recording of this format is extended.
    """

    def __init__(self, path: Path | str, creator: Mapping[str, str] = CREATOR) -> None:
        self.path = Path(path)
        self.creator = dict(creator)

    def start(self) -> None:
        """Create an empty recording now (so a run that records nothing still leaves a valid HAR)."""
        with self._locked() as handle:
            self._ensure_envelope(handle)

    def append(self, recorded: Mapping[str, Any]) -> None:
        data = json_bytes(recorded)
        with self._locked() as handle:
            self._ensure_envelope(handle)
            handle.seek(0, 2)
            end = handle.tell()
            handle.seek(end - len(_TAIL))
            if handle.read(len(_TAIL)) != _TAIL:
                raise HarError(f"{self.path}: does not end the way this writer ends a recording; not appending")
            handle.seek(end - len(_TAIL) - 1)
            first = handle.read(1) == b"["  # the envelope alone: no entry to separate from
            handle.seek(end - len(_TAIL))
            handle.write((b"" if first else _SEPARATOR) + data + _TAIL)
            handle.flush()

    def _ensure_envelope(self, handle: Any) -> None:
        handle.seek(0, 2)
        if handle.tell() == 0:
            handle.write((_HEAD % json.dumps(self.creator)).encode("utf-8") + _TAIL)
            handle.flush()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[Any]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.touch(exist_ok=True)
        with _THREAD_LOCK, open(self.path, "r+b") as handle:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield handle
            finally:
                if fcntl is not None:
                    fcntl.flock(handle, fcntl.LOCK_UN)


# --- reading ---------------------------------------------------------------------------------


def read(path: Path | str) -> dict[str, Any]:
    """The whole HAR document; :class:`HarError` for a missing, unparsable or non-HAR file."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise HarError(f"{path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise HarError(f"{path}: not JSON ({exc})") from None
    log_ = data.get("log") if isinstance(data, dict) else None
    if not isinstance(log_, dict) or not isinstance(log_.get("entries"), list):
        raise HarError(f"{path}: not a HAR file (no log.entries)")
    return data


def read_entries(path: Path | str) -> list[dict[str, Any]]:
    """The entries of a HAR file, in recorded order."""
    return [e for e in read(path)["log"]["entries"] if isinstance(e, dict)]


def annotation(recorded: Mapping[str, Any]) -> dict[str, Any]:
    """An entry's ``_sora`` annotation (empty for entries other tools recorded)."""
    value = recorded.get("_sora")
    return value if isinstance(value, dict) else {}


def response_json(recorded: Mapping[str, Any]) -> Any:
    """The recorded response body as JSON, or None when it is not JSON."""
    text = ((recorded.get("response") or {}).get("content") or {}).get("text")
    if not isinstance(text, str) or not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def started_at(recorded: Mapping[str, Any]) -> dt.datetime | None:
    value = recorded.get("startedDateTime")
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
