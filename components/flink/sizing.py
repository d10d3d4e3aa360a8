"""Container resources derived from Flink's memory settings."""

from __future__ import annotations

from infra.config.validation import parse_memory_size


def container_memory(flink_memory: str) -> str:
    """Flink's process size ("1600m", "4g") as a Kubernetes quantity in MiB ("1600Mi").

    The container limit equals Flink's total process memory: Flink sizes heap,
    managed and network memory, metaspace and JVM overhead to fit inside it.
    """
    size = parse_memory_size(flink_memory)
    if size is None:
        raise ValueError(f"not a Flink memory size: {flink_memory!r}")
    return f"{size // 1024**2}Mi"
