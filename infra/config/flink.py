"""The ``flink-aks:flink`` setting: validated once into the Flink component's ``FlinkSpec``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.flink.checkpointing import STATE_BACKENDS, progress_window_ms
from components.flink.spec import FlinkSpec
from components.flink.units import Duration
from infra.config import validation as v
from infra.config.profiles import Profile
from infra.config.validation import ConfigError, key

FLINK_KEYS = (
    "version",
    "image",
    "jobClassName",
    "jobJar",
    "jobArgs",
    "taskManagers",
    "slotsPerTaskManager",
    "jobManagerMemory",
    "taskManagerMemory",
    "jobManagerCpu",
    "taskManagerCpu",
    "checkpointInterval",
    "checkpointTimeout",
    "tolerableCheckpointFailures",
    "stateBackend",
    "rpcPortMode",
    "jobManagers",
    "storageSize",
    "upgradeMode",
    "savepointFallback",
    "maxParallelism",
    "unhealthyAfter",
    "storageClass",
    "retainedRuns",
    "retainedSavepoints",
)
# How TaskManagers reach the JobManager's RPC port (docs/ha-and-rpc-port.md): a random port
# patched into the Service (sidecar), 6123 behind the Service (pinned), or 6123 on the
# JobManager's pod IP, advertised through ZooKeeper (podIp: the only mode with standbys).
RPC_PORT_MODES = ("sidecar", "pinned", "podIp")
MAX_JOB_MANAGERS = 3  # the leader and up to two standbys
# How a change to the job takes effect (see components/flink/upgrade_scripts.py, README "Upgrades").
UPGRADE_MODES = ("last-state", "savepoint", "stateless")
# savepoint mode, when the old JobManager left no savepoint: keep the old job, or last-state.
SAVEPOINT_FALLBACKS = ("refuse", "last-state")
# CPU requests in millicores (no CPU limits: a CFS quota throttles the JVM). Default: 500m
# for the JobManager, a CPU per slot for a TaskManager.
DEFAULT_JOB_MANAGER_CPU = "500m"
JOB_MANAGER_CPU_RANGE = (100, 16_000)
TASK_MANAGER_CPU_RANGE = (100, 64_000)
DEFAULT_CHECKPOINT_TIMEOUT = "10 min"  # Flink's default
DEFAULT_TOLERABLE_CHECKPOINT_FAILURES = 3
DEFAULT_MAX_PARALLELISM = 128
MAX_PARALLELISM_LIMIT = 32768  # Flink's upper bound for pipeline.max-parallelism

# Flink minor versions we render config for, and the official image each defaults to,
# pinned by the digest of its multi-platform index where Docker's official-images
# library publishes one (docker-library/repo-info, repos/flink/remote/<tag>.md); 2.0.0
# and 2.1.0 have none there and stay tag-only.
FLINK_IMAGES = {
    "1.20": "flink:1.20.5-scala_2.12-java17@sha256:a0fcd5400842d794f9a1b6292a148db1b3ca217bcf68741cc538e8bc9bc0b5ae",
    "2.0": "flink:2.0.0-scala_2.12-java17",
    "2.1": "flink:2.1.0-scala_2.12-java17",
}
DEFAULT_FLINK_VERSION = "1.20"
# The example job every official Flink image ships: runs with no input, checkpoints.
DEFAULT_JOB_CLASS = "org.apache.flink.streaming.examples.statemachine.StateMachineExample"
DEFAULT_JOB_JAR = "/opt/flink/examples/streaming/StateMachineExample.jar"
JAVA_CLASS = r"(?:[A-Za-z_$][A-Za-z0-9_$]*\.)*[A-Za-z_$][A-Za-z0-9_$]*"
# Job arguments show in Flink's UI: refuse anything that looks like a credential.
SECRET_MARKERS = ("sharedaccesskey", "password", "sasl.jaas.config", "secret")


def parse_flink(profile: Profile, raw: Any) -> FlinkSpec:
    obj = v.check_keys(key("flink"), raw, FLINK_KEYS)
    version = v.choice(key("flink.version"), obj.get("version", DEFAULT_FLINK_VERSION), FLINK_IMAGES)
    args = v.string_list(key("flink.jobArgs"), obj.get("jobArgs", []))
    for arg in args:
        if any(marker in arg.lower() for marker in SECRET_MARKERS):
            raise ConfigError(
                key("flink.jobArgs"),
                "[redacted]",
                "arguments without credentials: Flink's UI shows job arguments; "
                "the job reads Kafka credentials from the mounted client property files (/opt/flink/kafka)",
            )
    job_manager_memory = v.memory_size(
        key("flink.jobManagerMemory"), obj.get("jobManagerMemory", profile.job_manager_memory), 768 * 1024**2
    )
    task_manager_memory = v.memory_size(
        key("flink.taskManagerMemory"), obj.get("taskManagerMemory", profile.task_manager_memory), 1024**3
    )
    interval = obj.get("checkpointInterval", "30s")
    interval_ms = v.duration_ms(key("flink.checkpointInterval"), interval, 1000, 60 * 60_000)
    timeout, tolerable_failures = _checkpoint_failures(obj)
    image = v.matching(
        key("flink.image"),
        obj.get("image", FLINK_IMAGES[version]),
        r"[A-Za-z0-9][A-Za-z0-9./:@_-]*",
        "a container image reference",
    )
    job_class_name = v.matching(
        key("flink.jobClassName"),
        obj.get("jobClassName", DEFAULT_JOB_CLASS),
        JAVA_CLASS,
        "a fully qualified Java class name",
    )
    job_jar = v.matching(
        key("flink.jobJar"),
        obj.get("jobJar", DEFAULT_JOB_JAR),
        r"/[A-Za-z0-9._/-]+\.jar",
        "an absolute path of a .jar inside the image",
    )
    task_managers = v.integer(key("flink.taskManagers"), obj.get("taskManagers", profile.task_managers), 1, 256)
    slots = v.integer(
        key("flink.slotsPerTaskManager"), obj.get("slotsPerTaskManager", profile.slots_per_task_manager), 1, 64
    )
    job_manager_cpu = v.cpu(
        key("flink.jobManagerCpu"), obj.get("jobManagerCpu", DEFAULT_JOB_MANAGER_CPU), *JOB_MANAGER_CPU_RANGE
    )
    task_manager_cpu = v.cpu(key("flink.taskManagerCpu"), obj.get("taskManagerCpu", slots), *TASK_MANAGER_CPU_RANGE)
    rpc_port_mode = v.choice(key("flink.rpcPortMode"), obj.get("rpcPortMode", "sidecar"), RPC_PORT_MODES)
    return FlinkSpec(
        version=version,
        image=image,
        job_class_name=job_class_name,
        job_jar=job_jar,
        job_args=args,
        task_managers=task_managers,
        slots_per_task_manager=slots,
        job_manager_memory=job_manager_memory,
        task_manager_memory=task_manager_memory,
        job_manager_cpu=job_manager_cpu,
        task_manager_cpu=task_manager_cpu,
        checkpoint_interval=Duration(text=interval, millis=interval_ms),
        checkpoint_timeout=timeout,
        tolerable_checkpoint_failures=tolerable_failures,
        state_backend=v.choice(key("flink.stateBackend"), obj.get("stateBackend", "hashmap"), STATE_BACKENDS),
        rpc_port_mode=rpc_port_mode,
        job_managers=_job_managers(obj, rpc_port_mode),
        storage_size=v.quantity(key("flink.storageSize"), obj.get("storageSize", "100Gi")),
        storage_class=None
        if "storageClass" not in obj
        else v.storage_class(key("flink.storageClass"), obj["storageClass"]),
        max_parallelism=_max_parallelism(obj, task_managers * slots),
        upgrade_mode=v.choice(key("flink.upgradeMode"), obj.get("upgradeMode", "last-state"), UPGRADE_MODES),
        savepoint_fallback=v.choice(
            key("flink.savepointFallback"), obj.get("savepointFallback", "refuse"), SAVEPOINT_FALLBACKS
        ),
        unhealthy_after_s=_unhealthy_after(obj, progress_window_ms(interval_ms, timeout.millis, tolerable_failures)),
        retained_runs=v.integer(key("flink.retainedRuns"), obj.get("retainedRuns", 2), 1, 100),
        retained_savepoints=v.integer(key("flink.retainedSavepoints"), obj.get("retainedSavepoints", 5), 1, 1000),
    )


def _job_managers(obj: Mapping[str, Any], rpc_port_mode: str) -> int:
    """The JobManager's replicas: 1, or a leader with standbys when each advertises its pod IP."""
    count = v.integer(key("flink.jobManagers"), obj.get("jobManagers", 1), 1, MAX_JOB_MANAGERS)
    if count > 1 and rpc_port_mode != "podIp":
        raise ConfigError(
            key("flink.jobManagers"),
            count,
            f"1 with rpcPortMode {rpc_port_mode}; 2 to {MAX_JOB_MANAGERS} only with rpcPortMode podIp "
            "(standby JobManagers advertise their pod IPs: a Service name reaches one of them at random)",
        )
    return count


