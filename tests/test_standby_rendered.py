"""``rpcPortMode: podIp`` with standby JobManagers as the stack renders it: the pod IP as the
JobManager's address, the leader watch beside it, replicas kept apart, Services and probes
fit for a leader and a standby, no port-patcher; dev and prod keep the sidecar and one
JobManager."""

from __future__ import annotations

from typing import Any

import pytest

from components.flink import job_health, leader_watch
from components.flink.network_policies import API_SERVER_PORTS
from components.flink.upgrade_scripts import UPGRADE_AT_START
from infra.config.flink import FLINK_IMAGES
from tests.rendering import STANDBY, container, k8s_object, kubernetes_objects, render

PINNED: dict[str, Any] = {"flink": {"rpcPortMode": "pinned"}}
ONE_POD_IP: dict[str, Any] = {"flink": {"rpcPortMode": "podIp"}}
JOBMANAGER = {"app.kubernetes.io/name": "flink", "app.kubernetes.io/component": "jobmanager"}
POD_IP = {"fieldRef": {"fieldPath": "status.podIP"}}
ZONE = "topology.kubernetes.io/zone"


def jobmanager(stack: str = "dev", **overrides: Any) -> dict[str, Any]:
    return k8s_object(render(stack, **overrides), "Deployment", "flink-jobmanager")


def env_of(c: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in c["env"]}


def names(**overrides: Any) -> set[tuple[str, str]]:
    return {(o["kind"], o["metadata"]["name"]) for o in kubernetes_objects(render("dev", **overrides))}


def test_standby_jobmanagers_are_replicas_recreated_together_and_kept_apart() -> None:
    spec = jobmanager(**STANDBY)["spec"]
    assert spec["replicas"] == 2 and spec["strategy"] == {"type": "Recreate"}
    anti = spec["template"]["spec"]["affinity"]["podAntiAffinity"]
    assert anti["requiredDuringSchedulingIgnoredDuringExecution"] == [
        {"labelSelector": {"matchLabels": JOBMANAGER}, "topologyKey": "kubernetes.io/hostname"}
    ]
    [zone] = anti["preferredDuringSchedulingIgnoredDuringExecution"]
    assert zone["podAffinityTerm"] == {"labelSelector": {"matchLabels": JOBMANAGER}, "topologyKey": ZONE}
    assert "affinity" not in jobmanager(**ONE_POD_IP)["spec"]["template"]["spec"], (
        "one JobManager: nothing to keep apart"
    )
    assert jobmanager(**ONE_POD_IP)["spec"]["replicas"] == 1


def test_each_jobmanager_advertises_its_pod_ip_and_reads_its_role() -> None:
    template = jobmanager(**STANDBY)["spec"]["template"]
    flink = container(template, "flink")
    env = env_of(flink)
    assert env["JOB_MANAGER_RPC_ADDRESS"] == POD_IP
    assert env["ROLE_FILE"] == leader_watch.ROLE_FILE
    assert env["UPGRADE_LOCK"] == "zookeeper", "two JobManagers start together: the start step takes the lock"
    assert env_of(container(jobmanager(**ONE_POD_IP)["spec"]["template"], "flink"))["UPGRADE_LOCK"] == "none"
    mounts = {m["name"]: m for m in flink["volumeMounts"]}
    assert mounts["role"] == {"name": "role", "mountPath": leader_watch.ROLE_DIR, "readOnly": True}
    assert [c["name"] for c in template["spec"]["containers"]] == ["flink", leader_watch.CONTAINER]
    assert template["spec"]["serviceAccountName"] == "flink", "workload identity's, not the port-patcher's"


def test_the_leader_watch_runs_its_program_from_the_config_map_with_the_interfaces_environment() -> None:
    rendering = render("dev", **STANDBY)
    template = k8s_object(rendering, "Deployment", "flink-jobmanager")["spec"]["template"]
    watch = container(template, leader_watch.CONTAINER)
    assert watch["image"] == FLINK_IMAGES["1.20"] == container(template, "flink")["image"]
    assert watch["command"] == ["bash", "/opt/leader-watch/run.sh"]
    env = env_of(watch)
    quorum = env_of(container(template, "flink"))["ZOOKEEPER_QUORUM"]
    interface = leader_watch.environment("/flink/flink-aks-dev", "$(POD_IP)", 6123)
    assert {k: env[k] for k in interface} == interface
    assert env["POD_IP"] == POD_IP, "declared before OWN_ADDRESS, which refers to it"
    assert list(env).index("POD_IP") < list(env).index("OWN_ADDRESS")
    assert (env["ZOOKEEPER_QUORUM"], env["FLINK_LIB_DIR"]) == (quorum, "/opt/flink/lib")
    volumes = {v["name"]: v for v in template["spec"]["volumes"]}
    mounts = {m["mountPath"]: m for m in watch["volumeMounts"]}
    program = mounts[env["PROGRAM_DIR"]]
    assert program["readOnly"] is True
    assert volumes[program["name"]]["configMap"]["name"] == "flink-leader-watch"
    assert "CLASSES_DIR" not in env, "run.sh compiles in memory: nothing is written but the role"
    assert mounts[leader_watch.ROLE_DIR]["name"] == "role" and "readOnly" not in mounts[leader_watch.ROLE_DIR]
    assert "emptyDir" in volumes["role"]
    config_map = k8s_object(rendering, "ConfigMap", "flink-leader-watch")
    shipped = sorted(p.name for pattern in ("*.java", "*.sh") for p in leader_watch.PROGRAM_DIR.glob(pattern))
    assert sorted(config_map["data"]) == shipped and {"LeaderWatch.java", "run.sh"} <= set(shipped)
    for name in shipped:
        assert config_map["data"][name] == (leader_watch.PROGRAM_DIR / name).read_text()


