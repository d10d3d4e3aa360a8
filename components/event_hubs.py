"""KafkaEventHubs: an Event Hubs namespace with the job's input and output hubs, over Kafka.

Selected networks only (components/event_hubs_network.py): the cluster's egress address,
config's extra ranges and Azure's trusted services; everything else is denied.

Least privilege either way (``eventHubs.auth``):
- ``workloadIdentity`` (default): the job's managed identity (components/event_hubs_identity.py)
  has Data Receiver on the input hub and Data Sender on the output hub; local (SAS)
  auth is off and no authorization rule exists, so no key exists anywhere.
- ``sas``: the job reads with a ``Listen``-only rule on the input hub and writes with a
  ``Send``-only rule on the output hub; no namespace-wide rule exists. Both connection
  strings, and the JAAS lines built from them, are Pulumi secrets.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_random as random
from pulumi_azure_native import eventhub

from components import azure_names as names
from components.event_hubs_identity import JobIdentity, JobIdentityArgs
from components.event_hubs_network import selected_networks
from components.event_hubs_spec import EventHubsSpec
from components.kafka_jaas import jaas_config

SUFFIX_LENGTH = 6


@dataclass
class KafkaEventHubsArgs:
    project: str  # with the stack, part of the namespace name
    stack: str
    resource_group_name: pulumi.Input[str]
    location: str
    spec: EventHubsSpec
    protect: bool
    tags: dict[str, str]
    egress_ip: pulumi.Input[str]  # the cluster's outbound address: allowed through the firewall
    # Workload identity: who gets the job's identity (the cluster's OIDC issuer, the
    # Flink pods' namespace and ServiceAccounts). Unused with sas.
    oidc_issuer_url: pulumi.Input[str]
    pods_namespace: str
    service_accounts: tuple[str, ...]
    # Free of charge and fixed at creation. Azure allows it only in regions with
    # availability zones; set it to False for a region without them.
    zone_redundant: bool = True


class KafkaEventHubs(pulumi.ComponentResource):
    namespace_name: pulumi.Output[str]
    namespace_id: pulumi.Output[str]  # the ARM id: scope of the Event Hubs metric alerts
    bootstrap_servers: pulumi.Output[str]
    input_topic: str
    output_topic: str
    consumer_group: str
    # sas: the rules' connection strings and JAAS lines (secrets); workload identity: None.
    input_connection_string: pulumi.Output[str] | None = None
    output_connection_string: pulumi.Output[str] | None = None
    input_jaas_config: pulumi.Output[str] | None = None
    output_jaas_config: pulumi.Output[str] | None = None
    # workload identity: the job identity's client id; sas: None.
    identity_client_id: pulumi.Output[str] | None = None

    def __init__(self, name: str, args: KafkaEventHubsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("flink-aks:eventhubs:KafkaEventHubs", name, None, opts)
        spec = args.spec
        child = pulumi.ResourceOptions(parent=self)
        # The namespace and the hubs hold the events: protected in prod.
        kept = pulumi.ResourceOptions(parent=self, protect=args.protect)

        # Stable once created: it has no keepers, so it never changes by itself.
        suffix = random.RandomString(
            f"{name}-suffix",
            length=SUFFIX_LENGTH,
            lower=True,
            upper=False,
            numeric=True,
            special=False,
            opts=child,
        )
        namespace = eventhub.Namespace(
            f"{name}-namespace",
            namespace_name=suffix.result.apply(lambda s: names.eventhubs_namespace_name(args.stack, s, args.project)),
            resource_group_name=args.resource_group_name,
            location=args.location,
            sku=eventhub.SkuArgs(name=spec.sku, tier=spec.sku, capacity=spec.throughput_units),
            # An input of the 2024-01-01 API; Standard and Premium have the Kafka endpoint
            # anyway, so this states the intent rather than switches anything on.
            kafka_enabled=True,
            minimum_tls_version=eventhub.TlsVersion.TLS_VERSION_1_2,
            # No SAS key works when the job authenticates with Entra ID.
            disable_local_auth=spec.workload_identity,
            public_network_access=eventhub.PublicNetworkAccess.ENABLED,
            # Sized by the throughput profile; auto-inflate would hide an undersized profile.
            is_auto_inflate_enabled=False,
            zone_redundant=args.zone_redundant,
            tags=args.tags,
            opts=kept,
        )
        selected_networks(
            f"{name}-network",
            namespace,
            args.resource_group_name,
            args.egress_ip,
            args.spec.allowed_ip_ranges,
            opts=child,
        )
        self.namespace_name = namespace.name
        self.namespace_id = namespace.id
        self.bootstrap_servers = namespace.name.apply(names.kafka_bootstrap_servers)
        self.input_topic = spec.input_hub
        self.output_topic = spec.output_hub
        self.consumer_group = spec.consumer_group

        input_hub = self._hub(f"{name}-input", spec.input_hub, namespace, args, kept)
        output_hub = self._hub(f"{name}-output", spec.output_hub, namespace, args, kept)
        # An Event Hubs consumer group, for readers over AMQP (the Event Hubs SDKs, Stream
        # Analytics). It is not the job's Kafka consumer group: Event Hubs keeps Kafka groups
        # apart, creates one on a Kafka client's first join (its group.id) and does not list
        # it among these. The shared name only makes the two easy to match.
        eventhub.ConsumerGroup(
            f"{name}-consumer-group",
            consumer_group_name=spec.consumer_group,
            event_hub_name=input_hub.name,
            namespace_name=namespace.name,
            resource_group_name=args.resource_group_name,
            opts=child,
        )
        if spec.workload_identity:
            identity = JobIdentity(
                f"{name}-job",
                JobIdentityArgs(
                    identity_name=names.job_identity_name(args.stack, args.project),
                    resource_group_name=args.resource_group_name,
                    location=args.location,
                    tags=args.tags,
                    oidc_issuer_url=args.oidc_issuer_url,
                    namespace=args.pods_namespace,
                    service_accounts=args.service_accounts,
                    input_hub_id=input_hub.id,
                    output_hub_id=output_hub.id,
                ),
                opts=child,
            )
            self.identity_client_id = identity.client_id
        else:
            self.input_connection_string = self._connection_string(
                f"{name}-input-listen", "flink-listen", eventhub.AccessRights.LISTEN, input_hub, namespace, args
            )
            self.output_connection_string = self._connection_string(
                f"{name}-output-send", "flink-send", eventhub.AccessRights.SEND, output_hub, namespace, args
            )
            self.input_jaas_config = pulumi.Output.secret(self.input_connection_string.apply(jaas_config))
            self.output_jaas_config = pulumi.Output.secret(self.output_connection_string.apply(jaas_config))
        self.register_outputs(
            {
                "namespace_name": self.namespace_name,
                "namespace_id": self.namespace_id,
                "bootstrap_servers": self.bootstrap_servers,
                "input_topic": self.input_topic,
                "output_topic": self.output_topic,
                "input_jaas_config": self.input_jaas_config,
                "output_jaas_config": self.output_jaas_config,
                "identity_client_id": self.identity_client_id,
            }
        )

    def _hub(
        self,
        logical: str,
        hub: str,
        namespace: eventhub.Namespace,
        args: KafkaEventHubsArgs,
        opts: pulumi.ResourceOptions,
    ) -> eventhub.EventHub:
        return eventhub.EventHub(
            logical,
            event_hub_name=hub,
            namespace_name=namespace.name,
            resource_group_name=args.resource_group_name,
            partition_count=args.spec.partitions,
            # The 2024-01-01 API's retention in hours (messageRetentionInDays is the
            # older, day-granular form; only one of them is set).
            retention_description=eventhub.RetentionDescriptionArgs(
                cleanup_policy=eventhub.CleanupPolicyRetentionDescription.DELETE,
                retention_time_in_hours=args.spec.retention_hours,
            ),
            opts=opts,
        )

    def _connection_string(
        self,
        logical: str,
        rule_name: str,
        right: eventhub.AccessRights,
        hub: eventhub.EventHub,
        namespace: eventhub.Namespace,
        args: KafkaEventHubsArgs,
    ) -> pulumi.Output[str]:
        """A rule with one right on one hub, and its primary connection string (secret)."""
        rule = eventhub.EventHubAuthorizationRule(
            logical,
            authorization_rule_name=rule_name,
            event_hub_name=hub.name,
            namespace_name=namespace.name,
            resource_group_name=args.resource_group_name,
            rights=[right],
            opts=pulumi.ResourceOptions(parent=self),
        )
        keys = eventhub.list_event_hub_keys_output(
            authorization_rule_name=rule.name,
            event_hub_name=hub.name,
            namespace_name=namespace.name,
            resource_group_name=args.resource_group_name,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        # Secret from the first value read out of the result (the SDK marks none of it),
        # so it is secret even while still unknown in a preview.
        return pulumi.Output.secret(keys.primary_connection_string)
