"""The few calls of Flink's REST API the scenario makes; ``None`` when it does not answer."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

Json = Any

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class FlinkRest:
    def __init__(self, port: int, timeout_s: float = 1.0, host: str = "127.0.0.1") -> None:
        self.base = f"http://{host}:{port}"
        self.timeout_s = timeout_s

    def get(self, path: str) -> Json | None:
        """The decoded answer of a 200, None for anything else (down, 5xx, leader election)."""
        try:
            with _OPENER.open(self.base + path, timeout=self.timeout_s) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, OSError, ValueError):
            return None

    def send(self, method: str, path: str, body: Json | None = None) -> Json | None:
        """A request that changes something (cancel, stop); its decoded answer. Errors raise."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with _OPENER.open(request, timeout=max(self.timeout_s, 10.0)) as response:
            return json.loads(response.read() or b"null")

    def rpc_port(self) -> int | None:
        """``jobmanager.rpc.port`` from ``/jobmanager/config``: the port the JobManager bound."""
        entries = self.get("/jobmanager/config")
        for entry in entries or []:
            if entry.get("key") == "jobmanager.rpc.port":
                return int(entry["value"])
        return None

    def single_job_id(self) -> str | None:
        overview = self.get("/jobs/overview")
        jobs = (overview or {}).get("jobs") or []
        return str(jobs[0]["jid"]) if len(jobs) == 1 else None

    def job_fully_running(self, job_id: str) -> bool:
        """Job RUNNING and every one of its tasks RUNNING (not just scheduled or deploying).

        ``/jobs/overview`` asks the JobMaster directly; ``/jobs/:id`` is served from a
        cache refreshed every ``web.refresh-interval`` (3 s) and would lag behind.
        """
        overview = self.get("/jobs/overview")
        for job in (overview or {}).get("jobs") or []:
            if job.get("jid") == job_id:
                tasks = job.get("tasks") or {}
                return job.get("state") == "RUNNING" and 0 < tasks.get("total", 0) == tasks.get("running")
        return False

    def checkpoints(self, job_id: str) -> Json | None:
        return self.get(f"/jobs/{job_id}/checkpoints")

    def completed_count(self, job_id: str) -> int:
        """The job's completed checkpoints so far (0 while REST does not answer)."""
        return int(((self.checkpoints(job_id) or {}).get("counts") or {}).get("completed", 0))

    def latest(self, job_id: str, kind: str) -> Json | None:
        """The job's latest ``completed`` or ``restored`` checkpoint (None: none, or no answer)."""
        return ((self.checkpoints(job_id) or {}).get("latest") or {}).get(kind)

    def taskmanager_ids(self) -> list[str]:
        answer = self.get("/taskmanagers") or {}
        return [str(tm["id"]) for tm in answer.get("taskmanagers") or []]

    def overview(self) -> Json | None:
        return self.get("/overview")
