"""Azure names the program chooses are known in a preview yet keep their dependency."""

from __future__ import annotations

import pytest

from infra.render import offline
from infra.render.project_files import stack_config
from tests.rendering import ROOT, spy_recordings


def test_consumers_of_the_chosen_names_still_wait_for_the_group_and_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    recordings = spy_recordings(monkeypatch)
    rendering = offline.render_config("dev", stack_config(ROOT, "dev"), preview=True)
    assert (rendering.outputs["resourceGroupName"], rendering.outputs["clusterName"]) == (
        "rg-flink-aks-dev",
        "aks-flink-aks-dev",
    )
    declared = {r.name: r for r in recordings[0].resources}
    assert declared["event-hubs-namespace"].inputs["resourceGroupName"] == "rg-flink-aks-dev"
    assert "aks-rg" in declared["event-hubs-namespace"].dependencies
    assert {"aks-rg", "aks-cluster"} <= set(declared["aks-user-pool"].dependencies)
