"""The Flink pods of the deployed stack, seen from the host: the JobManager pods (the
terminating one too, while its pre-stop hook runs), their REST API at the pod address
(the host sits on the pods' bridge), the running job and its parallelism.
"""

from __future__ import annotations

from typing import Any

from tests.controlplane.client import KubeClient
from tests.integration.flink_rest import FlinkRest
from tests.node.stack import NS

REST_PORT = 8081


def pods(kube: KubeClient, component: str) -> list[dict[str, Any]]:
    selector = f"app.kubernetes.io/component={component}"
    items: list[dict[str, Any]] = kube.get(f"/api/v1/namespaces/{NS}/pods?labelSelector={selector}")["items"]
    return items


def rest_of(pod: dict[str, Any]) -> FlinkRest | None:
    address = pod.get("status", {}).get("podIP")
    return FlinkRest(REST_PORT, timeout_s=2.0, host=address) if address else None


def all_rests(kube: KubeClient) -> list[FlinkRest]:
    """Every JobManager pod's REST API, the terminating one included."""
    return [rest for pod in pods(kube, "jobmanager") if (rest := rest_of(pod)) is not None]


def current_jobmanager(kube: KubeClient) -> dict[str, Any] | None:
    """The one JobManager pod not being deleted (None while there is not exactly one)."""
    live = [p for p in pods(kube, "jobmanager") if not p["metadata"].get("deletionTimestamp")]
    return live[0] if len(live) == 1 else None


def parallelism(rest: FlinkRest, job_id: str) -> int | None:
    """The highest vertex parallelism of the job (the keyed window's)."""
    job = rest.get(f"/jobs/{job_id}")
    vertices = (job or {}).get("vertices") or []
    return max((int(v["parallelism"]) for v in vertices), default=None)


def running_job(kube: KubeClient, expected_parallelism: int) -> tuple[FlinkRest, str] | None:
    """(REST, job id) once the current JobManager runs every task at ``expected_parallelism``."""
    pod = current_jobmanager(kube)
    rest = rest_of(pod) if pod else None
    job = rest.single_job_id() if rest else None
    if rest is None or job is None or not rest.job_fully_running(job):
        return None
    return (rest, job) if parallelism(rest, job) == expected_parallelism else None
