"""Build the reference job (``jobs/``, Maven) once per change of its sources.

Offline (``mvn -o``) when the local Maven repository already holds what the build needs,
online otherwise. The shaded jar is cached by the hash of the pom and the sources:

    ${FLINK_AKS_CACHE:-$HOME/.cache/flink-aks}/jobs/reference-job-<hash>.jar

``python -m tests.integration.reference_job`` builds it (CI runs it before pytest).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.cache import filled_once
from tests.integration.requirements import require_tool

JOBS_DIR = Path(__file__).resolve().parents[2] / "jobs"
JOB_CLASS = "flinkaks.reference.ReferenceJob"
GENERATOR_CLASS = "flinkaks.reference.Generator"
BUILT_JAR = Path("target") / "reference-job.jar"


def sources() -> list[Path]:
    """Everything the build reads: the pom and every file under ``src`` (sources, resources)."""
    return [JOBS_DIR / "pom.xml", *sorted(p for p in (JOBS_DIR / "src").rglob("*") if p.is_file())]


def source_hash() -> str:
    digest = hashlib.sha256()
    for path in sources():
        digest.update(path.relative_to(JOBS_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def build_reference_job() -> Path:
    def fill(staged: Path, scratch: Path) -> None:
        mvn = require_tool("mvn")
        project = scratch / "jobs"
        shutil.copytree(JOBS_DIR, project, ignore=shutil.ignore_patterns("target"))
        started = time.monotonic()
        result = subprocess.run([mvn, "-B", "-q", "-o", "package"], cwd=project, capture_output=True, text=True)
        if result.returncode != 0:  # the local repository lacks something: fetch it
            result = subprocess.run([mvn, "-B", "-q", "package"], cwd=project, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(
                f"mvn package of jobs/ failed (exit {result.returncode}):\n{(result.stdout + result.stderr)[-4000:]}"
            )
        print(f"reference_job: built in {time.monotonic() - started:.1f}s", flush=True)
        shutil.copyfile(project / BUILT_JAR, staged)

    return filled_once(f"jobs/reference-job-{source_hash()}.jar", Path.is_file, fill)


def main() -> int:
    print(f"reference_job: ready: {build_reference_job()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
