"""Pod templates of the JobManager and TaskManagers, one small decorator per concern.

Each ``with_*`` function takes a pod template (a manifest as a dict) and returns it
with one concern added: the prepared config and job jar, the Kafka Secret, the shared
volume, the ZooKeeper wait, the upgrade steps, hardening (the sidecar's step lives in
``sidecar``). Pure: no resources.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi

from components.flink import job_health, kafka_secret, scripts, upgrade_scripts
from components.flink.names import (
    BLOB_PORT,
    CONFIG_MAP,
    DATA_CLAIM,
    DATA_MOUNT,
    JOBMANAGER_SERVICE,
    REST_PORT,
    RPC_PORT,
    TASKMANAGER_RPC_PORT,
    ZOOKEEPER_CLIENT_LABEL,
    labels,
)
from components.flink.spec import FlinkSpec
from components.monitoring import flink_reporter

Pod = dict[str, Any]
Step = Callable[[Pod], Pod]

FLINK_UID = 9999  # the `flink` user of the official image
IMAGE_ENTRYPOINT = "/docker-entrypoint.sh"  # the official image's
# savepoint mode: how long the pre-stop step waits for the savepoint, and the grace
# period around it (the kubelet sends SIGTERM when the hook returns or the period ends).
SAVEPOINT_TIMEOUT_S = 300
SAVEPOINT_GRACE_S = SAVEPOINT_TIMEOUT_S + 30


def metrics_port() -> dict[str, Any]:
    """Flink's Prometheus reporter: a PodMonitor (or any Prometheus) scrapes the port by its name."""
    return {"name": flink_reporter.PORT_NAME, "containerPort": flink_reporter.PORT}


@dataclass(frozen=True)
class PodContext:
    """The spec, and what only the running stack knows."""

    spec: FlinkSpec
    cluster_id: str
    zookeeper_quorum: pulumi.Input[str]
    config_checksum: pulumi.Input[str]  # sha256 of the rendered config file: a change rolls the pods
    fingerprint: str  # components.flink.fingerprint.job_fingerprint of the stack's job


def container(pod: Pod, name: str) -> dict[str, Any]:
    return next(c for c in pod["spec"]["containers"] if c["name"] == name)


def base(ctx: PodContext, component: str, args: list[str]) -> Pod:
    return {
        "metadata": {
            "labels": {**labels(component), **ZOOKEEPER_CLIENT_LABEL},
            "annotations": {"checksum/config": ctx.config_checksum},
        },
        "spec": {
            "automountServiceAccountToken": False,
            "terminationGracePeriodSeconds": 30,
            "containers": [
                {
                    "name": "flink",
                    "image": ctx.spec.image,
                    "args": args,
                    "env": [
                        # The image's entrypoint writes this into the config file.
                        {"name": "JOB_MANAGER_RPC_ADDRESS", "value": JOBMANAGER_SERVICE},
                        {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                    ],
                    "volumeMounts": [],
                }
            ],
            "initContainers": [],
            "volumes": [],
        },
    }


def with_prepared_files(pod: Pod, ctx: PodContext) -> Pod:
    """Config file and job jar, copied into writable volumes by an init container."""
    spec = pod["spec"]
    spec["volumes"] += [
        {"name": "config-source", "configMap": {"name": CONFIG_MAP}},
        {"name": "conf", "emptyDir": {}},
        {"name": "usrlib", "emptyDir": {}},
    ]
    spec["initContainers"].append(
        {
            "name": "prepare",
            "image": ctx.spec.image,
            "command": ["bash", "-c", scripts.PREPARE],
            "env": [
                {"name": "CONF_OUT", "value": "/prepared/conf"},
                {"name": "USRLIB_OUT", "value": "/prepared/usrlib"},
                {"name": "CONFIG_SOURCE", "value": "/config-source/config.yaml"},
                {"name": "JOB_JAR", "value": ctx.spec.job_jar},
            ],
            "volumeMounts": [
                {"name": "config-source", "mountPath": "/config-source", "readOnly": True},
                {"name": "conf", "mountPath": "/prepared/conf"},
                {"name": "usrlib", "mountPath": "/prepared/usrlib"},
            ],
            "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
        }
    )
    container(pod, "flink")["volumeMounts"] += [
        {"name": "conf", "mountPath": "/opt/flink/conf"},
        {"name": "usrlib", "mountPath": "/opt/flink/usrlib"},
    ]
    return pod


def with_kafka(pod: Pod) -> Pod:
    """The Kafka contract: KAFKA_* env vars from the ConfigMap, the client property files from the Secret."""
    pod["spec"]["volumes"].append(
        {
            "name": "kafka",
            "secret": {
                "secretName": kafka_secret.SECRET_NAME,
                "items": [{"key": f, "path": f} for f in kafka_secret.PROPERTY_FILES],
                "defaultMode": 0o440,
            },
        }
    )
    flink = container(pod, "flink")
    flink["envFrom"] = kafka_secret.env_from_config_map()
    flink["volumeMounts"].append({"name": "kafka", "mountPath": kafka_secret.MOUNT_PATH, "readOnly": True})
    return pod


def with_shared_volume(pod: Pod) -> Pod:
    """The RWX volume for HA metadata, checkpoints and savepoints."""
    pod["spec"]["volumes"].append({"name": "data", "persistentVolumeClaim": {"claimName": DATA_CLAIM}})
    container(pod, "flink")["volumeMounts"].append({"name": "data", "mountPath": DATA_MOUNT})
    return pod


def with_zookeeper_wait(pod: Pod, ctx: PodContext) -> Pod:
    """Start Flink only once ZooKeeper serves: HA leader election needs it."""
    pod["spec"]["initContainers"].insert(
        0,
        {
            "name": "wait-for-zookeeper",
            "image": ctx.spec.image,
            "command": ["bash", "-c", scripts.WAIT_FOR_ZOOKEEPER],
            "env": [{"name": "ZOOKEEPER_QUORUM", "value": ctx.zookeeper_quorum}],
            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"memory": "64Mi"}},
        },
    )
    return pod


