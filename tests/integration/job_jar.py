"""Compile the test job (``job/CountingJob.java``) with javac against Flink's jars.

The jar is cached by the hash of the source and the Flink version, next to the Flink
jars (see ``tests.cache``), so it is built once per change.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.cache import filled_once
from tests.integration.flink_dist import FlinkDist
from tests.integration.javac import compile_jar

JOB_CLASS = "flinkaks.it.CountingJob"
JOB_SOURCE = Path(__file__).parent / "job" / "CountingJob.java"
# Bytecode for Java 11 and later: Flink 1.20's official images run 11 or 17.
JAVA_RELEASE = "11"


def build_job_jar(dist: FlinkDist) -> Path:
    source = JOB_SOURCE.read_bytes()
    digest = hashlib.sha256(source + dist.version.encode() + JAVA_RELEASE.encode()).hexdigest()[:16]

    def fill(staged: Path, scratch: Path) -> None:
        compile_jar(JOB_SOURCE, dist.classpath(), JAVA_RELEASE, staged, scratch, main_class=JOB_CLASS)

    return filled_once(f"jobs/counting-job-{digest}.jar", Path.is_file, fill)
