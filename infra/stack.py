"""Composition of one environment: which components, in which order, wired by outputs.

AksCluster ──kubelet identity──▶ ContainerRegistry (AcrPull)
    │
AksCluster ──provider──▶ Namespace ─▶ ZooKeeperEnsemble ─connect string─▶ FlinkJobCluster
    └─resource group─▶ KafkaEventHubs ──bootstrap servers, JAAS lines─────────┘
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.aks import AksCluster, AksClusterArgs
from components.container_registry import ContainerRegistry, ContainerRegistryArgs
from components.event_hubs import KafkaEventHubs, KafkaEventHubsArgs
from components.flink.cluster import FlinkJobCluster, FlinkJobClusterArgs
from components.flink.kafka_secret import KafkaEndpoint
from components.zookeeper import ZooKeeperEnsemble, ZooKeeperEnsembleArgs
from infra.settings import Settings

NAMESPACE = "flink"


def tags(settings: Settings) -> dict[str, str]:
    return {"project": settings.project, "stack": settings.stack, "managed-by": "pulumi"}


def build_stack(settings: Settings) -> dict[str, Any]:
    """Declare every resource of the stack; return the stack outputs."""
    aks = AksCluster(
        "aks",
        AksClusterArgs(
            stack=settings.stack,
            location=settings.location,
            settings=settings.aks,
            protect=settings.protect,
            tags=tags(settings),
        ),
    )
    event_hubs = KafkaEventHubs(
        "event-hubs",
        KafkaEventHubsArgs(
            stack=settings.stack,
            resource_group_name=aks.resource_group_name,
            location=settings.location,
            settings=settings.event_hubs,
            protect=settings.protect,
            tags=tags(settings),
        ),
    )
    registry = ContainerRegistry(
        "registry",
        ContainerRegistryArgs(
            stack=settings.stack,
            resource_group_name=aks.resource_group_name,
            location=settings.location,
            kubelet_object_id=aks.kubelet_object_id,
            protect=settings.protect,
            tags=tags(settings),
        ),
    )
    on_cluster = pulumi.ResourceOptions(provider=aks.provider)
    namespace = k8s.core.v1.Namespace(
        "namespace",
        metadata=k8s.meta.v1.ObjectMetaArgs(name=NAMESPACE, labels={"app.kubernetes.io/part-of": settings.project}),
        opts=on_cluster,
    )
    in_namespace = pulumi.ResourceOptions(provider=aks.provider, depends_on=[namespace])
    zookeeper = ZooKeeperEnsemble(
        "zookeeper",
        ZooKeeperEnsembleArgs(
            namespace=NAMESPACE, settings=settings.zookeeper, protect=settings.protect, zonal=bool(settings.aks.zones)
        ),
        opts=in_namespace,
    )
    flink = FlinkJobCluster(
        "flink",
        FlinkJobClusterArgs(
            namespace=NAMESPACE,
            cluster_id=f"{settings.project}-{settings.stack}",
            settings=settings.flink,
            ui=settings.ui,
            zookeeper_connect=zookeeper.connect_string,
            kafka=KafkaEndpoint(
                bootstrap_servers=event_hubs.bootstrap_servers,
                input_topic=event_hubs.input_topic,
                output_topic=event_hubs.output_topic,
                consumer_group=event_hubs.consumer_group,
                input_jaas_config=event_hubs.input_jaas_config,
                output_jaas_config=event_hubs.output_jaas_config,
            ),
            protect=settings.protect,
            zonal=bool(settings.aks.zones),
        ),
        opts=pulumi.ResourceOptions(provider=aks.provider, depends_on=[namespace, zookeeper]),
    )
    outputs: dict[str, Any] = {
        "flinkUiUrl": flink.ui_url,
        "kafkaBootstrapServers": event_hubs.bootstrap_servers,
        "inputTopic": event_hubs.input_topic,
        "outputTopic": event_hubs.output_topic,
        "resourceGroupName": aks.resource_group_name,
        "clusterName": aks.cluster_name,
        "namespace": NAMESPACE,
        "zookeeperConnect": zookeeper.connect_string,
        "kubeconfig": aks.kubeconfig,
        "containerRegistryLoginServer": registry.login_server,
    }
    if flink.port_forward_command is not None:
        outputs["portForwardCommand"] = flink.port_forward_command
    return outputs
