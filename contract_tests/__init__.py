"""sora-contract: contract tests and mocks for the Sora relays' ``POST /v1/videos``.

The core (registry, checker, engine, strategies) is re-exported here; the respx mock, the
mock server and the CLIs are thin doors onto it.
"""

from contract_tests.checker import RawRequest, RequestChecker, UploadedFile, Verdict
from contract_tests.conformance import CHECKS, Failure, check_response
from contract_tests.engine import MemoryStore, VideoEngine, VideoRecord, normalize_size
from contract_tests.journal import Journal, redact_headers
from contract_tests.multipart import FormPart, encode_multipart
from contract_tests.problems import Code, Problem, error_response
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
