"""The leader watch: the program beside each JobManager in ``rpcPortMode: podIp``.

With standby JobManagers (``flink.jobManagers`` > 1) each JobManager advertises its pod IP
and waits, JVM started, for leadership through ZooKeeper. The leader watch runs next to
each of them (its own container in the JobManager's pod, the Flink image) and:

- writes the role of its JobManager (``leader`` or ``standby``) to ``ROLE_FILE``, which
  the JobManager's readiness reads: the Services reach the leader only;
- fences a leader whose process is gone: when the leader's RPC address refuses
  connections (its container died, its pod's address lives on), it deletes the ephemeral
  ZooKeeper nodes of the leader's session, so a standby takes over at once instead of
  after the session timeout. A stalled leader (a paused JVM) still accepts connections
  and is never fenced.

The program is ``LeaderWatch.java`` (the official Flink image is a JRE: ``run.sh``
compiles it with the Janino compiler Flink ships in ``lib/`` and runs it against the
ZooKeeper client shaded in ``flink-dist``).
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