def test_the_leader_watch_is_small_and_restricted_like_the_others() -> None:
    watch = container(jobmanager(**STANDBY)["spec"]["template"], leader_watch.CONTAINER)
    resources = watch["resources"]
    assert resources["limits"]["memory"] == "160Mi" and resources["requests"]["memory"] == "96Mi"
    assert "cpu" not in resources["limits"] and resources["requests"]["cpu"] == "20m", "as Flink's: no CFS quota"
    assert watch["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    assert "/tmp" in {m["mountPath"] for m in watch["volumeMounts"]}, "the JVM's temporary files, off the root"


def test_no_port_patcher_and_no_kubernetes_api_access_in_pod_ip_mode() -> None:
    found = names(**STANDBY)
    assert ("ConfigMap", "flink-leader-watch") in found
    assert not {n for n in found if n[1] == "flink-port-patcher"}
    assert not {n for n in found if n[0] in ("Role", "RoleBinding")}
    template = jobmanager(**STANDBY)["spec"]["template"]
    assert not [v for v in template["spec"]["volumes"] if "projected" in v], "no API token"
    egress = k8s_object(render("dev", **STANDBY), "NetworkPolicy", "flink-jobmanager")["spec"]["egress"]
    api_server = {"ports": [{"protocol": "TCP", "port": port} for port in API_SERVER_PORTS]}
    assert api_server not in egress, "no API-server egress (the 443 left is Entra ID's, workload identity)"
    assert api_server in k8s_object(render("dev"), "NetworkPolicy", "flink-jobmanager")["spec"]["egress"]
    assert ("ConfigMap", "flink-leader-watch") not in names(), "dev keeps the sidecar"


def test_probes_are_the_job_probes_with_the_role_and_the_same_timings() -> None:
    standby = container(jobmanager(**STANDBY)["spec"]["template"], "flink")
    single = container(jobmanager(**PINNED)["spec"]["template"], "flink")
    for kind, name in (("startupProbe", "startup"), ("readinessProbe", "readiness"), ("livenessProbe", "liveness")):
        assert standby[kind]["exec"]["command"] == ["bash", "-c", job_health.JOB_PROBE, name]
        assert standby[kind] == single[kind], kind
    assert "ROLE_FILE" not in env_of(single), "one JobManager: it is the leader"


@pytest.mark.parametrize("name", ["flink-jobmanager", "flink-ui"])
def test_services_select_every_jobmanager_and_publish_ready_ones_with_standbys(name: str) -> None:
    standby = k8s_object(render("dev", **STANDBY), "Service", name)["spec"]
    assert standby["selector"] == JOBMANAGER and standby["publishNotReadyAddresses"] is False
    one = k8s_object(render("dev", **ONE_POD_IP), "Service", name)["spec"]
    assert one["publishNotReadyAddresses"] is True, "one JobManager: reached while its job does not run"


def test_network_policies_of_pod_ip_mode_are_pinned_modes() -> None:
    for policy in ("flink-default-deny", "flink-jobmanager", "flink-taskmanager"):
        assert (
            k8s_object(render("dev", **STANDBY), "NetworkPolicy", policy)["spec"]
            == k8s_object(render("dev", **PINNED), "NetworkPolicy", policy)["spec"]
        ), policy
    jobmanager_policy = k8s_object(render("dev", **STANDBY), "NetworkPolicy", "flink-jobmanager")["spec"]
    # JobManager to JobManager on RPC: the leader watch's probe, a standby's REST calls to the leader.
    to_jobmanagers = {
        "to": [{"podSelector": {"matchLabels": JOBMANAGER}}],
        "ports": [{"protocol": "TCP", "port": 6123}],
    }
    assert to_jobmanagers in jobmanager_policy["egress"]
    from_flink = jobmanager_policy["ingress"][0]
    assert {p["port"] for p in from_flink["ports"]} == {6123, 6124}


def test_the_jobmanager_budget_lets_one_of_them_go_at_a_time() -> None:
    budget = k8s_object(render("dev", **STANDBY), "PodDisruptionBudget", "flink-jobmanager")["spec"]
    assert budget["maxUnavailable"] == 1 and budget["selector"]["matchLabels"] == JOBMANAGER


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_shipped_stacks_keep_the_sidecar_and_one_jobmanager(stack: str) -> None:
    spec = jobmanager(stack)["spec"]
    assert spec["replicas"] == 1 and "affinity" not in spec["template"]["spec"]
    flink = container(spec["template"], "flink")
    env = env_of(flink)
    assert env["JOB_MANAGER_RPC_ADDRESS"] == "flink-jobmanager" and env["UPGRADE_LOCK"] == "none"
    assert "ROLE_FILE" not in env
    assert [c["name"] for c in spec["template"]["spec"]["containers"]] == ["flink", "port-patcher"]
    assert k8s_object(render(stack), "Service", "flink-ui")["spec"]["publishNotReadyAddresses"] is True


def test_the_lock_is_part_of_the_start_step_before_it_observes() -> None:
    assert UPGRADE_AT_START.index("lock_take\n") < UPGRADE_AT_START.index("graphs=$HA_ZOOKEEPER_PATH/jobgraphs")
