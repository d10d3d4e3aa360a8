"""FlinkJobCluster: one Flink application cluster (one job) with ZooKeeper HA."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.flink import kafka_secret, pods, services, zones
from components.flink.fingerprint import job_fingerprint
from components.flink.flink_config import (
    CONFIG_FILE_NAME,
    REST_PORT,
    FlinkConfigInputs,
    render_flink_config,
    to_config_yaml,
)
from components.flink.kafka_secret import KafkaEndpoint
from components.flink.rbac import port_patcher_rules
from components.flink.sizing import container_memory
from infra.config.settings import FlinkSettings, UiSettings

PORT_PATCHER_SOURCE = Path(__file__).with_name("port_patcher.py")


@dataclass
class FlinkJobClusterArgs:
    namespace: str
    cluster_id: str
    settings: FlinkSettings
    ui: UiSettings
    zookeeper_connect: pulumi.Input[str]
    kafka: KafkaEndpoint
    protect: bool
    zonal: bool = False  # nodes in several zones: zone-redundant storage, TaskManagers spread


def config_inputs(settings: FlinkSettings, cluster_id: str, zookeeper_quorum: str) -> FlinkConfigInputs:
    """What the config renderer needs, from the stack's Flink settings."""
    return FlinkConfigInputs(
        version=settings.version,
        cluster_id=cluster_id,
        zookeeper_quorum=zookeeper_quorum,
        jobmanager_address=services.JOBMANAGER_SERVICE,
        storage_dir=pods.DATA_MOUNT,
        slots_per_task_manager=settings.slots_per_task_manager,
        parallelism=settings.parallelism,
        jobmanager_memory=settings.job_manager_memory,
        taskmanager_memory=settings.task_manager_memory,
        checkpoint_interval=settings.checkpoint_interval,
        rpc_port_mode=settings.rpc_port_mode,
        max_parallelism=settings.max_parallelism,
    )


