"""PodDisruptionBudgets of the Flink pods: what a node drain (AKS upgrades, node image
updates, the autoscaler) may evict at once. Pure functions.

- TaskManagers: one at a time. Each eviction restarts the job from its latest
  checkpoint; taking several at once would leave it unschedulable until they return.
- JobManager: ``maxUnavailable: 1``, stated rather than left out. With one replica a
  budget of ``minAvailable: 1`` would block every drain of its node, and with it every AKS
  upgrade; ZooKeeper HA brings the job back once the pod runs on another node. With
  standbys (``flink.jobManagers`` > 1, on different nodes) one JobManager at a time: a
  drain of the leader's node waits until the standby is Ready (it is Ready as a standby,
  not only as the leader: see ``job_health``), which then takes over.

Unhealthy pods may always be evicted, so a crash-looping pod never blocks a drain.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.flink.names import labels, meta

JOBMANAGER_BUDGET = "flink-jobmanager"
TASKMANAGER_BUDGET = "flink-taskmanager"


def budget_spec(component: str) -> dict[str, Any]:
    """At most one pod of ``component`` (jobmanager, taskmanager) evicted at a time."""
    return {
        "maxUnavailable": 1,
        "selector": {"matchLabels": labels(component)},
        "unhealthyPodEvictionPolicy": "AlwaysAllow",
    }


def budget_specs() -> dict[str, dict[str, Any]]:
    """The budgets by name."""
    return {JOBMANAGER_BUDGET: budget_spec("jobmanager"), TASKMANAGER_BUDGET: budget_spec("taskmanager")}


def declare(name: str, namespace: str, parent: pulumi.Resource) -> None:
    """The budgets, children of ``parent``."""
    for budget, spec in budget_specs().items():
        k8s.policy.v1.PodDisruptionBudget(
            f"{name}-{budget.removeprefix('flink-')}-budget",
            metadata=meta(namespace, budget),
            spec=spec,
            opts=pulumi.ResourceOptions(parent=parent),
        )
