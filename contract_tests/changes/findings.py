"""What every check reports: a rule id, a level, a message and a location.

``diff`` and ``lint`` share this type so that one set of output formats (``report``) and one
``--fail-on`` policy serve both commands.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Level(enum.IntEnum):
    """How bad a finding is; ordered so that ``--fail-on`` is a comparison."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    @property
    def label(self) -> str:
        """The lower-case name used on the command line and in every output format."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Level:
        """Read ``error``/``warning``/``info`` (any case; ``err``/``warn`` as in oasdiff)."""
        key = text.strip().upper()
        key = {"ERR": "ERROR", "WARN": "WARNING"}.get(key, key)
        try:
            return cls[key]
        except KeyError:
            raise ValueError(f"unknown level {text!r} (expected error, warning or info)") from None


@dataclass(frozen=True)
class Location:
    """Where a finding points: a file (or URL), a JSON pointer inside its document, and a line.

    The line is 1-based in the file as published (for an Apifox Markdown export, counted in the
    Markdown file, not in the YAML block), so GitHub annotations land on the right line.
    """

    source: str
    pointer: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where} {self.pointer}" if self.pointer else where


@dataclass(frozen=True)
class Finding:
    """One change (diff) or one contradiction (lint)."""

    rule: str
    level: Level
    message: str
    location: Location
    operation: str = ""

    def sort_key(self) -> tuple[int, str, str, int, str]:
        """Errors first, then by file, operation and line, so reports read top-down."""
        return (-self.level, self.location.source, self.operation, self.location.line or 0, self.rule)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """The order every report uses."""
    return sorted(findings, key=Finding.sort_key)


def count_levels(findings: Iterable[Finding]) -> dict[Level, int]:
    """How many findings there are at each level (every level present, possibly 0)."""
    counts = dict.fromkeys(Level, 0)
    for finding in findings:
        counts[finding.level] += 1
    return counts


def fails(findings: Iterable[Finding], threshold: Level | None) -> bool:
    """Whether ``--fail-on threshold`` makes the command exit 1."""
    return threshold is not None and any(f.level >= threshold for f in findings)
