"""The port-patcher sidecar against local stand-ins of Flink's REST API and the Kubernetes API.

Every test is bounded by generous timeouts (never asserted as performance) and cleans up
its threads, servers and processes.
"""

from __future__ import annotations

import dataclasses
import datetime
import shutil
import signal
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from components.flink import port_patcher as pp
from tests.kube.sidecar_process import SidecarProcess
from tests.standins.flink_rest import FakeFlinkRest
from tests.standins.service_api import FakeServiceApi, default_service
from tests.waiting import wait_until

NEW_PORT = 41234
WAIT_S = 10.0  # upper bound for anything the tests wait for; never a performance claim
CHECK_S = 0.01  # how often a wait checks its condition


# --------------------------------------------------------------------------- helpers


def fields(line: str) -> dict[str, str]:
    """The key=value pairs of a log line (values without spaces, as the tests use)."""
    return dict(part.split("=", 1) for part in line.split()[1:] if "=" in part)


def actions(lines: list[str]) -> list[str]:
    return [fields(line)["action"] for line in lines]


def make_env(flink: FakeFlinkRest, kube: FakeServiceApi, tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {
        "SERVICE_NAME": kube.name,
        "POD_NAMESPACE": kube.namespace,
        "FLINK_REST_URL": flink.url,
        "KUBERNETES_API_URL": kube.url,
        "KUBERNETES_TOKEN_FILE": str(tmp_path / "no-token"),
        "POLL_INTERVAL_SECONDS": "0.02",
        "BACKOFF_INITIAL_SECONDS": "0.01",
        "BACKOFF_MAX_SECONDS": "0.04",
        "HTTP_TIMEOUT_SECONDS": "2",
    }
    env.update(overrides)
    return env


class LoopRunner:
    """``run_loop`` in a thread with a stop event, collecting its log lines."""

    def __init__(self, config: pp.Config) -> None:
        self.stop = threading.Event()
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=pp.run_loop, args=(config, self.stop, self._emit))
        self._thread.start()

    def _emit(self, line: str) -> None:
        with self._lock:
            self._lines.append(line)

    @property
    def lines(self) -> list[str]:
        with self._lock:
            return list(self._lines)

    def with_action(self, action: str) -> list[str]:
        return [line for line in self.lines if fields(line)["action"] == action]

    def wait_for(self, action: str, count: int = 1) -> list[str]:
        wait_until(f"{count} x action={action}", lambda: len(self.with_action(action)) >= count, WAIT_S, CHECK_S)
        return self.with_action(action)

    def close(self) -> None:
        self.stop.set()
        self._thread.join(timeout=WAIT_S)
        assert not self._thread.is_alive(), "run_loop did not stop"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(autouse=True)
def no_leftover_threads() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    wait_until("test threads to finish", lambda: set(threading.enumerate()) <= before, 5.0, CHECK_S)


@pytest.fixture
def flink() -> Iterator[FakeFlinkRest]:
    with FakeFlinkRest(rpc_port=NEW_PORT) as fake:
        yield fake


@pytest.fixture
def kube() -> Iterator[FakeServiceApi]:
    with FakeServiceApi(namespace="flink", name="flink-jobmanager") as fake:
        yield fake


@pytest.fixture
def env(flink: FakeFlinkRest, kube: FakeServiceApi, tmp_path: Path) -> dict[str, str]:
    return make_env(flink, kube, tmp_path)


@pytest.fixture
def config(env: dict[str, str]) -> pp.Config:
    return pp.load_config(env)


@pytest.fixture
def start_loop() -> Iterator[Callable[[pp.Config], LoopRunner]]:
    runners: list[LoopRunner] = []

    def start(config: pp.Config) -> LoopRunner:
        runners.append(LoopRunner(config))
        return runners[-1]

    yield start
    for runner in runners:
        runner.close()


# --------------------------------------------------------------------------- one iteration


