"""sora-contract: contract tests and mocks for the Sora relays' ``POST /v1/videos``.

The core (registry, checker, engine, strategies) is re-exported here; the respx mock, the
mock server and the CLIs are thin doors onto it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Names are loaded on first use (PEP 562): the mock server and the CLIs import a few core modules
# and should not pay for Hypothesis and respx, which only the test-side names need.
_EXPORTS: dict[str, str] = {
    "CHECKS": "contract_tests.conformance",
    "Code": "contract_tests.problems",
    "Document": "contract_tests.specs",
    "Failure": "contract_tests.conformance",
    "FormPart": "contract_tests.multipart",
    "GeneratedRequest": "contract_tests.strategies",
    "INVALID_CLASSES": "contract_tests.strategies",
    "Journal": "contract_tests.journal",
    "MemoryStore": "contract_tests.engine",
    "Problem": "contract_tests.problems",
    "RawRequest": "contract_tests.checker",
    "RawResponse": "contract_tests.service",
    "RequestChecker": "contract_tests.checker",
    "SoraMock": "contract_tests.respx_mock",
    "SpecError": "contract_tests.specs",
    "SpecRegistry": "contract_tests.specs",
    "UploadedFile": "contract_tests.checker",
    "Verdict": "contract_tests.checker",
    "VideoEngine": "contract_tests.engine",
    "VideoRecord": "contract_tests.engine",
    "VideoService": "contract_tests.service",
    "bundled_specs_dir": "contract_tests.bundled",
    "check_response": "contract_tests.conformance",
    "encode_multipart": "contract_tests.multipart",
    "error_response": "contract_tests.problems",
    "example_request": "contract_tests.strategies",
    "invalid_cases": "contract_tests.strategies",
    "invalid_requests": "contract_tests.strategies",
    "load_registry": "contract_tests.specs",
    "normalize_size": "contract_tests.engine",
    "redact_headers": "contract_tests.redaction",
    "specs_dir": "contract_tests.specs",
    "valid_requests": "contract_tests.strategies",
}

if TYPE_CHECKING:
    from contract_tests.bundled import bundled_specs_dir
    from contract_tests.checker import RawRequest, RequestChecker, UploadedFile, Verdict
    from contract_tests.conformance import CHECKS, Failure, check_response
    from contract_tests.engine import MemoryStore, VideoEngine, VideoRecord, normalize_size
    from contract_tests.journal import Journal
    from contract_tests.multipart import FormPart, encode_multipart
    from contract_tests.problems import Code, Problem, error_response
    from contract_tests.redaction import redact_headers
    from contract_tests.respx_mock import SoraMock
    from contract_tests.service import RawResponse, VideoService
    from contract_tests.specs import Document, SpecError, SpecRegistry, load_registry, specs_dir
    from contract_tests.strategies import (
        INVALID_CLASSES,
        GeneratedRequest,
        example_request,
        invalid_cases,
        invalid_requests,
        valid_requests,
    )


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'contract_tests' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "CHECKS",
    "INVALID_CLASSES",
    "Code",
    "Document",
    "Failure",
    "FormPart",
    "GeneratedRequest",
    "Journal",
    "MemoryStore",
    "Problem",
    "RawRequest",
    "RawResponse",
    "RequestChecker",
    "SoraMock",
    "SpecError",
    "SpecRegistry",
    "UploadedFile",
    "Verdict",
    "VideoEngine",
    "VideoRecord",
    "VideoService",
    "bundled_specs_dir",
    "check_response",
    "encode_multipart",
    "error_response",
    "example_request",
    "invalid_cases",
    "invalid_requests",
    "load_registry",
    "normalize_size",
    "redact_headers",
    "specs_dir",
    "valid_requests",
]
