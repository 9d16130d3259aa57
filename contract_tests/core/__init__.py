"""The core: the library every door shares, transport- and framework-free.

It imports the standard library, openapi-core (and its validators), PyYAML and python-multipart,
and nothing of the layers above it (``contract_tests.testing``, the suite, live mode, the change
gate, ``mockserver``); ``tests/core/test_core_layers.py`` keeps it so.
"""

from contract_tests.core.bundled import bundled_specs_dir
from contract_tests.core.checker import RequestChecker, Verdict
from contract_tests.core.conformance import CHECKS, Failure, check_response
from contract_tests.core.engine import VideoEngine, normalize_size
from contract_tests.core.http import RawRequest, RawResponse
from contract_tests.core.journal import Journal
from contract_tests.core.multipart import encode_multipart
from contract_tests.core.parts import FormPart, Part, UploadedFile
from contract_tests.core.problems import Code, Problem, error_response
from contract_tests.core.redaction import redact_headers
from contract_tests.core.service import VideoService
from contract_tests.core.specs import Document, SpecError, SpecRegistry, load_registry, specs_dir
from contract_tests.core.stores import MemoryStore, VideoRecord

__all__ = [
    "CHECKS",
    "Code",
    "Document",
    "Failure",
    "FormPart",
    "Journal",
    "MemoryStore",
    "Part",
    "Problem",
    "RawRequest",
    "RawResponse",
    "RequestChecker",
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
    "load_registry",
    "normalize_size",
    "redact_headers",
    "specs_dir",
]
