"""The JobManager's probes, the checkpoint policy and the state backend, as the stack renders them."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from components.flink import job_health
from infra.config.settings import parse_settings
from infra.config.validation import ConfigError
from tests.rendering import container, k8s_object, render

BASE = {"azure-native:location": "westeurope"}


def flink_settings(**flink: Any) -> Any:
    return parse_settings("dev", {**BASE, "flink-aks:flink": flink}).flink


def refused(**flink: Any) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        flink_settings(**flink)
    return caught.value


def jobmanager(**flink: Any) -> dict[str, Any]:
    pod = k8s_object(render("dev", flink=flink), "Deployment", "flink-jobmanager")["spec"]["template"]
    return container(pod, "flink")


def flink_config(**flink: Any) -> dict[str, Any]:
    config_map = k8s_object(render("dev", flink=flink), "ConfigMap", "flink-config")
    return dict(yaml.safe_load(config_map["data"]["config.yaml"]))


def test_unhealthy_after_defaults_to_the_operators_checkpoint_progress_window() -> None:
    s = flink_settings()
    assert (s.checkpoint_timeout.text, s.tolerable_checkpoint_failures, s.state_backend) == ("10 min", 3, "hashmap")
    assert s.unhealthy_after_s == 600 * (3 + 2), "max(interval, timeout) × (tolerable failures + 2)"
    assert flink_settings(checkpointInterval="20 min").unhealthy_after_s == 1200 * 5, "a long interval"
    assert flink_settings(checkpointTimeout="1 min", tolerableCheckpointFailures=0).unhealthy_after_s == 120


def test_unhealthy_after_below_the_window_is_refused_naming_the_bound() -> None:
    error = refused(unhealthyAfter="10 min")
    assert error.key == "flink-aks:flink.unhealthyAfter" and error.value == "10 min"
    assert "at least 50 min = max(checkpointInterval, checkpointTimeout)" in str(error)
    error = refused(checkpointInterval="30 min", unhealthyAfter="2 h")
    assert "at least 150 min" in error.allowed
    assert flink_settings(unhealthyAfter="1 h").unhealthy_after_s == 3600


@pytest.mark.parametrize(
    ("flink", "key", "allowed"),
    [
        ({"stateBackend": "forst"}, "flink-aks:flink.stateBackend", "hashmap, rocksdb"),
        ({"checkpointTimeout": "5 s"}, "flink-aks:flink.checkpointTimeout", "from 10000 ms to 120 min"),
        ({"tolerableCheckpointFailures": 11}, "flink-aks:flink.tolerableCheckpointFailures", "from 0 to 10"),
        ({"tolerableCheckpointFailures": -1}, "flink-aks:flink.tolerableCheckpointFailures", "from 0 to 10"),
    ],
)
def test_bad_checkpoint_policy_is_refused(flink: dict[str, Any], key: str, allowed: str) -> None:
    error = refused(**flink)
    assert error.key == key and allowed in error.allowed


def test_the_checkpoint_policy_is_rendered_into_the_flink_config() -> None:
    config = flink_config(checkpointTimeout="4 min", tolerableCheckpointFailures=5)
    assert config["execution.checkpointing.timeout"] == "4 min"
    assert config["execution.checkpointing.tolerable-failed-checkpoints"] == 5


def test_hashmap_by_default_rocksdb_when_chosen() -> None:
    heap = flink_config()
    assert heap["state.backend.type"] == "hashmap" and heap["taskmanager.memory.managed.fraction"] == 0
    rocks = flink_config(stateBackend="rocksdb")
    assert rocks["state.backend.type"] == "rocksdb" and rocks["execution.checkpointing.incremental"] is True
    assert "taskmanager.memory.managed.fraction" not in rocks


def test_jobmanager_has_startup_readiness_and_liveness_probes_of_the_job() -> None:
    flink = jobmanager(unhealthyAfter="1 h")
    for kind, name in (("startupProbe", "startup"), ("readinessProbe", "readiness"), ("livenessProbe", "liveness")):
        assert flink[kind]["exec"]["command"] == ["bash", "-c", job_health.JOB_PROBE, name], kind
        assert "initialDelaySeconds" not in flink[kind], "the startup probe gates the others"
    startup = flink["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 600, "generous: an upgrade, the JVM's start"
    env = {e["name"]: e.get("value") for e in flink["env"]}
    assert env["UNHEALTHY_AFTER_SECONDS"] == "3600"
    assert env["REST_DOWN_AFTER_SECONDS"] == str(job_health.REST_DOWN_AFTER_S)
    assert env["UPGRADE_STATE_DIR"], "where the start step's refusal marker lives"


@pytest.mark.parametrize("name", ["flink-jobmanager", "flink-ui"])
def test_services_reach_the_jobmanager_while_it_is_not_ready(name: str) -> None:
    service = k8s_object(render("dev"), "Service", name)
    assert service["spec"]["publishNotReadyAddresses"] is True
