"""The shipped Grafana dashboard: the panels the issue asks for, each with PromQL targets
(``tests.integration.metrics_check`` proves every one returns data from a real scrape)."""

from __future__ import annotations

from components.monitoring.dashboard import dashboard, panel_queries


def test_dashboard_covers_the_job() -> None:
    board = dashboard()
    queries = panel_queries(board)
    assert len(queries) >= 6
    titles = " ".join(queries).lower()
    for topic in ("throughput", "lag", "checkpoint duration", "checkpoint size", "failed", "backpressure"):
        assert topic in titles, topic
    for topic in ("restarts", "heap"):
        assert topic in titles, topic
    assert all(exprs and all(e.strip() for e in exprs) for exprs in queries.values())


def test_panels_use_the_datasource_variable_and_unique_ids() -> None:
    board = dashboard()
    assert [v["name"] for v in board["templating"]["list"]] == ["datasource"]
    assert len({p["id"] for p in board["panels"]}) == len(board["panels"])
    for panel in board["panels"]:
        assert panel["datasource"]["uid"] == "${datasource}"
        assert len({t["refId"] for t in panel["targets"]}) == len(panel["targets"])
