"""The metrics proof (``tests.integration.metrics_check``) as a test: a real Prometheus
scrapes the reference job on real Flink through the PodMonitor-generated config; every
dashboard panel has data, every rule is valid and unit-tested, the alerts fire as expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.metrics_check import run_check

pytestmark = pytest.mark.integration


def test_metrics_check(tmp_path: Path) -> None:
    result = run_check(tmp_path, print)
    print(f"\n{result.line()}")
    assert result.problems == []
    assert result.panels >= 6 and result.panels_with_data == result.panels
    assert result.rules_tested >= 5
    assert result.alerts_expected >= 9 and result.alerts_as_expected == result.alerts_expected
    assert result.series > 0
