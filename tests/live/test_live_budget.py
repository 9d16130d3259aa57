"""The cost guard: a per-server cap, shared by every process of a run through one ledger."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from contract_tests.live.budget import Budget


def test_each_server_gets_its_own_cap(tmp_path: Path) -> None:
    budget = Budget(2, tmp_path / "ledger.json")
    assert [budget.try_spend("jxincm") for _ in range(3)] == [True, True, False]
    assert budget.try_spend("chainhub")
    assert budget.spent() == {"jxincm": 2, "chainhub": 1}


def test_a_refund_gives_a_unit_back_and_never_goes_below_zero(tmp_path: Path) -> None:
    budget = Budget(1, tmp_path / "ledger.json")
    assert budget.try_spend("jxincm") and not budget.try_spend("jxincm")
    budget.refund("jxincm")
    budget.refund("jxincm")
    assert budget.spent() == {"jxincm": 0}
    assert budget.try_spend("jxincm")


def test_a_zero_budget_spends_nothing(tmp_path: Path) -> None:
    budget = Budget(0, tmp_path / "ledger.json")
    assert not budget.try_spend("jxincm")
    assert budget.spent() == {}
    assert budget.skip_reason("jxincm") == "live budget of 0 spent for server jxincm; raise --live-budget"


def _spend(ledger: str, tries: int, out: multiprocessing.Queue[int]) -> None:
    budget = Budget(5, Path(ledger))
    out.put(sum(budget.try_spend("jxincm") for _ in range(tries)))


def test_workers_in_separate_processes_share_one_budget(tmp_path: Path) -> None:
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
    assert Budget(5, Path(ledger)).spent() == {"jxincm": 5}
