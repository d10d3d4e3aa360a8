"""``python -m tests.engine.inline STACK OP``: run the program with the real CLI and engine.

The Go module proxy serves no ``pulumi-language-python`` (the standalone Python language
host), so the program runs the way Pulumi's Automation API runs inline programs: the
pinned ``pulumi`` SDK serves the language runtime in this process and the real CLI
connects to it (``--client``); the engine, the state backend and the providers are the
real ones. The project is the one in the current directory (``Pulumi.yaml`` and stack
files), the program is this repository's ``infra.compose.program.run``.

Prints one JSON document on stdout: ``{"steps": [{"op", "type", "urn"}], "diagnostics":
[{"severity", "message"}], "outputs", "summary"}``; on failure exits 1 with the CLI's
error on stderr. The environment says where state lives and which Pulumi home to use
(``PULUMI_HOME``, ``PULUMI_BACKEND_URL``, ``PULUMI_CONFIG_PASSPHRASE``).
``--label NAME:KEY=VALUE`` adds a label to the Service named NAME (a resource
transform), so a test can change one object alone. ``--job-record FILE`` runs, instead
of the whole program, only its state-impact step (``infra.compose.job_impact``) for the
``flinkJob`` record in FILE: the statement machinery with no cluster to deploy to.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import pulumi
from pulumi import automation as auto

from infra.compose import job_impact, program

OPS = ("preview", "up", "refresh", "destroy")


def _step(event: auto.EngineEvent, steps: list[dict[str, Any]], diagnostics: list[dict[str, str]]) -> None:
    pre = event.resource_pre_event
    if pre is not None:
        meta = pre.metadata
        steps.append({"op": str(meta.op.value), "type": meta.type, "urn": meta.urn})
    diagnostic = event.diagnostic_event
    if diagnostic is not None and diagnostic.severity != "debug":
        diagnostics.append({"severity": diagnostic.severity, "message": diagnostic.message.strip()})


def label_transform(labels: dict[str, dict[str, str]]) -> pulumi.ResourceTransform:
    """Adds labels to the named Services: a test's change to one object only."""

    def transform(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
        if args.type_ != "kubernetes:core/v1:Service":
            return None
        metadata: Any = args.props.get("metadata")
        name = metadata.get("name") if isinstance(metadata, dict) else None
        if not isinstance(name, str) or name not in labels:
            return None
        metadata = {**metadata, "labels": {**(metadata.get("labels") or {}), **labels[name]}}
        return pulumi.ResourceTransformResult(props={**args.props, "metadata": metadata}, opts=args.opts)

    return transform


def state_impact_only(record: dict[str, Any]) -> None:
    """The program's state-impact step alone, for a given ``flinkJob`` record."""
    current = pulumi.Output.from_input(record)
    pulumi.export(job_impact.RECORD_OUTPUT, current)
    pulumi.export(job_impact.STATEMENT_OUTPUT, job_impact.state_impact_output(current))


def run(
    stack_name: str,
    op: str,
    expect_no_changes: bool,
    labels: dict[str, dict[str, str]],
    job_record: dict[str, Any] | None = None,
) -> dict[str, Any]:
    home = os.environ["PULUMI_HOME"]

    def main() -> None:
        if labels:
            pulumi.runtime.register_resource_transform(label_transform(labels))
        if job_record is not None:
            state_impact_only(job_record)
        else:
            program.run()

    workspace = auto.LocalWorkspace(
        work_dir=str(Path.cwd()),
        program=main,
        pulumi_home=home,
        pulumi_command=auto.PulumiCommand(root=home, skip_version_check=True),
    )
    stack = auto.Stack.select(stack_name, workspace)
    steps: list[dict[str, Any]] = []
    diagnostics: list[dict[str, str]] = []
    on_event = lambda event: _step(event, steps, diagnostics)  # noqa: E731
    flags: dict[str, Any] = {"on_event": on_event, "color": "never"}
    if expect_no_changes:
        flags["expect_no_changes"] = True
    if op == "preview":
        result: Any = stack.preview(**flags)
        summary = {k.value if hasattr(k, "value") else str(k): v for k, v in result.change_summary.items()}
    elif op == "up":
        result = stack.up(**flags)
        summary = dict(result.summary.resource_changes or {})
    elif op == "refresh":
        result = stack.refresh(**flags)
        summary = dict(result.summary.resource_changes or {})
    else:
        result = stack.destroy(**flags)
        summary = dict(result.summary.resource_changes or {})
    outputs = {k: ("[secret]" if v.secret else v.value) for k, v in stack.outputs().items()}
    return {
        "steps": steps,
        "diagnostics": diagnostics,
        "outputs": outputs,
        "summary": summary,
        "stdout": result.stdout,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.engine.inline", description=__doc__.splitlines()[0])
    parser.add_argument("stack")
    parser.add_argument("op", choices=OPS)
    parser.add_argument("--expect-no-changes", action="store_true")
    parser.add_argument(
        "--label", action="append", default=[], metavar="NAME:KEY=VALUE", help="add a label to the Service NAME"
    )
    parser.add_argument("--job-record", type=Path, help="run only the state-impact step for this flinkJob record")
    args = parser.parse_args(argv)
    labels: dict[str, dict[str, str]] = {}
    for item in args.label:
        name, _, pair = item.partition(":")
        label, _, value = pair.partition("=")
        labels.setdefault(name, {})[label] = value
    try:
        record = json.loads(args.job_record.read_text()) if args.job_record else None
        document = run(args.stack, args.op, args.expect_no_changes, labels, record)
    except auto.CommandError as error:
        print(str(error), file=sys.stderr)
        return 1
    print(json.dumps(document))
    return 0


if __name__ == "__main__":
    sys.exit(main())
