"""The Flink pods' CPU requests: ``flink.jobManagerCpu`` and ``flink.taskManagerCpu``,
parsed once into millicores and rendered as Kubernetes quantities on the pods."""

from __future__ import annotations

from typing import Any

import pytest

from components.flink.units import CpuQuantity, parse_cpu_millis
from infra.config.settings import parse_settings
from infra.config.validation import ConfigError
from tests.rendering import container, k8s_object, render


def flink(**keys: Any) -> Any:
    return parse_settings("dev", {"azure-native:location": "westeurope", "flink-aks:flink": keys}).flink


def cpu_request(deployment: str, **keys: Any) -> str:
    pod = k8s_object(render("dev", flink=keys), "Deployment", deployment)["spec"]["template"]
    request: str = container(pod, "flink")["resources"]["requests"]["cpu"]
    return request


@pytest.mark.parametrize(
    ("value", "millis"),
    [
        ("250m", 250),
        ("0.5", 500),
        ("2", 2000),
        (" 1500m ", 1500),
        ("0.001", 1),
        ("1.250", 1250),
        (3, 3000),
        (0.25, 250),
        (1.5, 1500),
        ("0", 0),  # a quantity; the settings' ranges refuse it
    ],
)
def test_a_cpu_quantity_is_read_in_millicores(value: object, millis: int) -> None:
    assert parse_cpu_millis(value) == millis


@pytest.mark.parametrize(
    "value",
    ["", "m", "1.5m", "-1", "-250m", "0.0005", "1.0001", "1e3", "2 cpus", "1Ki", ".5", True, None, [1], 1e-4],
)
def test_what_is_not_a_cpu_quantity_in_whole_millicores_is_none(value: object) -> None:
    assert parse_cpu_millis(value) is None


@pytest.mark.parametrize(("millis", "text"), [(1000, "1"), (64000, "64"), (500, "500m"), (1500, "1500m"), (1, "1m")])
def test_a_cpu_request_renders_whole_cpus_as_integers_and_the_rest_in_millicores(millis: int, text: str) -> None:
    assert CpuQuantity(millis).kubernetes_quantity == text


def test_by_default_the_jobmanager_requests_500m_and_a_taskmanager_a_cpu_per_slot() -> None:
    assert flink().job_manager_cpu == CpuQuantity(500)
    assert flink().task_manager_cpu == CpuQuantity(1000)
    assert flink(slotsPerTaskManager=3).task_manager_cpu == CpuQuantity(3000)


@pytest.mark.parametrize(
    ("keys", "job_manager", "task_manager"),
    [
        ({"jobManagerCpu": "250m", "taskManagerCpu": "0.5"}, 250, 500),
        ({"jobManagerCpu": 2, "taskManagerCpu": "1500m"}, 2000, 1500),
        ({"jobManagerCpu": "100m", "taskManagerCpu": "100m"}, 100, 100),
        ({"jobManagerCpu": "16", "taskManagerCpu": 64}, 16000, 64000),
        ({"slotsPerTaskManager": 2, "taskManagerCpu": "1"}, 500, 1000),
    ],
)
def test_the_cpu_keys_are_read_once_into_millicores(keys: dict[str, Any], job_manager: int, task_manager: int) -> None:
    spec = flink(**keys)
    assert (spec.job_manager_cpu.millis, spec.task_manager_cpu.millis) == (job_manager, task_manager)


JM_ALLOWED = "a CPU quantity such as 250m, 0.5 or 2 in whole millicores, from 100m to 16"
TM_ALLOWED = "a CPU quantity such as 250m, 0.5 or 2 in whole millicores, from 100m to 64"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("taskManagerCpu", "two", f'flink-aks:flink.taskManagerCpu: got "two"; allowed: {TM_ALLOWED}'),
        ("taskManagerCpu", "1Gi", f'flink-aks:flink.taskManagerCpu: got "1Gi"; allowed: {TM_ALLOWED}'),
        ("taskManagerCpu", 0, f"flink-aks:flink.taskManagerCpu: got 0; allowed: {TM_ALLOWED}"),
        ("taskManagerCpu", "0m", f'flink-aks:flink.taskManagerCpu: got "0m"; allowed: {TM_ALLOWED}'),
        ("taskManagerCpu", -1, f"flink-aks:flink.taskManagerCpu: got -1; allowed: {TM_ALLOWED}"),
        ("taskManagerCpu", "-500m", f'flink-aks:flink.taskManagerCpu: got "-500m"; allowed: {TM_ALLOWED}'),
        ("taskManagerCpu", "0.0005", f'flink-aks:flink.taskManagerCpu: got "0.0005"; allowed: {TM_ALLOWED}'),
        ("taskManagerCpu", "99m", f'flink-aks:flink.taskManagerCpu: got "99m"; allowed: {TM_ALLOWED}'),
        ("taskManagerCpu", 65, f"flink-aks:flink.taskManagerCpu: got 65; allowed: {TM_ALLOWED}"),
        ("taskManagerCpu", True, f"flink-aks:flink.taskManagerCpu: got true; allowed: {TM_ALLOWED}"),
        ("jobManagerCpu", "16001m", f'flink-aks:flink.jobManagerCpu: got "16001m"; allowed: {JM_ALLOWED}'),
        ("jobManagerCpu", "0.05", f'flink-aks:flink.jobManagerCpu: got "0.05"; allowed: {JM_ALLOWED}'),
        ("jobManagerCpu", "", f'flink-aks:flink.jobManagerCpu: got ""; allowed: {JM_ALLOWED}'),
    ],
)
def test_a_bad_cpu_request_is_refused_naming_key_value_and_what_is_allowed(name: str, value: Any, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        flink(**{name: value})
    assert str(caught.value) == message


def test_without_the_keys_the_pods_request_what_they_always_did() -> None:
    assert cpu_request("flink-jobmanager") == "500m"
    assert cpu_request("flink-taskmanager") == "1"
    assert cpu_request("flink-taskmanager", slotsPerTaskManager=2) == "2"


def test_the_pods_request_the_cpu_the_keys_give() -> None:
    keys = {"jobManagerCpu": "0.25", "taskManagerCpu": "1.5"}
    assert cpu_request("flink-jobmanager", **keys) == "250m"
    assert cpu_request("flink-taskmanager", **keys) == "1500m"
    assert cpu_request("flink-taskmanager", slotsPerTaskManager=2, taskManagerCpu="500m") == "500m"


def test_cpu_stays_a_request_only() -> None:
    for deployment in ("flink-jobmanager", "flink-taskmanager"):
        pod = k8s_object(render("dev", flink={"taskManagerCpu": "2"}), "Deployment", deployment)["spec"]["template"]
        assert set(container(pod, "flink")["resources"]["limits"]) == {"memory"}
