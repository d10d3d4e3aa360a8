"""The job's fingerprint: a hash of everything that defines the job graph, nothing else.

The JobManager's pod carries it (env ``JOB_FINGERPRINT``), so a change rolls the pod,
and its start step compares it with the fingerprint of the job graph stored in
ZooKeeper HA (recorded on the shared volume): equal means a crash or a reschedule
(plain HA recovery), different means an upgrade (see ``upgrade_scripts``).

What goes in: image, jar, class, arguments and the rendered Flink config (parallelism,
max parallelism, checkpointing, memory, ...), minus addresses that are not the job's
(the ZooKeeper quorum). What stays out: the upgrade mode, probes, the sidecar.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

from components.monitoring.flink_reporter import reporter_config

# Config keys that locate services or serve metrics rather than define the job.
NOT_THE_JOB = frozenset({"high-availability.zookeeper.quorum", *reporter_config()})


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
        "config": {k: config[k] for k in sorted(config) if k not in NOT_THE_JOB},
    }
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]
