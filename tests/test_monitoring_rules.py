"""The alert rules: valid for promtool, every rule unit-tested by ``promtool test rules``
(fires when it should, quiet when it should not), and the Azure rule group's copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.monitoring.alert_rules import AlertBounds, azure_rules, flink_alert_rules
from components.monitoring.durations import to_iso8601, to_ms
from tests.monitoring import promtool

SHORT = AlertBounds(not_running_for="5s", checkpoint_age="30s", backpressure_for="30s", evaluation_interval="1s")


@pytest.mark.parametrize("bounds", [AlertBounds(), SHORT], ids=["default", "short"])
def test_promtool_accepts_the_rules(tmp_path: Path, bounds: AlertBounds) -> None:
    output = promtool.check_rules(promtool.write_rule_file(tmp_path, bounds))
    assert f"SUCCESS: {len(flink_alert_rules(bounds))} rules found" in output


def test_every_rule_passes_its_promtool_unit_tests(tmp_path: Path) -> None:
    assert promtool.test_rules(tmp_path) == len(flink_alert_rules(AlertBounds())) >= 7


def test_a_wrong_expectation_fails(tmp_path: Path) -> None:
    """The unit tests can fail: a rule file with a bound that breaks a quiet case."""
    promtool.write_rule_file(tmp_path, AlertBounds(heap_ratio=0.4))
    test_file = promtool.TESTS_DIR / "flink_rules_test.yaml"
    (tmp_path / test_file.name).write_text(test_file.read_text())
    with pytest.raises(promtool.PromtoolError, match="a heap at half is quiet"):
        promtool.run("test", "rules", test_file.name, cwd=tmp_path)


def test_azure_rules_carry_the_same_expressions() -> None:
    rules = flink_alert_rules(AlertBounds())
    azure = azure_rules(rules)
    assert [(a["alert"], a["expression"]) for a in azure] == [(r.name, r.expr) for r in rules]
    assert {a["severity"] for a in azure} <= {0, 1, 2, 3, 4}
    durations = {a["alert"]: a.get("for_") for a in azure}
    assert durations["FlinkJobNotRunning"] == "PT2M"
    assert durations["FlinkJobRestarting"] is None  # fires at once: no `for`


@pytest.mark.parametrize(
    ("text", "ms", "iso"), [("90s", 90_000, "PT90S"), ("15m", 900_000, "PT15M"), ("2h", 7_200_000, "PT2H")]
)
def test_durations(text: str, ms: int, iso: str) -> None:
    assert (to_ms(text), to_iso8601(text)) == (ms, iso)


@pytest.mark.parametrize("text", ["15", "1.5m", "1d", ""])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        to_ms(text)
