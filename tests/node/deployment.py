"""The stack deployed onto the node by the real engine, with the test broker as its Kafka:
made once and reused (the node tests and ``python -m tests.node.bench``).

``deploy`` starts the broker (``pipeline.NodePipeline``), prepares the cluster (storage
classes, the host-path volume), writes the stack's config and secrets and runs ``pulumi up``
(the real CLI, engine and kubernetes provider); ``Deployment.up`` runs it again with other
``flink-aks:flink`` keys (a day-two change); ``destroy`` ends it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.engine.build import ensure_engine
from tests.engine.project import EngineProject, Run
from tests.log import Log
from tests.node.cluster import Node
from tests.node.pipeline import NodePipeline
from tests.node.stack import STACK, prepare_cluster, stack_config


@dataclasses.dataclass
class Deployment:
    node: Node
    project: EngineProject
    pipeline: NodePipeline
    volume_dir: Path  # the host path behind Flink's shared claim: HA data, checkpoints, savepoints
    first_up: Run
    first_up_s: float
    flink: dict[str, Any] = dataclasses.field(default_factory=dict)  # the flink keys of the last up

    def up(self, **flink: Any) -> tuple[Run, float]:
        """``pulumi up`` with these ``flink-aks:flink`` keys (on top of the last up's); (run, seconds)."""
        self.flink = {**self.flink, **flink}
        self.project.write_stack(STACK, stack_config(self.pipeline.stack_kafka(), **self.flink))
        started = time.monotonic()
        run = self.project.run(STACK, "up")
        return run, time.monotonic() - started


@contextlib.contextmanager
def deploy(node: Node, work_dir: Path, log: Log = print, **flink: Any) -> Iterator[Deployment]:
    """The broker up, then the stack; on leaving, ``destroy`` and the broker stopped."""
    with NodePipeline(work_dir / "kafka-side", log) as pipeline:
        pipeline.start()
        volume_dir = work_dir / "flink-data"
        prepare_cluster(node.admin, volume_dir)
        project = EngineProject(work_dir / "engine", ensure_engine(), {"KUBECONFIG": "/nonexistent"})
        project.write_stack(STACK, stack_config(pipeline.stack_kafka(), **flink))
        project.init(STACK)
        project.set_secret(STACK, "flink-aks:kubeconfig", Path(node.kubeconfig).read_text())
        for key, value in pipeline.stack_secrets().items():
            project.set_secret(STACK, key, value)
        started = time.monotonic()
        up = project.run(STACK, "up")
        deployment = Deployment(node, project, pipeline, volume_dir, up, time.monotonic() - started, dict(flink))
        log(f"node_up_s={deployment.first_up_s:.1f}")
        try:
            yield deployment
        finally:
            project.run(STACK, "destroy")