def test_changed_port_is_patched_port_and_target_port_only(config: pp.Config, kube: FakeServiceApi) -> None:
    before = kube.service

    outcome = pp.run_once(config)

    assert (outcome.patched, outcome.port, outcome.index, outcome.old_port) == (
        True,
        NEW_PORT,
        0,
        6123,
    )
    after = kube.service
    assert after["spec"]["ports"][0] == {
        "name": "rpc",
        "port": NEW_PORT,
        "targetPort": NEW_PORT,
        "protocol": "TCP",
    }
    before["spec"]["ports"][0].update(port=NEW_PORT, targetPort=NEW_PORT)
    before["metadata"]["resourceVersion"] = after["metadata"]["resourceVersion"]
    assert after == before  # blob, rest, selector, metadata untouched
    (patch,) = kube.requests_of("PATCH")
    assert patch.path == "/api/v1/namespaces/flink/services/flink-jobmanager?fieldManager=port-patcher"
    assert patch.headers["content-type"] == "application/json-patch+json"
    assert patch.json() == [
        {"op": "test", "path": "/spec/ports/0/name", "value": "rpc"},
        {"op": "replace", "path": "/spec/ports/0/port", "value": NEW_PORT},
        {"op": "replace", "path": "/spec/ports/0/targetPort", "value": NEW_PORT},
    ]


def test_no_patch_when_ports_are_equal(config: pp.Config, flink: FakeFlinkRest, kube: FakeServiceApi) -> None:
    flink.rpc_port = 6123

    outcome = pp.run_once(config)

    assert not outcome.patched
    assert [r.method for r in kube.requests] == ["GET"]


def test_only_target_port_differing_is_patched(config: pp.Config, kube: FakeServiceApi) -> None:
    service = default_service("flink", "flink-jobmanager", rpc_port=NEW_PORT)
    service["spec"]["ports"][0]["targetPort"] = "rpc"  # a named targetPort is not the bound port
    kube.service = service

    assert pp.run_once(config).patched
    assert kube.port_named("rpc")["targetPort"] == NEW_PORT


def test_rpc_port_that_is_not_first_is_found_and_patched(config: pp.Config, kube: FakeServiceApi) -> None:
    service = default_service("flink", "flink-jobmanager")
    service["spec"]["ports"].reverse()  # rest, blob, rpc
    kube.service = service

    outcome = pp.run_once(config)

    assert outcome.index == 2
    assert [(p["name"], p["port"], p["targetPort"]) for p in kube.service["spec"]["ports"]] == [
        ("rest", 8081, 8081),
        ("blob", 6124, 6124),
        ("rpc", NEW_PORT, NEW_PORT),
    ]
    assert kube.requests_of("PATCH")[0].json()[0] == {
        "op": "test",
        "path": "/spec/ports/2/name",
        "value": "rpc",
    }


def test_test_op_guards_against_ports_reordered_between_get_and_patch(config: pp.Config, kube: FakeServiceApi) -> None:
    kube.before_next_patch(lambda service: service["spec"]["ports"].reverse())

    with pytest.raises(pp.SyncError) as rejected:
        pp.run_once(config)
    assert rejected.value.step == "kubernetes_patch"
    assert rejected.value.reason.startswith("http 422")
    assert kube.port_named("rest")["port"] == 8081  # the rejected patch changed nothing

    outcome = pp.run_once(config)  # what the loop's retry does: read again, patch the right one

    assert (outcome.patched, outcome.index) == (True, 2)
    assert [(p["name"], p["port"]) for p in kube.service["spec"]["ports"]] == [
        ("rest", 8081),
        ("blob", 6124),
        ("rpc", NEW_PORT),
    ]


