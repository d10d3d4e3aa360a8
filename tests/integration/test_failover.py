"""JobManager failover with real ZooKeeper, Flink and sidecar processes (scenario.py), and
with standby JobManagers and their leader watches (standby_scenario.py).

Correctness is asserted; timings are printed, not asserted (failover_bench measures them).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.controlplane import ControlPlane
from tests.integration.scenario import FailoverResult, run_failover
from tests.integration.standby_scenario import STALL_TARGETS, run_standby

pytestmark = pytest.mark.integration


def assert_recovered(result: FailoverResult) -> None:
    """What every mode must show after the JobManager was killed and started again."""
    at_kill, after = result.at_kill, result.after
    assert at_kill.checkpoints >= 2, "the job had completed checkpoints before the kill"
    assert after.restored_id == at_kill.latest_completed, (
        f"restored checkpoint {after.restored_id}, latest completed before the kill {at_kill.latest_completed}"
    )
    assert after.restored_is_savepoint is False
    assert after.state.restored_from == at_kill.latest_completed, "the job itself saw that restore"
    assert after.state.mismatches == (), "\n".join(after.state.mismatches[:20])
    assert after.state.keys_compared >= 10, "every key's restored state was compared with its checkpoint"
    assert after.taskmanager_ids == at_kill.taskmanager_ids, "the same TaskManager registered again"
    assert after.slots >= 1, "its slots are offered to the new JobManager"
    assert result.port_bound_after, f"the new JobManager listens on the port REST reports ({result.port_after})"
    assert result.service_port_after == result.port_after, "the Service's rpc port is the bound port"


def test_failover_sidecar_repoints_service(tmp_path: Path, control_plane: ControlPlane) -> None:
    result = run_failover("sidecar", tmp_path, control_plane=control_plane)
    print(f"\nfailover sidecar: {result.line()}")
    assert_recovered(result)
    assert result.patches_after_kill == (1 if result.port_after != result.port_before else 0)
    assert result.patch_s is not None, "the sidecar patched the Service after the restart"


def test_failover_pinned_keeps_port(tmp_path: Path, control_plane: ControlPlane) -> None:
    result = run_failover("pinned", tmp_path, control_plane=control_plane)
    print(f"\nfailover pinned: {result.line()}")
    assert_recovered(result)
    assert result.port_after == result.port_before, "the pinned port survives the restart"
    assert result.patch_requests == 0, "a static Service that already matches is never patched"


def test_failover_standby_survives_stalls_and_fences_a_kill(tmp_path: Path) -> None:
    """A 3-s stall of ZooKeeper and one of the leader change nothing; kill -9 of the leader:
    its leader watch fences the dead session and the standby resumes the job from the
    latest checkpoint."""
    result = run_standby(tmp_path, stalls=len(STALL_TARGETS))
    print(f"\nfailover standby: {result.line()}")
    assert [s.target for s in result.stalls] == list(STALL_TARGETS)
    assert result.spurious_failovers == 0, [s.text() for s in result.stalls]
    assert result.leader_after != result.leader_before
    assert "fenced" in result.phases, "a leader watch fenced the killed leader's session"
    at_kill, after = result.at_kill, result.after
    assert at_kill.checkpoints >= 2
    assert result.restored_latest, (after.restored_id, at_kill.latest_completed, after.state.restored_from)
    assert after.state.mismatches == (), "\n".join(after.state.mismatches[:20])
    assert after.state.keys_compared >= 10
    assert result.taskmanager_reregistered, "the TaskManager offers its slots to the new leader"
