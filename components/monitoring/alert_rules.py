"""The alert rules of the Flink job, as data: one source for the Prometheus rule file
(``promtool check/test rules``, a team's own Prometheus) and the ``rules`` of Azure's
``PrometheusRuleGroup``.

Metric names are the Flink Prometheus reporter's (``flink_<scope>_<name>``), as scraped
from a real JobManager and TaskManager running the reference job (see
``tests/integration/metrics_check.py``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from components.monitoring.durations import to_iso8601, to_ms

GROUP_NAME = "flink-job"
CRITICAL, WARNING = "critical", "warning"
AZURE_SEVERITY = {CRITICAL: 1, WARNING: 2}  # Azure: 0 (critical) .. 4 (verbose)


@dataclasses.dataclass(frozen=True)
class AlertBounds:
    """Thresholds and durations of the alerts (Prometheus durations: ``90s``, ``15m``)."""

    not_running_for: str = "2m"
    restart_window: str = "10m"
    checkpoint_age: str = "15m"  # no completed checkpoint for longer than this
    failed_checkpoint_window: str = "10m"
    backpressure_ms_per_s: int = 500  # share of each second a task waits on its output
    backpressure_for: str = "15m"
    lag_records: int = 10_000  # records the Kafka source has not read yet
    lag_window: str = "10m"  # the lag rose over this window...
    lag_for: str = "10m"  # ...for this long
    heap_ratio: float = 0.9
    heap_for: str = "10m"
    evaluation_interval: str = "1m"


@dataclasses.dataclass(frozen=True)
class AlertRule:
    name: str
    expr: str
    for_: str
    severity: str
    summary: str
    description: str


PENDING = "flink_taskmanager_job_task_operator_pendingRecords"
HEAP_USED = "flink_taskmanager_Status_JVM_Memory_Heap_Used"
HEAP_MAX = "flink_taskmanager_Status_JVM_Memory_Heap_Max"


def flink_alert_rules(bounds: AlertBounds) -> list[AlertRule]:
    b = bounds
    return [
        AlertRule(
            "FlinkJobNotRunning",
            "(max(flink_jobmanager_job_runningTime) or vector(0)) == 0",
            b.not_running_for,
            CRITICAL,
            "The Flink job is not running",
            f"No Flink job has been in state RUNNING for {b.not_running_for}: the JobManager is down or the "
            "job is created, restarting, failing or finished.",
        ),
        AlertRule(
            "FlinkJobRestarting",
            f"max by (job_name) (increase(flink_jobmanager_job_numRestarts[{b.restart_window}])) > 0",
            "0s",
            WARNING,
            "The Flink job restarted",
            f"Job {{{{ $labels.job_name }}}} restarted in the last {b.restart_window}.",
        ),
        AlertRule(
            "FlinkCheckpointsStalled",
            f"max by (job_name) (increase(flink_jobmanager_job_numberOfCompletedCheckpoints[{b.checkpoint_age}]))"
            f" == 0 and max by (job_name) (flink_jobmanager_job_runningTime) > {to_ms(b.checkpoint_age)}",
            "0s",
            CRITICAL,
            "No completed checkpoint",
            f"Job {{{{ $labels.job_name }}}} has been running for over {b.checkpoint_age} without completing "
            "a checkpoint: a restart would replay everything since the last one.",
        ),
        AlertRule(
            "FlinkCheckpointFailures",
            f"max by (job_name) (increase(flink_jobmanager_job_numberOfFailedCheckpoints"
            f"[{b.failed_checkpoint_window}])) > 0",
            "0s",
            WARNING,
            "Checkpoints failed",
            f"Job {{{{ $labels.job_name }}}}: checkpoints failed in the last {b.failed_checkpoint_window}.",
        ),
        AlertRule(
            "FlinkBackpressure",
            "max by (job_name, task_name) (flink_taskmanager_job_task_backPressuredTimeMsPerSecond)"
            f" > {b.backpressure_ms_per_s}",
            b.backpressure_for,
            WARNING,
            "Sustained backpressure",
            f"Task {{{{ $labels.task_name }}}} of job {{{{ $labels.job_name }}}} waits on its output more than "
            f"{b.backpressure_ms_per_s} ms per second for {b.backpressure_for}.",
        ),
        AlertRule(
            "FlinkKafkaLagGrowing",
            f"sum by (job_name) ({PENDING}) > {b.lag_records}"
            f" and sum by (job_name) (delta({PENDING}[{b.lag_window}])) > 0",
            b.lag_for,
            WARNING,
            "Kafka consumer lag is growing",
            f"The Kafka source of job {{{{ $labels.job_name }}}} is over {b.lag_records} records behind and "
            f"has fallen further behind for {b.lag_for}.",
        ),
        AlertRule(
            "FlinkTaskManagerHeapHigh",
            f"max by (tm_id) ({HEAP_USED} / {HEAP_MAX}) > {b.heap_ratio}",
            b.heap_for,
            WARNING,
            "TaskManager heap near its limit",
            f"TaskManager {{{{ $labels.tm_id }}}} has used over {b.heap_ratio:.0%} of its heap for {b.heap_for}.",
        ),
    ]


def _annotations(rule: AlertRule) -> dict[str, str]:
    return {"summary": rule.summary, "description": rule.description}


def prometheus_rule_file(rules: list[AlertRule], bounds: AlertBounds) -> dict[str, Any]:
    """The rule file Prometheus and ``promtool`` read."""
    return {
        "groups": [
            {
                "name": GROUP_NAME,
                "interval": bounds.evaluation_interval,
                "rules": [
                    {
                        "alert": r.name,
                        "expr": r.expr,
                        "for": r.for_,
                        "labels": {"severity": r.severity},
                        "annotations": _annotations(r),
                    }
                    for r in rules
                ],
            }
        ]
    }


def azure_rules(rules: list[AlertRule]) -> list[dict[str, Any]]:
    """The ``rules`` of an Azure ``PrometheusRuleGroup`` (``PrometheusRuleArgsDict``), without actions."""
    return [
        {
            "alert": r.name,
            "expression": r.expr,
            "severity": AZURE_SEVERITY[r.severity],
            "labels": {"severity": r.severity},
            "annotations": _annotations(r),
            "enabled": True,
            "resolve_configuration": {"auto_resolved": True, "time_to_resolve": "PT10M"},
        }
        | ({"for_": to_iso8601(r.for_)} if to_ms(r.for_) else {})
        for r in rules
    ]
