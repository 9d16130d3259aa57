"""sora-contract: contract tests and mocks for the Sora relays' ``POST /v1/videos``.

Layers (README, "Architecture"): :mod:`contract_tests.core` is the library every door shares (it
imports no test or server framework); :mod:`contract_tests.testing` (strategies, the respx door, the
pytest plugin), the suite, live mode, the change gate and ``mockserver`` sit over it.

The core's public names are imported here as they are. The test side's few public names are
resolved on first use, so importing the package (as ``mockserver`` does, through the core) never
loads Hypothesis, respx or pytest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from contract_tests.core import (
    CHECKS,
    Code,
    Document,
    Failure,
    FormPart,
    Journal,
    MemoryStore,
    Part,
    Problem,
    RawRequest,
    RawResponse,
    RequestChecker,
    SpecError,
    SpecRegistry,
    UploadedFile,
    Verdict,
    VideoEngine,
    VideoRecord,
    VideoService,
    bundled_specs_dir,
    check_response,
    encode_multipart,
    error_response,
    load_registry,
    normalize_size,
    redact_headers,
    specs_dir,
)

# The test side's public names: each lives in contract_tests.testing, loaded when first asked for.
TESTING_NAMES = frozenset(
    {"GeneratedRequest", "INVALID_CLASSES", "SoraMock", "example_request", "invalid_cases", "invalid_requests",
     "valid_requests"}
)

if TYPE_CHECKING:
    from contract_tests.testing import (
        INVALID_CLASSES,
        GeneratedRequest,
        SoraMock,
        example_request,
        invalid_cases,
        invalid_requests,
        valid_requests,
    )


def __getattr__(name: str) -> Any:
    if name not in TESTING_NAMES:
        raise AttributeError(f"module 'contract_tests' has no attribute {name!r}")
    value = getattr(importlib.import_module("contract_tests.testing"), name)
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
    "Part",
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