def test_service_as_the_stack_applies_it_gets_the_rpc_port_added(config: pp.Config, kube: FakeServiceApi) -> None:
    kube.service = default_service("flink", "flink-jobmanager", rpc_port=None)  # blob, rest

    outcome = pp.run_once(config)

    assert (outcome.patched, outcome.added, outcome.index, outcome.port) == (True, True, 2, NEW_PORT)
    assert [(p["name"], p["port"], p["targetPort"]) for p in kube.service["spec"]["ports"]] == [
        ("blob", 6124, 6124),
        ("rest", 8081, 8081),
        ("rpc", NEW_PORT, NEW_PORT),
    ]
    (patch,) = kube.requests_of("PATCH")
    assert patch.path.endswith("?fieldManager=port-patcher")
    assert patch.json() == [
        {"op": "test", "path": "/spec/ports", "value": default_service("flink", "x", None)["spec"]["ports"]},
        {
            "op": "add",
            "path": "/spec/ports/-",
            "value": {"name": "rpc", "port": NEW_PORT, "targetPort": NEW_PORT, "protocol": "TCP"},
        },
    ]
    assert not pp.run_once(config).patched  # then in sync


def test_add_is_refused_when_the_ports_changed_in_between(config: pp.Config, kube: FakeServiceApi) -> None:
    kube.service = default_service("flink", "flink-jobmanager", rpc_port=None)
    concurrent = {"name": "rpc", "port": 7000, "targetPort": 7000, "protocol": "TCP"}
    kube.before_next_patch(lambda service: service["spec"]["ports"].append(concurrent))

    with pytest.raises(pp.SyncError, match="http 422"):
        pp.run_once(config)
    assert [p["name"] for p in kube.service["spec"]["ports"]] == ["blob", "rest", "rpc"]  # no second rpc

    outcome = pp.run_once(config)  # the retry reads again and replaces the one entry

    assert (outcome.patched, outcome.added, outcome.old_port) == (True, False, 7000)
    assert kube.port_named("rpc")["port"] == NEW_PORT
    assert len(kube.service["spec"]["ports"]) == 3


def test_custom_rpc_port_name(env: dict[str, str], kube: FakeServiceApi) -> None:
    service = default_service("flink", "flink-jobmanager")
    service["spec"]["ports"][0]["name"] = "jm-rpc"
    kube.service = service

    pp.run_once(pp.load_config({**env, "RPC_PORT_NAME": "jm-rpc"}))

    assert kube.port_named("jm-rpc")["port"] == NEW_PORT
    assert kube.requests_of("PATCH")[0].json()[0]["value"] == "jm-rpc"


