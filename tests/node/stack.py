"""An existing-cluster stack aimed at the one-node cluster: its config, and what the cluster's
admin provides first (storage classes, a host-path volume for Flink's shared claim).

The stack's objects are rendered unchanged: the Flink image and the reference job's image
exist in containerd under the names the config gives, ZooKeeper runs from the test chart of
tests/engine (the image under the stack's default ZooKeeper image name), Kafka is the test
broker on the bridge address (``pipeline.NodePipeline``) with its topics and rules.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.controlplane.client import KubeClient
from tests.engine.storage import RWO_CLASS, RWX_CLASS, create_shared_volume, ensure_storage_classes
from tests.engine.test_existing_cluster import CHART
from tests.integration.reference_job import JOB_CLASS
from tests.node.images import catalogue
from tests.waiting import wait_until

STACK = "node"
SHARED_VOLUME = "flink-data-volume"  # the host-path volume behind Flink's shared claim
NS = "flink"
CHECKPOINT_INTERVAL = "5s"  # a few checkpoints within a test's minute
# A short checkpoint-progress window: unhealthyAfter defaults to max(interval, timeout) ×
# (tolerable + 2) = 60 s, its least value, so a stuck job fails its liveness probe in a minute.
CHECKPOINT_TIMEOUT = "15s"
TOLERABLE_CHECKPOINT_FAILURES = 2
# A TaskManager's CPU request (the stack's default is one CPU per slot): a quarter CPU lets
# the 2-CPU node hold the JobManager (500m), ZooKeeper and three TaskManagers, the most
# that ``up`` with taskManagers 1 -> 2 has at once (the rolling update adds one first).
TASK_MANAGER_CPU = "250m"


def stack_config(kafka: dict[str, Any], task_managers: int = 1, **flink: Any) -> dict[str, Any]:
    """The stack's config; ``flink`` overrides keys of ``flink-aks:flink`` (``upgradeMode``, say)."""
    return {
        "flink-aks:target": {"cluster": "existing", "kubeconfig": "secret", "kafka": kafka},
        "flink-aks:zookeeper": {"chart": str(CHART), "chartVersion": "0.1.0", "replicas": 1, "storageClass": RWO_CLASS},
        "flink-aks:flink": {
            "taskManagers": task_managers,
            "storageClass": RWX_CLASS,
            "storageSize": "1Gi",
            "image": catalogue.job_image(),
            "jobJar": catalogue.JOB_JAR,
            "jobClassName": JOB_CLASS,
            "checkpointInterval": CHECKPOINT_INTERVAL,
            "checkpointTimeout": CHECKPOINT_TIMEOUT,
            "tolerableCheckpointFailures": TOLERABLE_CHECKPOINT_FAILURES,
            "taskManagerCpu": TASK_MANAGER_CPU,
            **flink,
        },
    }


def prepare_cluster(kube: KubeClient, volume_dir: Path) -> None:
    """Storage classes and one host-path volume (a directory the Flink user owns) for the claim.

    A volume of that name left by an earlier deployment on the same node (retained, released
    when that stack was destroyed; ``bench --attach`` runs again on one node) goes first.
    """
    volume_dir.mkdir(parents=True, exist_ok=True)
    os.chown(volume_dir, catalogue.FLINK_UID, catalogue.FLINK_UID)
    ensure_storage_classes(kube)
    path = f"/api/v1/persistentvolumes/{SHARED_VOLUME}"
    if kube.request("DELETE", path).ok:
        wait_until(f"the earlier {SHARED_VOLUME} to go", lambda: kube.request("GET", path).status == 404, 60.0, 0.2)
    create_shared_volume(kube, SHARED_VOLUME, {"path": str(volume_dir), "type": "Directory"})
