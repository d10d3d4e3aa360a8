"""A real Prometheus server (Debian's ``prometheus`` package) on 127.0.0.1.

``PrometheusServer`` is a context manager: it writes the config, starts the server on a
free port with its data in the work directory, waits until it is ready, and stops it by
PID on leaving. ``query`` and ``alerts`` read its HTTP API.
"""

from __future__ import annotations

import json
import shutil
import urllib.parse
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

from tests.integration.processes import ManagedProcess, start_process
from tests.ports import free_port
from tests.waiting import wait_until

INSTALL_HINT = "Debian's `prometheus` package (`bash scripts/test.sh` installs it)"
READY_TIMEOUT_S = 60.0


class PrometheusServer:
    def __init__(self, work_dir: Path, config: dict[str, Any]) -> None:
        self.work_dir = work_dir
        self.config = config
        self.port = 0
        self.process: ManagedProcess | None = None

    def __enter__(self) -> PrometheusServer:
        binary = shutil.which("prometheus")
        if binary is None:
            raise RuntimeError(f"`prometheus` not found on PATH: {INSTALL_HINT}")
        self.work_dir.mkdir(parents=True, exist_ok=True)
        config_file = self.work_dir / "prometheus.yml"
        config_file.write_text(yaml.safe_dump(self.config, sort_keys=False))
        self.port = free_port()
        argv = [
            binary,
            f"--config.file={config_file}",
            f"--storage.tsdb.path={self.work_dir / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
        ]
        self.process = start_process("prometheus", argv, self.work_dir / "prometheus.log", cwd=self.work_dir)
        wait_until("Prometheus to be ready", self._ready, READY_TIMEOUT_S, 0.5)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.process is not None:
            self.process.stop()

    def _ready(self) -> bool:
        if self.process is not None and not self.process.alive():
            raise RuntimeError(f"prometheus exited:\n{self.process.log_tail()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=2) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def api(self, path: str, **params: str) -> Any:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v1/{path}{query}", timeout=10) as response:
            body = json.load(response)
        if body.get("status") != "success":
            raise RuntimeError(f"Prometheus {path} {params}: {body}")
        return body["data"]

    def query(self, promql: str) -> list[dict[str, Any]]:
        """The instant vector of ``promql`` now."""
        result: list[dict[str, Any]] = self.api("query", query=promql)["result"]
        return result

    def rules(self) -> list[dict[str, Any]]:
        return [rule for group in self.api("rules")["groups"] for rule in group["rules"]]

    def firing(self) -> set[str]:
        """Names of the alerts firing now."""
        return {a["labels"]["alertname"] for a in self.api("alerts")["alerts"] if a["state"] == "firing"}
