"""The JobManager's liveness probe: the job makes progress, not just the REST port answers.

A job can report RUNNING while none of its tasks runs (a scale-down below the stored
parallelism: every task SCHEDULED, checkpoints failing) or restart for ever. The probe
(``scripts/job_liveness.sh``, an exec probe, bash and ``/dev/tcp``: the official image
guarantees nothing else) fails when the REST API does not answer, or when the job
completed no checkpoint for ``UNHEALTHY_AFTER_SECONDS`` (counted from the JobManager's
start or its last completed checkpoint). The kubelet then restarts the JobManager
container: HA recovery from the latest checkpoint; a cause that persists shows as
restarts and CrashLoopBackOff.

Progress is remembered in a file per JobManager process (keyed by the start time of the
container's PID 1) under ``HEALTH_STATE_DIR`` (``/tmp``, an emptyDir).
"""

from __future__ import annotations

from components.flink import scripts

JOB_LIVENESS = scripts.load("job_liveness.sh")
