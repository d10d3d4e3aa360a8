"""The metrics proof with real engines: a real Prometheus scrapes a real JobManager and
TaskManager running the reference job through the real Kafka broker.

- the scrape configuration is generated from the ``PodMonitor`` the stack renders
  (``components.monitoring.pod_monitor``; only its interval is shortened to 1 s here);
- every panel of the shipped Grafana dashboard must return data from that scrape;
- the alert rules must pass ``promtool check rules`` and their ``promtool test rules``
  unit tests; Prometheus evaluates them (with short bounds) on the live scrape: all quiet
  while the job is healthy, ``FlinkJobRestarting`` after the TaskManager is replaced,
  ``FlinkJobNotRunning`` after the JobManager is stopped.

``python -m tests.integration.metrics_check`` prints one line (progress goes to stderr):

    series=<n> panels_with_data=<with>/<all> rules_tested=<n> alerts_fired_as_expected=<n>/<n>
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from components.flink.pods import labels
from components.monitoring.alert_rules import AlertBounds, flink_alert_rules
from components.monitoring.dashboard import dashboard, panel_queries
from components.monitoring.flink_reporter import PORT_NAME
from components.monitoring.pod_monitor import pod_monitor
from tests.integration.flink_processes import start_taskmanager
from tests.integration.metrics_pipeline import MonitoredPipeline
from tests.integration.prometheus_server import PrometheusServer
from tests.integration.scrape_config import LocalPod, scrape_configs
from tests.monitoring import promtool
from tests.waiting import wait_until

Log = Callable[[str], None]
NAMESPACE = "flink"
SELECTOR = {"app.kubernetes.io/name": "flink"}
SCRAPE_INTERVAL = "1s"
# The stack's rules with bounds a short run can reach; expressions are the same.
CHECK_BOUNDS = AlertBounds(
    not_running_for="5s",
    restart_window="2m",
    checkpoint_age="30s",
    failed_checkpoint_window="2m",
    backpressure_for="30s",
    lag_window="1m",
    lag_for="30s",
    heap_for="30s",
    evaluation_interval="1s",
)
LOAD = [(1000, 600)]  # events/s, seconds: longer than the check; ends with the pipeline
HEALTHY_RUNNING_MS = 45_000  # past checkpoint_age, so every rule has something to judge
PANELS_TIMEOUT_S = 120.0
ALERT_TIMEOUT_S = 150.0
QUIET_SAMPLES = 5


@dataclasses.dataclass
class MetricsResult:
    series: int = 0
    panels: int = 0
    panels_with_data: int = 0
    rules_tested: int = 0
    alerts_expected: int = 0
    alerts_as_expected: int = 0
    problems: list[str] = dataclasses.field(default_factory=list)

    def line(self) -> str:
        alerts = f"{self.alerts_as_expected}/{self.alerts_expected}"
        return (
            f"series={self.series} panels_with_data={self.panels_with_data}/{self.panels} "
            f"rules_tested={self.rules_tested} alerts_fired_as_expected={alerts}"
        )

    def expect(self, what: str, held: bool) -> None:
        self.alerts_expected += 1
        if held:
            self.alerts_as_expected += 1
        else:
            self.problems.append(what)


def prometheus_config(rule_file: Path, ports: dict[str, int]) -> dict[str, Any]:
    monitor = pod_monitor("flink", NAMESPACE, SELECTOR, interval=SCRAPE_INTERVAL)
    pods = [LocalPod(f"flink-{role}-0", NAMESPACE, labels(role), {PORT_NAME: port}) for role, port in ports.items()]
    return {
        "global": {"scrape_timeout": SCRAPE_INTERVAL, "evaluation_interval": CHECK_BOUNDS.evaluation_interval},
        "rule_files": [str(rule_file)],
        "scrape_configs": scrape_configs(monitor, pods),
    }


def _value(prometheus: PrometheusServer, promql: str) -> float:
    result = prometheus.query(promql)
    return float(result[0]["value"][1]) if result else 0.0


def _panels_with_data(prometheus: PrometheusServer, queries: dict[str, list[str]]) -> list[str]:
    return [title for title, exprs in queries.items() if all(prometheus.query(e) for e in exprs)]


def _fires(prometheus: PrometheusServer, alert: str) -> bool:
    try:
        wait_until(f"{alert} to fire", lambda: alert in prometheus.firing(), ALERT_TIMEOUT_S, 1.0)
    except TimeoutError:
        return False
    return True


def _job_running(pipeline: MonitoredPipeline) -> bool:
    job_id = pipeline.rest.single_job_id()
    return bool(job_id and pipeline.rest.job_fully_running(job_id))


def check_live(pipeline: MonitoredPipeline, rule_file: Path, work_dir: Path, log: Log, result: MetricsResult) -> None:
    config = prometheus_config(rule_file, pipeline.metrics_ports())
    pipeline.start_generator(LOAD)
    with PrometheusServer(work_dir / "prometheus", config) as prometheus:
        log(f"metrics_check: Prometheus on 127.0.0.1:{prometheus.port}, rules {rule_file.name}")
        wait_until(
            "the job to run past the checkpoint bound",
            lambda: _value(prometheus, "max(flink_jobmanager_job_runningTime)") > HEALTHY_RUNNING_MS,
            ALERT_TIMEOUT_S,
            1.0,
        )
        queries = panel_queries(dashboard())
        result.panels = len(queries)
        try:
            wait_until(
                "every panel to have data",
                lambda: len(_panels_with_data(prometheus, queries)) == len(queries),
                PANELS_TIMEOUT_S,
                2.0,
            )
        except TimeoutError:
            pass
        with_data = _panels_with_data(prometheus, queries)
        result.panels_with_data = len(with_data)
        result.problems += [f"panel without data: {t}" for t in queries if t not in with_data]
        result.series = int(_value(prometheus, 'count({job=~"podMonitor/.+"})'))
        unhealthy = [r["name"] for r in prometheus.rules() if r.get("health") != "ok"]
        result.problems += [f"rule not evaluated cleanly: {name}" for name in unhealthy]

        fired: set[str] = set()
        for _ in range(QUIET_SAMPLES):
            fired |= prometheus.firing()
            time.sleep(1.0)
        for rule in flink_alert_rules(CHECK_BOUNDS):
            result.expect(f"{rule.name} fired while the job was healthy", rule.name not in fired)
        log(f"metrics_check: healthy: {result.line()}")

        pipeline.taskmanager.stop()
        replacement = start_taskmanager(pipeline.layout, "taskmanager-2")
        pipeline.callback(replacement.stop)
        result.expect(
            "FlinkJobRestarting did not fire after the TaskManager was replaced",
            _fires(prometheus, "FlinkJobRestarting"),
        )
        wait_until("the job to run on the new TaskManager", lambda: _job_running(pipeline), ALERT_TIMEOUT_S, 1.0)
        wait_until(
            "FlinkJobNotRunning to clear", lambda: "FlinkJobNotRunning" not in prometheus.firing(), ALERT_TIMEOUT_S, 1.0
        )
        pipeline.jobmanagers[-1].stop()
        result.expect(
            "FlinkJobNotRunning did not fire after the JobManager stopped", _fires(prometheus, "FlinkJobNotRunning")
        )


def run_check(work_dir: Path, log: Log) -> MetricsResult:
    result = MetricsResult()
    result.rules_tested = promtool.test_rules(_fresh(work_dir / "promtool-test"))
    rule_file = promtool.write_rule_file(_fresh(work_dir / "rules"), CHECK_BOUNDS)
    promtool.check_rules(rule_file)
    with MonitoredPipeline(work_dir / "pipeline", log) as pipeline:
        pipeline.start()
        pipeline.wait_running()
        log("metrics_check: the reference job runs")
        check_live(pipeline, rule_file, work_dir, log, result)
    return result


def _fresh(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def main() -> int:
    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="metrics-check-") as tmp:
        result = run_check(Path(tmp), log)
    print(result.line())
    for problem in result.problems:
        log(f"metrics_check: {problem}")
    return 0 if not result.problems else 1


if __name__ == "__main__":
    sys.exit(main())
