"""The reference pipeline (``ReferencePipeline``) with Flink's Prometheus reporter on.

The stack's rendered config already turns the reporter on (``components.monitoring``);
before the first JobManager starts, its jar is put in ``plugins/``, as the image has it
(a local run without this finds no reporter and serves no metrics). In the cluster each
pod serves port 9249; here the JobManager and the TaskManager share one host, so the
port becomes a range of two free ports (each process binds the first free one) and
``metrics_ports()`` tells which process got which.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import yaml

from components.flink.flink_config import CONFIG_FILE_NAME
from components.monitoring.flink_reporter import PLUGIN_DIR, reporter_config
from tests.integration.flink_dist import ensure_flink_dist
from tests.integration.kafka_pipeline import Log, ReferencePipeline
from tests.integration.processes import ManagedProcess, listening_ports
from tests.ports import free_port
from tests.waiting import wait_until

REPORTER_BIND_TIMEOUT_S = 120.0


def free_port_pair(attempts: int = 50) -> tuple[int, int]:
    """Two consecutive ports free on 127.0.0.1 right now."""
    for _ in range(attempts):
        first = free_port()
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", first + 1))
            except OSError:
                continue
        return first, first + 1
    raise RuntimeError("no two consecutive free ports found")


class MonitoredPipeline(ReferencePipeline):
    def __init__(self, work_dir: Path, log: Log = print) -> None:
        super().__init__(work_dir, log)
        self.reporter_ports = free_port_pair()
        self.reporter_jar = ensure_flink_dist().reporter_jar
        self._reporter_on = False

    def start_jobmanager(self) -> ManagedProcess:
        if not self._reporter_on:
            self._turn_reporter_on()
        return super().start_jobmanager()

    def _turn_reporter_on(self) -> None:
        config_file = self.layout.config_dir / CONFIG_FILE_NAME
        config = yaml.safe_load(config_file.read_text())
        low, high = self.reporter_ports
        config.update(reporter_config(f"{low}-{high}"))
        config_file.write_text(yaml.safe_dump(config, sort_keys=False, default_flow_style=False))
        plugin = self.layout.home / "plugins" / PLUGIN_DIR
        plugin.mkdir(parents=True, exist_ok=True)
        shutil.copy2(self.reporter_jar, plugin / self.reporter_jar.name)
        self._reporter_on = True

    def metrics_ports(self, timeout_s: float = REPORTER_BIND_TIMEOUT_S) -> dict[str, int]:
        """``{"jobmanager": port, "taskmanager": port}``: the reporter port each process bound."""
        processes = {"jobmanager": self.jobmanagers[-1], "taskmanager": self.taskmanager}

        def bound() -> dict[str, int] | None:
            self.check_alive()
            found = {}
            for role, process in processes.items():
                ports = [p for p in listening_ports(process.pid) if p in self.reporter_ports]
                if len(ports) != 1:
                    return None
                found[role] = ports[0]
            return found

        return wait_until("the reporters to listen", bound, timeout_s, 0.5)
