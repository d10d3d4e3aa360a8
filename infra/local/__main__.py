"""``python -m infra.local init|context``: the local stack's file (``scripts/local_cluster.sh``).

``init --context CONTEXT [--settings JSON] [--job-image IMAGE]``, with the Pulumi CLI on
PATH and the stack's backend and passphrase in the environment, writes ``Pulumi.local.yaml``
once: the local defaults, the context, the job's image, a new certificate for the broker;
creates the stack; sets the broker's key and the two users' new passwords as secrets
(through the CLI's standard input, never its arguments). Later runs lay ``--settings``
and the image over the file's plain settings (the one-node cluster's job image changes
with the job's source) and keep everything else; another context than the file's is
refused (that would be another cluster). ``context`` prints the file's context, if any.
"""

from __future__ import annotations

import argparse
import json
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from components.kafka_broker.spec import service_host
from infra.compose.stack import NAMESPACE
from infra.config.kafka_broker import INPUT_PASSWORD_SECRET, KEY_SECRET, OUTPUT_PASSWORD_SECRET
from infra.config.validation import key
from infra.local.certificate import broker_certificate
from infra.local.stack_file import FILE, STACK, laid_over, local_config

FLINK = key("flink")
TARGET = key("target")


def pulumi(*args: str, stdin: str | None = None) -> None:
    """A CLI command on the local stack; a value goes on its standard input, never its arguments."""
    try:
        result = subprocess.run(
            ["pulumi", *args, "--stack", STACK], input=stdin, text=True, capture_output=True, check=False
        )
    except OSError as error:
        raise SystemExit(f"error: pulumi {' '.join(args)}: {error}") from None
    if result.returncode != 0:
        raise SystemExit(f"error: pulumi {' '.join(args)}: {result.stderr.strip() or result.stdout.strip()}")


def create(path: Path, context: str, settings: dict[str, Any]) -> None:
    if "image" not in settings.get(FLINK, {}):
        raise SystemExit(
            f"error: {FILE}: name the job's image for context {context}: JOB_IMAGE=<image> "
            "(the reference job: docker build -t flink-aks/reference-job:local jobs, then load it into "
            "the cluster, e.g. kind load docker-image flink-aks/reference-job:local; docs/local-stack.md)"
        )
    made = broker_certificate(service_host(NAMESPACE))
    path.write_text(yaml.safe_dump({"config": local_config(context, made.certificate_pem, settings)}, sort_keys=False))
    values = {
        KEY_SECRET: made.key_pem,
        INPUT_PASSWORD_SECRET: secrets.token_urlsafe(24),
        OUTPUT_PASSWORD_SECRET: secrets.token_urlsafe(24),
    }
    try:
        pulumi("stack", "select", "--create", "--non-interactive")
        for name, value in values.items():
            pulumi("config", "set", "--secret", key(name), stdin=value)
    except SystemExit:
        path.unlink()  # no file without its secrets: the next run writes it whole
        raise
    print(f"{FILE}: written (context {context}); the broker's key and passwords set as secrets", file=sys.stderr)


def recorded_context(document: dict[str, Any]) -> str | None:
    context = document["config"].get(TARGET, {}).get("context")
    return None if context is None else str(context)


def update(path: Path, context: str, settings: dict[str, Any]) -> None:
    document = yaml.safe_load(path.read_text())
    recorded = recorded_context(document)
    if recorded != context:
        raise SystemExit(
            f"error: {FILE}: flink-aks:target.context is {recorded}, not {context}: another cluster. "
            f"Destroy the local stack on {recorded} first (bash scripts/stack.sh local destroy, "
            f"then bash scripts/stack.sh local stack rm), or set the context in {FILE} yourself"
        )
    plain = {k: v for k, v in document["config"].items() if not (isinstance(v, dict) and "secure" in v)}
    updated = laid_over(plain, settings)
    if updated != plain:
        document["config"].update(updated)
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        print(f"{FILE}: updated {', '.join(sorted(settings))}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("init", "context"))
    parser.add_argument("--context", help="init: the kubeconfig context of the local cluster")
    parser.add_argument("--settings", default="{}", help="init: stack settings as JSON, laid over the file's")
    parser.add_argument("--job-image", default="", help="init: the job's image (the reference job's)")
    args = parser.parse_args(argv)
    path = Path(FILE)
    if args.command == "context":
        print((recorded_context(yaml.safe_load(path.read_text())) if path.exists() else None) or "")
        return 0
    if not args.context:
        parser.error("init needs --context")
    settings = json.loads(args.settings)
    if args.job_image:
        settings = laid_over(settings, {FLINK: {"image": args.job_image}})
    if path.exists():
        update(path, args.context, settings)
    else:
        create(path, args.context, settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
