"""Fixtures of the contract suite: one target for the whole session.

Offline (the default) the target is the respx mock, so nothing reaches the network; with
``--live`` it is real HTTP to each server (see :mod:`contract_tests.live`). Each test tells the
target which server it is about, so live mode can skip a server without a token up front.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from contract_tests.core.specs import SpecRegistry
from contract_tests.suite.profiles import apply_to, profile_name, suite_settings
from contract_tests.testing.plugin import live_session
from contract_tests.testing.respx_mock import SoraMock
from contract_tests.testing.target import Target

SUITE_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The suite's Hypothesis settings, on the suite's tests only (see profiles.py)."""
    name = profile_name(
        config.getoption("hypothesis_profile", default=None),
        live=live_session(config) is not None,
        ci=bool(os.environ.get("CI")),
    )
    apply_to((item for item in items if SUITE_DIR in item.path.parents), suite_settings(name))


@pytest.fixture(scope="session")
def target(sora_registry: SpecRegistry, pytestconfig: pytest.Config) -> Iterator[Target]:
    session = live_session(pytestconfig)
    if session is not None:
        with session.open_target() as live:
            yield live
        return
    base_urls = {server.id: server.base_url for server in sora_registry.servers.values()}
    # A transport, not a global patch: other tests in the same worker keep their real HTTP.
    with httpx.Client(timeout=30, transport=SoraMock(sora_registry).transport()) as client:
        yield Target(client, base_urls)


def server_of(item: pytest.Item, registry: SpecRegistry) -> str | None:
    """The server a parametrized suite test is about (from its ``server_id`` or ``doc_id``)."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    if "server_id" in params:
        return str(params["server_id"])
    if "doc_id" in params:
        return registry.document(str(params["doc_id"])).server_id
    return None


@pytest.fixture(autouse=True)
def _target_follows_the_test(
    request: pytest.FixtureRequest, target: Target, sora_registry: SpecRegistry
) -> Iterator[None]:
    target.begin(request.node, server_of(request.node, sora_registry))
    yield
    target.end()
