"""KafkaEventHubs alone under Pulumi mocks, for the dev and prod stack files, with
``eventHubs.auth: sas`` (workload identity, the default: tests/test_event_hubs_identity.py).

``preview`` plays a first ``pulumi preview`` (names, keys unknown); ``up`` plays a
completed ``pulumi up`` (names and made-up keys known), so the derived values show.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

import pulumi
import pytest

from components import azure_names as names
from components.event_hubs import KafkaEventHubs, KafkaEventHubsArgs
from components.event_hubs_spec import SAS
from components.kafka_jaas import jaas_config
from infra.config.validation import PROJECT
from infra.render.mocks import FAKE_SHARED_ACCESS_KEY
from infra.render.offline import ROOT, SECRET, UNKNOWN, render_config
from infra.render.project_files import stack_config
from tests.rendering import ComponentRender as Render
from tests.rendering import one, settings_of

COMPONENT = "flink-aks:eventhubs:KafkaEventHubs"
EGRESS_IP = "203.0.113.45"
NETWORK = "azure-native:eventhub:NamespaceNetworkRuleSet"
NAMESPACE = "azure-native:eventhub:Namespace"
HUB = "azure-native:eventhub:EventHub"
CONSUMER_GROUP = "azure-native:eventhub:ConsumerGroup"
HUB_RULE = "azure-native:eventhub:EventHubAuthorizationRule"
NAMESPACE_RULE = "azure-native:eventhub:NamespaceAuthorizationRule"
RANDOM = "random:index/randomString:RandomString"
RESOURCE_GROUP = "rg-flink-aks-test"
SECRET_OUTPUTS = ("inputConnectionString", "outputConnectionString", "inputJaasConfig", "outputJaasConfig")
CONNECTION_STRING = (
    "Endpoint=sb://evhns-x.servicebus.windows.net/;SharedAccessKeyName=flink-listen;"
    "SharedAccessKey=abc+/def=;EntityPath=input"
)


def render(stack: str, preview: bool) -> Render:
    defaults = settings_of(stack)
    settings = replace(defaults, event_hubs=replace(defaults.event_hubs, auth=SAS))
    revealed: dict[str, str] = {}

    def catch(key: str) -> Callable[[str], str]:
        def keep(value: str) -> str:
            revealed[key] = value
            return value

        return keep

    def main() -> None:
        hubs = KafkaEventHubs(
            "event-hubs",
            KafkaEventHubsArgs(
                project=settings.project,
                stack=stack,
                resource_group_name=RESOURCE_GROUP,
                location=settings.location,
                spec=settings.event_hubs,
                protect=settings.protect,
                tags={"stack": stack},
                egress_ip=EGRESS_IP,
                oidc_issuer_url="https://issuer.example/",
                pods_namespace="flink",
                service_accounts=("flink",),
            ),
        )
        assert hubs.input_connection_string is not None and hubs.output_connection_string is not None
        assert hubs.input_jaas_config is not None and hubs.output_jaas_config is not None
        assert hubs.identity_client_id is None
        pulumi.export("kafkaBootstrapServers", hubs.bootstrap_servers)
        pulumi.export("namespaceName", hubs.namespace_name)
        pulumi.export("inputTopic", hubs.input_topic)
        pulumi.export("outputTopic", hubs.output_topic)
        pulumi.export("consumerGroup", hubs.consumer_group)
        pulumi.export("inputConnectionString", hubs.input_connection_string.apply(catch("inputConnectionString")))
        pulumi.export("outputConnectionString", hubs.output_connection_string.apply(catch("outputConnectionString")))
        pulumi.export("inputJaasConfig", hubs.input_jaas_config.apply(catch("inputJaasConfig")))
        pulumi.export("outputJaasConfig", hubs.output_jaas_config.apply(catch("outputJaasConfig")))

    rendering = render_config(stack, stack_config(ROOT, stack), preview=preview, main=main)
    return Render(settings, rendering, revealed)


@pytest.fixture(
    scope="module",
    params=[("dev", True), ("dev", False), ("prod", True), ("prod", False)],
    ids=["dev-preview", "dev-up", "prod-preview", "prod-up"],
)
def any_render(request: pytest.FixtureRequest) -> Render:
    stack, preview = request.param
    return render(stack, preview)


@pytest.fixture(scope="module", params=["dev", "prod"])
def up(request: pytest.FixtureRequest) -> Render:
    return render(request.param, preview=False)


@pytest.fixture(scope="module", params=["dev", "prod"])
def preview(request: pytest.FixtureRequest) -> Render:
    return render(request.param, preview=True)


# --------------------------------------------------------------------------- JAAS line


def test_jaas_line_is_exactly_what_event_hubs_wants() -> None:
    assert jaas_config(CONNECTION_STRING) == (
        "org.apache.kafka.common.security.plain.PlainLoginModule required "
        f'username="$ConnectionString" password="{CONNECTION_STRING}";'
    )


@pytest.mark.parametrize(
    "bad", ["", "SharedAccessKey=abc", CONNECTION_STRING + '"', CONNECTION_STRING + "\\", CONNECTION_STRING + "\n"]
)
def test_jaas_line_refuses_what_it_cannot_quote_and_never_echoes_it(bad: str) -> None:
    with pytest.raises(ValueError) as error:
        jaas_config(bad)
    assert "SharedAccessKey" not in str(error.value)


# --------------------------------------------------------------------------- resources


def test_exactly_these_resources(any_render: Render) -> None:
    counts: dict[str, int] = {}
    for resource in any_render.rendering.resources:
        counts[resource["type"]] = counts.get(resource["type"], 0) + 1
    assert counts == {COMPONENT: 1, RANDOM: 1, NAMESPACE: 1, HUB: 2, CONSUMER_GROUP: 1, HUB_RULE: 2, NETWORK: 1}


def test_every_child_belongs_to_the_component(any_render: Render) -> None:
    component = one(any_render.rendering, COMPONENT)
    assert component["name"] == "event-hubs" and component["parent"] is None
    children = [r for r in any_render.rendering.resources if r["type"] != COMPONENT]
    assert {r["parent"] for r in children} == {"event-hubs"}


def test_no_namespace_wide_rule(any_render: Render) -> None:
    assert any_render.rendering.of_type(NAMESPACE_RULE) == []


def test_namespace_sku_tls_and_kafka(any_render: Render) -> None:
    settings = any_render.settings.event_hubs
    inputs = one(any_render.rendering, NAMESPACE)["inputs"]
    assert inputs["sku"] == {"name": settings.sku, "tier": settings.sku, "capacity": settings.throughput_units}
    assert inputs["minimumTlsVersion"] == "1.2"
    assert inputs["kafkaEnabled"] is True
    assert inputs["disableLocalAuth"] is False
    assert inputs["isAutoInflateEnabled"] is False
    assert inputs["zoneRedundant"] is True
    assert inputs["resourceGroupName"] == RESOURCE_GROUP
    assert inputs["location"] == "westeurope"


@pytest.mark.parametrize(
    ("stack", "sku", "units", "partitions", "retention"),
    [("dev", "Standard", 3, 3, 24), ("prod", "Standard", 24, 24, 72)],
)
def test_sizing_per_stack(stack: str, sku: str, units: int, partitions: int, retention: int) -> None:
    rendering = render(stack, preview=True).rendering
    assert one(rendering, NAMESPACE)["inputs"]["sku"] == {"name": sku, "tier": sku, "capacity": units}
    hubs = {h["inputs"]["eventHubName"]: h["inputs"] for h in rendering.of_type(HUB)}
    assert set(hubs) == {"input", "output"}
    for hub in hubs.values():
        assert hub["partitionCount"] == partitions
        assert hub["retentionDescription"] == {"cleanupPolicy": "Delete", "retentionTimeInHours": retention}
        assert "messageRetentionInDays" not in hub


def test_hubs_live_in_the_namespace(up: Render) -> None:
    namespace = one(up.rendering, NAMESPACE)["inputs"]["namespaceName"]
    for resource in up.rendering.of_type(HUB) + up.rendering.of_type(CONSUMER_GROUP) + up.rendering.of_type(HUB_RULE):
        assert resource["inputs"]["namespaceName"] == namespace
        assert resource["inputs"]["resourceGroupName"] == RESOURCE_GROUP


def test_consumer_group_reads_the_input_hub(up: Render) -> None:
    group = one(up.rendering, CONSUMER_GROUP)["inputs"]
    assert group["consumerGroupName"] == up.settings.event_hubs.consumer_group == "flink"
    assert group["eventHubName"] == up.settings.event_hubs.input_hub


def test_least_privilege_rules(up: Render) -> None:
    rules = {(r["inputs"]["eventHubName"], tuple(r["inputs"]["rights"])) for r in up.rendering.of_type(HUB_RULE)}
    assert rules == {("input", ("Listen",)), ("output", ("Send",))}


def test_rules_and_consumer_group_wait_for_their_hubs_in_preview(preview: Render) -> None:
    # Their hub and namespace names come from the hub resources, so they are unknown
    # until the hubs exist: the engine orders them after the hubs.
    for resource in preview.rendering.of_type(HUB_RULE) + preview.rendering.of_type(CONSUMER_GROUP):
        assert resource["inputs"]["eventHubName"] == UNKNOWN
        assert resource["inputs"]["namespaceName"] == UNKNOWN


# --------------------------------------------------------------------------- names


def test_random_suffix_is_lowercase_and_digits(any_render: Render) -> None:
    inputs = one(any_render.rendering, RANDOM)["inputs"]
    assert inputs["special"] is False and inputs["upper"] is False
    assert inputs["lower"] is True and inputs["numeric"] is True
    assert 6 <= inputs["length"] <= 8
    assert "keepers" not in inputs


def test_namespace_name_is_unknown_before_the_suffix_exists(preview: Render) -> None:
    assert one(preview.rendering, NAMESPACE)["inputs"]["namespaceName"] == UNKNOWN
    assert preview.rendering.outputs["kafkaBootstrapServers"] == UNKNOWN


def test_namespace_name_and_bootstrap_servers(up: Render) -> None:
    stack = up.rendering.stack
    name = one(up.rendering, NAMESPACE)["inputs"]["namespaceName"]
    suffix = name.rsplit("-", 1)[1]
    assert name == names.eventhubs_namespace_name(stack, suffix, PROJECT)
    assert name.startswith(f"evhns-flink-aks-{stack}-") and len(suffix) == 6
    assert up.rendering.outputs["namespaceName"] == name
    assert up.rendering.outputs["kafkaBootstrapServers"] == f"{name}.servicebus.windows.net:9093"


def test_topics_and_consumer_group_outputs(any_render: Render) -> None:
    outputs = any_render.rendering.outputs
    assert (outputs["inputTopic"], outputs["outputTopic"], outputs["consumerGroup"]) == ("input", "output", "flink")


# --------------------------------------------------------------------------- protect


def test_prod_protects_namespace_and_hubs_only() -> None:
    rendering = render("prod", preview=True).rendering
    protected = {r["type"] for r in rendering.resources if r.get("protect")}
    assert protected == {NAMESPACE, HUB}
    assert all(h.get("protect") for h in rendering.of_type(HUB))


def test_dev_protects_nothing() -> None:
    rendering = render("dev", preview=True).rendering
    assert [r["name"] for r in rendering.resources if r.get("protect")] == []


# --------------------------------------------------------------------------- secrets


def test_credentials_are_secret_outputs(any_render: Render) -> None:
    for key in SECRET_OUTPUTS:
        assert any_render.rendering.outputs[key] == SECRET, key


def test_no_key_in_plain_text_anywhere(any_render: Render) -> None:
    document = any_render.rendering.to_json()
    assert FAKE_SHARED_ACCESS_KEY not in document
    assert "SharedAccessKey=" not in document
    assert "PlainLoginModule" not in document


def test_secret_values_are_right_behind_the_mask(up: Render) -> None:
    namespace = up.rendering.outputs["namespaceName"]
    listen = up.revealed["inputConnectionString"]
    send = up.revealed["outputConnectionString"]
    assert listen.startswith(f"Endpoint=sb://{namespace}.servicebus.windows.net/;")
    assert "SharedAccessKeyName=flink-listen;" in listen and listen.endswith(";EntityPath=input")
    assert "SharedAccessKeyName=flink-send;" in send and send.endswith(";EntityPath=output")
    assert FAKE_SHARED_ACCESS_KEY in listen
    assert up.revealed["inputJaasConfig"] == jaas_config(listen)
    assert up.revealed["outputJaasConfig"] == jaas_config(send)


def test_rendering_is_plain_json(any_render: Render) -> None:
    assert json.loads(any_render.rendering.to_json())["stack"] == any_render.rendering.stack


def test_only_the_cluster_egress_and_trusted_services_reach_the_namespace(up: Render) -> None:
    rules = one(up.rendering, NETWORK)["inputs"]
    assert rules["defaultAction"] == "Deny"
    assert rules["publicNetworkAccess"] == "Enabled"  # "selected networks": the IP rules apply
    assert rules["trustedServiceAccessEnabled"] is True
    assert rules["ipRules"] == [{"ipMask": EGRESS_IP, "action": "Allow"}]
    assert rules["namespaceName"] == one(up.rendering, NAMESPACE)["inputs"]["namespaceName"]
    assert "virtualNetworkRules" not in rules


def test_partitions_are_never_fewer_than_throughput_units(any_render: Render) -> None:
    units = one(any_render.rendering, NAMESPACE)["inputs"]["sku"]["capacity"]
    for hub in any_render.rendering.of_type(HUB):
        assert hub["inputs"]["partitionCount"] >= units
