"""Live mode: the contract suite over real HTTP against the real upstream servers.

One concept per module: :mod:`.config` (switch, base URLs, tokens), :mod:`.secrets` (tokens
that never reach output), :mod:`.budget` (the cost guard: budget and paid-create cap),
:mod:`.transport` (timeouts and safe retries, on ``httpx2``), :mod:`.target` (the suite's live
door: observations, unexpected acceptances), :mod:`.follow` (a paid video's lifecycle),
:mod:`.report` (summary and JSON report), :mod:`.recording` (``--live-record``: the run as HAR),
:mod:`.known` (``--live-known``: leniencies already on record) and :mod:`.hooks` (the pytest wiring). The checks
themselves stay in the core and the suite.
"""

from contract_tests.live.budget import Budget
from contract_tests.live.config import LiveConfig, ServerSettings, live_requested, resolve
from contract_tests.live.secrets import Redactor, Secret
from contract_tests.live.transport import Call, RetryPolicy, Transport

__all__ = [
    "Budget",
    "Call",
    "LiveConfig",
    "Redactor",
    "RetryPolicy",
    "Secret",
    "ServerSettings",
    "Transport",
    "live_requested",
    "resolve",
]
