"""The README's config reference cannot drift from the settings code."""

from __future__ import annotations

import importlib.util
import re

from infra.config import settings as s
from infra.config import target as t
from tests.rendering import ROOT

# Pulumi CLI commands the README runs through scripts/stack.sh.
PULUMI_COMMANDS = {"preview", "up", "refresh", "destroy", "stack", "state", "config"}
NESTED = {"aks.autoscale": s.AUTOSCALE_KEYS, "zookeeper.image": s.IMAGE_KEYS, "target.kafka": t.KAFKA_KEYS}
OBJECTS = {
    "aks": s.AKS_KEYS,
    "eventHubs": s.EVENT_HUBS_KEYS,
    "zookeeper": s.ZOOKEEPER_KEYS,
    "flink": s.FLINK_KEYS,
    "ui": s.UI_KEYS,
    "target": t.TARGET_KEYS,
}


def keys_in_code() -> set[str]:
    keys = {s.LOCATION_KEY}
    for top in s.TOP_LEVEL_KEYS:
        if top not in OBJECTS:
            keys.add(f"flink-aks:{top}")
            continue
        for name in OBJECTS[top]:
            path = f"{top}.{name}"
            keys |= {f"flink-aks:{path}.{sub}" for sub in NESTED[path]} if path in NESTED else {f"flink-aks:{path}"}
    return keys


def keys_in_readme() -> set[str]:
    text = (ROOT / "README.md").read_text()
    return set(re.findall(r"^\| `((?:flink-aks|azure-native):[A-Za-z.]+)` \|", text, flags=re.MULTILINE))


def test_every_setting_is_documented_and_every_documented_key_exists() -> None:
    assert keys_in_readme() == keys_in_code()


def test_readme_names_the_profiles_of_the_code() -> None:
    text = (ROOT / "README.md").read_text()
    for name, p in s.PROFILES.items():
        row = f"| `{name}` | {p.throughput_units} | {p.partitions} | {p.task_managers} | {p.nodes} | {p.vm_size} |"
        assert row in text


def test_readme_names_the_pinned_defaults() -> None:
    text = (ROOT / "README.md").read_text()
    for pinned in (
        s.DEFAULT_ZOOKEEPER_CHART_VERSION,
        s.DEFAULT_ZOOKEEPER_IMAGE[2],
        s.FLINK_IMAGES["1.20"],
        s.DEFAULT_KUBERNETES_VERSION,
    ):
        assert pinned in text


def test_readme_test_command_is_what_ci_runs() -> None:
    assert "bash scripts/test.sh" in (ROOT / "README.md").read_text()
    assert "scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


# ---------------------------------------------------------------- the README's commands


def bash_lines() -> list[str]:
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"^```bash\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    return [line.split("  #")[0].strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_every_script_and_module_the_readme_runs_exists() -> None:
    lines = bash_lines()
    scripts = {m for line in lines for m in re.findall(r"bash (scripts/[\w-]+\.sh)", line)}
    modules = {m for line in lines for m in re.findall(r"venv/bin/python -m ([\w.]+)", line)}
    assert {"scripts/stack.sh", "scripts/test.sh"} <= scripts and "infra.render" in modules
    assert all((ROOT / script).is_file() for script in scripts), scripts
    assert all(importlib.util.find_spec(module) for module in modules), modules


def test_pulumi_runs_through_the_script_on_stacks_that_exist() -> None:
    """The CLI and the state backend exist only inside scripts/stack.sh: a bare `pulumi`
    command in the README would fail on a fresh machine."""
    lines = bash_lines()
    assert not [line for line in lines if line.startswith("pulumi ")]
    created = {m for line in lines for m in re.findall(r"^cp Pulumi\.\w+\.yaml Pulumi\.([\w-]+)\.yaml", line)}
    created |= {m for line in lines for m in re.findall(r"^cat > Pulumi\.([\w-]+)\.yaml <<", line)}
    for stack, command in (m for line in lines for m in re.findall(r"bash scripts/stack\.sh ([\w-]+) (\w+)", line)):
        assert (ROOT / f"Pulumi.{stack}.yaml").is_file() or stack in created, stack
        assert command in PULUMI_COMMANDS, command
