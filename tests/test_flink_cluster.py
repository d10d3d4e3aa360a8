"""FlinkJobCluster as declared by the real program under Pulumi mocks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.flink import kafka_secret
from components.flink.sidecar import PROGRAM_DIR, program_files
from tests.rendering import container, k8s_object, kubernetes_objects, render

PINNED: dict[str, Any] = {"flink": {"rpcPortMode": "pinned"}}
PUBLIC: dict[str, Any] = {"ui": {"exposure": "public", "allowedCidrs": ["203.0.113.0/24"]}}


def deployment(stack: str = "dev", **overrides: Any) -> dict[str, Any]:
    return k8s_object(render(stack, **overrides), "Deployment", "flink-jobmanager")


def taskmanagers(stack: str = "dev", **overrides: Any) -> dict[str, Any]:
    return k8s_object(render(stack, **overrides), "Deployment", "flink-taskmanager")


def kinds(**overrides: Any) -> set[tuple[str, str]]:
    return {(o["kind"], o["metadata"]["name"]) for o in kubernetes_objects(render("dev", **overrides))}


def test_component_children_are_the_objects_of_one_application_cluster() -> None:
    rendering = render("dev")
    children = {(r["type"].split(":")[-1], r["name"]) for r in rendering.resources if r["parent"] == "flink"}
    assert {kind for kind, _ in children} == {
        "ConfigMap",
        "Secret",
        "PersistentVolumeClaim",
        "Deployment",
        "Service",
        "ServiceAccount",
        "Role",
        "RoleBinding",
        "NetworkPolicy",
        "PodDisruptionBudget",
    }
    assert all(r.get("provider") == "aks-k8s" for r in rendering.resources if r["type"].startswith("kubernetes:"))


def test_config_map_holds_the_rendered_config_with_this_stacks_zookeeper_and_cluster_id() -> None:
    config_map = k8s_object(render("dev"), "ConfigMap", "flink-config")
    config = yaml.safe_load(config_map["data"]["config.yaml"])
    assert config["high-availability.cluster-id"] == "flink-aks-dev"
    assert config["high-availability.zookeeper.quorum"].startswith("zookeeper-0.zookeeper-headless.flink.svc")
    assert config["high-availability.jobmanager.port"] == 0
    assert config["jobmanager.rpc.address"] == "flink-jobmanager"


def test_jobmanager_is_one_replica_recreated_never_two_at_once() -> None:
    spec = deployment()["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {"type": "Recreate"}


def test_jobmanager_runs_the_configured_job_in_application_mode() -> None:
    flink = container(
        deployment(flink={"jobClassName": "com.example.Job", "jobArgs": ["--window", "10s"]})["spec"]["template"],
        "flink",
    )
    assert flink["args"] == ["standalone-job", "--job-classname", "com.example.Job", "--window", "10s"]


def test_default_job_is_the_images_state_machine_example_staged_in_usrlib() -> None:
    template = deployment()["spec"]["template"]
    prepare = container(template, "prepare")
    env = {e["name"]: e.get("value") for e in prepare["env"]}
    assert env["JOB_JAR"] == "/opt/flink/examples/streaming/StateMachineExample.jar"
    assert {"name": "usrlib", "mountPath": "/opt/flink/usrlib"} in container(template, "flink")["volumeMounts"]


def test_taskmanagers_have_the_job_jar_too_and_replicas_from_settings() -> None:
    tm = taskmanagers("prod")
    assert tm["spec"]["replicas"] == 8
    template = tm["spec"]["template"]
    assert container(template, "prepare")
    assert {"name": "usrlib", "mountPath": "/opt/flink/usrlib"} in container(template, "flink")["volumeMounts"]


def test_config_is_copied_to_a_writable_volume_because_the_entrypoint_edits_it() -> None:
    template = deployment()["spec"]["template"]
    mounts = {m["mountPath"]: m for m in container(template, "flink")["volumeMounts"]}
    conf_volume = next(v for v in template["spec"]["volumes"] if v["name"] == mounts["/opt/flink/conf"]["name"])
    assert conf_volume == {"name": "conf", "emptyDir": {}}
    assert any(
        m["mountPath"] == "/config-source" and m["readOnly"] for m in container(template, "prepare")["volumeMounts"]
    )


def test_init_container_waits_for_zookeeper_before_flink_starts() -> None:
    init = deployment()["spec"]["template"]["spec"]["initContainers"]
    assert init[0]["name"] == "wait-for-zookeeper"
    env = {e["name"]: e["value"] for e in init[0]["env"]}
    assert env["ZOOKEEPER_QUORUM"].count(":2181") == 3
    assert "srvr" in init[0]["command"][-1]


def test_probes_and_resources_on_jobmanager_and_taskmanagers() -> None:
    jm = container(deployment()["spec"]["template"], "flink")
    tm = container(taskmanagers()["spec"]["template"], "flink")
    for c in (jm, tm):
        assert c["livenessProbe"] and c["readinessProbe"]
        assert c["resources"]["limits"]["memory"] == c["resources"]["requests"]["memory"]
    assert jm["resources"]["limits"]["memory"] == "1600Mi"
    assert tm["resources"]["limits"]["memory"] == "2048Mi"
    assert container(taskmanagers("prod")["spec"]["template"], "flink")["resources"]["limits"]["memory"] == "4096Mi"


@pytest.mark.parametrize("name", ["flink-jobmanager", "flink-taskmanager"])
def test_pods_run_non_root_without_privileges(name: str) -> None:
    template = k8s_object(render("dev"), "Deployment", name)["spec"]["template"]
    assert template["spec"]["securityContext"]["runAsNonRoot"] is True
    for c in template["spec"]["containers"] + template["spec"]["initContainers"]:
        assert c["securityContext"]["allowPrivilegeEscalation"] is False
        assert c["securityContext"]["readOnlyRootFilesystem"] is True
        assert c["securityContext"]["capabilities"] == {"drop": ["ALL"]}


def test_kafka_contract_env_vars_from_the_config_map_property_files_from_the_secret() -> None:
    for name in ("flink-jobmanager", "flink-taskmanager"):
        template = k8s_object(render("dev"), "Deployment", name)["spec"]["template"]
        flink = container(template, "flink")
        assert flink["envFrom"] == [{"configMapRef": {"name": "flink-kafka"}}]
        # No env var from a Secret at all: secrets reach the pods as mounted files only.
        for c in template["spec"]["containers"] + template["spec"]["initContainers"]:
            assert not any("secretKeyRef" in e.get("valueFrom", {}) for e in c.get("env", [])), c["name"]
            assert not any("secretRef" in e for e in c.get("envFrom", [])), c["name"]
        assert not any(e["name"].startswith("KAFKA_") for e in flink["env"])
        volume = next(v for v in template["spec"]["volumes"] if v["name"] == "kafka")
        assert volume["secret"]["secretName"] == "flink-kafka"
        assert {i["key"] for i in volume["secret"]["items"]} == {"input.properties", "output.properties"}


def test_kafka_config_map_holds_the_variables_and_nothing_secret() -> None:
    config_map = k8s_object(render("dev", preview=False), "ConfigMap", "flink-kafka")
    assert set(config_map["data"]) == set(kafka_secret.ENV_VARS)
    assert not any("JAAS" in name for name in kafka_secret.ENV_VARS)
    assert config_map["data"]["KAFKA_INPUT_TOPIC"] == "input"
    assert config_map["data"]["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"


def test_kafka_secret_is_secret_and_holds_the_property_files_only() -> None:
    # During a first preview the whole stringData is one unknown secret.
    assert k8s_object(render("dev"), "Secret", "flink-kafka")["stringData"] == "[secret]"
    secret = k8s_object(render("dev", preview=False), "Secret", "flink-kafka")
    assert set(secret["stringData"]) == set(kafka_secret.PROPERTY_FILES)
    assert set(secret["stringData"].values()) == {"[secret]"}


def test_client_properties_follow_event_hubs_rules() -> None:
    data = kafka_secret.property_files("ns.servicebus.windows.net:9093", "grp", "JAAS-IN", "JAAS-OUT")
    props = dict(line.split("=", 1) for line in data["input.properties"].splitlines())
    assert props["bootstrap.servers"] == "ns.servicebus.windows.net:9093"
    assert props["security.protocol"] == "SASL_SSL" and props["sasl.mechanism"] == "PLAIN"
    assert props["sasl.jaas.config"] == "JAAS-IN" and props["group.id"] == "grp"
    assert int(props["metadata.max.age.ms"]) < 240000 and int(props["connections.max.idle.ms"]) < 240000
    assert props["request.timeout.ms"] == "60000"
    assert "JAAS-OUT" in data["output.properties"] and "JAAS-IN" not in data["output.properties"]


def test_nothing_secret_in_config_maps_args_or_env_literals() -> None:
    for obj in kubernetes_objects(render("dev", preview=False)):
        if obj["kind"] == "ConfigMap":
            assert "jaas" not in str(obj["data"]).lower()
            assert "SharedAccess" not in str(obj["data"])
        if obj["kind"] == "Deployment":
            spec = obj["spec"]["template"]["spec"]
            for c in spec["containers"] + spec["initContainers"]:
                assert "SharedAccess" not in str(c.get("args", [])) + str(c.get("command", []))
                assert all("SharedAccess" not in str(e.get("value", "")) for e in c.get("env", []))


def test_shared_volume_is_rwx_azure_files_mounted_by_both_deployments() -> None:
    claim = k8s_object(render("dev"), "PersistentVolumeClaim", "flink-data")
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    assert claim["spec"]["storageClassName"] == "azurefile-csi"
    for name in ("flink-jobmanager", "flink-taskmanager"):
        volumes = k8s_object(render("dev"), "Deployment", name)["spec"]["template"]["spec"]["volumes"]
        assert {"name": "data", "persistentVolumeClaim": {"claimName": "flink-data"}} in volumes


def test_internal_service_is_never_a_load_balancer_and_leaves_rpc_to_the_sidecar() -> None:
    service = k8s_object(render("dev", **PUBLIC), "Service", "flink-jobmanager")
    assert service["spec"]["type"] == "ClusterIP"
    # The sidecar adds and owns `rpc`: declaring it too would clash after a port move.
    assert [p["name"] for p in service["spec"]["ports"]] == ["blob", "rest"]
    # Field ownership does the job: no ignoreChanges that would hide drift of blob and rest.
    for resource in render("dev").of_type("kubernetes:core/v1:Service"):
        assert "ignoreChanges" not in resource, resource["name"]


def test_internal_service_of_pinned_mode_carries_rpc_blob_rest() -> None:
    service = k8s_object(render("dev", **PINNED), "Service", "flink-jobmanager")
    assert [(p["name"], p["port"]) for p in service["spec"]["ports"]] == [("rpc", 6123), ("blob", 6124), ("rest", 8081)]


@pytest.mark.parametrize(
    ("ui", "service_type", "annotations"),
    [
        (PUBLIC["ui"], "LoadBalancer", {}),
        (
            {"exposure": "internal", "allowedCidrs": ["203.0.113.0/24"]},
            "LoadBalancer",
            {"service.beta.kubernetes.io/azure-load-balancer-internal": "true"},
        ),
        ({"exposure": "portForward"}, "ClusterIP", {}),
    ],
)
def test_ui_service_exposes_only_8081_as_configured(
    ui: dict[str, Any], service_type: str, annotations: dict[str, str]
) -> None:
    service = k8s_object(render("dev", ui=ui), "Service", "flink-ui")
    assert service["spec"]["type"] == service_type
    assert [p["port"] for p in service["spec"]["ports"]] == [8081]
    assert service["metadata"].get("annotations", {}) == annotations
    if service_type == "LoadBalancer":
        assert service["spec"]["loadBalancerSourceRanges"] == ["203.0.113.0/24"]
        # The client's address reaches the pod, for the JobManager's NetworkPolicy.
        assert service["spec"]["externalTrafficPolicy"] == "Local"
    else:
        assert "loadBalancerSourceRanges" not in service["spec"]
        assert "externalTrafficPolicy" not in service["spec"]


def test_sidecar_mode_wires_the_port_patcher_with_least_privilege_rbac() -> None:
    rendering = render("dev")
    role = k8s_object(rendering, "Role", "flink-port-patcher")
    assert role["rules"] == [
        {"apiGroups": [""], "resources": ["services"], "resourceNames": ["flink-jobmanager"], "verbs": ["get", "patch"]}
    ]
    binding = k8s_object(rendering, "RoleBinding", "flink-port-patcher")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "flink-port-patcher", "namespace": "flink"}]
    template = deployment()["spec"]["template"]
    assert template["spec"]["serviceAccountName"] == "flink-port-patcher"
    sidecar = container(template, "port-patcher")
    assert sidecar["image"].startswith("python:")
    assert sidecar["command"] == ["python", "-m", "port_patcher"]
    env = {e["name"]: e.get("value") for e in sidecar["env"]}
    assert (env["SERVICE_NAME"], env["PYTHONPATH"]) == ("flink-jobmanager", "/app")
    assert sidecar["securityContext"]["readOnlyRootFilesystem"] is True
    assert sidecar["securityContext"]["runAsUser"] != 0
    assert sidecar["resources"]["limits"]["memory"] == "64Mi"


def test_only_the_sidecar_gets_kubernetes_api_credentials() -> None:
    template = deployment()["spec"]["template"]
    assert template["spec"]["automountServiceAccountToken"] is False
    token_mounts = [
        c["name"]
        for c in template["spec"]["containers"]
        if any(m["name"] == "api-token" for m in c.get("volumeMounts", []))
    ]
    assert token_mounts == ["port-patcher"]


def test_port_patcher_config_map_ships_the_program_that_the_sidecar_runs(tmp_path: Path) -> None:
    """Every module of the package, mounted and started as in the pod (standard library only)."""
    data = k8s_object(render("dev"), "ConfigMap", "flink-port-patcher")["data"]
    assert set(data) == {p.name for p in PROGRAM_DIR.glob("*.py")}
    container_spec = container(deployment()["spec"]["template"], "port-patcher")
    mount = next(m for m in container_spec["volumeMounts"] if m["name"] == "port-patcher")
    program_dir = tmp_path / mount["mountPath"].lstrip("/")
    program_dir.mkdir(parents=True)
    for name, text in data.items():
        (program_dir / name).write_text(text)
    env = {e["name"]: e["value"] for e in container_spec["env"] if e["name"].startswith("PYTHON")}
    env["PYTHONPATH"] = str(tmp_path / env["PYTHONPATH"].lstrip("/"))
    # -S: no site-packages, as in the python image: the program needs the standard library only.
    command = [sys.executable, "-S", *container_spec["command"][1:], "--help"]
    started = subprocess.run(command, env=env, cwd=tmp_path, text=True, capture_output=True)
    assert started.returncode == 0, started.stderr
    assert "--once" in started.stdout


def test_pinned_mode_has_a_static_port_and_no_sidecar_or_rbac() -> None:
    names = kinds(**PINNED)
    # Only the workload identity's ServiceAccount, which the JobManager then runs as.
    assert {n for n in names if n[0] in ("Role", "RoleBinding", "ServiceAccount")} == {("ServiceAccount", "flink")}
    assert ("ConfigMap", "flink-port-patcher") not in names
    template = deployment(**PINNED)["spec"]["template"]
    assert [c["name"] for c in template["spec"]["containers"]] == ["flink"]
    assert template["spec"]["serviceAccountName"] == "flink"
    sas = {**PINNED, "eventHubs": {"auth": "sas"}}
    assert not {n for n in kinds(**sas) if n[0] in ("Role", "RoleBinding", "ServiceAccount")}
    assert "serviceAccountName" not in deployment(**sas)["spec"]["template"]["spec"]
    config = yaml.safe_load(k8s_object(render("dev", **PINNED), "ConfigMap", "flink-config")["data"]["config.yaml"])
    assert config["high-availability.jobmanager.port"] == 6123
    rpc = k8s_object(render("dev", **PINNED), "Service", "flink-jobmanager")["spec"]["ports"][0]
    assert (rpc["name"], rpc["port"], rpc["targetPort"]) == ("rpc", 6123, 6123)


def test_ui_url_output_per_exposure() -> None:
    assert render("dev").outputs["flinkUiUrl"] == "http://localhost:8081"
    assert render("dev").outputs["portForwardCommand"] == (
        "kubectl --namespace flink port-forward service/flink-ui 8081:8081"
    )
    public = render("dev", **PUBLIC).outputs
    assert public["flinkUiUrl"] == "[unknown]"
    assert "portForwardCommand" not in public


def test_shared_volume_is_protected_in_prod_only() -> None:
    claims = [r for r in render("prod").resources if r["name"] == "flink-data"]
    assert claims[0].get("protect") is True
    assert render("dev").named("flink-data").get("protect") in (None, False)


def test_sidecar_env_names_are_ones_the_program_reads() -> None:
    source = "".join(program_files().values())
    sidecar = container(deployment()["spec"]["template"], "port-patcher")
    for env in sidecar["env"]:
        if not env["name"].startswith("PYTHON"):
            assert f'"{env["name"]}"' in source, env["name"]
    mount = next(m for m in sidecar["volumeMounts"] if m["name"] == "api-token")
    assert f"{mount['mountPath']}/token" in source or mount["mountPath"] in source