class FlinkJobCluster(pulumi.ComponentResource):
    ui_url: pulumi.Output[str]
    port_forward_command: pulumi.Output[str] | None

    def __init__(self, name: str, args: FlinkJobClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("flink-aks:flink:FlinkJobCluster", name, None, opts)
        ns = args.namespace
        s = args.settings
        sidecar = s.rpc_port_mode == "sidecar"
        child = pulumi.ResourceOptions(parent=self)

        config_yaml = pulumi.Output.from_input(args.zookeeper_connect).apply(
            lambda quorum: to_config_yaml(render_flink_config(config_inputs(args.settings, args.cluster_id, quorum)))
        )
        k8s.core.v1.ConfigMap(
            f"{name}-config", metadata=_meta(ns, pods.CONFIG_MAP), data={CONFIG_FILE_NAME: config_yaml}, opts=child
        )
        k8s.core.v1.Secret(
            f"{name}-kafka",
            metadata=_meta(ns, kafka_secret.SECRET_NAME),
            type="Opaque",
            string_data=kafka_secret.secret_string_data(args.kafka),
            opts=child,
        )
        storage_class = None
        if args.zonal and s.storage_class is None:
            storage_class = k8s.storage.v1.StorageClass(
                f"{name}-zrs",
                metadata={"name": zones.ZRS_CLASS, "labels": pods.labels("cluster")},
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
            metadata=_meta(ns, pods.DATA_CLAIM),
            spec={
                "accessModes": ["ReadWriteMany"],
                "storageClassName": s.storage_class or zones.storage_class_name(args.zonal),
                "resources": {"requests": {"storage": s.storage_size}},
            },
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.protect, depends_on=[storage_class] if storage_class else None
            ),
        )
        if sidecar:
            self._port_patcher(name, ns)
        k8s.core.v1.Service(
            f"{name}-jobmanager-service",
            metadata=_meta(ns, services.JOBMANAGER_SERVICE),
            # In sidecar mode without `rpc`: the sidecar adds that entry and owns it.
            spec=services.jobmanager_service_spec(sidecar),
            opts=child,
        )
        ui = k8s.core.v1.Service(
            f"{name}-ui-service",
            metadata=_meta(ns, services.UI_SERVICE, annotations=services.ui_service_annotations(args.ui.exposure)),
            spec=services.ui_service_spec(args.ui.exposure, args.ui.allowed_cidrs),
            opts=child,
        )
        ctx = pods.PodContext(
            image=s.image,
            jobmanager_service=services.JOBMANAGER_SERVICE,
            job_jar=s.job_jar,
            job_class_name=s.job_class_name,
            job_args=s.job_args,
            slots_per_task_manager=s.slots_per_task_manager,
            jobmanager_memory=container_memory(s.job_manager_memory),
            taskmanager_memory=container_memory(s.task_manager_memory),
            config_checksum=config_yaml.apply(lambda text: hashlib.sha256(text.encode()).hexdigest()),
            zookeeper_quorum=args.zookeeper_connect,
            upgrade=pods.UpgradeContext(
                cluster_id=args.cluster_id,
                fingerprint=job_fingerprint(
                    s.image,
                    s.job_jar,
                    s.job_class_name,
                    s.job_args,
                    render_flink_config(config_inputs(s, args.cluster_id, "")),
                ),
                mode=s.upgrade_mode,
                fallback=s.savepoint_fallback,
            ),
            unhealthy_after_s=s.unhealthy_after_s,
        )
        k8s.apps.v1.Deployment(
            f"{name}-jobmanager",
            metadata=_meta(ns, pods.JOBMANAGER_DEPLOYMENT),
            spec={
                "replicas": 1,
                # Never two JobManagers at once: the old one must be gone first.
                "strategy": {"type": "Recreate"},
                "selector": {"matchLabels": pods.labels("jobmanager")},
                "template": pods.jobmanager_template(ctx, sidecar=sidecar),
            },
            # No depends_on the Services: a Service's await waits for ready endpoints, which
            # only this Deployment's pod can give.
            opts=child,
        )
        k8s.apps.v1.Deployment(
            f"{name}-taskmanager",
            metadata=_meta(ns, pods.TASKMANAGER_DEPLOYMENT),
            spec={
                "replicas": s.task_managers,
                "selector": {"matchLabels": pods.labels("taskmanager")},
                "template": _spread(pods.taskmanager_template(ctx), pods.labels("taskmanager"), args.zonal),
            },
            opts=child,
        )
        if args.ui.exposure == "portForward":
            self.ui_url = pulumi.Output.from_input(f"http://localhost:{REST_PORT}")
            self.port_forward_command = pulumi.Output.from_input(services.port_forward_command(ns))
        else:
            self.ui_url = ui.status.apply(_load_balancer_url)
            self.port_forward_command = None
        self.register_outputs({"ui_url": self.ui_url, "port_forward_command": self.port_forward_command})

    def _port_patcher(self, name: str, ns: str) -> None:
        """The sidecar's program and its RBAC: get and patch on the one Service."""
        child = pulumi.ResourceOptions(parent=self)
        k8s.core.v1.ConfigMap(
            f"{name}-port-patcher",
            metadata=_meta(ns, pods.PORT_PATCHER_CONFIG_MAP),
            data={"port_patcher.py": PORT_PATCHER_SOURCE.read_text()},
            opts=child,
        )
        account = k8s.core.v1.ServiceAccount(
            f"{name}-port-patcher-account",
            metadata=_meta(ns, pods.PORT_PATCHER_SERVICE_ACCOUNT),
            automount_service_account_token=False,
            opts=child,
        )
        role = k8s.rbac.v1.Role(
            f"{name}-port-patcher-role",
            metadata=_meta(ns, pods.PORT_PATCHER_SERVICE_ACCOUNT),
            rules=port_patcher_rules(services.JOBMANAGER_SERVICE),
            opts=child,
        )
        k8s.rbac.v1.RoleBinding(
            f"{name}-port-patcher-binding",
            metadata=_meta(ns, pods.PORT_PATCHER_SERVICE_ACCOUNT),
            role_ref={
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "Role",
                "name": pods.PORT_PATCHER_SERVICE_ACCOUNT,
            },
            subjects=[{"kind": "ServiceAccount", "name": pods.PORT_PATCHER_SERVICE_ACCOUNT, "namespace": ns}],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[account, role]),
        )


def _spread(template: dict[str, Any], labels: dict[str, str], zonal: bool) -> dict[str, Any]:
    return zones.spread_over_zones(template, labels) if zonal else template


def _meta(namespace: str, name: str, **extra: Any) -> dict[str, Any]:
    """Metadata of an object that others name: explicit name, namespace, labels."""
    return {"name": name, "namespace": namespace, "labels": pods.labels("cluster"), **extra}


def _load_balancer_url(status: Any) -> str:
    ingress = (status.load_balancer.ingress or []) if status and status.load_balancer else []
    address = ingress[0].ip or ingress[0].hostname if ingress else None
    return f"http://{address}:{REST_PORT}" if address else "pending: the load balancer has no address yet"
