"""The init containers' shell programs, run with bash against local files and sockets."""

from __future__ import annotations

import socketserver
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from components.flink import scripts


def bash(script: str, env: dict[str, str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", script], env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True, timeout=timeout
    )


def test_prepare_copies_image_conf_replaces_the_config_file_and_stages_the_jar(tmp_path: Path) -> None:
    image_conf = tmp_path / "image-conf"
    image_conf.mkdir()
    (image_conf / "log4j-console.properties").write_text("rootLogger.level = INFO\n")
    (image_conf / "config.yaml").write_text("from: image\n")
    (image_conf / "flink-conf.yaml").write_text("legacy: true\n")
    source = tmp_path / "config-source.yaml"
    source.write_text("from: configmap\n")
    jar = tmp_path / "examples" / "Job.jar"
    jar.parent.mkdir()
    jar.write_bytes(b"PK\x03\x04")
    conf_out, usrlib_out = tmp_path / "conf", tmp_path / "usrlib"
    conf_out.mkdir()
    usrlib_out.mkdir()
    result = bash(
        scripts.PREPARE,
        {
            "IMAGE_CONF": str(image_conf),
            "CONF_OUT": str(conf_out),
            "USRLIB_OUT": str(usrlib_out),
            "CONFIG_SOURCE": str(source),
            "JOB_JAR": str(jar),
        },
    )
    assert result.returncode == 0, result.stderr
    assert (conf_out / "config.yaml").read_text() == "from: configmap\n"
    assert (conf_out / "log4j-console.properties").is_file()
    assert not (conf_out / "flink-conf.yaml").exists()  # it would win over config.yaml in Flink 1.x
    assert (usrlib_out / "Job.jar").read_bytes() == b"PK\x03\x04"


def test_prepare_fails_when_the_job_jar_is_missing(tmp_path: Path) -> None:
    for d in ("conf", "usrlib", "image-conf"):
        (tmp_path / d).mkdir()
    (tmp_path / "c.yaml").write_text("a: 1\n")
    result = bash(
        scripts.PREPARE,
        {
            "IMAGE_CONF": str(tmp_path / "image-conf"),
            "CONF_OUT": str(tmp_path / "conf"),
            "USRLIB_OUT": str(tmp_path / "usrlib"),
            "CONFIG_SOURCE": str(tmp_path / "c.yaml"),
            "JOB_JAR": str(tmp_path / "missing.jar"),
        },
    )
    assert result.returncode != 0


class FourLetterServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, reply: bytes) -> None:
        self.reply = reply
        super().__init__(("127.0.0.1", 0), FourLetterHandler)


class FourLetterHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        assert isinstance(self.server, FourLetterServer)
        if self.rfile.read(4) == b"srvr":
            self.wfile.write(self.server.reply)


@pytest.fixture
def zookeeper_like() -> Iterator[Callable[[bytes], FourLetterServer]]:
    servers: list[FourLetterServer] = []

    def start(reply: bytes) -> FourLetterServer:
        server = FourLetterServer(reply)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_wait_for_zookeeper_succeeds_once_a_server_reports_a_mode(
    zookeeper_like: Callable[[bytes], FourLetterServer],
) -> None:
    serving = zookeeper_like(b"Zookeeper version: 3.9.3\nLatency min/avg/max: 0/0.0/0\nMode: follower\nNode count: 5\n")
    quorum = f"127.0.0.1:1,127.0.0.1:{serving.server_address[1]}"
    result = bash(scripts.WAIT_FOR_ZOOKEEPER, {"ZOOKEEPER_QUORUM": quorum, "ZOOKEEPER_WAIT_SECONDS": "20"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(f"zookeeper serving: 127.0.0.1:{serving.server_address[1]} follower")


def test_wait_for_zookeeper_gives_up_while_no_quorum_serves(
    zookeeper_like: Callable[[bytes], FourLetterServer],
) -> None:
    not_serving = zookeeper_like(b"This ZooKeeper instance is not currently serving requests\n")
    quorum = f"127.0.0.1:{not_serving.server_address[1]}"
    result = bash(scripts.WAIT_FOR_ZOOKEEPER, {"ZOOKEEPER_QUORUM": quorum, "ZOOKEEPER_WAIT_SECONDS": "3"})
    assert result.returncode == 1
    assert "waiting for zookeeper" in result.stdout
    assert "not serving after 3s" in result.stderr
