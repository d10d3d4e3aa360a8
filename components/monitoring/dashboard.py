"""The Grafana dashboard of the Flink job (``dashboard.json`` beside this file), shipped
for teams that bring their own Grafana and provisioned to Azure Managed Grafana."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DASHBOARD_FILE = Path(__file__).with_name("dashboard.json")


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD_FILE.read_text())
    return loaded


def panel_queries(board: dict[str, Any]) -> dict[str, list[str]]:
    """Each panel's title and the PromQL of its targets."""
    return {p["title"]: [t["expr"] for t in p["targets"]] for p in board["panels"]}