def test_token_is_read_on_every_request_and_sent_as_bearer(
    env: dict[str, str], kube: FakeServiceApi, tmp_path: Path
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("first-token\n")
    kube.token = "first-token"
    config = pp.load_config({**env, "KUBERNETES_TOKEN_FILE": str(token_file)})

    pp.run_once(config)
    token_file.write_text("rotated-token")  # projected tokens rotate
    kube.token = "rotated-token"
    pp.run_once(config)

    assert [r.headers["authorization"] for r in kube.requests] == [
        "Bearer first-token",
        "Bearer first-token",
        "Bearer rotated-token",
    ]


def test_no_authorization_header_for_http_without_token_file(config: pp.Config, kube: FakeServiceApi) -> None:
    pp.run_once(config)

    assert all("authorization" not in r.headers for r in kube.requests)


def test_https_without_token_file_is_an_error(config: pp.Config) -> None:
    https = dataclasses.replace(config, kubernetes_api_url="https://127.0.0.1:1")

    with pytest.raises(pp.SyncError) as error:
        pp.bearer_header(https)
    assert error.value.step == "token"


def test_wrong_token_is_an_error_that_never_shows_the_token(
    env: dict[str, str], kube: FakeServiceApi, tmp_path: Path
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("stale-token")
    kube.token = "fresh-token"

    with pytest.raises(pp.SyncError) as error:
        pp.run_once(pp.load_config({**env, "KUBERNETES_TOKEN_FILE": str(token_file)}))
    assert error.value.reason.startswith("http 401")
    assert "stale-token" not in str(error.value)


def make_certificate(directory: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own CA), made by the openssl CLI."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = directory / f"{name}.crt", directory / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=WAIT_S,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def https_kube(tmp_path: Path) -> Iterator[tuple[FakeServiceApi, Path]]:
    """The Kubernetes stand-in over https, and the CA file that trusts it."""
    cert, key = make_certificate(tmp_path, "apiserver")
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    with FakeServiceApi(token="tls-token", tls=server_tls) as fake:
        yield fake, cert


def https_env(env: dict[str, str], kube: FakeServiceApi, ca: Path, tmp_path: Path) -> dict[str, str]:
    token_file = tmp_path / "token"
    token_file.write_text("tls-token")
    return {**env, "KUBERNETES_API_URL": kube.url, "KUBERNETES_CA_FILE": str(ca),
            "KUBERNETES_TOKEN_FILE": str(token_file)}  # fmt: skip


def test_https_with_the_cluster_ca_and_token(
    env: dict[str, str], https_kube: tuple[FakeServiceApi, Path], tmp_path: Path
) -> None:
    kube, ca = https_kube

    assert pp.run_once(pp.load_config(https_env(env, kube, ca, tmp_path))).patched
    assert kube.port_named("rpc")["port"] == NEW_PORT
    assert {r.headers["authorization"] for r in kube.requests} == {"Bearer tls-token"}


def test_https_rejects_a_server_the_ca_does_not_trust(
    env: dict[str, str], https_kube: tuple[FakeServiceApi, Path], tmp_path: Path
) -> None:
    kube, _ = https_kube
    other_ca, _ = make_certificate(tmp_path, "other")

    with pytest.raises(pp.SyncError, match="CERTIFICATE_VERIFY_FAILED"):
        pp.run_once(pp.load_config(https_env(env, kube, other_ca, tmp_path)))
    assert kube.requests == []


def test_https_with_a_missing_ca_file_is_an_error(
    env: dict[str, str], https_kube: tuple[FakeServiceApi, Path], tmp_path: Path
) -> None:
    kube, _ = https_kube

    with pytest.raises(pp.SyncError) as error:
        pp.run_once(pp.load_config(https_env(env, kube, tmp_path / "absent.crt", tmp_path)))
    assert error.value.step == "ca"


# --------------------------------------------------------------------------- the loop


def test_loop_logs_in_sync_once_then_stays_quiet_until_a_change(
    config: pp.Config,
    flink: FakeFlinkRest,
    kube: FakeServiceApi,
    start_loop: Callable[[pp.Config], LoopRunner],
) -> None:
    flink.rpc_port = 6123
    loop = start_loop(config)
    loop.wait_for("unchanged")
    wait_until("several polls", lambda: len(kube.requests_of("GET")) >= 5, WAIT_S, CHECK_S)
    assert actions(loop.lines) == ["unchanged"]

    flink.rpc_port = NEW_PORT  # the JobManager restarted on another port
    loop.wait_for("unchanged", count=2)
    polls = len(kube.requests_of("GET"))
    wait_until("several more polls", lambda: len(kube.requests_of("GET")) >= polls + 5, WAIT_S, CHECK_S)

    assert actions(loop.lines) == ["unchanged", "patched", "unchanged"]
    patched = fields(loop.with_action("patched")[0])
    assert patched["service"] == "flink/flink-jobmanager"
    assert (patched["old_port"], patched["new_port"]) == ("6123", str(NEW_PORT))
    assert fields(loop.lines[-1])["port"] == str(NEW_PORT)


def test_loop_retries_while_rest_api_is_down_then_patches(
    config: pp.Config,
    flink: FakeFlinkRest,
    kube: FakeServiceApi,
    start_loop: Callable[[pp.Config], LoopRunner],
) -> None:
    flink.down = True
    loop = start_loop(config)
    retries = loop.wait_for("retry", count=5)
    assert kube.requests == []  # the Service is not touched while Flink is unknown

    flink.down = False
    loop.wait_for("patched")

    assert all(fields(line)["step"] == "flink_rest" for line in retries)
    assert "unreachable" in retries[0]
    # initial, doubling, capped at the maximum
    assert [fields(line)["backoff_s"] for line in retries[:5]] == [
        "0.01",
        "0.02",
        "0.04",
        "0.04",
        "0.04",
    ]
    assert kube.port_named("rpc")["port"] == NEW_PORT


def test_loop_retries_when_rest_api_answers_503(
    config: pp.Config,
    flink: FakeFlinkRest,
    kube: FakeServiceApi,
    start_loop: Callable[[pp.Config], LoopRunner],
) -> None:
    flink.fail_next(503, times=2)
    loop = start_loop(config)
    loop.wait_for("patched")

    retries = loop.with_action("retry")
    assert len(retries) == 2
    assert all('reason="http 503' in line for line in retries)
    assert kube.port_named("rpc")["port"] == NEW_PORT


def test_loop_retries_slow_rest_answers_beyond_the_timeout(
    env: dict[str, str],
    flink: FakeFlinkRest,
    kube: FakeServiceApi,
    start_loop: Callable[[pp.Config], LoopRunner],
) -> None:
    flink.delay_s = 5.0
    loop = start_loop(pp.load_config({**env, "HTTP_TIMEOUT_SECONDS": "0.1"}))
    (retry,) = loop.wait_for("retry")
    assert "timed out" in retry

    flink.delay_s = 0.0
    loop.wait_for("patched")
    assert kube.port_named("rpc")["port"] == NEW_PORT


@pytest.mark.parametrize(
    ("method", "status"),
    [("GET", 500), ("GET", 404), ("PATCH", 500), ("PATCH", 409), ("PATCH", 422)],
)
def test_loop_retries_kubernetes_errors_then_succeeds(
    config: pp.Config,
    flink: FakeFlinkRest,
    kube: FakeServiceApi,
    start_loop: Callable[[pp.Config], LoopRunner],
    method: str,
    status: int,
) -> None:
    kube.fail_next(status, times=3, method=method)
    loop = start_loop(config)
    loop.wait_for("patched")

    retries = loop.with_action("retry")
    assert len(retries) == 3
    assert all(f"step=kubernetes_{method.lower()}" in line and f"http {status}" in line for line in retries)
    assert kube.port_named("rpc") == {
        "name": "rpc",
        "port": NEW_PORT,
        "targetPort": NEW_PORT,
        "protocol": "TCP",
    }

    # the backoff starts again from the initial delay after a success
    loop.wait_for("unchanged")
    kube.fail_next(500, times=1, method="GET")
    retries = loop.wait_for("retry", count=4)
    assert fields(retries[-1])["backoff_s"] == "0.01"
    assert fields(retries[-1])["failures"] == "1"


# --------------------------------------------------------------------------- pure pieces


def test_backoff_doubles_up_to_the_maximum_and_resets() -> None:
    backoff = pp.Backoff(0.25, 1.0)
    assert [backoff.next_delay() for _ in range(5)] == [0.25, 0.5, 1.0, 1.0, 1.0]
    backoff.reset()
    assert backoff.next_delay() == 0.25


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"jobmanager.rpc.port": "6123"}, "not a JSON list"),
        ([{"key": "rest.port", "value": "8081"}], "missing"),
        ([{"key": "jobmanager.rpc.port", "value": "0"}], "not a port"),
        ([{"key": "jobmanager.rpc.port", "value": "abc"}], "not a port"),
        ([{"key": "jobmanager.rpc.port"}], "not a port"),
    ],
)
def test_bad_flink_config_answers_are_errors(entries: Any, message: str) -> None:
    with pytest.raises(pp.SyncError, match=message):
        pp.rpc_port_from_flink_config(entries)


