"""The Flink workload's posture in the rendered stacks: NetworkPolicies (deny by default),
PodDisruptionBudgets, the namespace's Pod Security labels, images by digest, ZooKeeper's
pods under ``restricted``, and the checkov suppressions' reasons."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.flink.network_policies import ports_of
from components.zookeeper_values import helm_values
from infra.config.flink import FLINK_IMAGES
from infra.render.offline import render_config
from tests.rendering import ROOT, STANDBY, k8s_object, kubernetes_objects, render, settings_of
from tests.test_target import SECRET_KEYS, existing

DIGEST = re.compile(r"^[^@\s]+:[^@\s]+@sha256:[0-9a-f]{64}$")
PINNED: dict[str, Any] = {"flink": {"rpcPortMode": "pinned"}}
PUBLIC: dict[str, Any] = {"ui": {"exposure": "public", "allowedCidrs": ["203.0.113.0/24"]}}
FLINK_PODS = {"app.kubernetes.io/name": "flink"}
JOBMANAGER = {"app.kubernetes.io/name": "flink", "app.kubernetes.io/component": "jobmanager"}
TASKMANAGER = {"app.kubernetes.io/name": "flink", "app.kubernetes.io/component": "taskmanager"}
DNS = {
    "to": [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        }
    ],
    "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
}
CHART_ZOOKEEPER = {
    "to": [
        {
            "podSelector": {
                "matchLabels": {"app.kubernetes.io/name": "zookeeper", "app.kubernetes.io/instance": "zookeeper"}
            }
        }
    ],
    "ports": [{"protocol": "TCP", "port": 2181}],
}
EVENT_HUBS = {"ports": [{"protocol": "TCP", "port": 9093}]}
ENTRA_ID = {"ports": [{"protocol": "TCP", "port": 443}]}  # workload identity's token endpoint, by IP
METRICS = {
    "from": [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"rsName": "ama-metrics"}},
        }
    ],
    "ports": [{"protocol": "TCP", "port": 9249}],
}


def tcp(*ports: int) -> list[dict[str, Any]]:
    return [{"protocol": "TCP", "port": p} for p in ports]


def policy(name: str, stack: str = "dev", overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    found = k8s_object(render(stack, **(overrides or {})), "NetworkPolicy", name)
    assert found["metadata"]["namespace"] == "flink"
    return found["spec"]


# ------------------------------------------------------------------ NetworkPolicies


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_flink_pod_is_denied_both_ways_by_default(stack: str) -> None:
    assert policy("flink-default-deny", stack) == {
        "podSelector": {"matchLabels": FLINK_PODS},
        "policyTypes": ["Ingress", "Egress"],
    }
    # Every pod of the stack carries the labels the policies select.
    for name, selected in (("flink-jobmanager", JOBMANAGER), ("flink-taskmanager", TASKMANAGER)):
        template_labels = k8s_object(render(stack), "Deployment", name)["spec"]["template"]["metadata"]["labels"]
        assert selected.items() <= template_labels.items()


def test_jobmanager_admits_flink_pods_on_any_port_in_sidecar_mode_and_rpc_blob_when_pinned() -> None:
    # The sidecar mode's RPC port is random: peers are limited, ports cannot be.
    assert policy("flink-jobmanager")["ingress"][0] == {"from": [{"podSelector": {"matchLabels": FLINK_PODS}}]}
    assert policy("flink-jobmanager", overrides=PINNED)["ingress"][0] == {
        "from": [{"podSelector": {"matchLabels": FLINK_PODS}}],
        "ports": tcp(6123, 6124),
    }


@pytest.mark.parametrize(
    ("stack", "overrides", "cidrs"),
    [("dev", {}, []), ("dev", PUBLIC, ["203.0.113.0/24"]), ("prod", {}, ["10.0.0.0/8"])],
)
def test_rest_port_is_open_only_to_the_networks_the_ui_is_served_to(
    stack: str, overrides: dict[str, Any], cidrs: list[str]
) -> None:
    ingress = policy("flink-jobmanager", stack, overrides)["ingress"]
    rest = [rule for rule in ingress if rule.get("ports") == tcp(8081)]
    if not cidrs:  # port-forward goes through the kubelet: nothing to admit
        assert rest == []
    else:
        assert rest == [{"from": [{"ipBlock": {"cidr": c}} for c in cidrs], "ports": tcp(8081)}]
    assert METRICS in ingress
    assert len(ingress) == 2 + len(rest)


def test_jobmanager_egress_is_taskmanagers_itself_zookeeper_kafka_dns_and_the_api_server() -> None:
    assert policy("flink-jobmanager")["egress"] == [
        {"to": [{"podSelector": {"matchLabels": TASKMANAGER}}], "ports": tcp(6122)},
        {"to": [{"podSelector": {"matchLabels": JOBMANAGER}}]},
        DNS,
        CHART_ZOOKEEPER,
        EVENT_HUBS,
        ENTRA_ID,
        {"ports": tcp(443, 6443)},  # the sidecar: the API server is reached by IP (no name in a policy)
    ]
    pinned = policy("flink-jobmanager", overrides=PINNED)["egress"]
    assert {"ports": tcp(443, 6443)} not in pinned  # no sidecar, no API access
    assert {"to": [{"podSelector": {"matchLabels": JOBMANAGER}}], "ports": tcp(6123)} in pinned
    # podIp: the same; the other JobManagers' RPC (the leader watch's probe, a standby's REST calls).
    assert policy("flink-jobmanager", overrides=STANDBY)["egress"] == pinned


def test_taskmanagers_talk_to_the_jobmanager_each_other_zookeeper_kafka_and_dns_only() -> None:
    spec = policy("flink-taskmanager")
    assert spec["podSelector"] == {"matchLabels": TASKMANAGER}
    assert spec["ingress"] == [
        {"from": [{"podSelector": {"matchLabels": FLINK_PODS}}], "ports": tcp(6122, 6121)},
        METRICS,
    ]
    assert spec["egress"] == [
        {"to": [{"podSelector": {"matchLabels": JOBMANAGER}}]},
        {"to": [{"podSelector": {"matchLabels": TASKMANAGER}}], "ports": tcp(6121)},
        DNS,
        CHART_ZOOKEEPER,
        EVENT_HUBS,
        ENTRA_ID,
    ]
    assert ENTRA_ID not in policy("flink-taskmanager", overrides={"eventHubs": {"auth": "sas"}})["egress"]
    pinned = policy("flink-taskmanager", overrides=PINNED)["egress"][0]
    assert pinned == {"to": [{"podSelector": {"matchLabels": JOBMANAGER}}], "ports": tcp(6123, 6124)}


def test_flink_binds_the_ports_the_policies_name() -> None:
    config = yaml.safe_load(k8s_object(render("dev"), "ConfigMap", "flink-config")["data"]["config.yaml"])
    assert (config["taskmanager.rpc.port"], config["taskmanager.data.port"], config["blob.server.port"]) == (
        6122,
        6121,
        6124,
    )


def test_an_existing_zookeeper_and_kafka_are_reached_on_the_ports_of_their_addresses() -> None:
    config = {**existing(zookeeperConnect="zk-0.zk:2281,zk-1.zk:2281/flink"), "flink-aks:flink": {"storageClass": "x"}}
    rendering = render_config("local", config, secret_keys=SECRET_KEYS)
    egress = k8s_object(rendering, "NetworkPolicy", "flink-taskmanager")["spec"]["egress"]
    assert {"ports": tcp(2281)} in egress
    assert {"ports": tcp(9093)} in egress  # broker-0.kafka:9093,broker-1.kafka:9093


def test_ports_of_reads_connect_strings_and_bootstrap_servers() -> None:
    assert ports_of("a:2181,b:2181,c:2182/chroot") == (2181, 2182)
    assert ports_of("ns.servicebus.windows.net:9093") == (9093,)


# ------------------------------------------------------------------ PodDisruptionBudgets


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_one_jobmanager_and_one_taskmanager_may_be_evicted_at_a_time(stack: str) -> None:
    for name, selected in (("flink-jobmanager", JOBMANAGER), ("flink-taskmanager", TASKMANAGER)):
        budget = k8s_object(render(stack), "PodDisruptionBudget", name)
        assert budget["spec"] == {
            "maxUnavailable": 1,  # never minAvailable 1 on one JobManager: it would block every drain
            "selector": {"matchLabels": selected},
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        }
        deployment = k8s_object(render(stack), "Deployment", name)
        assert deployment["spec"]["selector"] == {"matchLabels": selected}


# ------------------------------------------------------------------ Pod Security


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_namespace_enforces_audits_and_warns_pod_security_restricted(stack: str) -> None:
    labels = k8s_object(render(stack), "Namespace", "flink")["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"


def test_zookeeper_pods_meet_restricted_whatever_the_charts_defaults() -> None:
    values = helm_values(settings_of("prod").zookeeper, zonal=True)
    pod, container = values["podSecurityContext"], values["containerSecurityContext"]
    assert pod["enabled"] and container["enabled"]
    assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
    assert container["runAsNonRoot"] is True and container["runAsUser"] != 0
    assert container["allowPrivilegeEscalation"] is False and container["privileged"] is False
    assert container["capabilities"] == {"drop": ["ALL"]}
    assert values["volumePermissions"] == {"enabled": False}  # its init container runs as root


@pytest.mark.parametrize(("stack", "overrides"), [("dev", {}), ("prod", {}), ("dev", STANDBY)])
def test_every_flink_container_has_liveness_and_readiness_probes(stack: str, overrides: dict[str, Any]) -> None:
    """What lets .checkov.yaml suppress the probe checks (the sidecar and the leader watch have nothing to probe)."""
    for name in ("flink-jobmanager", "flink-taskmanager"):
        spec = k8s_object(render(stack, **overrides), "Deployment", name)["spec"]["template"]["spec"]
        flink = next(c for c in spec["containers"] if c["name"] == "flink")
        assert "livenessProbe" in flink and "readinessProbe" in flink
        assert [c["name"] for c in spec["containers"]] in (
            ["flink"],
            ["flink", "port-patcher"],
            ["flink", "leader-watch"],
        )


# ------------------------------------------------------------------ images


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_container_image_of_the_shipped_stacks_is_pinned_by_digest(stack: str) -> None:
    images = set()
    for obj in kubernetes_objects(render(stack)):
        if obj["kind"] == "Deployment":
            spec = obj["spec"]["template"]["spec"]
            images |= {c["image"] for c in spec["containers"] + spec.get("initContainers", [])}
    assert len(images) == 2  # Flink's and the sidecar's python
    for image in images:
        assert DIGEST.match(image), image


def test_the_default_flink_is_the_newest_1_20_patch() -> None:
    assert FLINK_IMAGES["1.20"].startswith("flink:1.20.5-scala_2.12-java17@sha256:")


# ------------------------------------------------------------------ checkov


def test_checkov_suppressions_live_in_its_config_each_with_a_reason() -> None:
    path: Path = ROOT / ".checkov.yaml"
    config = yaml.safe_load(path.read_text())
    assert config["framework"] == ["kubernetes"]
    lines = path.read_text().splitlines()
    for check in config["skip-check"]:
        above = lines.index(f"  - {check}") - 1
        while lines[above].startswith("  - CKV"):  # checks grouped under one reason
            above -= 1
        assert lines[above].strip().startswith("#"), f"{check}: say why it is suppressed, in a comment above it"
    assert not any("checkov:skip" in str(o) for o in kubernetes_objects(render("prod")))
