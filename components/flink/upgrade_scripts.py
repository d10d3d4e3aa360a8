"""Bash programs of the JobManager that make a change to the job take effect, keeping state.

In application mode with ZooKeeper HA, a JobManager recovers the job graph stored under
the stack's cluster-id and runs it, whatever its new image, arguments or config say. So:

- ``UPGRADE_AT_START`` runs in the JobManager's container before Flink, on every start
  (pod start and container restart). It compares the pod's ``JOB_FINGERPRINT`` with the
  fingerprint of the stored job graph (``$UPGRADE_STATE_DIR/applied``, on the shared
  volume). Equal: nothing to do, HA recovers the job from its latest checkpoint. Changed,
  by ``UPGRADE_MODE``:
  ``last-state``: delete the stored job graph, keep its checkpoints: the new graph starts
  from the latest completed checkpoint; ``savepoint``: start from the savepoint the old
  JobManager's pre-stop step took (delete the job graph and its checkpoints); without one,
  ``SAVEPOINT_FALLBACK`` ``refuse`` (keep running the old job graph) or ``last-state``;
  ``stateless``: delete job graph and checkpoints, start empty. A ``requested`` snapshot
  or fresh start (the operations commands ``resume``, ``fresh-start``) wins over everything.
  It refuses to start Flink (records ``refused``, waits, not Ready) when the job's
  job-result-store entry says it ended (cancelled, stopped, finished, failed: Flink
  dropped its HA data, a start would be empty), and when a recovery or last-state upgrade
  would find no checkpoint in ZooKeeper while the volume holds completed ones.
  Every start that is not a recovery or last-state upgrade gives the job a new JobID
  (``job-id``; a stack without one keeps the JobID Flink derives), so its checkpoints
  never collide with an earlier run's; those are deleted beyond ``RETAINED_RUNS`` once
  the new job has a checkpoint, savepoints beyond ``RETAINED_SAVEPOINTS``.
  With standby JobManagers (``flink.jobManagers`` > 1) all of them run it at once in a
  rollout: a ZooKeeper lock (an ephemeral node, ``upgrade_start/lock.sh``) lets exactly
  one observe, decide and act; the others wait for it, then find the change applied
  (``recover``) and only start. A holder that dies loses the lock with its session.
  Every step can be repeated: a JobManager killed at any point redoes the decision, and
  ``applied`` changes only once the ZooKeeper nodes are gone. The savepoint to start from
  is kept in ``restore`` and passed as ``--fromSavepoint`` (with ``--job-id``: see
  ``start_program``) until the job has a checkpoint in the store.
- ``SAVEPOINT_BEFORE_STOP`` is the container's pre-stop hook: in ``savepoint`` mode it
  takes a savepoint of the running job through the local REST API (bash ``/dev/tcp``,
  the image has no curl guarantee) and records its path for the next start.

ZooKeeper is reached with the ZooKeeper CLI that Flink ships shaded in ``flink-dist``
(the official image has java and bash, no zkCli or python). Each step logs one line to
stdout and to ``$UPGRADE_STATE_DIR/history.log``. The programs are files under
``scripts/``: ``upgrade_start/`` (in four parts, with ``snapshots.sh``) and
``savepoint_before_stop.sh``.
"""

from __future__ import annotations

from typing import TypeVar

from components.flink import scripts
from components.flink.flink_config import ZOOKEEPER_PATH_ROOT

Quorum = TypeVar("Quorum")

ZOOKEEPER_CLI_MAIN = "org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.ZooKeeperMain"

# Helpers over the snapshots on the shared volume: the start step's and the operations commands'.
SNAPSHOTS = scripts.load("snapshots.sh")
# The start step in four parts: lib (shell options, helpers), observe (the facts),
# decide (what to do: a pure function of the facts, tested on its own), act (do it);
# between lib and observe the lock, so that of JobManagers starting together exactly one
# observes, decides and acts (UPGRADE_LOCK=zookeeper, set with standby JobManagers).
DECIDE = scripts.load("upgrade_start/decide.sh")
UPGRADE_AT_START = (
    scripts.load("upgrade_start/lib.sh", ZOOKEEPER_CLI_MAIN=ZOOKEEPER_CLI_MAIN)
    + scripts.load("upgrade_start/lock.sh", ZOOKEEPER_CLI_MAIN=ZOOKEEPER_CLI_MAIN)
    + SNAPSHOTS
    + scripts.load("upgrade_start/observe.sh")
    + DECIDE
    + scripts.load("upgrade_start/act.sh")
)
SAVEPOINT_BEFORE_STOP = scripts.load("savepoint_before_stop.sh")


def start_program(entrypoint: str) -> str:
    """The JobManager container's program (``bash -c PROGRAM jobmanager ROLE ARGS...``): the
    start step, then ``entrypoint ROLE FLINK_ARGS ARGS...``. The start step's Flink
    arguments (``--job-id``, ``--fromSavepoint``) go before the job class and its
    arguments: Flink's parser stops at the first argument it does not know."""
    return UPGRADE_AT_START + f'exec {entrypoint} "$1" "${{flink_args[@]}}" "${{@:2}}"\n'


def upgrade_state_dir(data_dir: str, cluster_id: str) -> str:
    """Where the upgrade records of one cluster-id live on the shared volume."""
    return f"{data_dir.rstrip('/')}/upgrades/{cluster_id}"


def upgrade_environment(
    cluster_id: str,
    zookeeper_quorum: Quorum,
    data_dir: str,
    conf_file: str,
    fingerprint: str,
    mode: str,
    fallback: str,
    retained_runs: int = 2,
    retained_savepoints: int = 5,
    lock: bool = False,
) -> dict[str, str | Quorum]:
    """The environment both steps read (the pod's env; the integration tests' too).

    The quorum is a string in the tests and a Pulumi output in the pod template; ``lock``:
    JobManagers may start together (standbys), the start step takes the upgrade lock."""
    return {
        "JOB_FINGERPRINT": fingerprint,
        "UPGRADE_MODE": mode,
        "SAVEPOINT_FALLBACK": fallback,
        "UPGRADE_STATE_DIR": upgrade_state_dir(data_dir, cluster_id),
        "ZOOKEEPER_QUORUM": zookeeper_quorum,
        "HA_ZOOKEEPER_PATH": ha_zookeeper_path(cluster_id),
        "FLINK_CONF_FILE": conf_file,
        "RETAINED_RUNS": str(retained_runs),
        "RETAINED_SAVEPOINTS": str(retained_savepoints),
        "UPGRADE_LOCK": "zookeeper" if lock else "none",
    }


def ha_zookeeper_path(cluster_id: str) -> str:
    """The cluster's HA root in ZooKeeper: Flink's nodes, the upgrade lock."""
    return f"{ZOOKEEPER_PATH_ROOT}/{cluster_id}"
