"""Container resources derived from Flink's memory settings."""

from __future__ import annotations

from infra.validation import memory_bytes


def container_memory(flink_memory: str) -> str:
    """Flink's process size ("1600m", "4g") as a Kubernetes quantity in MiB ("1600Mi").

    The container limit equals Flink's total process memory: Flink sizes heap,
    managed and network memory, metaspace and JVM overhead to fit inside it.
    """
    return f"{memory_bytes('memory', flink_memory, 0) // 1024**2}Mi"
