"""The toolkit's own tests: pinned to the documents it ships, with the suite's Hypothesis settings.

They assert facts about the bundled documents (chainhub requires only ``model`` and ``prompt``, jxincm
has two documents...), so a user who points ``SORA_SPECS_DIR`` at other documents can still run them.
The contract suite (``contract_tests/``) is the part that follows ``SORA_SPECS_DIR``.

The variable is pinned, not removed: subprocesses a test starts (``sora-mock``, pytester runs) inherit
it. It is pinned while a module under ``tests/`` is collected (parametrization reads the registry) and
around each of its tests (setup, call, teardown), then restored: under pytest-xdist suite tests run
in the same worker process, and they must keep seeing the user's directory.

Hypothesis tests here get the suite's ``dev`` settings (``ci`` when ``CI`` is set) unless
``--hypothesis-profile`` names another: no deadline, which a shared CI machine would trip. This is
this repository's conftest, not the plugin: a client project's settings are never touched.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings

from contract_tests.core.bundled import SPECS_ENV, bundled_specs_dir
from contract_tests.suite.profiles import suite_settings

TESTS = Path(__file__).resolve().parent
TOOLKIT_PROFILE = "sora-contract-toolkit-tests"


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("hypothesis_profile", default=None):
        return
    settings.register_profile(TOOLKIT_PROFILE, suite_settings("ci" if os.environ.get("CI") else "dev"))
    settings.load_profile(TOOLKIT_PROFILE)


@contextmanager
def _bundled_documents(path: Path) -> Iterator[None]:
    if not path.resolve().is_relative_to(TESTS):
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SPECS_ENV, str(bundled_specs_dir()))
        yield


# pytest calls pytest_runtest_protocol through config.hook, for every item of every directory:
# hence the path check above (collect reports go through the collector's own directory already).
@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    with _bundled_documents(collector.path):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, object, object]:
    with _bundled_documents(item.path):
        return (yield)
