"""Upgrade settings, the job fingerprint and the JobManager's upgrade steps as rendered."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from components.flink import names, upgrade_scripts
from components.flink.fingerprint import job_fingerprint
from infra.config.settings import parse_settings
from infra.config.validation import ConfigError
from tests.rendering import container, k8s_object, render

BASE = {"azure-native:location": "westeurope"}


def flink_settings(**flink: Any) -> Any:
    return parse_settings("dev", {**BASE, "flink-aks:flink": flink, "flink-aks:eventHubs": {"partitions": 32}}).flink


def refused(**flink: Any) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        flink_settings(**flink)
    return caught.value


def test_defaults_last_state_refuse_and_128_key_groups() -> None:
    s = flink_settings()
    assert (s.upgrade_mode, s.savepoint_fallback, s.max_parallelism) == ("last-state", "refuse", 128)


def test_bad_upgrade_settings_are_refused_naming_key_value_and_what_is_allowed() -> None:
    error = refused(upgradeMode="rolling")
    assert error.key == "flink-aks:flink.upgradeMode" and "last-state" in error.allowed
    assert refused(savepointFallback="ignore").key == "flink-aks:flink.savepointFallback"
    assert refused(maxParallelism=40000).key == "flink-aks:flink.maxParallelism"
    above = refused(taskManagers=4, slotsPerTaskManager=8, maxParallelism=16)
    assert above.key == "flink-aks:flink.maxParallelism" and "(32)" in above.allowed


def test_retention_settings_default_bounded_and_reach_the_start_step() -> None:
    s = flink_settings()
    assert (s.retained_runs, s.retained_savepoints) == (2, 5)
    assert refused(retainedRuns=0).key == "flink-aks:flink.retainedRuns"
    assert refused(retainedSavepoints="all").key == "flink-aks:flink.retainedSavepoints"
    env = env_of(jobmanager(retainedRuns=4, retainedSavepoints=9))
    assert (env["RETAINED_RUNS"], env["RETAINED_SAVEPOINTS"]) == ("4", "9")


def test_job_result_store_entries_are_kept_for_the_start_step() -> None:
    config_map = k8s_object(render("dev"), "ConfigMap", "flink-config")
    assert yaml.safe_load(config_map["data"]["config.yaml"])["job-result-store.delete-on-commit"] is False


def test_max_parallelism_is_rendered_into_the_flink_config() -> None:
    config_map = k8s_object(render("dev", flink={"maxParallelism": 256}), "ConfigMap", "flink-config")
    assert yaml.safe_load(config_map["data"]["config.yaml"])["pipeline.max-parallelism"] == 256


def fingerprint(**changes: Any) -> str:
    spec: dict[str, Any] = {
        "image": "flink:1.20.5",
        "job_jar": "/opt/flink/usrlib/job.jar",
        "job_class_name": "a.Job",
        "job_args": ["--out", "x"],
        "config": {"parallelism.default": 2, "high-availability.zookeeper.quorum": "zk-0:2181"},
    }
    spec.update(changes)
    return str(job_fingerprint(**spec))


def test_fingerprint_changes_with_the_job_and_only_with_it() -> None:
    same = fingerprint()
    assert same == fingerprint() and len(same) == 32
    for change in (
        {"image": "flink:1.20.4"},
        {"job_jar": "/opt/flink/usrlib/other.jar"},
        {"job_class_name": "a.Other"},
        {"job_args": ["--out", "y"]},
        {"config": {"parallelism.default": 3, "high-availability.zookeeper.quorum": "zk-0:2181"}},
    ):
        assert fingerprint(**change) != same, change
    moved = {"parallelism.default": 2, "high-availability.zookeeper.quorum": "zk-9:2181"}
    assert fingerprint(config=moved) == same, "an address is not the job"


def jobmanager(**flink: Any) -> dict[str, Any]:
    return k8s_object(render("dev", flink=flink), "Deployment", "flink-jobmanager")["spec"]["template"]


def env_of(pod: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value") for e in container(pod, "flink")["env"]}


def test_jobmanager_runs_the_start_step_before_the_image_entrypoint_with_its_environment() -> None:
    pod = jobmanager()
    flink = container(pod, "flink")
    assert flink["command"][:2] == ["bash", "-c"]
    assert flink["command"][2].startswith(upgrade_scripts.UPGRADE_AT_START)
    assert flink["command"][2] == upgrade_scripts.start_program("/docker-entrypoint.sh")
    assert flink["command"][2].endswith('exec /docker-entrypoint.sh "$1" "${flink_args[@]}" "${@:2}"\n')
    assert flink["args"][0] == "standalone-job", "the image's arguments follow: its role, then the job's"
    assert "execution.savepoint.path" not in flink["command"][2], "the savepoint is an argument, not a config edit"
    env = env_of(pod)
    assert env["UPGRADE_MODE"] == "last-state"
    assert env["UPGRADE_STATE_DIR"] == f"{names.DATA_MOUNT}/upgrades/flink-aks-dev"
    assert env["HA_ZOOKEEPER_PATH"] == "/flink/flink-aks-dev"
    assert env["FLINK_CONF_FILE"] == "/opt/flink/conf/config.yaml"
    assert env["ZOOKEEPER_QUORUM"].startswith("zookeeper-0.")
    assert len(env["JOB_FINGERPRINT"]) == 32
    assert "lifecycle" not in flink, "no pre-stop savepoint outside savepoint mode"


def test_savepoint_mode_takes_a_savepoint_before_stop_within_the_grace_period() -> None:
    pod = jobmanager(upgradeMode="savepoint", savepointFallback="last-state")
    flink = container(pod, "flink")
    assert flink["lifecycle"]["preStop"]["exec"]["command"] == ["bash", "-c", upgrade_scripts.SAVEPOINT_BEFORE_STOP]
    env = env_of(pod)
    assert env["SAVEPOINT_FALLBACK"] == "last-state"
    assert int(env["SAVEPOINT_TIMEOUT_SECONDS"]) < pod["spec"]["terminationGracePeriodSeconds"]


def test_a_job_change_changes_the_pod_fingerprint_a_mode_change_does_not() -> None:
    base = env_of(jobmanager())["JOB_FINGERPRINT"]
    assert env_of(jobmanager(jobArgs=["--x"]))["JOB_FINGERPRINT"] != base
    assert env_of(jobmanager(checkpointInterval="20s"))["JOB_FINGERPRINT"] != base
    assert env_of(jobmanager(upgradeMode="stateless"))["JOB_FINGERPRINT"] == base
