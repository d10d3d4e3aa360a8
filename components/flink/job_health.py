"""The JobManager's probes: the job makes progress, and only what is stuck is restarted.

One program (``scripts/job_probe.sh``, an exec probe, bash and ``/dev/tcp``: the official
image guarantees nothing else), run as ``startup``, ``readiness`` or ``liveness``:

- startup: Flink's REST API answers (the start step and the JVM are done), or the start
  step refused the job and waits for the operator. Generous: an upgrade's ZooKeeper work,
  the JVM's start; the job's restore runs after it.
- readiness: the job is RUNNING. ``kubectl rollout status`` waits for it; both Services
  publish the JobManager while it is not Ready (TaskManagers must reach it before the job
  can run, and the UI shows why it does not).
- liveness: fails only when the REST API has not answered for ``REST_DOWN_AFTER_S``, or
  when no checkpoint completed and none (nor a savepoint) was in progress for
  ``UNHEALTHY_AFTER_SECONDS`` (``flink.unhealthyAfter``: at least the checkpoint-progress
  window of a healthy job, see ``checkpointing.progress_window_ms``). A job that is not
  RUNNING fails it only through that bound; the start step's refusal never does. The
  kubelet then restarts the JobManager container: HA recovery from the latest checkpoint.

With standby JobManagers (``rpcPortMode: podIp``) the leader watch writes each one's role
to ``ROLE_FILE`` (``leader_watch``). Readiness is then the JobManager healthy with a role
(its REST API answers, the file says ``leader`` or ``standby``; the leader's job RUNNING
too), never the leader alone: a standby that is never Ready would keep every rollout from
completing and make the disruption budget count it unhealthy, so the leader's node could
not be drained. The job's checks are the leader's only: a standby's REST API answers
through the leader's dispatcher, so its view is the leader's job, and a stuck job must
restart the leader; a standby's liveness is its REST API answering.

Liveness remembers progress in files per JobManager process (keyed by the start time of
the container's PID 1) under ``HEALTH_STATE_DIR`` (``/tmp``, an emptyDir).
"""

from __future__ import annotations

from components.flink import scripts

JOB_PROBE = scripts.load("job_probe.sh")
REST_DOWN_AFTER_S = 60
# startup: up to STARTUP_PERIOD_S × STARTUP_FAILURES (10 min) for the REST API to answer.
STARTUP_PERIOD_S = 10
STARTUP_FAILURES = 60


def probe(name: str) -> dict[str, list[str]]:
    """The exec action of one probe: startup, readiness or liveness."""
    return {"command": ["bash", "-c", JOB_PROBE, name]}