def test_malformed_json_is_an_error() -> None:
    with pytest.raises(pp.SyncError, match="not valid JSON"):
        pp.parse_json(b"<html>502 Bad Gateway</html>", "flink_rest")


@pytest.mark.parametrize("service", [{}, {"spec": {}}, {"spec": {"ports": None}}, []])
def test_service_without_ports_is_an_error(service: Any) -> None:
    with pytest.raises(pp.SyncError, match="spec.ports"):
        pp.service_ports(service)


def test_missing_target_port_is_added_not_replaced() -> None:
    named = pp.find_named_port([{"name": "rpc", "port": 6123}], "rpc")
    assert named is not None
    assert pp.build_patch(named, "rpc", 7000)[2] == {
        "op": "add",
        "path": "/spec/ports/0/targetPort",
        "value": 7000,
    }


def test_log_line_format() -> None:
    now = datetime.datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=datetime.UTC)
    line = pp.format_line("retry", now, step="flink_rest", reason="http 503: busy", backoff_s="0.25")
    assert line == '2025-03-01T12:00:00.123Z action=retry step=flink_rest reason="http 503: busy" backoff_s=0.25'


# --------------------------------------------------------------------------- configuration


def test_defaults(tmp_path: Path) -> None:
    namespace_file = tmp_path / "namespace"
    namespace_file.write_text("streaming\n")

    config = pp.load_config({"SERVICE_NAME": "jm"}, namespace_file=str(namespace_file))

    assert config == pp.Config(
        service_name="jm",
        namespace="streaming",
        flink_rest_url="http://127.0.0.1:8081",
        kubernetes_api_url="https://kubernetes.default.svc",
        token_file="/var/run/secrets/kubernetes.io/serviceaccount/token",
        ca_file="/var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
        rpc_port_name="rpc",
        poll_interval_s=0.5,
        backoff_initial_s=0.25,
        backoff_max_s=1.0,
        http_timeout_s=2.0,
    )


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("10.0.0.1", "443", "https://10.0.0.1:443"),
        ("fd00::1", "443", "https://[fd00::1]:443"),
        ("[fd00::1]", "6443", "https://[fd00::1]:6443"),
        (None, "443", "https://kubernetes.default.svc"),
    ],
)
def test_in_cluster_api_url(host: str | None, port: str, url: str) -> None:
    env = {"SERVICE_NAME": "jm", "POD_NAMESPACE": "ns", "KUBERNETES_SERVICE_PORT": port}
    if host is not None:
        env["KUBERNETES_SERVICE_HOST"] = host
    assert pp.load_config(env).kubernetes_api_url == url


