"""openapi-core on its own, as a reference: its plain ``unmarshal_request`` on a raw request.

The checker must agree with it wherever openapi-core can see a problem, and go further where
it cannot (file versus text parts, duplicates, unknown fields, broken bodies). Tests compare the
two on every generated request; ``bench/`` measures the two side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from contract_tests.checker import RawRequest
from contract_tests.specs import Document


@dataclass
class OpenAPICoreRequest:
    """openapi-core's ``Request`` protocol over a :class:`RawRequest`.

    ``host_url`` is the document's own server: openapi-core answers ``ServerNotFound`` for any
    other host, and the contract does not depend on the host a request arrived on.
    """

    raw: RawRequest
    host_url: str

    @property
    def path(self) -> str:
        return self.raw.path

    @property
    def method(self) -> str:
        return self.raw.method.lower()

    @property
    def parameters(self) -> RequestParameters:
        query = urlsplit(self.raw.url).query
        return RequestParameters(
            query=ImmutableMultiDict(parse_qsl(query, keep_blank_values=True)),
            header=Headers(list(self.raw.headers.items())),
        )

    @property
    def content_type(self) -> str:
        return self.raw.header("content-type") or ""

    @property
    def body(self) -> bytes:
        return self.raw.body


def openapi_core_accepts(document: Document, request: RawRequest) -> bool:
    """True when openapi-core's plain ``unmarshal_request`` finds no error for ``document``."""
    try:
        result = document.openapi.unmarshal_request(OpenAPICoreRequest(request, document.base_url))
    except Exception:  # openapi-core raises on some malformed bodies instead of reporting them
        return False
    return not result.errors
