"""Test parameters, read from the spec registry at collection time (data drives the suite)."""

from __future__ import annotations

import pytest

from contract_tests.specs import load_registry
from contract_tests.strategies import invalid_cases

REGISTRY = load_registry()
DOCUMENTS = [pytest.param(doc.id, id=doc.id) for doc in REGISTRY]
SERVERS = [pytest.param(server.id, id=server.id) for server in REGISTRY.servers.values()]
INVALID = [
    pytest.param(doc.id, case.id, id=f"{doc.id}-{case.id}") for doc in REGISTRY for case in invalid_cases(doc)
]
