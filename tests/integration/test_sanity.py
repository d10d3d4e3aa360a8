"""Fast checks of the integration harness: prerequisites, local config, ZooKeeper, job jar."""

from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml

from components.flink import scripts
from components.flink.flink_config import CONFIG_FILE_NAME, JAVA_17_OPTIONS
from tests.integration import state_check
from tests.integration.flink_dist import FLINK_VERSION, ensure_flink_dist
from tests.integration.flink_processes import prepare_layout, resource_params
from tests.integration.job_jar import JOB_CLASS, build_job_jar
from tests.integration.local_config import LOCAL_OVERRIDE_KEYS, LocalPorts, write_local_config
from tests.integration.processes import listening_ports
from tests.integration.requirements import require_tool, require_zookeeper_jar
from tests.integration.zookeeper_server import ZooKeeperServer, four_letter_word

pytestmark = pytest.mark.integration

MODES = ("sidecar", "pinned", "podIp")


def test_prerequisites_installed() -> None:
    require_tool("java")
    require_tool("javac")
    require_zookeeper_jar()
    dist = ensure_flink_dist()
    assert dist.dist_jar.name == f"flink-dist-{FLINK_VERSION}.jar"
    assert dist.bash_java_utils_jar.is_file()


@pytest.mark.parametrize("mode", MODES)
def test_local_config_changes_only_addresses_ports_paths(mode: str, tmp_path: Path) -> None:
    local = write_local_config(mode, "127.0.0.1:2181", LocalPorts.pick(), tmp_path)
    assert set(local.overrides) <= LOCAL_OVERRIDE_KEYS
    for key, value in local.rendered.items():
        if key not in local.overrides:
            assert local.effective[key] == value, key
    written = yaml.safe_load((local.config_dir / CONFIG_FILE_NAME).read_text())
    assert written == local.effective
    # Every bind address is loopback; the storage is inside the test's directory.
    for key in ("jobmanager.bind-host", "rest.bind-address", "taskmanager.bind-host"):
        assert written[key] == "127.0.0.1"
    assert str(written["high-availability.storageDir"]).startswith(f"file://{tmp_path}")


def test_standby_instances_share_storage_not_scratch_and_experiments_stay_in_bounds(tmp_path: Path) -> None:
    one = write_local_config("podIp", "127.0.0.1:2181", LocalPorts.pick(), tmp_path, "jobmanager-1")
    two = write_local_config("podIp", "127.0.0.1:2181", LocalPorts.pick(), tmp_path, "jobmanager-2")
    assert one.config_dir != two.config_dir
    assert one.effective["high-availability.storageDir"] == two.effective["high-availability.storageDir"]
    assert one.effective["io.tmp.dirs"] != two.effective["io.tmp.dirs"]
    assert one.effective["high-availability.jobmanager.port"] != two.effective["high-availability.jobmanager.port"]
    with pytest.raises(ValueError, match="experiment keys beyond"):
        write_local_config("podIp", "127.0.0.1:2181", LocalPorts.pick(), tmp_path, experiment={"heartbeat.timeout": 1})


def test_override_allow_list_names_only_addresses_ports_paths() -> None:
    kinds = ("address", "host", "quorum", "port", "dir", "dirs", "directory", "storageDir", "tmpdir")
    for key in LOCAL_OVERRIDE_KEYS:
        assert key.rsplit(".", 1)[-1].split("-")[-1] in kinds, key


def test_memory_sizes_fit_this_machine(tmp_path: Path) -> None:
    local = write_local_config("sidecar", "127.0.0.1:2181", LocalPorts.pick(), tmp_path)
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}

    def size(value: object) -> int:
        text = str(value).strip().lower().rstrip("b")
        return int(text[:-1]) * units[text[-1]] if text[-1] in units else int(text)

    needed = size(local.effective["jobmanager.memory.process.size"]) * 2  # old and new JM overlap briefly
    needed += size(local.effective["taskmanager.memory.process.size"]) + (512 << 20)  # + ZooKeeper, tools
    total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    assert needed < total, f"need {needed >> 20} MiB, the machine has {total >> 20} MiB"


def test_bash_java_utils_gives_memory_flags(tmp_path: Path) -> None:
    dist = ensure_flink_dist()
    local = write_local_config("sidecar", "127.0.0.1:2181", LocalPorts.pick(), tmp_path)
    layout = prepare_layout(dist, tmp_path, local.config_dir, build_job_jar(dist), local.effective)
    jvm, dynamic = resource_params(layout, "GET_JM_RESOURCE_PARAMS")
    assert any(flag.startswith("-Xmx") for flag in jvm)
    assert "-D" in dynamic and any(arg.startswith("jobmanager.memory.heap.size=") for arg in dynamic)
    jvm, dynamic = resource_params(layout, "GET_TM_RESOURCE_PARAMS")
    assert any(flag.startswith("-XX:MaxDirectMemorySize=") for flag in jvm)
    assert any(arg.startswith("taskmanager.memory.managed.size=") for arg in dynamic)
    assert any(opt.startswith("--add-opens=java.base/java.util=") for opt in layout.java_opts_all)


