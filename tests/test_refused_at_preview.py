"""Bad Azure input is refused before anything is declared, by the offline render and the
preflight alike, naming the key, the value and what is allowed (issue 18)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.render import cli, preflight
from infra.render.offline import ROOT

PROD = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())["config"]


def stack_file(tmp_path: Path, config: dict[str, Any]) -> Path:
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.prod.yaml").write_text(yaml.safe_dump({"config": config}))
    return tmp_path


def prod_with(aks: dict[str, Any] | None = None, event_hubs: dict[str, Any] | None = None) -> dict[str, Any]:
    config = {**PROD, "flink-aks:aks": {**PROD["flink-aks:aks"], **(aks or {})}}
    config["flink-aks:eventHubs"] = {**PROD["flink-aks:eventHubs"], **(event_hubs or {})}
    return config


CASES = [
    (
        {"aks": {"kubernetesVersion": "1.31"}},
        'flink-aks:aks.kubernetesVersion: got "1.31"; allowed: on ',
    ),
    (
        {"aks": {"apiServerAuthorizedIpRanges": []}},
        "flink-aks:aks.apiServerAuthorizedIpRanges: got []; allowed: one or more CIDRs",
    ),
    (
        {"event_hubs": {"partitions": 8}},
        "flink-aks:eventHubs.partitions: got 8; allowed: at least eventHubs.throughputUnits (24)",
    ),
]


@pytest.mark.parametrize(("change", "message"), CASES, ids=["version", "authorized-ranges", "partitions"])
def test_render_and_preflight_refuse_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], change: Any, message: str
) -> None:
    monkeypatch.chdir(stack_file(tmp_path, prod_with(**change)))
    assert cli.main(["prod"]) == 1
    assert message in capsys.readouterr().err
    assert preflight.main(["prod"]) == 1
    assert message in capsys.readouterr().err


def test_the_shipped_prod_stack_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(stack_file(tmp_path, prod_with()))
    assert preflight.main(["prod"]) == 0


def test_the_shipped_prod_stack_marks_its_example_values() -> None:
    text = (ROOT / "Pulumi.prod.yaml").read_text()
    assert text.count("# replace with your") == 4  # the admin group, both ranges, the alert email


def test_standby_jobmanagers_without_pod_ip_advertisement_are_refused_before_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = {**prod_with(), "flink-aks:flink": {**PROD.get("flink-aks:flink", {}), "jobManagers": 2}}
    monkeypatch.chdir(stack_file(tmp_path, config))
    assert cli.main(["prod", "--manifests", str(tmp_path / "manifests")]) == 1
    error = capsys.readouterr().err
    assert (
        "flink-aks:flink.jobManagers: got 2; allowed: 1 with rpcPortMode sidecar; 2 to 3 only with rpcPortMode podIp"
        in error
    )
    assert not (tmp_path / "manifests").exists() or not list((tmp_path / "manifests").iterdir()), "nothing rendered"
