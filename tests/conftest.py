"""Settings for the toolkit's own tests (this repository's conftest, not the plugin).

Hypothesis tests here get the suite's ``dev`` settings (``ci`` when ``CI`` is set) unless
``--hypothesis-profile`` names another: no deadline, which a shared CI machine would trip.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from contract_tests.suite.profiles import suite_settings

TOOLKIT_PROFILE = "sora-contract-toolkit-tests"


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("hypothesis_profile", default=None):
        return
    settings.register_profile(TOOLKIT_PROFILE, suite_settings("ci" if os.environ.get("CI") else "dev"))
    settings.load_profile(TOOLKIT_PROFILE)
