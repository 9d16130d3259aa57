"""The cost guard: a budget of expected acceptances and a hard cap on paid creates, shared by every
process of a run through one ledger."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

from contract_tests.live.budget import Budget, Tally


def _accepted(budget: Budget, server: str, expected: bool, practice: bool = False) -> bool:
    """Ask for a slot and, if granted, settle it as a 2xx answer (a paid video)."""
    if budget.grant(server, expected, practice) is not None:
        return False
    budget.settle(server, expected, accepted=True)
    return True


def test_each_server_gets_its_own_budget(tmp_path: Path) -> None:
    budget = Budget(2, tmp_path / "ledger.json")
    assert [_accepted(budget, "jxincm", True) for _ in range(3)] == [True, True, False]
    assert _accepted(budget, "chainhub", True)
    assert budget.spent() == {"jxincm": 2, "chainhub": 1}
    assert budget.grant("jxincm", True) == "live budget of 2 spent for server jxincm; raise --live-budget"


def test_a_create_that_never_reached_the_server_gives_its_budget_unit_back(tmp_path: Path) -> None:
    budget = Budget(1, tmp_path / "ledger.json")
    assert budget.grant("jxincm", True) is None and budget.grant("jxincm", True) is not None
    budget.settle("jxincm", True, accepted=False, reached=False)
    assert budget.tallies() == {"jxincm": Tally(budget=0, paid=0, pending=0)}
    assert budget.grant("jxincm", True) is None


def test_a_zero_budget_spends_nothing(tmp_path: Path) -> None:
    budget = Budget(0, tmp_path / "ledger.json")
    assert budget.grant("jxincm", True) is not None
    assert budget.spent() == {"jxincm": 0}


def test_every_2xx_counts_as_spent_whatever_was_expected(tmp_path: Path) -> None:
    budget = Budget(5, tmp_path / "ledger.json", max_paid=10)
    assert budget.grant("jxincm", False) is None
    budget.settle("jxincm", False, accepted=True)
    assert budget.grant("jxincm", False) is None
    budget.settle("jxincm", False, accepted=False)  # rejected: free
    assert budget.tallies()["jxincm"] == Tally(budget=0, paid=1, pending=0)


def test_the_cap_stops_unexpected_acceptances_without_eating_the_budget(tmp_path: Path) -> None:
    """Default cap: budget + 2. Requests expected to be rejected get only the slots beyond the budget."""
    budget = Budget(1, tmp_path / "ledger.json")
    assert budget.max_paid == 3
    assert [_accepted(budget, "jxincm", False) for _ in range(4)] == [True, True, False, False]
    reason = budget.grant("jxincm", False)
    assert reason is not None and "live cap of 3 paid creates reached for server jxincm" in reason
    assert _accepted(budget, "jxincm", True)  # the valid test still has its slot
    assert budget.grant("jxincm", False) is not None
    assert budget.spent() == {"jxincm": 3}


def test_requests_in_flight_hold_their_slot(tmp_path: Path) -> None:
    """The cap is checked before sending: two requests in flight cannot both take the last slot."""
    budget = Budget(0, tmp_path / "ledger.json", max_paid=1, patience=0)
    assert budget.grant("jxincm", False) is None
    reason = budget.grant("jxincm", False)  # the first is not answered yet, and this one will not wait
    assert reason is not None and "in flight" in reason
    budget.settle("jxincm", False, accepted=False)
    assert budget.grant("jxincm", False) is None


def test_a_grant_waits_for_requests_in_flight_instead_of_skipping(tmp_path: Path) -> None:
    """Whether a probe runs must not depend on another worker's request being in flight at that moment."""
    budget = Budget(0, tmp_path / "ledger.json", max_paid=1, patience=60)
    assert budget.grant("jxincm", False) is None
    answers: list[str | None] = []
    waiting = threading.Thread(target=lambda: answers.append(budget.grant("jxincm", False)))
    waiting.start()
    budget.settle("jxincm", False, accepted=False)  # the first was rejected: its slot is free again
    waiting.join(timeout=60)
    assert answers == [None]
    budget.settle("jxincm", False, accepted=True)  # the second was paid: the cap is reached for good
    assert budget.grant("jxincm", False) is not None


def _spend(ledger: str, tries: int, out: multiprocessing.Queue[int]) -> None:
    budget = Budget(0, Path(ledger), max_paid=5)
    out.put(sum(_accepted(budget, "jxincm", False) for _ in range(tries)))


def test_workers_in_separate_processes_share_one_cap(tmp_path: Path) -> None:
    ledger = str(tmp_path / "ledger.json")
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[int] = context.Queue()
    workers = [context.Process(target=_spend, args=(ledger, 4, results)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    granted = [results.get(timeout=10) for _ in workers]
    assert sum(granted) == 5
    assert Budget(0, Path(ledger), max_paid=5).spent() == {"jxincm": 5}


def test_practice_probes_leave_a_slot_to_the_document_backed_ones(tmp_path: Path) -> None:
    """A relay that accepts practice probes cannot use up the cap before a document-backed probe runs."""
    budget = Budget(1, tmp_path / "ledger.json")  # cap 3: 1 for the budget, 2 for unexpected acceptances
    assert [_accepted(budget, "jxincm", False, practice=True) for _ in range(3)] == [True, False, False]
    assert _accepted(budget, "jxincm", False)  # the document-backed probe still gets its slot
    assert budget.grant("jxincm", False) is not None
    assert _accepted(budget, "jxincm", True)
    assert budget.spent() == {"jxincm": 3}
