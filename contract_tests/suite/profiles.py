"""The contract suite's Hypothesis settings, applied to the suite's own tests and nowhere else.

Installing sora-contract must not change a client project's Hypothesis settings: the plugin
loads no profile, and the suite's ``@given`` tests get a settings object of their own (see
:func:`apply_to`, called from the suite's conftest). Which one:

- ``--hypothesis-profile NAME``: the suite's ``dev``, ``ci`` or ``live``, or any other
  registered profile by that name;
- else ``live`` with ``--live``/``SORA_LIVE=1``, ``ci`` when ``CI`` is set, ``dev`` otherwise.

The objects derive from Hypothesis' built-in ``default`` profile, not from whatever profile a
client has loaded, so the suite runs the same in every project. ``dev`` and ``live`` are also
registered under those names, so ``--hypothesis-profile dev|live`` is accepted; registering
does not load them. ``ci`` is not registered: that name belongs to Hypothesis' built-in profile.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import InvalidArgument

_BASE = settings.get_profile("default")

SUITE_PROFILES: Mapping[str, settings] = {
    "dev": settings(_BASE, max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]),
    "ci": settings(
        _BASE,
        max_examples=60,
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    ),
    # Live: no shrinking, because every shrink step would be another request to a real server.
    "live": settings(
        _BASE,
        max_examples=3,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    ),
}
# Registered by name only so that ``--hypothesis-profile`` accepts them; never loaded here.
NAMED = ("dev", "live")


def register_named_profiles() -> None:
    """Register ``dev`` and ``live`` unless the project already has profiles by those names."""
    for name in NAMED:
        try:
            settings.get_profile(name)
        except InvalidArgument:  # not registered yet, the usual case
            settings.register_profile(name, SUITE_PROFILES[name])


def profile_name(chosen: str | None, *, live: bool, ci: bool) -> str:
    """The profile the suite runs under: the one asked for, else live, ci or dev."""
    if chosen:
        return chosen
    if live:
        return "live"
    return "ci" if ci else "dev"


def suite_settings(name: str) -> settings:
    """The suite's own settings for ``name``; any other name is a profile the project registered."""
    return SUITE_PROFILES.get(name) or settings.get_profile(name)


def apply_to(items: Iterable[pytest.Item], chosen: settings) -> None:
    """Give each ``@given`` test among ``items`` the suite's settings, unless it chose its own.

    Applied to the test function (as ``@settings`` would be), never loaded as a profile, so
    tests outside the suite keep the project's settings.
    """
    for item in items:
        function = getattr(item, "obj", None)
        if not getattr(function, "is_hypothesis_test", False):
            continue
        # Parametrized tests share one function; a test with its own @settings keeps them.
        if not getattr(function, "_hypothesis_internal_settings_applied", False):
            chosen(function)
