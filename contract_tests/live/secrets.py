"""Tokens that never reach output: live mode's names for the one redaction module's pieces.

A token travels as a :class:`Secret` whose ``repr`` is masked, so dataclass reprs, Hypothesis
notes and ``-l`` locals show nothing. The header that finally carries it is a plain string in
some frame, though, and a broken upstream may echo it back in a body the suite quotes; so the
:class:`Redactor` also scrubs every known token (and credential-shaped text) from test reports
before the terminal, JUnit XML and the JSON report see them. Both live in
:mod:`contract_tests.core.redaction`, which the journal's stores use too: one set of rules.
"""

from __future__ import annotations

from contract_tests.core.redaction import MASK, MIN_SECRET_LENGTH, Redactor, Secret

__all__ = ["MASK", "MIN_SECRET_LENGTH", "Redactor", "Secret"]
