"""Run Debian's ``promtool`` (package ``prometheus``) on the alert rules.

The rule file is rendered from ``components.monitoring.alert_rules`` into a directory
together with the unit test files of this folder, which name it ``flink_rules.yaml``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from components.monitoring.alert_rules import AlertBounds, flink_alert_rules, prometheus_rule_file

TESTS_DIR = Path(__file__).parent
RULE_FILE = "flink_rules.yaml"
TEST_FILES = sorted(TESTS_DIR.glob("*_test.yaml"))
INSTALL_HINT = "Debian's `prometheus` package ships it (`bash scripts/test.sh` installs it)"
TIMEOUT_S = 120


class PromtoolError(RuntimeError):
    """promtool is missing or refused the rules."""


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        raise PromtoolError(f"`promtool` not found on PATH: {INSTALL_HINT}")
    return found


def write_rule_file(directory: Path, bounds: AlertBounds) -> Path:
    path = directory / RULE_FILE
    document = prometheus_rule_file(flink_alert_rules(bounds), bounds)
    path.write_text(yaml.safe_dump(document, sort_keys=False, width=1000))
    return path


def run(*args: str | Path, cwd: Path) -> str:
    result = subprocess.run(
        [promtool(), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
    )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise PromtoolError(f"promtool {' '.join(map(str, args))} failed (exit {result.returncode}):\n{output}")
    return output


def check_rules(rule_file: Path) -> str:
    return run("check", "rules", rule_file, cwd=rule_file.parent)


def tested_alerts() -> set[str]:
    """The alert names the unit test files assert on."""
    names: set[str] = set()
    for path in TEST_FILES:
        for test in yaml.safe_load(path.read_text())["tests"]:
            names.update(case["alertname"] for case in test.get("alert_rule_test", []))
    return names


def test_rules(directory: Path) -> int:
    """Render the default rules into ``directory``, run every unit test file there; the
    number of alert rules the tests cover (all of them must be covered)."""
    write_rule_file(directory, AlertBounds())
    for path in TEST_FILES:
        shutil.copy2(path, directory / path.name)
    run("test", "rules", *(p.name for p in TEST_FILES), cwd=directory)
    rules = {r.name for r in flink_alert_rules(AlertBounds())}
    untested = rules - tested_alerts()
    if untested:
        raise PromtoolError(f"alert rules without promtool unit tests: {sorted(untested)}")
    return len(rules)
