"""openapi-core on its own, as a reference: its plain ``unmarshal_request`` on a raw request.

The checker must agree with it wherever openapi-core can see a problem, and go further where
it cannot (file versus text parts, duplicates, unknown fields, broken bodies). Tests compare the
two on every generated request; ``bench/`` measures the two side by side.
"""

from __future__ import annotations

from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

from openapi_core.datatypes import RequestParameters
from openapi_core.deserializing.media_types import util as media_type_util
from werkzeug.datastructures import Headers, ImmutableMultiDict

from contract_tests.core.http import RawRequest
from contract_tests.core.specs import Document


class OpenAPICoreRequest:
    """openapi-core's ``Request`` protocol over a :class:`RawRequest`.

    ``host_url`` is the document's own server: openapi-core answers ``ServerNotFound`` for any
    other host, and the contract does not depend on the host a request arrived on.
    """

    def __init__(self, raw: RawRequest, host_url: str) -> None:
        self.host_url = host_url
        self.path = raw.path
        self.method = raw.method.lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(urlsplit(raw.url).query, keep_blank_values=True)),
            header=Headers(list(raw.headers.items())),
        )
        self.content_type = raw.header("content-type") or ""
        self.body: bytes | None = raw.body


def openapi_core_accepts(document: Document, request: RawRequest) -> bool:
    """True when openapi-core's plain ``unmarshal_request`` finds no error for ``document``.

    openapi-core refuses a multipart body it cannot split into named parts by failing an
    ``assert`` in its form parser instead of reporting an error: that one failure is its "no".
    Anything else it raises is a crash, and propagates: counted as a rejection, it would let a
    comparison with the checker pass for the wrong reason.
    """
    try:
        result = document.openapi.unmarshal_request(OpenAPICoreRequest(request, document.base_url))
    except AssertionError as exc:
        if _raised_by_form_parser(exc.__traceback__):
            return False
        raise
    return not result.errors


def _raised_by_form_parser(traceback: TracebackType | None) -> bool:
    """Whether the innermost frame is openapi-core's multipart part iterator (``iter_payloads``)."""
    innermost = None
    while traceback is not None:
        innermost, traceback = traceback, traceback.tb_next
    return innermost is not None and innermost.tb_frame.f_code is media_type_util.iter_payloads.__code__