def with_upgrades(pod: Pod, ctx: PodContext) -> Pod:
    """A change to the job takes effect: the start step before Flink, the pre-stop savepoint.

    The start step runs in the Flink container itself (not an init container), so it
    also runs when only the container restarts; see ``upgrade_scripts``.
    """
    spec = ctx.spec
    flink = container(pod, "flink")
    flink["command"] = ["bash", "-c", upgrade_scripts.start_program(IMAGE_ENTRYPOINT), "jobmanager"]
    env = upgrade_scripts.upgrade_environment(
        cluster_id=ctx.cluster_id,
        zookeeper_quorum=ctx.zookeeper_quorum,
        data_dir=DATA_MOUNT,
        conf_file="/opt/flink/conf/config.yaml",
        fingerprint=ctx.fingerprint,
        mode=spec.upgrade_mode,
        fallback=spec.savepoint_fallback,
        retained_runs=spec.retained_runs,
        retained_savepoints=spec.retained_savepoints,
        lock=spec.job_managers > 1,
    )
    flink["env"] += [{"name": name, "value": value} for name, value in env.items()]
    if spec.upgrade_mode == "savepoint":
        flink["env"].append({"name": "SAVEPOINT_TIMEOUT_SECONDS", "value": str(SAVEPOINT_TIMEOUT_S)})
        flink["lifecycle"] = {"preStop": {"exec": {"command": ["bash", "-c", upgrade_scripts.SAVEPOINT_BEFORE_STOP]}}}
        pod["spec"]["terminationGracePeriodSeconds"] = SAVEPOINT_GRACE_S
    return pod


