"""The test side: Hypothesis strategies, the respx door and the pytest plugin, over the core.

It may import pytest, Hypothesis and respx; ``mockserver`` never imports it (the server must not
load them), and the core never does.
"""

from contract_tests.testing.respx_mock import SoraMock
from contract_tests.testing.strategies import (
    INVALID_CLASSES,
    GeneratedRequest,
    example_request,
    invalid_cases,
    invalid_requests,
    valid_requests,
)

__all__ = [
    "INVALID_CLASSES",
    "GeneratedRequest",
    "SoraMock",
    "example_request",
    "invalid_cases",
    "invalid_requests",
    "valid_requests",
]
