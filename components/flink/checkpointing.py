"""State backend, checkpointing and TaskManager memory: Flink's keys for the job's state.

Two state backends, each with the memory it uses:
- ``hashmap`` (default): state on the TaskManager's JVM heap. Managed memory is unused by
  it, so its fraction is 0 and that memory goes to the heap (Flink's tuning guide).
- ``rocksdb``: state in RocksDB on the TaskManager's local disk (``/tmp``), for state
  larger than the heap. Managed memory (Flink's default fraction) is RocksDB's block cache
  and write buffers; checkpoints are incremental.

The checkpoint policy also bounds the JobManager's liveness probe (``progress_window_ms``).
"""

from __future__ import annotations

from components.flink.spec import FlinkSpec

STATE_BACKENDS = ("hashmap", "rocksdb")
NUM_RETAINED = 3  # completed checkpoints kept on the volume


def progress_window_ms(interval_ms: int, timeout_ms: int, tolerable_failures: int) -> int:
    """The least time a healthy job may go without completing a checkpoint.

    A checkpoint may take up to the timeout and fail; the job fails over only after
    ``tolerable_failures`` consecutive failures; one more try completes. The Flink
    Kubernetes operator's default checkpoint-progress window is this product.
    """
    return max(interval_ms, timeout_ms) * (tolerable_failures + 2)


def state_config(spec: FlinkSpec, storage: str) -> dict[str, str | int | float | bool]:
    """State backend, checkpointing (exactly-once, retained on cancellation) and managed memory."""
    if spec.state_backend not in STATE_BACKENDS:
        raise ValueError(f"state backend {spec.state_backend!r}: one of {', '.join(STATE_BACKENDS)}")
    config: dict[str, str | int | float | bool] = {
        "state.backend.type": spec.state_backend,
        "execution.checkpointing.interval": spec.checkpoint_interval.text,
        "execution.checkpointing.mode": "EXACTLY_ONCE",
        "execution.checkpointing.dir": f"{storage}/checkpoints",
        "execution.checkpointing.savepoint-dir": f"{storage}/savepoints",
        "execution.checkpointing.externalized-checkpoint-retention": "RETAIN_ON_CANCELLATION",
        "execution.checkpointing.num-retained": NUM_RETAINED,
        "execution.checkpointing.timeout": spec.checkpoint_timeout.text,
        "execution.checkpointing.tolerable-failed-checkpoints": spec.tolerable_checkpoint_failures,
    }
    if spec.state_backend == "rocksdb":
        # Managed memory stays at Flink's default fraction: RocksDB's memory.
        config["execution.checkpointing.incremental"] = True
    else:
        config["taskmanager.memory.managed.fraction"] = 0.0
    return config
