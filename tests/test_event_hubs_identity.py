"""``eventHubs.auth: workloadIdentity`` (the default) under Pulumi mocks: the job's identity,
its federated credentials and roles, no key anywhere, and the Flink pods wired for it."""

from __future__ import annotations

import pytest

from components import azure_names as names
from components.event_hubs_identity import DATA_RECEIVER_ROLE, DATA_SENDER_ROLE, TOKEN_EXCHANGE_AUDIENCE
from components.flink import kafka_secret
from infra.config.settings import parse_settings
from infra.config.validation import ConfigError
from infra.render.mocks import (
    FAKE_IDENTITY_CLIENT_ID,
    FAKE_IDENTITY_PRINCIPAL_ID,
    FAKE_OIDC_ISSUER_URL,
    FAKE_SHARED_ACCESS_KEY,
    FAKE_SUBSCRIPTION_ID,
)
from infra.render.offline import Rendering
from tests.rendering import container, k8s_object, one, render, settings_of
from tests.test_target import SECRET_KEYS, existing, refusal

IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
FEDERATED = "azure-native:managedidentity:FederatedIdentityCredential"
ROLE = "azure-native:authorization:RoleAssignment"
NAMESPACE = "azure-native:eventhub:Namespace"
HUB = "azure-native:eventhub:EventHub"
HUB_RULE = "azure-native:eventhub:EventHubAuthorizationRule"
NAMESPACE_RULE = "azure-native:eventhub:NamespaceAuthorizationRule"
CLIENT_ID = "azure.workload.identity/client-id"
USE = "azure.workload.identity/use"
SKIP = "azure.workload.identity/skip-containers"


@pytest.fixture(scope="module", params=[("dev", True), ("dev", False), ("prod", True), ("prod", False)])
def any_render(request: pytest.FixtureRequest) -> Rendering:
    stack, preview = request.param
    return render(stack, preview)


@pytest.fixture(scope="module", params=["dev", "prod"])
def up(request: pytest.FixtureRequest) -> Rendering:
    return render(request.param, preview=False)


def _role_of(definition: str) -> str:
    return definition.rsplit("/", 1)[1]


def test_dev_and_prod_default_to_workload_identity() -> None:
    assert settings_of("dev").event_hubs.auth == settings_of("prod").event_hubs.auth == "workloadIdentity"


def test_one_identity_named_for_the_stack(up: Rendering) -> None:
    identity = one(up, IDENTITY)
    assert identity["inputs"]["resourceName"] == names.job_identity_name(up.stack, "flink-aks")
    assert identity["parent"] == "event-hubs-job"


def test_federated_credentials_trust_the_flink_service_accounts_on_the_cluster_issuer(up: Rendering) -> None:
    credentials = {c["inputs"]["subject"]: c["inputs"] for c in up.of_type(FEDERATED)}
    # The JobManager's pod runs as the sidecar's ServiceAccount (rpcPortMode: sidecar).
    assert set(credentials) == {
        "system:serviceaccount:flink:flink",
        "system:serviceaccount:flink:flink-port-patcher",
    }
    identity = one(up, IDENTITY)["inputs"]["resourceName"]
    for credential in credentials.values():
        assert credential["issuer"] == FAKE_OIDC_ISSUER_URL
        assert credential["audiences"] == [TOKEN_EXCHANGE_AUDIENCE] == ["api://AzureADTokenExchange"]
        assert credential["resourceName"] == identity


def test_pinned_rpc_port_trusts_the_flink_service_account_only() -> None:
    rendering = render("dev", preview=False, flink={"rpcPortMode": "pinned"})
    assert [c["inputs"]["subject"] for c in rendering.of_type(FEDERATED)] == ["system:serviceaccount:flink:flink"]


def test_receiver_on_the_input_hub_and_sender_on_the_output_hub_only(up: Rendering) -> None:
    hubs = {h["inputs"]["eventHubName"]: h["name"] for h in up.of_type(HUB)}
    roles = [r for r in up.of_type(ROLE) if r["parent"] == "event-hubs-job"]
    granted = {(_role_of(r["inputs"]["roleDefinitionId"]), r["inputs"]["scope"]) for r in roles}
    assert granted == {(DATA_RECEIVER_ROLE, f"{hubs['input']}-id"), (DATA_SENDER_ROLE, f"{hubs['output']}-id")}
    for role in roles:
        assert role["inputs"]["principalId"] == FAKE_IDENTITY_PRINCIPAL_ID
        assert role["inputs"]["principalType"] == "ServicePrincipal"
        assert role["inputs"]["roleDefinitionId"].startswith(f"/subscriptions/{FAKE_SUBSCRIPTION_ID}/providers/")


def test_the_role_ids_are_azures_built_in_ones() -> None:
    assert DATA_RECEIVER_ROLE == "a638d3c7-ab3a-418d-83e6-5f17a39d4fde"
    assert DATA_SENDER_ROLE == "2b629674-e913-4c01-ae53-ef4638d8f975"


