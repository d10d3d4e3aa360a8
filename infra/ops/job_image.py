"""Point a stack at a job image: ``python -m infra.job_image STACK IMAGE``.

Writes ``flink.image`` (by digest), ``flink.jobClassName`` and ``flink.jobJar`` of the
reference job into ``Pulumi.<STACK>.yaml``, keeping every other key; the same as

    pulumi config set --path flink-aks:flink.image <registry>/flink-aks/reference-job@sha256:…
    pulumi config set --path flink-aks:flink.jobClassName flinkaks.reference.ReferenceJob
    pulumi config set --path flink-aks:flink.jobJar /opt/flink/usrlib/reference-job.jar

The deploy workflow runs it after ``az acr build`` pushed the image. Until then a stack
runs the default job of the official image.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

from infra.config.settings import PROJECT

REFERENCE_JOB_CLASS = "flinkaks.reference.ReferenceJob"
REFERENCE_JOB_JAR = "/opt/flink/usrlib/reference-job.jar"
REPOSITORY = "flink-aks/reference-job"
# Deployed by digest, so a stack always runs exactly the image that was built for it.
BY_DIGEST = re.compile(r"[a-z0-9.-]+(?::[0-9]+)?/[a-z0-9._/-]+@sha256:[0-9a-f]{64}")


def with_job_image(document: dict[str, Any], image: str) -> dict[str, Any]:
    """The stack file's document with the reference job's image, class and jar set."""
    if not BY_DIGEST.fullmatch(image):
        raise ValueError(f"image {image!r}: expected <registry>/<repository>@sha256:<64 hex digits>")
    config = dict(document.get("config") or {})
    key = f"{PROJECT}:flink"
    flink = dict(config.get(key) or {})
    flink.update({"image": image, "jobClassName": REFERENCE_JOB_CLASS, "jobJar": REFERENCE_JOB_JAR})
    config[key] = flink
    return {**document, "config": config}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m infra.job_image STACK IMAGE", file=sys.stderr)
        return 2
    stack, image = argv
    path = Path(f"Pulumi.{stack}.yaml")
    if not path.is_file():
        print(f"error: {path} not found: unknown stack {stack!r}", file=sys.stderr)
        return 1
    try:
        updated = with_job_image(yaml.safe_load(path.read_text()) or {}, image)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    path.write_text(yaml.safe_dump(updated, sort_keys=False))
    print(f"{path}: flink.image={image}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
