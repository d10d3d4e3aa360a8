"""FlinkJobCluster: one Flink application cluster (one job) with ZooKeeper HA."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.flink import (
    disruption,
    kafka_secret,
    network_policies,
    pods,
    services,
    sidecar,
    standby,
    workload_identity,
    zones,
)
from components.flink.fingerprint import job_fingerprint, jobmanager_config
from components.flink.flink_config import CONFIG_FILE_NAME, render_flink_config, to_config_yaml
from components.flink.kafka_secret import KafkaEndpoint
from components.flink.names import (
    CONFIG_MAP,
    DATA_CLAIM,
    JOBMANAGER_DEPLOYMENT,
    JOBMANAGER_SERVICE,
    REST_PORT,
    TASKMANAGER_DEPLOYMENT,
    UI_SERVICE,
    labels,
    meta,
)
from components.flink.spec import FlinkSpec, UiSpec
from components.flink.state_impact import DeployedJob


@dataclass
class FlinkJobClusterArgs:
    namespace: str
    cluster_id: str  # per stack: separates HA metadata of stacks sharing a ZooKeeper
    flink: FlinkSpec
    ui: UiSpec
    zookeeper_quorum: pulumi.Input[str]  # "host:port,host:port"
    kafka: KafkaEndpoint
    protect: bool
    # Where the Flink pods' ZooKeeper and Kafka traffic goes (their NetworkPolicies).
    zookeeper_destination: network_policies.Destination
    kafka_destination: network_policies.Destination
    zonal: bool = False  # nodes in several zones: zone-redundant storage, TaskManagers spread


class FlinkJobCluster(pulumi.ComponentResource):
    ui_url: pulumi.Output[str]
    port_forward_command: pulumi.Output[str] | None
    deployed_job: pulumi.Output[dict[str, Any]]  # DeployedJob.to_output(): what `up` will run

    def __init__(self, name: str, args: FlinkJobClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("flink-aks:flink:FlinkJobCluster", name, None, opts)
        ns = args.namespace
        s = args.flink
        child = pulumi.ResourceOptions(parent=self)

        # Rendered once; the quorum may be an output: the file is written once it resolves.
        config = render_flink_config(s, args.cluster_id, args.zookeeper_quorum)
        config_yaml = pulumi.Output.all(**config).apply(to_config_yaml)
        k8s.core.v1.ConfigMap(
            f"{name}-config", metadata=meta(ns, CONFIG_MAP), data={CONFIG_FILE_NAME: config_yaml}, opts=child
        )
        kafka_secret.declare(name, ns, args.kafka, parent=self)
        client_id = args.kafka.identity_client_id
        if client_id is not None:
            workload_identity.declare(name, ns, client_id, parent=self)
        storage_class = None
        if args.zonal and s.storage_class is None:
            storage_class = k8s.storage.v1.StorageClass(
                f"{name}-zrs",
                metadata={"name": zones.ZRS_CLASS, "labels": labels("cluster")},
                provisioner=zones.PROVISIONER,
                parameters=zones.ZRS_PARAMETERS,
                reclaim_policy="Delete",
                volume_binding_mode="Immediate",
                allow_volume_expansion=True,
                mount_options=zones.MOUNT_OPTIONS,
                opts=child,
            )
        k8s.core.v1.PersistentVolumeClaim(
            f"{name}-data",
            metadata=meta(ns, DATA_CLAIM),
            spec={
                "accessModes": ["ReadWriteMany"],
                "storageClassName": s.storage_class or zones.storage_class_name(args.zonal),
                "resources": {"requests": {"storage": s.storage_size}},
            },
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.protect, depends_on=[storage_class] if storage_class else None
            ),
        )
        if s.sidecar:
            sidecar.declare(name, ns, parent=self, identity_client_id=client_id)
        if s.pod_ip:
            standby.declare(name, ns, parent=self)
        not_ready = services.publish_not_ready(s.job_managers)
        k8s.core.v1.Service(
            f"{name}-jobmanager-service",
            metadata=meta(ns, JOBMANAGER_SERVICE),
            # In sidecar mode without `rpc`: the sidecar adds that entry and owns it.
            spec=services.jobmanager_service_spec(s.sidecar, publish_not_ready=not_ready),
            opts=child,
        )
        ui = k8s.core.v1.Service(
            f"{name}-ui-service",
            metadata=meta(ns, UI_SERVICE, annotations=services.ui_service_annotations(args.ui.exposure)),
            spec=services.ui_service_spec(args.ui.exposure, args.ui.allowed_cidrs, publish_not_ready=not_ready),
            opts=child,
        )
        # The JobManager rolls on the keys it reads, the TaskManagers on the whole file.
        fingerprint = job_fingerprint(s.image, s.job_jar, s.job_class_name, s.job_args, config)
        ctx = pods.PodContext(
            spec=s,
            cluster_id=args.cluster_id,
            zookeeper_quorum=args.zookeeper_quorum,
            config_checksum=pulumi.Output.all(**jobmanager_config(config)).apply(to_config_yaml).apply(_sha256),
            fingerprint=fingerprint,
        )
        jobmanager_pod = pods.jobmanager_template(ctx, _rpc_port_step(s, ctx))
        taskmanager_ctx = replace(ctx, config_checksum=config_yaml.apply(_sha256))
        taskmanager_pod = _spread(pods.taskmanager_template(taskmanager_ctx), labels("taskmanager"), args.zonal)
        if client_id is not None:
            jobmanager_pod = workload_identity.with_workload_identity(jobmanager_pod)
            taskmanager_pod = workload_identity.with_workload_identity(taskmanager_pod)
        k8s.apps.v1.Deployment(
            f"{name}-jobmanager",
            metadata=meta(ns, JOBMANAGER_DEPLOYMENT),
            spec={
                # One, or (podIp) a leader and standbys, all advertising their pod IPs.
                "replicas": s.job_managers,
                # Never an old JobManager beside a new one: all old ones are gone before
                # the new ones start (their start step, under its lock, applies the change).
                "strategy": {"type": "Recreate"},
                "selector": {"matchLabels": labels("jobmanager")},
                "template": jobmanager_pod,
            },
            # No depends_on the Services: a Service's await waits for ready endpoints, which
            # only this Deployment's pod can give.
            opts=child,
        )
        k8s.apps.v1.Deployment(
            f"{name}-taskmanager",
            metadata=meta(ns, TASKMANAGER_DEPLOYMENT),
            spec={
                "replicas": s.task_managers,
                "selector": {"matchLabels": labels("taskmanager")},
                "template": taskmanager_pod,
            },
            opts=child,
        )
        network_policies.declare(
            name,
            ns,
            network_policies.PolicyInputs(
                sidecar=s.sidecar,
                zookeeper=args.zookeeper_destination,
                kafka=args.kafka_destination,
                ui_cidrs=() if args.ui.exposure == "portForward" else args.ui.allowed_cidrs,
                entra_id=client_id is not None,
            ),
            parent=self,
        )
        disruption.declare(name, ns, parent=self)
        if args.ui.exposure == "portForward":
            self.ui_url = pulumi.Output.from_input(f"http://localhost:{REST_PORT}")
            self.port_forward_command = pulumi.Output.from_input(services.port_forward_command(ns))
        else:
            self.ui_url = ui.status.apply(_load_balancer_url)
            self.port_forward_command = None
        self.deployed_job = pulumi.Output.all(_digest(jobmanager_pod), _digest(taskmanager_pod)).apply(
            lambda digests: _deployed_job(s, fingerprint, digests[0], digests[1]).to_output()
        )
        self.register_outputs(
            {"ui_url": self.ui_url, "port_forward_command": self.port_forward_command, "job": self.deployed_job}
        )


def _rpc_port_step(s: FlinkSpec, ctx: pods.PodContext) -> pods.Step | None:
    """What the RPC-port mode adds to the JobManager's pod: the port-patcher, or the pod IP and leader watch."""
    if s.sidecar:
        return sidecar.with_port_patcher
    if s.pod_ip:
        return lambda pod: standby.with_pod_ip(pod, ctx)
    return None


