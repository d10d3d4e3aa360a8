"""The README and the docs pages cannot drift from the settings code, and their commands
and links work."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from infra.config import settings as s
from infra.config import target as t
from infra.config.aks_maintenance import WINDOW_KEYS
from infra.local.stack_file import STACK as LOCAL_STACK
from tests.rendering import ROOT

README = ROOT / "README.md"
CONFIGURATION = ROOT / "docs" / "configuration.md"
ZOOKEEPER_IMAGE = ROOT / "docs" / "zookeeper-image.md"

# Pulumi CLI commands the docs run through scripts/stack.sh.
PULUMI_COMMANDS = {"preview", "up", "refresh", "destroy", "stack", "state", "config"}
NESTED = {
    "aks.autoscale": s.AUTOSCALE_KEYS,
    "aks.upgradeWindow": WINDOW_KEYS,
    "aks.nodeOsWindow": WINDOW_KEYS,
    "zookeeper.image": s.IMAGE_KEYS,
    "target.kafka": t.KAFKA_KEYS,
}
OBJECTS = {
    "aks": s.AKS_KEYS,
    "eventHubs": s.EVENT_HUBS_KEYS,
    "zookeeper": s.ZOOKEEPER_KEYS,
    "flink": s.FLINK_KEYS,
    "ui": s.UI_KEYS,
    "monitoring": s.MONITORING_KEYS,
    "target": t.TARGET_KEYS,
}


def pages() -> list[Path]:
    """The README and every docs page."""
    return [README, *sorted((ROOT / "docs").glob("*.md"))]


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


def key_rows(page: Path, pattern: str = r"[A-Za-z.]+") -> set[str]:
    """The keys that start a table row of the page: | `flink-aks:key.path` | … |"""
    text = page.read_text()
    return set(re.findall(rf"^\| `((?:flink-aks|azure-native):{pattern})` \|", text, flags=re.MULTILINE))


def test_every_setting_is_documented_and_every_documented_key_exists() -> None:
    assert key_rows(CONFIGURATION) == keys_in_code()


def test_readme_names_every_top_level_key() -> None:
    top_level = {s.LOCATION_KEY} | {f"flink-aks:{top}" for top in s.TOP_LEVEL_KEYS}
    assert key_rows(README, r"[A-Za-z]+") == top_level


def test_readme_names_the_profiles_of_the_code() -> None:
    text = README.read_text()
    for name, p in s.PROFILES.items():
        row = (
            f"| `{name}` | {p.throughput_units} | {p.partitions} | {p.task_managers} | {p.nodes} | {p.vm_size} "
            f"| {p.task_manager_memory} |"
        )
        assert row in text


def test_configuration_names_the_pinned_defaults() -> None:
    text = CONFIGURATION.read_text()
    for pinned in (
        s.DEFAULT_ZOOKEEPER_CHART_VERSION,
        s.DEFAULT_ZOOKEEPER_IMAGE[2],
        s.FLINK_IMAGES["1.20"],
        s.DEFAULT_KUBERNETES_VERSION,
    ):
        assert pinned in text


def test_zookeeper_mirror_example_uses_the_pinned_image() -> None:
    text = ZOOKEEPER_IMAGE.read_text()
    registry, repository, tag = s.DEFAULT_ZOOKEEPER_IMAGE
    assert f"{registry}/{repository}:{tag}" in text
    assert f"tag: {tag}" in text


def test_readme_test_command_is_what_ci_runs() -> None:
    assert "bash scripts/test.sh" in README.read_text()
    assert "scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


# ---------------------------------------------------------------- the commands of README and docs


def bash_lines(page: Path) -> list[str]:
    text = page.read_text()
    blocks = re.findall(r"^ *```bash\n(.*?)^ *```", text, flags=re.MULTILINE | re.DOTALL)
    return [line.split("  #")[0].strip() for block in blocks for line in block.splitlines() if line.strip()]


def all_bash_lines() -> list[str]:
    return [line for page in pages() for line in bash_lines(page)]


def test_the_readme_shows_the_two_set_up_commands_and_the_render() -> None:
    lines = bash_lines(README)
    assert any(line.startswith("bash scripts/stack.sh dev preview") for line in lines)
    assert "bash scripts/test.sh" in lines
    assert any(line.startswith("venv/bin/python -m infra.render ") for line in lines)


def test_every_script_and_module_the_docs_run_exists() -> None:
    lines = all_bash_lines()
    scripts = {m for line in lines for m in re.findall(r"bash (scripts/[\w-]+\.sh)", line)}
    modules = {m for line in lines for m in re.findall(r"venv/bin/python -m ([\w.]+)", line)}
    assert {"scripts/stack.sh", "scripts/test.sh"} <= scripts and "infra.render" in modules
    assert all((ROOT / script).is_file() for script in scripts), scripts
    assert all(importlib.util.find_spec(module) for module in modules), modules


def test_pulumi_runs_through_the_script_on_stacks_that_exist() -> None:
    """The CLI and the state backend exist only inside scripts/stack.sh: a bare `pulumi`
    command in the README or a docs page would fail on a fresh machine."""
    lines = all_bash_lines()
    assert not [line for line in lines if line.startswith("pulumi ")]
    created = {m for line in lines for m in re.findall(r"^cp Pulumi\.\w+\.yaml Pulumi\.([\w-]+)\.yaml", line)}
    created |= {m for line in lines for m in re.findall(r"^cat > Pulumi\.([\w-]+)\.yaml <<", line)}
    created.add(LOCAL_STACK)  # scripts/stack.sh writes its file on first use
    for stack, command in (m for line in lines for m in re.findall(r"bash scripts/stack\.sh ([\w-]+) (\w+)", line)):
        assert (ROOT / f"Pulumi.{stack}.yaml").is_file() or stack in created, stack
        assert command in PULUMI_COMMANDS, command


# ---------------------------------------------------------------- links between the pages


def prose(text: str) -> str:
    """The text without fenced code blocks (links there are not links)."""
    return re.sub(r"^ *(`{3,}).*?^ *\1", "", text, flags=re.MULTILINE | re.DOTALL)


def anchors(page: Path) -> set[str]:
    """The anchors GitHub gives the page's headings."""
    seen: dict[str, int] = {}
    for heading in re.findall(r"^#{1,6} +(.+?) *$", prose(page.read_text()), flags=re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        seen[slug] = seen.get(slug, -1) + 1
        if seen[slug]:
            slug = f"{slug}-{seen[slug]}"
            seen[slug] = 0
    return set(seen)


def relative_links(page: Path) -> list[str]:
    targets = re.findall(r"\]\(([^)\s]+)\)", prose(page.read_text()))
    return [target for target in targets if not re.match(r"[a-z][a-z0-9+.-]*:", target)]


def test_every_relative_link_resolves() -> None:
    broken = []
    for page in pages():
        for link in relative_links(page):
            path, _, anchor = link.partition("#")
            target = (page.parent / path).resolve() if path else page
            if not target.exists():
                broken.append(f"{page.relative_to(ROOT)}: {link}")
            elif anchor and target.suffix == ".md" and anchor not in anchors(target):
                broken.append(f"{page.relative_to(ROOT)}: {link} (no such heading)")
    assert not broken, broken


def test_every_docs_page_is_linked_from_the_readme() -> None:
    linked = {(ROOT / link.partition("#")[0]).resolve() for link in relative_links(README)}
    assert not [page.name for page in pages()[1:] if page.resolve() not in linked]