def _max_parallelism(obj: Mapping[str, Any], parallelism: int) -> int:
    """The job's key groups: at least its parallelism, so keyed state can be redistributed."""
    max_parallelism = v.integer(
        key("flink.maxParallelism"), obj.get("maxParallelism", DEFAULT_MAX_PARALLELISM), 1, MAX_PARALLELISM_LIMIT
    )
    if max_parallelism < parallelism:
        raise ConfigError(
            key("flink.maxParallelism"),
            max_parallelism,
            f"at least the parallelism taskManagers × slotsPerTaskManager ({parallelism}): "
            "keyed state has maxParallelism key groups, and a task needs at least one",
        )
    return max_parallelism


def _checkpoint_failures(obj: Mapping[str, Any]) -> tuple[Duration, int]:
    """How long a checkpoint may take, and how many may fail in a row before the job fails over."""
    timeout = obj.get("checkpointTimeout", DEFAULT_CHECKPOINT_TIMEOUT)
    timeout_ms = v.duration_ms(key("flink.checkpointTimeout"), timeout, 10_000, 2 * 3_600_000)
    tolerable = v.integer(
        key("flink.tolerableCheckpointFailures"),
        obj.get("tolerableCheckpointFailures", DEFAULT_TOLERABLE_CHECKPOINT_FAILURES),
        0,
        10,
    )
    return Duration(text=timeout, millis=timeout_ms), tolerable


def _unhealthy_after(obj: Mapping[str, Any], floor_ms: int) -> int:
    """Seconds without a checkpoint completed or in progress before the JobManager's liveness fails.

    Default and least value: ``floor_ms``, the checkpoint-progress window of a healthy job.
    """
    if "unhealthyAfter" not in obj:
        return -(-floor_ms // 1000)
    value = obj["unhealthyAfter"]
    after_ms = v.duration_ms(key("flink.unhealthyAfter"), value, 60_000, 24 * 3_600_000)
    if after_ms < floor_ms:
        raise ConfigError(
            key("flink.unhealthyAfter"),
            value,
            f"at least {_readable(floor_ms)} = max(checkpointInterval, checkpointTimeout) × "
            "(tolerableCheckpointFailures + 2), the time a healthy job may go without a checkpoint "
            "(leave it unset for exactly that)",
        )
    return after_ms // 1000


def _readable(millis: int) -> str:
    return f"{millis // 60_000} min" if millis % 60_000 == 0 else f"{-(-millis // 1000)} s"
