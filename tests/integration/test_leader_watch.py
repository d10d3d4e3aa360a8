"""The leader watch's program compiles: with Janino through ``run.sh`` (as the pod runs it,
from Flink's own ``lib/``), and with javac and every lint warning as an error."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from components.flink.leader_watch import PROGRAM_DIR, STANDBY, environment
from tests.integration.flink_dist import ensure_flink_dist
from tests.integration.processes import start_process
from tests.integration.requirements import require_tool
from tests.ports import free_port
from tests.waiting import wait_until

pytestmark = pytest.mark.integration

SOURCE = PROGRAM_DIR / "LeaderWatch.java"


def test_run_sh_compiles_with_janino_and_starts(tmp_path: Path) -> None:
    """No ZooKeeper answers: the program compiles, starts, reports standby and keeps trying."""
    dist = ensure_flink_dist()
    role_file = tmp_path / "role"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PROGRAM_DIR": str(PROGRAM_DIR),
        "FLINK_LIB_DIR": str(dist.lib_dir),
        "ZOOKEEPER_QUORUM": f"127.0.0.1:{free_port()}",
        **environment("/flink/test", "127.0.0.1", 6123, str(role_file)),
    }
    log = tmp_path / "watch.log"
    process = start_process("leader-watch", ["bash", str(PROGRAM_DIR / "run.sh")], log, env)
    try:
        wait_until("the watch to retry ZooKeeper", lambda: "zookeeper error=" in log.read_text(), 60, 0.2)
        assert process.alive(), process.log_tail()
        assert role_file.read_text() == f"{STANDBY}\n"
        assert "start own=127.0.0.1:6123 ha_path=/flink/test" in log.read_text()
    finally:
        process.stop()


def test_run_sh_names_a_missing_variable(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PROGRAM_DIR": str(PROGRAM_DIR)}
    result = subprocess.run(
        ["bash", str(PROGRAM_DIR / "run.sh")], env=env, capture_output=True, text=True, check=False, timeout=30
    )
    assert result.returncode != 0
    assert "FLINK_LIB_DIR" in result.stderr


def test_javac_lint_is_clean(tmp_path: Path) -> None:
    dist = ensure_flink_dist()
    command = [
        require_tool("javac"),
        "-Xlint:all",
        "-Werror",
        "-cp",
        str(dist.dist_jar),
        "-d",
        str(tmp_path),
        str(SOURCE),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "LeaderWatch.class").is_file()
