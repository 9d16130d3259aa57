"""openapi-core on its own, as a reference: its plain ``unmarshal_request`` on a raw request.

The checker must agree with it wherever openapi-core can see a problem, and go further where
it cannot (file versus text parts, duplicates, unknown fields, broken bodies). Tests compare the
two on every generated request; ``bench/`` measures the two side by side.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from contract_tests.checker import RawRequest
from contract_tests.specs import Document


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
    """True when openapi-core's plain ``unmarshal_request`` finds no error for ``document``."""
    try:
        result = document.openapi.unmarshal_request(OpenAPICoreRequest(request, document.base_url))
    except Exception:  # openapi-core raises on some malformed bodies instead of reporting them
        return False
    return not result.errors