def _deployed_job(s: FlinkSpec, fingerprint: str, jobmanager_pod: str, taskmanager_pod: str) -> DeployedJob:
    return DeployedJob(
        fingerprint=fingerprint,
        job_manager_pod=jobmanager_pod,
        task_manager_pod=taskmanager_pod,
        task_managers=s.task_managers,
        parallelism=s.parallelism,
        max_parallelism=s.max_parallelism,
        upgrade_mode=s.upgrade_mode,
        savepoint_fallback=s.savepoint_fallback,
    )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _digest(template: dict[str, Any]) -> pulumi.Output[str]:
    """A pod template's digest once its values resolve: equal digests, no rollout."""
    resolved = pulumi.Output.from_input(template)
    return resolved.apply(lambda t: _sha256(json.dumps(t, sort_keys=True, separators=(",", ":"))))


def _spread(template: dict[str, Any], labels: dict[str, str], zonal: bool) -> dict[str, Any]:
    return zones.spread_over_zones(template, labels) if zonal else template


def _load_balancer_url(status: Any) -> str:
    ingress = (status.load_balancer.ingress or []) if status and status.load_balancer else []
    address = ingress[0].ip or ingress[0].hostname if ingress else None
    return f"http://{address}:{REST_PORT}" if address else "pending: the load balancer has no address yet"
