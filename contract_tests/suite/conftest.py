"""Fixtures of the contract suite: one target for the whole session (offline: the respx mock)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from contract_tests.respx_mock import SoraMock
from contract_tests.specs import SpecRegistry
from contract_tests.target import Target

@pytest.fixture(scope="session")
def target(sora_registry: SpecRegistry) -> Iterator[Target]:
    base_urls = {server.id: server.base_url for server in sora_registry.servers.values()}
    with SoraMock(sora_registry), httpx.Client(timeout=30) as client:
        yield Target(client, base_urls)