def test_job_jar_compiles() -> None:
    jar = build_job_jar(ensure_flink_dist())
    with zipfile.ZipFile(jar) as archive:
        assert JOB_CLASS.replace(".", "/") + ".class" in archive.namelist()


def test_zookeeper_serves_on_loopback(tmp_path: Path) -> None:
    with ZooKeeperServer(tmp_path) as zk:
        assert zk.mode() == "standalone"
        assert four_letter_word(zk.port, "ruok") == "imok"
        assert zk.process is not None
        ports = listening_ports(zk.process.pid)
        assert ports == {zk.port: ports[zk.port]} and ports[zk.port].endswith("127.0.0.1")
        assert "tickTime=2000" in (tmp_path / "zoo.cfg").read_text()
    assert not zk.process.alive()


def _channel(lines: list[str], path: Path) -> Path:
    path.write_text("".join(line + "\n" for line in lines))
    return path


def _run(token: str, seqs: range, start: dict[str, tuple[int, int]] | None = None) -> list[str]:
    """Side-channel lines of an execution that processes ``seqs`` from state ``start``."""
    state = dict(start or {})
    lines, seen = [], set()
    for seq in seqs:
        key = f"k{seq % state_check.KEYS}"
        count, _ = state.get(key, (0, -1))
        if key not in seen:
            seen.add(key)
            lines.append(f"FIRST {token} {key} {count} {state.get(key, (0, -1))[1]}")
        state[key] = (count + 1, seq)
        lines.append(f"REC {token} {key} {seq} {count + 1}")
    return lines


def _snap(token: str, checkpoint: int, upto: int) -> tuple[list[str], dict[str, tuple[int, int]]]:
    """SNAP lines of a checkpoint taken after records 0..upto-1."""
    state = {f"k{i}": (len(range(i, upto, 10)), max(range(i, upto, 10))) for i in range(state_check.KEYS)}
    return [f"SNAP {token} {checkpoint} {k} {c} {s}" for k, (c, s) in state.items()], state


def test_state_check_accepts_exact_restore(tmp_path: Path) -> None:
    snap, state = _snap("a", 7, 100)
    lines = ["START a -", *_run("a", range(0, 130)), *snap, "START b 7", *_run("b", range(100, 140), state)]
    report = state_check.check(_channel(lines, tmp_path / "side.txt"))
    assert report.mismatches == () and report.restored_from == 7 and report.keys_compared == 10


def test_state_check_detects_older_state_and_double_counting(tmp_path: Path) -> None:
    snap_old, state_old = _snap("a", 6, 50)
    snap, _ = _snap("a", 7, 100)
    # The state of checkpoint 6 with the source position of checkpoint 7: records lost.
    lost = ["START a -", *snap_old, *snap, "START b 7", *_run("b", range(100, 120), state_old)]
    assert state_check.check(_channel(lost, tmp_path / "lost.txt")).mismatches
    # The state of checkpoint 7 with the source position of checkpoint 6: counted twice.
    _, state = _snap("a", 7, 100)
    twice = ["START a -", *snap_old, *snap, "START b 7", *_run("b", range(50, 120), state)]
    assert state_check.check(_channel(twice, tmp_path / "twice.txt")).mismatches


def test_state_check_detects_a_key_not_seen_after_restore(tmp_path: Path) -> None:
    snap, state = _snap("a", 7, 100)
    lines = ["START a -", *snap, "START b 7", *_run("b", range(100, 105), state)]
    report = state_check.check(_channel(lines, tmp_path / "side.txt"))
    assert any("no record after restore" in m for m in report.mismatches)


def test_rendered_java_17_options_are_flink_1_20s_own_list() -> None:
    """Our config replaces the distribution's config.yaml, so it must carry the same list."""
    assert JAVA_17_OPTIONS.split() == (ensure_flink_dist().default_setting("env.java.opts.all") or "").split()


def test_wait_for_zookeeper_init_script_against_a_real_server(tmp_path: Path) -> None:
    """The JobManager's init container program, run with bash against real ZooKeeper."""
    with ZooKeeperServer(tmp_path) as zk:
        result = subprocess.run(
            ["bash", "-c", scripts.WAIT_FOR_ZOOKEEPER],
            env={"PATH": "/usr/bin:/bin", "ZOOKEEPER_QUORUM": zk.connect_string, "ZOOKEEPER_WAIT_SECONDS": "30"},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"zookeeper serving: {zk.connect_string} standalone"
