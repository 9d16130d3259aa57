"""``PREFER_PATTERN`` (what /openapi.json declares for ``Prefer``) and ``parse_prefer`` agree.

Every header the pattern matches parses without a problem, so a client that follows the document is
never answered 400 for its ``Prefer``; and the malformed headers Schemathesis once sent are outside it.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract_tests.core.controls import PREFER_PATTERN, Preferences, parse_prefer


@given(st.from_regex(re.compile(PREFER_PATTERN), fullmatch=True))
def test_every_header_the_pattern_matches_parses(header: str) -> None:
    assert isinstance(parse_prefer(header), Preferences), header


@pytest.mark.parametrize(
    "header",
    ["%", "siUpO'", "code=399", "code=600", "latency=60000.5", "render-seconds=86401", "video=maybe", "code"],
)
def test_headers_the_mock_refuses_are_outside_the_pattern(header: str) -> None:
    assert not isinstance(parse_prefer(header), Preferences)
    assert re.fullmatch(PREFER_PATTERN, header) is None


@pytest.mark.parametrize(
    "header", ["code=503", "video=failed, failure-code=moderation", "latency=60000; render-seconds=0.5"]
)
def test_the_documented_forms_are_inside_the_pattern(header: str) -> None:
    assert re.fullmatch(PREFER_PATTERN, header) is not None