def test_local_auth_off_and_no_authorization_rule(any_render: Rendering) -> None:
    assert one(any_render, NAMESPACE)["inputs"]["disableLocalAuth"] is True
    assert any_render.of_type(HUB_RULE) == [] and any_render.of_type(NAMESPACE_RULE) == []


def test_no_key_anywhere(any_render: Rendering) -> None:
    document = any_render.to_json()
    for key in (FAKE_SHARED_ACCESS_KEY, "SharedAccessKey", "PlainLoginModule", "ConnectionString", "listEventHubKeys"):
        assert key not in document
    assert not any("jaas" in name.lower() for name in any_render.outputs)


def test_service_account_carries_the_client_id(up: Rendering) -> None:
    for name in ("flink", "flink-port-patcher"):
        account = k8s_object(up, "ServiceAccount", name)
        assert account["metadata"]["annotations"] == {CLIENT_ID: FAKE_IDENTITY_CLIENT_ID}
        assert account["automountServiceAccountToken"] is False


def test_pods_are_labelled_and_run_as_annotated_accounts(up: Rendering) -> None:
    expected = {"flink-jobmanager": "flink-port-patcher", "flink-taskmanager": "flink"}
    for deployment, account in expected.items():
        pod = k8s_object(up, "Deployment", deployment)["spec"]["template"]
        assert pod["metadata"]["labels"][USE] == "true"
        assert pod["spec"]["serviceAccountName"] == account
        # The webhook projects its own token volume: the API token stays off.
        assert pod["spec"]["automountServiceAccountToken"] is False
        skipped = pod["metadata"]["annotations"][SKIP].split(";")
        names_ = [c["name"] for c in pod["spec"]["containers"] + pod["spec"].get("initContainers", [])]
        assert sorted(skipped) == sorted(n for n in names_ if n != "flink")
        assert container(pod, "flink")["volumeMounts"]


def test_kafka_files_hold_no_secret_and_name_oauthbearer() -> None:
    files = kafka_secret.property_files("ns.servicebus.windows.net:9093", "grp", None, None)
    for text in files.values():
        lines = dict(line.split("=", 1) for line in text.splitlines())
        assert lines["security.protocol"] == "SASL_SSL"
        assert lines["sasl.mechanism"] == "OAUTHBEARER"
        assert (
            lines["sasl.login.callback.handler.class"] == "flinkaks.reference.auth.WorkloadIdentityLoginCallbackHandler"
        )
        assert lines["sasl.jaas.config"] == (
            "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;"
        )
        assert "password" not in text and "PlainLoginModule" not in text
    assert "group.id=grp\n" in files["input.properties"]
    assert "acks=all\n" in files["output.properties"]


def test_kafka_env_names_oauthbearer(up: Rendering) -> None:
    data = k8s_object(up, "ConfigMap", kafka_secret.CONFIG_MAP_NAME)["data"]
    assert data["KAFKA_SASL_MECHANISM"] == "OAUTHBEARER"


def test_flink_pods_may_reach_entra_id_on_https(up: Rendering) -> None:
    for policy in ("flink-jobmanager", "flink-taskmanager"):
        egress = k8s_object(up, "NetworkPolicy", policy)["spec"]["egress"]
        assert {"ports": [{"protocol": "TCP", "port": 443}]} in egress


def test_sas_still_renders_the_rules_and_plain() -> None:
    rendering = render("dev", preview=False, eventHubs={"auth": "sas"})
    assert one(rendering, NAMESPACE)["inputs"]["disableLocalAuth"] is False
    assert {tuple(r["inputs"]["rights"]) for r in rendering.of_type(HUB_RULE)} == {("Listen",), ("Send",)}
    assert rendering.of_type(IDENTITY) == [] and rendering.of_type(FEDERATED) == []
    assert k8s_object(rendering, "ConfigMap", kafka_secret.CONFIG_MAP_NAME)["data"]["KAFKA_SASL_MECHANISM"] == "PLAIN"
    pod = k8s_object(rendering, "Deployment", "flink-taskmanager")["spec"]["template"]
    assert USE not in pod["metadata"]["labels"] and "serviceAccountName" not in pod["spec"]
    assert FAKE_SHARED_ACCESS_KEY not in rendering.to_json()


def test_an_unknown_auth_is_refused() -> None:
    with pytest.raises(ConfigError, match="eventHubs.auth"):
        render("dev", eventHubs={"auth": "keys"})


def test_an_existing_cluster_keeps_its_jaas_lines_and_refuses_workload_identity() -> None:
    assert parse_settings("local", existing(), SECRET_KEYS).event_hubs.auth == "sas"
    message = refusal({**existing(), "flink-aks:eventHubs": {"auth": "workloadIdentity"}})
    assert "flink-aks:eventHubs" in message and "no Event Hubs" in message