def with_hardening(pod: Pod) -> Pod:
    """Non-root, no privilege escalation, no capabilities, read-only root filesystems.

    Flink writes only to its volumes: conf, usrlib, the shared volume, /tmp and logs.
    """
    spec = pod["spec"]
    spec["securityContext"] = {
        "runAsNonRoot": True,
        "runAsUser": FLINK_UID,
        "runAsGroup": FLINK_UID,
        "fsGroup": FLINK_UID,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    spec["volumes"] += [{"name": "tmp", "emptyDir": {}}, {"name": "log", "emptyDir": {}}]
    flink = container(pod, "flink")
    flink["volumeMounts"] += [{"name": "tmp", "mountPath": "/tmp"}, {"name": "log", "mountPath": "/opt/flink/log"}]
    for each in spec["initContainers"] + spec["containers"]:
        each["securityContext"] = {
            **each.get("securityContext", {}),
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        }
    return pod


def _apply(pod: Pod, *steps: Step) -> Pod:
    for step in steps:
        pod = step(pod)
    return pod


def jobmanager_template(ctx: PodContext, rpc_port_step: Step | None = None) -> Pod:
    """The JobManager's pod; ``rpc_port_step`` is its RPC-port mode's: the port-patcher
    (``sidecar.with_port_patcher``) or the pod IP and leader watch (``standby.with_pod_ip``)."""
    spec = ctx.spec
    args = ["standalone-job", "--job-classname", spec.job_class_name, *spec.job_args]
    steps: list[Step] = [
        lambda p: with_prepared_files(p, ctx),
        with_kafka,
        with_shared_volume,
        lambda p: with_zookeeper_wait(p, ctx),
        lambda p: with_upgrades(p, ctx),
    ]
    if rpc_port_step is not None:
        steps.append(rpc_port_step)
    pod = _apply(base(ctx, "jobmanager", args), *steps, with_hardening)
    flink = container(pod, "flink")
    flink["ports"] = [
        {"name": "rpc", "containerPort": RPC_PORT},
        {"name": "blob", "containerPort": BLOB_PORT},
        {"name": "rest", "containerPort": REST_PORT},
        metrics_port(),
    ]
    # The limit is Flink's total process memory: Flink fits heap, managed and network
    # memory, metaspace and JVM overhead inside it.
    memory = spec.job_manager_memory.kubernetes_quantity
    flink["resources"] = {
        "requests": {"cpu": spec.job_manager_cpu.kubernetes_quantity, "memory": memory},
        "limits": {"memory": memory},
    }
    return with_job_probes(pod, ctx)


def with_job_probes(pod: Pod, ctx: PodContext) -> Pod:
    """Startup, readiness and liveness follow the job (see ``job_health``), not just the REST port."""
    flink = container(pod, "flink")
    flink["env"] += [
        {"name": "UNHEALTHY_AFTER_SECONDS", "value": str(ctx.spec.unhealthy_after_s)},
        {"name": "REST_DOWN_AFTER_SECONDS", "value": str(job_health.REST_DOWN_AFTER_S)},
    ]
    flink["startupProbe"] = {
        "exec": job_health.probe("startup"),
        "periodSeconds": job_health.STARTUP_PERIOD_S,
        "timeoutSeconds": 10,
        "failureThreshold": job_health.STARTUP_FAILURES,
    }
    flink["readinessProbe"] = {
        "exec": job_health.probe("readiness"),
        "periodSeconds": 5,
        "timeoutSeconds": 10,
        "failureThreshold": 3,
    }
    # The program itself tolerates a brief REST outage (REST_DOWN_AFTER_SECONDS).
    flink["livenessProbe"] = {
        "exec": job_health.probe("liveness"),
        "periodSeconds": 10,
        "timeoutSeconds": 15,
        "failureThreshold": 3,
    }
    return pod


def taskmanager_template(ctx: PodContext) -> Pod:
    # TaskManagers advertise their pod IP: pod names do not resolve in DNS.
    pod = _apply(
        base(ctx, "taskmanager", ["taskmanager", "-Dtaskmanager.host=$(POD_IP)"]),
        lambda p: with_prepared_files(p, ctx),
        with_kafka,
        with_shared_volume,
        with_hardening,
    )
    flink = container(pod, "flink")
    flink["ports"] = [{"name": "rpc", "containerPort": TASKMANAGER_RPC_PORT}, metrics_port()]
    memory = ctx.spec.task_manager_memory.kubernetes_quantity  # the limit: as the JobManager's
    flink["resources"] = {
        "requests": {"cpu": ctx.spec.task_manager_cpu.kubernetes_quantity, "memory": memory},
        "limits": {"memory": memory},
    }
    rpc_check = {"tcpSocket": {"port": "rpc"}}
    flink["readinessProbe"] = {**rpc_check, "initialDelaySeconds": 5, "periodSeconds": 10}
    flink["livenessProbe"] = {**rpc_check, "initialDelaySeconds": 30, "periodSeconds": 10, "failureThreshold": 6}
    return pod
