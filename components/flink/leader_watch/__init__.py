"""The leader watch: the program beside each JobManager in ``rpcPortMode: podIp``.

With standby JobManagers (``flink.jobManagers`` > 1) each JobManager advertises its pod IP
and waits, JVM started, for leadership through ZooKeeper. The leader watch runs next to
each of them (its own container in the JobManager's pod, the Flink image) and:

- writes the role of its JobManager (``leader`` or ``standby``) to ``ROLE_FILE``, which
  the JobManager's probes and pre-stop savepoint read (the job checks and the savepoint
  are the leader's; a standby is Ready when its REST API answers and it has a role);
- fences a leader whose process is gone: when the leader's RPC address refuses
  connections (its container died, its pod's address lives on), it deletes the ephemeral
  ZooKeeper nodes of the leader's session, so a standby takes over at once instead of
  after the session timeout. A stalled leader (a paused JVM) still accepts connections
  and is never fenced.

The program is ``LeaderWatch.java`` (the official Flink image is a JRE: ``run.sh``
compiles it with the Janino compiler Flink ships in ``lib/flink-table-runtime-*.jar`` and
runs it, in one JVM with a 32 MB heap (~60 MB RSS), against the ZooKeeper client shaded in
``flink-dist``). Flink's jar has no ``janinoc`` command line; Janino's ``SimpleCompiler``
compiles the source in memory and calls its ``main``, so nothing is written to disk.

``run.sh``'s environment: ``PROGRAM_DIR`` (the directory holding ``LeaderWatch.java``),
``FLINK_LIB_DIR`` (``/opt/flink/lib``), ``ZOOKEEPER_QUORUM`` and ``environment()``'s
variables. It logs one line per decision (leader seen, role written, probe refused,
node fenced) to stdout.

Fencing is safe because a connection refused on the leader's own RPC address means no
process listens there: the JobManager that leads through that session cannot be alive
(a paused JVM's socket still accepts; a lost node or network times out, never refuses).
Each node is deleted only while the dead session still owns it, at the version read, and
the latch node last: no standby leads before the dead leader's other nodes are gone.
"""

from __future__ import annotations

from pathlib import Path

PROGRAM_DIR = Path(__file__).parent
CONTAINER = "leader-watch"
ROLE_DIR = "/run/flink-role"  # an emptyDir shared by the leader watch and the JobManager
ROLE_FILE = f"{ROLE_DIR}/role"  # one word: leader or standby
LEADER, STANDBY = "leader", "standby"


def environment(zookeeper_path: str, own_address: str, rpc_port: int, role_file: str = ROLE_FILE) -> dict[str, str]:
    """The program's environment besides ``ZOOKEEPER_QUORUM`` and ``FLINK_LIB_DIR``.

    ``zookeeper_path``: the cluster's HA root (``/flink/<cluster-id>``); ``own_address``:
    the host its JobManager advertises (the pod IP: ``$(POD_IP)`` in the pod)."""
    return {
        "HA_ZOOKEEPER_PATH": zookeeper_path,
        "OWN_ADDRESS": own_address,
        "RPC_PORT": str(rpc_port),
        "ROLE_FILE": role_file,
    }
