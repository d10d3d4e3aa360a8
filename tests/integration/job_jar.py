"""Compile the test job (``job/CountingJob.java``) with javac against Flink's jars.

The jar is cached by the hash of the source and the Flink version, next to the Flink
jars (see ``flink_dist.cache_root``), so it is built once per change.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
import zipfile
from pathlib import Path

from tests.integration.flink_dist import FlinkDist, cache_root
from tests.integration.requirements import require_tool

JOB_CLASS = "flinkaks.it.CountingJob"
JOB_SOURCE = Path(__file__).parent / "job" / "CountingJob.java"
# Bytecode for Java 11 and later: Flink 1.20's official images run 11 or 17.
JAVA_RELEASE = "11"


def build_job_jar(dist: FlinkDist) -> Path:
    source = JOB_SOURCE.read_bytes()
    digest = hashlib.sha256(source + dist.version.encode() + JAVA_RELEASE.encode()).hexdigest()[:16]
    target = cache_root() / "jobs" / f"counting-job-{digest}.jar"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    javac = require_tool("javac")
    with tempfile.TemporaryDirectory(prefix="counting-job-") as tmp:
        classes = Path(tmp) / "classes"
        command = [
            javac,
            "--release",
            JAVA_RELEASE,
            "-encoding",
            "UTF-8",
            "-Xlint:-options",
            "-cp",
            os.pathsep.join(str(p) for p in dist.classpath()),
            "-d",
            str(classes),
            str(JOB_SOURCE),
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"javac failed (exit {result.returncode}):\n{result.stdout}{result.stderr}")
        staged = Path(tmp) / "job.jar"
        with zipfile.ZipFile(staged, "w", zipfile.ZIP_DEFLATED) as jar:
            jar.writestr("META-INF/MANIFEST.MF", f"Manifest-Version: 1.0\nMain-Class: {JOB_CLASS}\n\n")
            for path in sorted(classes.rglob("*.class")):
                jar.write(path, path.relative_to(classes).as_posix())
        _copy(staged, target)
    return target


def _copy(source: Path, target: Path) -> None:
    """Copy then rename, so a reader never sees half a jar."""
    partial = target.with_suffix(".jar.partial")
    partial.write_bytes(source.read_bytes())
    os.replace(partial, target)
