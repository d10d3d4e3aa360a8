"""Composition of one environment: which components, in which order, wired by outputs.

New AKS cluster (default):

AksCluster ──kubelet identity──▶ ContainerRegistry (AcrPull)
AksCluster ──provider──▶ Namespace ─▶ ZooKeeperEnsemble ─connect string─▶ FlinkJobCluster
(``eventHubs.auth: sas``: the JAAS lines instead of the identity's client id)
    └─resource group, OIDC issuer─▶ KafkaEventHubs ──bootstrap servers, identity─┘
With ``monitoring.enabled``: AksCluster (metrics add-on) + KafkaEventHubs ──ids──▶
ManagedPrometheus (workspace, data collection, alerts, Grafana); Namespace ─▶ PodMonitor.

Existing cluster (``target.cluster: existing``): a Kubernetes provider from the
kubeconfig secret or the ambient context, the Kafka endpoint and its JAAS lines from
config, ZooKeeper from the chart or an existing ensemble; no Azure resource at all.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.aks import AksCluster, AksClusterArgs
from components.azure_names import KAFKA_PORT
from components.container_registry import ContainerRegistry, ContainerRegistryArgs
from components.event_hubs import KafkaEventHubs, KafkaEventHubsArgs
from components.flink.cluster import FlinkJobCluster, FlinkJobClusterArgs
from components.flink.kafka_secret import KafkaEndpoint
from components.flink.names import FLINK_LABEL
from components.flink.network_policies import Destination, ports_of
from components.flink.workload_identity import service_accounts
from components.kafka_broker.broker import KafkaBroker, KafkaBrokerArgs
from components.monitoring.managed_prometheus import ManagedPrometheus, ManagedPrometheusArgs
from components.monitoring.pod_monitor import pod_monitor
from components.zookeeper import ZooKeeperEnsemble, ZooKeeperEnsembleArgs
from components.zookeeper_values import CLIENT_PORT, POD_LABELS
from infra.compose import job_impact
from infra.compose.existing_kafka import existing_kafka
from infra.config.settings import PROJECT, Settings
from infra.config.target import ExistingCluster
from infra.config.validation import name_of

NAMESPACE = "flink"
POD_MONITOR = "flink"
# Pod Security Admission: Flink's and ZooKeeper's pods meet `restricted`; refuse any pod
# that does not, and report it in the audit log and to the client too.
POD_SECURITY_LABELS = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")}


def tags(settings: Settings) -> dict[str, str]:
    return {"project": settings.project, "stack": settings.stack, "managed-by": "pulumi"}


def build_stack(settings: Settings) -> dict[str, Any]:
    """Declare every resource of the stack; return the stack outputs."""
    if settings.target.existing is not None:
        return build_on_existing_cluster(settings, settings.target.existing)
    aks = AksCluster(
        "aks",
        AksClusterArgs(
            project=settings.project,
            stack=settings.stack,
            location=settings.location,
            spec=settings.aks,
            protect=settings.protect,
            tags=tags(settings),
            managed_prometheus=settings.monitoring.enabled,
        ),
    )
    event_hubs = KafkaEventHubs(
        "event-hubs",
        KafkaEventHubsArgs(
            project=settings.project,
            stack=settings.stack,
            resource_group_name=aks.resource_group_name,
            location=settings.location,
            spec=settings.event_hubs,
            protect=settings.protect,
            tags=tags(settings),
            egress_ip=aks.egress_ip,
            oidc_issuer_url=aks.oidc_issuer_url,
            pods_namespace=NAMESPACE,
            service_accounts=service_accounts(settings.flink.sidecar),
        ),
    )
    registry = ContainerRegistry(
        "registry",
        ContainerRegistryArgs(
            project=settings.project,
            stack=settings.stack,
            resource_group_name=aks.resource_group_name,
            location=settings.location,
            kubelet_object_id=aks.kubelet_object_id,
            protect=settings.protect,
            tags=tags(settings),
        ),
    )
    kafka = KafkaEndpoint(
        bootstrap_servers=event_hubs.bootstrap_servers,
        input_topic=event_hubs.input_topic,
        output_topic=event_hubs.output_topic,
        consumer_group=event_hubs.consumer_group,
        input_jaas_config=event_hubs.input_jaas_config,
        output_jaas_config=event_hubs.output_jaas_config,
        identity_client_id=event_hubs.identity_client_id,
    )
    # Event Hubs' Kafka endpoint, by name only: its addresses are Azure's.
    outputs = workloads(settings, aks.provider, kafka, Destination(ports=(KAFKA_PORT,)), zookeeper_connect=None)
    if settings.monitoring.enabled:
        outputs.update(managed_prometheus(settings, aks, event_hubs))
    return {
        **outputs,
        "kafkaBootstrapServers": event_hubs.bootstrap_servers,
        "inputTopic": event_hubs.input_topic,
        "outputTopic": event_hubs.output_topic,
        "resourceGroupName": aks.resource_group_name,
        "clusterName": aks.cluster_name,
        "kubeconfig": aks.kubeconfig,
        "containerRegistryLoginServer": registry.login_server,
    }


def managed_prometheus(settings: Settings, aks: AksCluster, event_hubs: KafkaEventHubs) -> dict[str, Any]:
    """Managed Prometheus for the cluster, the alerts, who is told, Grafana: the outputs it adds."""
    spec = settings.monitoring
    prometheus = ManagedPrometheus(
        "monitoring",
        ManagedPrometheusArgs(
            name_prefix=f"{settings.project}-{settings.stack}",
            resource_group_name=aks.resource_group_name,
            location=settings.location,
            cluster_id=aks.cluster_id,
            cluster_name=aks.cluster_name,
            emails=list(spec.emails),
            bounds=spec.bounds(),
            event_hubs_namespace_id=event_hubs.namespace_id,
            enable_grafana=spec.grafana,
            tags=tags(settings),
        ),
    )
    outputs: dict[str, Any] = {"prometheusQueryEndpoint": prometheus.query_endpoint}
    if prometheus.grafana_endpoint is not None:
        outputs["grafanaUrl"] = prometheus.grafana_endpoint
    return outputs


def build_on_existing_cluster(settings: Settings, target: ExistingCluster) -> dict[str, Any]:
    """ZooKeeper (unless an ensemble exists) and Flink on a cluster the stack does not own."""
    config = pulumi.Config(PROJECT)
    kubeconfig = config.require_secret(name_of(target.kubeconfig_key)) if target.kubeconfig_key else None
    # As AksCluster's provider: ConfigMaps change in place (pods roll on the config checksum).
    provider = k8s.Provider("cluster", kubeconfig=kubeconfig, context=target.context, enable_config_map_mutable=True)
    kafka = existing_kafka(target.kafka, NAMESPACE, f"{settings.project}-{settings.stack}", settings.protect)
    outputs = workloads(
        settings,
        provider,
        kafka.endpoint,
        kafka.destination,
        zookeeper_connect=target.zookeeper_connect,
        kafka_broker=kafka.broker,
    )
    outputs.update(
        kafkaBootstrapServers=kafka.endpoint.bootstrap_servers,
        inputTopic=target.kafka.input_topic,
        outputTopic=target.kafka.output_topic,
    )
    if kubeconfig is not None:
        outputs["kubeconfig"] = kubeconfig
    return outputs


def workloads(
    settings: Settings,
    provider: k8s.Provider,
    kafka: KafkaEndpoint,
    kafka_destination: Destination,
    zookeeper_connect: str | None,
    kafka_broker: KafkaBrokerArgs | None = None,
) -> dict[str, Any]:
    """The namespace, ZooKeeper (from the chart unless a connect string is given), the stack's
    own Kafka broker if it runs one, Flink, the PodMonitor."""
    on_cluster = pulumi.ResourceOptions(provider=provider)
    namespace = k8s.core.v1.Namespace(
        "namespace",
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=NAMESPACE, labels={"app.kubernetes.io/part-of": settings.project, **POD_SECURITY_LABELS}
        ),
        opts=on_cluster,
    )
    if settings.monitoring.enabled:  # a new AKS cluster: its metrics add-on reads the PodMonitor
        flink_pod_monitor(provider, namespace)
    flink_depends_on: list[pulumi.Resource] = [namespace]
    if zookeeper_connect is None:
        zookeeper = ZooKeeperEnsemble(
            "zookeeper",
            ZooKeeperEnsembleArgs(
                namespace=NAMESPACE,
                spec=settings.zookeeper,
                protect=settings.protect,
                zonal=bool(settings.aks.zones),
            ),
            opts=pulumi.ResourceOptions(provider=provider, depends_on=[namespace]),
        )
        connect: pulumi.Input[str] = zookeeper.connect_string
        zookeeper_destination = Destination(ports=(CLIENT_PORT,), pod_labels=POD_LABELS)
        flink_depends_on.append(zookeeper)
    else:
        connect = zookeeper_connect
        zookeeper_destination = Destination(ports=ports_of(zookeeper_connect))
    if kafka_broker is not None:
        broker = KafkaBroker(
            "kafka", kafka_broker, opts=pulumi.ResourceOptions(provider=provider, depends_on=[namespace])
        )
        flink_depends_on.append(broker)
    flink = FlinkJobCluster(
        "flink",
        FlinkJobClusterArgs(
            namespace=NAMESPACE,
            cluster_id=f"{settings.project}-{settings.stack}",
            flink=settings.flink,
            ui=settings.ui,
            zookeeper_quorum=connect,
            kafka=kafka,
            protect=settings.protect,
            zookeeper_destination=zookeeper_destination,
            kafka_destination=kafka_destination,
            zonal=bool(settings.aks.zones),
        ),
        opts=pulumi.ResourceOptions(provider=provider, depends_on=flink_depends_on),
    )
    outputs: dict[str, Any] = {
        "flinkUiUrl": flink.ui_url,
        "namespace": NAMESPACE,
        "zookeeperConnect": connect,
        job_impact.RECORD_OUTPUT: flink.deployed_job,
        job_impact.STATEMENT_OUTPUT: job_impact.state_impact_output(flink.deployed_job),
    }
    if flink.port_forward_command is not None:
        outputs["portForwardCommand"] = flink.port_forward_command
    return outputs


def flink_pod_monitor(provider: k8s.Provider, namespace: k8s.core.v1.Namespace) -> None:
    """The PodMonitor (Azure's ``azmonitoring.coreos.com`` group) scraping every Flink pod's ``metrics`` port."""
    manifest = pod_monitor(POD_MONITOR, NAMESPACE, FLINK_LABEL)
    k8s.apiextensions.CustomResource(
        "flink-pod-monitor",
        api_version=manifest["apiVersion"],
        kind=manifest["kind"],
        metadata=manifest["metadata"],
        spec=manifest["spec"],
        opts=pulumi.ResourceOptions(provider=provider, depends_on=[namespace]),
    )
