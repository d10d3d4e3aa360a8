"""``python -m infra.render STACK``: what the stack would create, offline.

Runs the program for ``Pulumi.STACK.yaml`` (with defaults from ``Pulumi.yaml``) under
Pulumi's mock engine: no cloud credentials, no Pulumi CLI. Prints the resource tree;
``--json`` prints one JSON document; ``--manifests DIR`` writes every Kubernetes
object the program declares as a YAML file (Secrets with their keys, each value masked;
not the objects of the ZooKeeper Helm chart). Invalid config exits 1 with the validation message.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from infra.config.cost import MissingPriceError, estimate, total
from infra.config.prices import PRICES_CURRENCY, PRICES_DATE, PRICES_REGION
from infra.config.validation import ConfigError
from infra.render.offline import Rendering, render_stack, stack_settings
from infra.render.project_files import ProjectFileError

# Resources of the Kubernetes provider that are not plain objects of the API.
NOT_MANIFESTS = ("kubernetes:helm.sh/", "pulumi:providers:")


HELM_NOTE = (
    "note: ZooKeeper's objects are not among these files: they come from its Helm chart, "
    "which Pulumi renders at deployment (the chart is not fetched offline; tests/test_checkov.py "
    "audits a model of what our values put in it)"
)


def manifests(rendering: Rendering) -> list[dict[str, Any]]:
    """The Kubernetes objects of a rendering, exactly as their manifests."""
    return [
        r["inputs"]
        for r in rendering.resources
        if r["type"].startswith("kubernetes:") and not r["type"].startswith(NOT_MANIFESTS)
    ]


def write_manifests(rendering: Rendering, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for obj in manifests(rendering):
        meta = obj.get("metadata", {})
        path = directory / f"{obj['kind'].lower()}-{meta.get('name', 'unnamed')}.yaml"
        path.write_text(yaml.safe_dump(obj, sort_keys=False))
        written.append(path)
    return written


def tree(rendering: Rendering) -> str:
    children: dict[str | None, list[dict[str, Any]]] = {}
    for r in rendering.resources:
        children.setdefault(r["parent"], []).append(r)
    lines = [f"{rendering.project} ({rendering.stack})"]

    def walk(parent: str | None, depth: int) -> None:
        for r in children.get(parent, []):
            lines.append(f"{'  ' * depth}{r['name']}  [{r['type']}]")
            walk(r["name"], depth + 1)

    walk(None, 1)
    lines.append("outputs:")
    lines.extend(f"  {k}: {v}" for k, v in rendering.outputs.items())
    return "\n".join(lines)


def cost_line(stack: str, root: Path) -> str | None:
    """``estimatedMonthlyCostUsd: …`` (the prices' currency) for a stack that creates Azure resources
    (docs/cost.md)."""
    key = f"estimatedMonthlyCost{PRICES_CURRENCY.title()}"
    try:
        items = estimate(stack_settings(stack, root))
    except MissingPriceError as missing:
        return f"{key}: unknown ({missing})"
    if not items:
        return None
    return f"{key}: {total(items):.2f} (pay-as-you-go list prices, {PRICES_REGION}, {PRICES_DATE}; docs/cost.md)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.render", description=__doc__.splitlines()[0])
    parser.add_argument("stack", help="stack name: reads Pulumi.STACK.yaml")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--manifests", type=Path, metavar="DIR", help="write each Kubernetes object as YAML into DIR")
    args = parser.parse_args(argv)
    try:
        # Like the Pulumi CLI: the project is the one in the current directory.
        rendering = render_stack(args.stack, Path.cwd())
    except (ConfigError, ProjectFileError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.manifests:
        # In a preview the provider hands a Secret's stringData over as one unknown value;
        # after an `up` its keys are known (each value still masked): write those.
        for path in write_manifests(render_stack(args.stack, Path.cwd(), preview=False), args.manifests):
            print(f"wrote {path}", file=sys.stderr)
        print(HELM_NOTE, file=sys.stderr)
    if args.json:
        print(rendering.to_json())
        return 0
    print(tree(rendering))
    line = cost_line(args.stack, Path.cwd())
    if line:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
