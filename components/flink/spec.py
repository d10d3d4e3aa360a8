"""What the Flink component is asked to run: typed, validated values, parsed once.

The stack's config parser builds them from the ``flink`` and ``ui`` settings; the
component renders from them and never parses a value again.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.flink.units import CpuQuantity, Duration, MemorySize


@dataclass(frozen=True)
class FlinkSpec:
    version: str  # Flink minor version, one of flink_config.SUPPORTED_VERSIONS
    image: str
    job_class_name: str
    job_jar: str
    job_args: tuple[str, ...]
    task_managers: int
    slots_per_task_manager: int
    job_manager_memory: MemorySize  # Flink's total process size = the container's limit
    task_manager_memory: MemorySize
    job_manager_cpu: CpuQuantity  # the JobManager container's CPU request (no CPU limit)
    task_manager_cpu: CpuQuantity  # one TaskManager's CPU request; default a CPU per slot
    checkpoint_interval: Duration
    # Checkpoint policy and state backend (see checkpointing.py).
    checkpoint_timeout: Duration
    tolerable_checkpoint_failures: int  # consecutive failed checkpoints before the job fails over
    state_backend: str  # hashmap (heap; managed memory 0) or rocksdb (incremental, managed memory)
    # sidecar (random RPC port, patched into the Service), pinned (6123 behind the Service)
    # or podIp (6123 on the pod IP each JobManager advertises: standbys possible)
    rpc_port_mode: str
    storage_size: str  # Kubernetes quantity of the shared volume
    storage_class: str | None  # None: AKS's azurefile-csi, or the stack's zone-redundant class when zonal
    # Key groups of keyed state: fixed for the life of the state, so that state can be
    # redistributed when the parallelism changes (up to this value).
    max_parallelism: int
    upgrade_mode: str  # last-state, savepoint, stateless
    savepoint_fallback: str  # savepoint mode without a savepoint: refuse, last-state
    unhealthy_after_s: int  # liveness: no checkpoint completed or in progress for this long
    # Retention on the shared volume (see upgrade_scripts): checkpoint directories of
    # earlier JobIDs (runs) kept besides the current one, complete savepoints kept.
    retained_runs: int = 2
    retained_savepoints: int = 5
    job_managers: int = 1  # the JobManager's replicas: > 1 (a leader and standbys) only in podIp mode

    @property
    def parallelism(self) -> int:
        return self.task_managers * self.slots_per_task_manager

    @property
    def sidecar(self) -> bool:
        """The port-patcher sidecar runs (rpcPortMode sidecar), or the RPC port is pinned."""
        return self.rpc_port_mode == "sidecar"

    @property
    def pod_ip(self) -> bool:
        """Each JobManager advertises its pod IP (rpcPortMode podIp): the leader watch runs beside it."""
        return self.rpc_port_mode == "podIp"


@dataclass(frozen=True)
class UiSpec:
    exposure: str  # public, internal, portForward
    allowed_cidrs: tuple[str, ...]  # public: who may reach the load balancer
