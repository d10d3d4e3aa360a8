"""The job's fingerprint: a hash of everything that defines the job graph, nothing else.

The JobManager's pod carries it (env ``JOB_FINGERPRINT``), so a change rolls the pod,
and its start step compares it with the fingerprint of the job graph stored in
ZooKeeper HA (recorded on the shared volume): equal means a crash or a reschedule
(plain HA recovery), different means an upgrade (see ``upgrade_scripts``).

What goes in: image, jar, class, arguments and the rendered Flink config (parallelism,
max parallelism, checkpointing, JobManager memory, ...), minus addresses that are not the
job's (the ZooKeeper quorum) and what only TaskManagers read (their memory: a standalone
JobManager never sizes TaskManagers, so a change there restarts the TaskManagers alone).
What stays out: the upgrade mode, probes, the sidecar.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import TypeVar

from components.monitoring.flink_reporter import reporter_config

# Config keys that locate services or serve metrics rather than define the job.
NOT_THE_JOB = frozenset({"high-availability.zookeeper.quorum", *reporter_config()})
# Config keys only TaskManagers read.
TASKMANAGER_ONLY_PREFIX = "taskmanager.memory."

Value = TypeVar("Value")


def jobmanager_config(config: Mapping[str, Value]) -> dict[str, Value]:
    """The config keys the JobManager reads: a change to the others does not restart it."""
    return {k: v for k, v in config.items() if not k.startswith(TASKMANAGER_ONLY_PREFIX)}


def job_fingerprint(
    image: str,
    job_jar: str,
    job_class_name: str,
    job_args: Sequence[str],
    config: Mapping[str, object],
) -> str:
    """32 hex digits; equal inputs give equal fingerprints on every machine."""
    spec = {
        "image": image,
        "jar": job_jar,
        "class": job_class_name,
        "args": list(job_args),
        "config": {k: v for k, v in sorted(jobmanager_config(config).items()) if k not in NOT_THE_JOB},
    }
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]
