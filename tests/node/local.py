"""The one-node cluster as the local stack's cluster (``scripts/stack.sh local`` with no context named).

``python -m tests.node local --dir DIR`` attaches to the node left running in ``DIR/node``,
or starts one; then provides what a cluster's admin provides for the stack: the two
storage classes and a host-path volume each for Flink's shared claim and the broker's
claim, under ``DIR/volumes`` (outside the node's directory, which a new node replaces).
Prints ``kubeconfig=<path>``, ``context=<name>`` and ``settings=<JSON>``: what the local
stack's file takes from this cluster (the image names built here, the test ZooKeeper
chart, the classes).

A volume whose claim is gone (the stack was destroyed: its phase is Released) is emptied
and made anew, so the next ``up`` starts from nothing, as a destroyed stack should.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from components.flink.names import DATA_CLAIM
from components.kafka_broker.image import KAFKA_UID
from components.kafka_broker.pod import DATA_CLAIM as KAFKA_CLAIM
from infra.compose.stack import NAMESPACE
from tests.controlplane.client import KubeClient
from tests.controlplane.kubeconfig import CONTEXT
from tests.engine.storage import RWO_CLASS, RWX_CLASS, create_volume, ensure_storage_classes
from tests.engine.test_existing_cluster import CHART
from tests.node import cluster
from tests.node.images import catalogue
from tests.waiting import wait_until

Log = cluster.Log


def volumes() -> list[tuple[str, str, str, str, int]]:
    """(volume, access mode, class, claim, owner uid) of the local stack's two claims."""
    return [
        ("flink-aks-local-flink-data", "ReadWriteMany", RWX_CLASS, DATA_CLAIM, catalogue.FLINK_UID),
        ("flink-aks-local-kafka", "ReadWriteOnce", RWO_CLASS, KAFKA_CLAIM, KAFKA_UID),
    ]


def ensure_volume(kube: KubeClient, root: Path, name: str, mode: str, klass: str, claim: str, uid: int) -> None:
    """The volume, pre-bound to its claim; emptied and made anew when its claim is gone."""
    path = f"/api/v1/persistentvolumes/{name}"
    directory = root / name
    found = kube.request("GET", path)
    if found.ok and found.body.get("status", {}).get("phase") != "Released":
        return
    if found.ok:
        kube.must("DELETE", path)
        wait_until(f"volume {name} to go", lambda: kube.request("GET", path).status == 404, 60.0, 0.2)
        shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    os.chown(directory, uid, uid)
    host_path = {"path": str(directory.resolve()), "type": "Directory"}
    create_volume(kube, name, host_path, mode, klass, {"namespace": NAMESPACE, "name": claim})


def stack_settings(project: Path) -> dict[str, Any]:
    """The local stack's settings that are this cluster's."""
    chart = os.path.relpath(CHART, project)
    return {
        "flink-aks:target": {"kafka": {"storageClass": RWO_CLASS}},
        "flink-aks:zookeeper": {"chart": f"./{chart}", "chartVersion": "0.1.0", "storageClass": RWO_CLASS},
        "flink-aks:flink": {"image": catalogue.job_image(), "storageClass": RWX_CLASS},
    }


def local(root: Path, log: Log) -> list[str]:
    """Attach to or start the node in ``root/node``; the lines to print."""
    workdir = (root / "node").resolve()
    try:
        node = cluster.attach(workdir)
        log(f"the one-node cluster in {workdir} is running")
    except cluster.NodeError:
        log(f"starting the one-node cluster in {workdir}")
        node = cluster.start(workdir, log)
    ensure_storage_classes(node.admin)
    for name, mode, klass, claim, uid in volumes():
        ensure_volume(node.admin, (root / "volumes").resolve(), name, mode, klass, claim, uid)
    return [
        f"kubeconfig={node.kubeconfig}",
        f"context={CONTEXT}",
        f"settings={json.dumps(stack_settings(Path.cwd()))}",
    ]
