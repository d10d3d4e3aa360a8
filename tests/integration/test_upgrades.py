"""Upgrades, scaling and savepoints with real ZooKeeper and Flink (upgrade_scenarios.py).

One chain of upgrades on one ZooKeeper (CI time); each scenario is asserted on its own:
every task RUNNING at the new parallelism, restored from the savepoint taken for the
upgrade or else from the latest completed checkpoint, the job itself saw that restore,
and its keyed state is exactly that snapshot's. Timings are printed, not asserted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.state_scenarios import SCENARIOS, run_upgrades
from tests.integration.upgrade_scenarios import UpgradeResult

pytestmark = pytest.mark.integration


def problems(result: UpgradeResult) -> list[str]:
    found = []
    if result.parallelism_after != result.expected_parallelism:
        found.append(f"parallelism {result.parallelism_after}, expected {result.expected_parallelism}")
    if result.restored_id != result.latest_before:
        found.append(f"restored {result.restored_id}, expected {result.latest_before}")
    if result.latest_before is not None and result.restored_is_savepoint is not result.expect_savepoint:
        found.append(f"restored a savepoint: {result.restored_is_savepoint}, expected {result.expect_savepoint}")
    if result.latest_before is not None and result.job_saw_restore_from != result.latest_before:
        found.append(f"the job saw a restore from {result.job_saw_restore_from}")
    if result.state_lost:
        found.append("state lost: the job ran again without the snapshot the scenario names")
    found += list(result.problems)
    found += [f"state: {m}" for m in result.state.mismatches[:10]]
    if result.latest_before is not None and result.state.keys_compared < 10:
        found.append(f"only {result.state.keys_compared} keys compared with their snapshot")
    return found


def test_upgrades_take_effect_and_keep_state(tmp_path: Path) -> None:
    results = run_upgrades(tmp_path)
    print("\n" + "\n".join(f"{r.line()} {r.note}" for r in results))
    assert [r.scenario for r in results] == list(SCENARIOS)
    by_scenario = {r.scenario: r for r in results}
    failures = {r.scenario: p for r in results if (p := problems(r))}
    assert failures == {}
    # What each scenario is about, beyond restoring the right snapshot.
    assert by_scenario["savepoint"].expect_savepoint, "the savepoint upgrade started from the pre-stop savepoint"
    assert (by_scenario["scale-up"].parallelism_before, by_scenario["scale-up"].parallelism_after) == (1, 2)
    assert (by_scenario["scale-down"].parallelism_before, by_scenario["scale-down"].parallelism_after) == (2, 1)
    assert not by_scenario["restart"].expect_savepoint, "nothing changed: plain HA recovery from the latest checkpoint"
    assert (tmp_path / "side-2").stat().st_size > 0, "the changed argument took effect: the job writes side-2"
    start_from = by_scenario["start-from"]
    assert start_from.expect_savepoint, "start-from restored the savepoint the ops command took"
    status = start_from.ops_status or {}
    assert status.get("state") == "RUNNING" and status.get("parallelism") == 2, status
    assert isinstance(status.get("last_checkpoint_age_s"), float), status
    records = status.get("upgrade_records")
    assert isinstance(records, dict) and records.get("applied"), status
    # State safety: a job that ended is refused, then resumed by the operations commands.
    assert "is CANCELED" in by_scenario["cancel-restart"].note, by_scenario["cancel-restart"].note
    assert by_scenario["stop-restart"].expect_savepoint and "is SUCCEEDED" in by_scenario["stop-restart"].note
    assert "HA metadata lost" in by_scenario["metadata-lost"].note
    assert by_scenario["checkpoint-collision"].restored_id is None, "the stateless start restored nothing"
