"""A real ZooKeeper server (Debian's ``zookeeper`` package) on 127.0.0.1 for one test.

Standalone server, ephemeral client port, its own data directory, the same ``tickTime``
as the Helm chart's (so the session timeouts Flink asks for are granted the same way),
admin server off, four-letter words ``srvr``, ``ruok``, ``mntr`` only.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from components.flink.flink_config import ZK_TICK_TIME_MS
from tests.integration.processes import ManagedProcess, start_process
from tests.integration.requirements import require_tool, require_zookeeper_jar
from tests.integration.server import Server
from tests.ports import free_port

MAIN_CLASS = "org.apache.zookeeper.server.quorum.QuorumPeerMain"
# slf4j binding for the server's log (Debian's zookeeper.jar lists only slf4j-api).
SLF4J_SIMPLE_JAR = Path("/usr/share/java/slf4j-simple.jar")
START_TIMEOUT_S = 30.0


def four_letter_word(port: int, word: str, timeout_s: float = 2.0) -> str:
    """Send a four-letter word to 127.0.0.1:port and return the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout_s) as conn:
        conn.sendall(word.encode())
        chunks = []
        while chunk := conn.recv(4096):
            chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


class ZooKeeperServer(Server):
    """Context manager: ``with ZooKeeperServer(tmp_dir) as zk: zk.connect_string``."""

    def __init__(self, work_dir: Path) -> None:
        self.work_dir = work_dir
        self.port = 0
        self.process: ManagedProcess | None = None

    @property
    def log_file(self) -> Path:
        return self.work_dir / "zookeeper.log"

    @property
    def connect_string(self) -> str:
        return f"127.0.0.1:{self.port}"

    def write_config(self) -> Path:
        data_dir = self.work_dir / "data"
        data_dir.mkdir(parents=True, exist_ok=True)
        config = self.work_dir / "zoo.cfg"
        config.write_text(
            "\n".join(
                [
                    f"tickTime={ZK_TICK_TIME_MS}",
                    f"dataDir={data_dir}",
                    f"clientPort={self.port}",
                    "clientPortAddress=127.0.0.1",
                    "admin.enableServer=false",
                    "4lw.commands.whitelist=srvr,ruok,mntr",
                    "maxClientCnxns=0",
                    "",
                ]
            )
        )
        return config

    def start(self) -> None:
        java = require_tool("java")
        classpath = [str(require_zookeeper_jar())]  # its manifest names its dependencies
        if SLF4J_SIMPLE_JAR.is_file():
            classpath.append(str(SLF4J_SIMPLE_JAR))
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        config = self.write_config()
        argv = [
            java,
            "-Xmx256m",
            "-Dzookeeper.jmx.log4j.disable=true",
            "-Dorg.slf4j.simpleLogger.showDateTime=true",
            "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss,SSS",
            "-cp",
            os.pathsep.join(classpath),
            MAIN_CLASS,
            str(config),
        ]
        self.process = start_process("zookeeper", argv, self.log_file)
        self.wait_serving()

    def mode(self) -> str | None:
        """The ``Mode:`` of ``srvr`` (standalone, leader, follower), None if not serving."""
        try:
            answer = four_letter_word(self.port, "srvr")
        except OSError:
            return None
        for line in answer.splitlines():
            if line.startswith("Mode:"):
                return line.split(":", 1)[1].strip()
        return None

    def wait_serving(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process is not None and not self.process.alive():
                raise RuntimeError(f"ZooKeeper exited at start:\n{self.process.log_tail()}")
            if self.mode():
                return
            time.sleep(0.1)
        tail = self.process.log_tail() if self.process else ""
        raise TimeoutError(f"ZooKeeper did not answer srvr within {START_TIMEOUT_S:g}s:\n{tail}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop(timeout_s=10)