def test_explicit_api_url_wins_and_loses_its_trailing_slash() -> None:
    env = {
        "SERVICE_NAME": "jm",
        "POD_NAMESPACE": "ns",
        "KUBERNETES_SERVICE_HOST": "10.0.0.1",
        "KUBERNETES_SERVICE_PORT": "443",
        "KUBERNETES_API_URL": "http://127.0.0.1:8001/",
    }
    assert pp.load_config(env).kubernetes_api_url == "http://127.0.0.1:8001"


def test_missing_namespace_file_names_pod_namespace(tmp_path: Path) -> None:
    with pytest.raises(pp.ConfigError) as error:
        pp.load_config({"SERVICE_NAME": "jm"}, namespace_file=str(tmp_path / "absent"))
    assert error.value.variable == "POD_NAMESPACE"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SERVICE_NAME", None),
        ("SERVICE_NAME", "Bad/Name"),
        ("POD_NAMESPACE", "UPPER"),
        ("POLL_INTERVAL_SECONDS", "abc"),
        ("POLL_INTERVAL_SECONDS", "0"),
        ("BACKOFF_INITIAL_SECONDS", "-1"),
        ("BACKOFF_MAX_SECONDS", "0.001"),  # below the initial backoff
        ("HTTP_TIMEOUT_SECONDS", "nan"),
        ("FLINK_REST_URL", "ftp://127.0.0.1:8081"),
        ("KUBERNETES_API_URL", "kubernetes.default.svc"),
    ],
)
def test_invalid_config_exits_2_naming_the_variable(
    env: dict[str, str],
    variable: str,
    value: str | None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if value is None:
        del env[variable]
    else:
        env[variable] = value

    assert pp.main([], env=env) == 2

    (line,) = capsys.readouterr().out.splitlines()
    assert fields(line)["action"] == "config_error"
    assert fields(line)["variable"] == variable
    assert (value or "<unset>") in line


# --------------------------------------------------------------------------- the real process


class Sidecar(SidecarProcess):
    """``python port_patcher.py`` as a real process; stdout is collected by a thread, stderr kept apart."""

    def __init__(self, env: dict[str, str]) -> None:
        super().__init__(env, stderr_apart=True)

    def wait_for(self, action: str) -> None:
        wait_until(f"the process to log action={action}", lambda: action in actions(self.lines), WAIT_S, CHECK_S)

    def stop(self, signum: signal.Signals = signal.SIGTERM) -> tuple[int, str]:
        """Send ``signum``; return the exit code and stderr (bounded wait)."""
        self.process.send_signal(signum)
        return self.wait()

    def wait(self) -> tuple[int, str]:
        assert self.process.stderr is not None
        returncode = self.process.wait(timeout=WAIT_S)
        self._reader.join(timeout=WAIT_S)
        return returncode, self.process.stderr.read()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def sidecar() -> Iterator[Callable[[dict[str, str]], Sidecar]]:
    started: list[Sidecar] = []

    def start(env: dict[str, str]) -> Sidecar:
        started.append(Sidecar(env))
        return started[-1]

    yield start
    for process in started:
        process.kill()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_process_patches_then_exits_0_on_signal(
    env: dict[str, str],
    kube: FakeServiceApi,
    sidecar: Callable[[dict[str, str]], Sidecar],
    signum: signal.Signals,
) -> None:
    process = sidecar(env)
    wait_until("the Service to be patched", lambda: kube.port_named("rpc")["port"] == NEW_PORT, WAIT_S, CHECK_S)
    process.wait_for("unchanged")

    returncode, err = process.stop(signum)

    assert (returncode, err) == (0, "")
    assert actions(process.lines) == ["start", "patched", "unchanged", "stopped"]
    assert fields(process.lines[-1])["signal"] == signum.name


def test_process_stops_promptly_during_a_long_backoff(
    env: dict[str, str],
    flink: FakeFlinkRest,
    sidecar: Callable[[dict[str, str]], Sidecar],
) -> None:
    flink.down = True
    process = sidecar({**env, "BACKOFF_INITIAL_SECONDS": "60", "BACKOFF_MAX_SECONDS": "60"})
    process.wait_for("retry")  # now waiting 60 s; the bounded wait below is far shorter

    returncode, _ = process.stop()

    assert returncode == 0
    assert actions(process.lines) == ["start", "retry", "stopped"]


def test_process_config_error_exits_2(env: dict[str, str], sidecar: Callable[[dict[str, str]], Sidecar]) -> None:
    process = sidecar({**env, "POLL_INTERVAL_SECONDS": "soon"})

    returncode, _ = process.wait()

    assert returncode == 2
    (line,) = process.lines
    assert "action=config_error variable=POLL_INTERVAL_SECONDS value=soon" in line


def test_process_never_logs_the_token(
    env: dict[str, str],
    kube: FakeServiceApi,
    sidecar: Callable[[dict[str, str]], Sidecar],
    tmp_path: Path,
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("very-secret-token")
    kube.token = "other-token"  # every call is rejected with 401 and logged
    process = sidecar({**env, "KUBERNETES_TOKEN_FILE": str(token_file)})
    wait_until("a few rejected calls", lambda: len(kube.requests) >= 3, WAIT_S, CHECK_S)
    kube.token = "very-secret-token"
    process.wait_for("patched")

    returncode, err = process.stop()

    output = "\n".join(process.lines)
    assert returncode == 0
    assert "http 401" in output
    assert "very-secret-token" not in output + err
