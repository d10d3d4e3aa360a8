"""Day two on the node's pods, on the session's deployed stack (after ``test_stack``): the
chain of ``day_two`` (pod delete, container kill, a job stuck on an unwritable checkpoint
directory that the liveness probe gets restarted, ``up`` with two TaskManagers (last-state,
parallelism 1 -> 2), ``up`` into savepoint mode, ``up`` with a job change whose savepoint
the real pre-stop hook takes, the operations commands through real ``kubectl``: a
savepoint, then ``start-from`` it). Every scenario after the first restores at least the
newest snapshot completed before it (the savepoint, when one was taken) and every second's
count on the output topic is the input's. Figures are printed, not bounded.
"""

from __future__ import annotations

from tests.node.day_two import run_chain
from tests.node.deployment import Deployment


def test_day_two_restores_the_latest_state(deployed: Deployment) -> None:
    results = run_chain(deployed)  # prints a line per scenario
    assert [r.scenario for r in results] == [
        "first-up",
        "pod-delete",
        "container-kill",
        "stuck-job",
        "up-scale",
        "to-savepoint-mode",
        "up-savepoint",
        "ops-start-from",
    ]
    failed = [f"{r.line()} {list(r.problems)} {list(r.mismatches[:5])}" for r in results if not r.ok]
    assert not failed, failed
