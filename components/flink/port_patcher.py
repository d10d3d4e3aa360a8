"""Port-patcher sidecar: keep the JobManager Service's ``rpc`` port on the port Flink bound.

In ZooKeeper HA mode the JobManager binds a random RPC port and advertises
``<service>:<port>`` through ZooKeeper, so the internal JobManager Service must expose
whatever port it got. This program runs next to the JobManager and loops:

1. ``GET {FLINK_REST_URL}/jobmanager/config`` and read ``jobmanager.rpc.port``;
2. ``GET`` the Service from the Kubernetes API and find the port named ``rpc``;
3. if there is none, ``PATCH`` the Service with a JSON patch that adds it, guarded by a
   ``test`` op on the whole ``spec.ports`` list as read; if its ``port`` or ``targetPort``
   differs, a JSON patch that replaces them, guarded by a ``test`` op on that port's name.
   A Service changed in between is rejected (422) instead of being patched wrongly.

Field ownership: the stack applies the Service without the ``rpc`` entry (server-side
apply keys Service ports by port number and protocol, so a declared ``rpc`` at 6123 and
the moved one would be two ports named ``rpc``). This program owns that entry: every
PATCH carries ``fieldManager=port-patcher``, so re-applying the stack leaves it alone.

Failures are retried with a short exponential backoff. One line is logged per action.
SIGTERM and SIGINT end the program with exit code 0. Invalid configuration exits 2.

Environment (empty counts as unset):

    SERVICE_NAME             required; the internal JobManager Service
    POD_NAMESPACE            default: the service account's namespace file
    FLINK_REST_URL           default http://127.0.0.1:8081
    KUBERNETES_API_URL       default https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT,
                             else https://kubernetes.default.svc
    KUBERNETES_TOKEN_FILE    default: the service account token (read on every request;
                             optional for an http:// API URL)
    KUBERNETES_CA_FILE       default: the service account ca.crt (https only)
    RPC_PORT_NAME            default rpc
    POLL_INTERVAL_SECONDS    default 0.5
    BACKOFF_INITIAL_SECONDS  default 0.25
    BACKOFF_MAX_SECONDS      default 1.0 (>= the initial backoff)
    HTTP_TIMEOUT_SECONDS     default 2

Python standard library only: the file is shipped in a ConfigMap and run by the official
``python`` image with ``python /app/port_patcher.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import http.client
import json
import math
import os
import re
import signal
import ssl
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from types import FrameType
from typing import Final

SERVICE_ACCOUNT_DIR: Final = "/var/run/secrets/kubernetes.io/serviceaccount"
DEFAULT_NAMESPACE_FILE: Final = f"{SERVICE_ACCOUNT_DIR}/namespace"
DEFAULT_TOKEN_FILE: Final = f"{SERVICE_ACCOUNT_DIR}/token"
DEFAULT_CA_FILE: Final = f"{SERVICE_ACCOUNT_DIR}/ca.crt"
DEFAULT_FLINK_REST_URL: Final = "http://127.0.0.1:8081"
FALLBACK_KUBERNETES_API_URL: Final = "https://kubernetes.default.svc"

RPC_PORT_KEY: Final = "jobmanager.rpc.port"
JSON_PATCH_CONTENT_TYPE: Final = "application/json-patch+json"
FIELD_MANAGER: Final = "port-patcher"
MAX_ERROR_DETAIL_CHARS: Final = 200
STOP_GRACE_SECONDS: Final = 1.0

EXIT_OK: Final = 0
EXIT_CRASHED: Final = 1
EXIT_CONFIG_ERROR: Final = 2

# A Service name is a DNS-1035 label, a namespace a DNS-1123 label: both go into a URL path.
DNS_1035_LABEL: Final = re.compile(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?")
DNS_1123_LABEL: Final = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")

Emit = Callable[[str], None]
JsonPatch = list[dict[str, object]]


# --------------------------------------------------------------------------- logging


def format_value(value: object) -> str:
    """Render one log value: bare when it is a simple token, JSON-quoted otherwise."""
    text = str(value)
    if text and not any(c.isspace() or c in '"=\\' for c in text):
        return text
    return json.dumps(text)


def format_line(action: str, now: datetime.datetime | None = None, **fields: object) -> str:
    """One log line: ``<UTC timestamp> action=<action> key=value ...``."""
    moment = now or datetime.datetime.now(datetime.UTC)
    stamp = moment.astimezone(datetime.UTC).isoformat(timespec="milliseconds")
    parts = [stamp.replace("+00:00", "Z"), f"action={format_value(action)}"]
    parts += [f"{key}={format_value(value)}" for key, value in fields.items()]
    return " ".join(parts)


def print_line(line: str) -> None:
    """Default sink: stdout, flushed, so `kubectl logs` shows it at once."""
    print(line, flush=True)


# --------------------------------------------------------------------------- configuration


class ConfigError(Exception):
    """An environment variable has a value the program cannot run with."""

    def __init__(self, variable: str, value: str | None, problem: str) -> None:
        super().__init__(f"{variable}={value!r}: {problem}")
        self.variable = variable
        self.value = value
        self.problem = problem


@dataclasses.dataclass(frozen=True)
class Config:
    """Everything the loop needs, validated."""

    service_name: str
    namespace: str
    flink_rest_url: str
    kubernetes_api_url: str
    token_file: str
    ca_file: str
    rpc_port_name: str
    poll_interval_s: float
    backoff_initial_s: float
    backoff_max_s: float
    http_timeout_s: float

    @property
    def service_ref(self) -> str:
        return f"{self.namespace}/{self.service_name}"

    @property
    def service_url(self) -> str:
        namespace = urllib.parse.quote(self.namespace, safe="")
        name = urllib.parse.quote(self.service_name, safe="")
        return f"{self.kubernetes_api_url}/api/v1/namespaces/{namespace}/services/{name}"

    @property
    def patch_url(self) -> str:
        """The Service URL with this program's field manager, so the API server records who owns the entry."""
        return f"{self.service_url}?fieldManager={FIELD_MANAGER}"

    @property
    def flink_config_url(self) -> str:
        return f"{self.flink_rest_url}/jobmanager/config"


def env_value(env: Mapping[str, str], name: str) -> str | None:
    """The stripped value of a variable; unset and empty are the same."""
    value = env.get(name, "").strip()
    return value or None


def positive_seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env_value(env, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(name, raw, "not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(name, raw, "must be a finite number of seconds > 0")
    return value


def dns_label(env: Mapping[str, str], name: str, pattern: re.Pattern[str]) -> str:
    raw = env_value(env, name)
    if raw is None:
        raise ConfigError(name, raw, "is required")
    if not pattern.fullmatch(raw):
        raise ConfigError(name, raw, "is not a valid Kubernetes name (lowercase DNS label)")
    return raw


def http_url(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env_value(env, name) or default
    parts = urllib.parse.urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(name, raw, "must be an http:// or https:// URL with a host")
    return raw.rstrip("/")


def in_cluster_api_url(env: Mapping[str, str]) -> str:
    """``https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT``, IPv6 bracketed."""
    host = env_value(env, "KUBERNETES_SERVICE_HOST")
    port = env_value(env, "KUBERNETES_SERVICE_PORT")
    if host is None or port is None:
        return FALLBACK_KUBERNETES_API_URL
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"https://{host}:{port}"


def namespace_from(env: Mapping[str, str], namespace_file: str) -> str:
    if env_value(env, "POD_NAMESPACE") is not None:
        return dns_label(env, "POD_NAMESPACE", DNS_1123_LABEL)
    try:
        from_file = Path(namespace_file).read_text(encoding="utf-8").strip()
    except OSError as exc:
        problem = f"not set and {namespace_file} is unreadable ({exc.strerror})"
        raise ConfigError("POD_NAMESPACE", None, problem) from None
    return dns_label({"POD_NAMESPACE": from_file}, "POD_NAMESPACE", DNS_1123_LABEL)


def load_config(env: Mapping[str, str], namespace_file: str = DEFAULT_NAMESPACE_FILE) -> Config:
    """Read and validate the environment; raises ConfigError naming the first bad variable."""
    service_name = dns_label(env, "SERVICE_NAME", DNS_1035_LABEL)
    backoff_initial = positive_seconds(env, "BACKOFF_INITIAL_SECONDS", 0.25)
    backoff_max = positive_seconds(env, "BACKOFF_MAX_SECONDS", 1.0)
    if backoff_max < backoff_initial:
        raw = env_value(env, "BACKOFF_MAX_SECONDS") or str(backoff_max)
        raise ConfigError("BACKOFF_MAX_SECONDS", raw, "must be >= BACKOFF_INITIAL_SECONDS")
    return Config(
        service_name=service_name,
        namespace=namespace_from(env, namespace_file),
        flink_rest_url=http_url(env, "FLINK_REST_URL", DEFAULT_FLINK_REST_URL),
        kubernetes_api_url=http_url(env, "KUBERNETES_API_URL", in_cluster_api_url(env)),
        token_file=env_value(env, "KUBERNETES_TOKEN_FILE") or DEFAULT_TOKEN_FILE,
        ca_file=env_value(env, "KUBERNETES_CA_FILE") or DEFAULT_CA_FILE,
        rpc_port_name=env_value(env, "RPC_PORT_NAME") or "rpc",
        poll_interval_s=positive_seconds(env, "POLL_INTERVAL_SECONDS", 0.5),
        backoff_initial_s=backoff_initial,
        backoff_max_s=backoff_max,
        http_timeout_s=positive_seconds(env, "HTTP_TIMEOUT_SECONDS", 2.0),
    )


# --------------------------------------------------------------------------- HTTP


class SyncError(Exception):
    """One iteration failed; ``step`` says where, ``reason`` says why (never a secret)."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"{step}: {reason}")
        self.step = step
        self.reason = reason


def error_detail(error: urllib.error.HTTPError) -> str:
    """The ``message`` of a Kubernetes Status body, or the start of any other body."""
    try:
        body = error.read().decode("utf-8", errors="replace")
    except (OSError, http.client.HTTPException):
        return ""
    finally:
        error.close()
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    message = document.get("message") if isinstance(document, dict) else None
    text = " ".join(str(message if message is not None else body).split())
    return text[:MAX_ERROR_DETAIL_CHARS]


def send(
    request: urllib.request.Request,
    step: str,
    timeout: float,
    tls: ssl.SSLContext | None,
) -> bytes:
    """Send one request, return the body of a 2xx answer, raise SyncError otherwise.

    Proxies from the environment are ignored: both APIs are in-cluster or local.
    """
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=tls))
    try:
        with opener.open(request, timeout=timeout) as response:
            body: bytes = response.read()
            return body
    except urllib.error.HTTPError as exc:
        detail = error_detail(exc)
        raise SyncError(step, f"http {exc.code}" + (f": {detail}" if detail else "")) from None
    except urllib.error.URLError as exc:
        raise SyncError(step, f"unreachable: {exc.reason}") from None
    except TimeoutError:
        raise SyncError(step, f"timed out after {timeout:g}s") from None
    except (OSError, http.client.HTTPException) as exc:
        raise SyncError(step, f"{type(exc).__name__}: {exc}") from None


def parse_json(body: bytes, step: str) -> object:
    try:
        document: object = json.loads(body)
    except ValueError:
        raise SyncError(step, "answer is not valid JSON") from None
    return document


def bearer_header(config: Config) -> dict[str, str]:
    """Read the token on every call: projected service-account tokens rotate."""
    try:
        token = Path(config.token_file).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        if config.kubernetes_api_url.startswith("http://"):
            return {}
        raise SyncError("token", f"token file {config.token_file} not found") from None
    except OSError as exc:
        raise SyncError("token", f"cannot read {config.token_file}: {exc.strerror}") from None
    if not token:
        raise SyncError("token", f"token file {config.token_file} is empty")
    return {"Authorization": f"Bearer {token}"}


def tls_context(config: Config) -> ssl.SSLContext | None:
    """A context trusting only the cluster CA for https, none for plain http."""
    if not config.kubernetes_api_url.startswith("https://"):
        return None
    try:
        return ssl.create_default_context(cafile=config.ca_file)
    except OSError as exc:
        raise SyncError("ca", f"cannot load CA file {config.ca_file}: {exc}") from None


def kubernetes_request(config: Config, method: str, body: bytes | None = None) -> object:
    headers = {"Accept": "application/json", **bearer_header(config)}
    if body is not None:
        headers["Content-Type"] = JSON_PATCH_CONTENT_TYPE
    step = f"kubernetes_{method.lower()}"
    url = config.patch_url if method == "PATCH" else config.service_url
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    return parse_json(send(request, step, config.http_timeout_s, tls_context(config)), step)


# --------------------------------------------------------------------------- pure logic


def parse_port(value: object) -> int | None:
    """A TCP port from an int or a decimal string, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdecimal():
        value = int(value.strip())
    if isinstance(value, int) and 1 <= value <= 65535:
        return value
    return None


def rpc_port_from_flink_config(entries: object) -> int:
    """``jobmanager.rpc.port`` from Flink's ``[{"key": ..., "value": ...}, ...]``."""
    if not isinstance(entries, list):
        raise SyncError("flink_rest", "answer is not a JSON list")
    for entry in entries:
        if isinstance(entry, dict) and entry.get("key") == RPC_PORT_KEY:
            port = parse_port(entry.get("value"))
            if port is None:
                raise SyncError(
                    "flink_rest",
                    f"{RPC_PORT_KEY} is not a port: {entry.get('value')!r}",
                )
            return port
    raise SyncError("flink_rest", f"{RPC_PORT_KEY} missing from /jobmanager/config")


@dataclasses.dataclass(frozen=True)
class NamedPort:
    """The Service port to keep in sync, with its index in ``spec.ports``."""

    index: int
    port: object
    target_port: object
    has_target_port: bool


def service_ports(service: object) -> list[object]:
    spec = service.get("spec") if isinstance(service, dict) else None
    ports = spec.get("ports") if isinstance(spec, dict) else None
    if not isinstance(ports, list):
        raise SyncError("kubernetes_get", "Service has no spec.ports list")
    return ports


def find_named_port(ports: list[object], name: str) -> NamedPort | None:
    for index, entry in enumerate(ports):
        if isinstance(entry, dict) and entry.get("name") == name:
            return NamedPort(index, entry.get("port"), entry.get("targetPort"), "targetPort" in entry)
    return None


def in_sync(named: NamedPort, port: int) -> bool:
    return parse_port(named.port) == port and parse_port(named.target_port) == port


def build_add_patch(ports: list[object], name: str, port: int) -> JsonPatch:
    """Test that ``spec.ports`` is still the list read, then append the named port."""
    entry = {"name": name, "port": port, "targetPort": port, "protocol": "TCP"}
    return [
        {"op": "test", "path": "/spec/ports", "value": ports},
        {"op": "add", "path": "/spec/ports/-", "value": entry},
    ]


def build_patch(named: NamedPort, name: str, port: int) -> JsonPatch:
    """Test the port's name at its index, then set port and targetPort."""
    base = f"/spec/ports/{named.index}"
    target_op = "replace" if named.has_target_port else "add"
    return [
        {"op": "test", "path": f"{base}/name", "value": name},
        {"op": "replace", "path": f"{base}/port", "value": port},
        {"op": target_op, "path": f"{base}/targetPort", "value": port},
    ]


class Backoff:
    """Exponential delays: initial, doubling, capped at maximum; reset after a success."""

    def __init__(self, initial_s: float, maximum_s: float) -> None:
        self._initial = initial_s
        self._maximum = maximum_s
        self._next = initial_s

    def next_delay(self) -> float:
        delay = self._next
        self._next = min(self._next * 2, self._maximum)
        return delay

    def reset(self) -> None:
        self._next = self._initial


# --------------------------------------------------------------------------- one iteration


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What one successful iteration found or did."""

    patched: bool
    port: int
    index: int
    old_port: object
    old_target_port: object
    added: bool = False


def read_rpc_port(config: Config) -> int:
    request = urllib.request.Request(config.flink_config_url, headers={"Accept": "application/json"})
    body = send(request, "flink_rest", config.http_timeout_s, None)
    return rpc_port_from_flink_config(parse_json(body, "flink_rest"))


def run_once(config: Config) -> Outcome:
    """Read both sides, patch the Service if needed. Raises SyncError on any failure."""
    port = read_rpc_port(config)
    ports = service_ports(kubernetes_request(config, "GET"))
    named = find_named_port(ports, config.rpc_port_name)
    if named is None:
        patch = build_add_patch(ports, config.rpc_port_name, port)
        kubernetes_request(config, "PATCH", json.dumps(patch).encode("utf-8"))
        return Outcome(True, port, len(ports), None, None, added=True)
    outcome = Outcome(False, port, named.index, named.port, named.target_port)
    if in_sync(named, port):
        return outcome
    patch = build_patch(named, config.rpc_port_name, port)
    kubernetes_request(config, "PATCH", json.dumps(patch).encode("utf-8"))
    return dataclasses.replace(outcome, patched=True)


# --------------------------------------------------------------------------- the loop


class Reporter:
    """Turns outcomes into log lines: every patch and retry, "in sync" once per change."""

    def __init__(self, config: Config, emit: Emit) -> None:
        self._config = config
        self._emit = emit
        self._announced_port: int | None = None

    def success(self, outcome: Outcome) -> None:
        service = self._config.service_ref
        if outcome.patched:
            self._announced_port = None
            self._emit(
                format_line(
                    "patched",
                    service=service,
                    port_name=self._config.rpc_port_name,
                    op="add" if outcome.added else "replace",
                    index=outcome.index,
                    old_port="none" if outcome.added else outcome.old_port,
                    old_target_port="none" if outcome.added else outcome.old_target_port,
                    new_port=outcome.port,
                )
            )
        elif self._announced_port != outcome.port:
            self._announced_port = outcome.port
            self._emit(format_line("unchanged", service=service, port=outcome.port, state="in_sync"))

    def failure(self, error: SyncError, backoff_s: float, failures: int) -> None:
        self._announced_port = None
        self._emit(
            format_line(
                "retry",
                service=self._config.service_ref,
                step=error.step,
                reason=error.reason,
                failures=failures,
                backoff_s=f"{backoff_s:g}",
            )
        )


def start_line(config: Config) -> str:
    return format_line(
        "start",
        service=config.service_ref,
        port_name=config.rpc_port_name,
        flink_rest_url=config.flink_rest_url,
        kubernetes_api_url=config.kubernetes_api_url,
        poll_interval_s=f"{config.poll_interval_s:g}",
        backoff_max_s=f"{config.backoff_max_s:g}",
    )


def run_loop(config: Config, stop: threading.Event, emit: Emit = print_line) -> None:
    """Sync until ``stop`` is set; every wait returns as soon as it is."""
    reporter = Reporter(config, emit)
    backoff = Backoff(config.backoff_initial_s, config.backoff_max_s)
    failures = 0
    while not stop.is_set():
        try:
            outcome = run_once(config)
        except SyncError as error:
            failures += 1
            delay = backoff.next_delay()
            reporter.failure(error, delay, failures)
            stop.wait(delay)
            continue
        failures = 0
        backoff.reset()
        reporter.success(outcome)
        stop.wait(config.poll_interval_s)


# --------------------------------------------------------------------------- process


def install_stop_handlers(stop: threading.Event, received: list[str]) -> None:
    """SIGTERM/SIGINT only record the signal and set ``stop``: nothing that can block."""

    def handle(signum: int, _frame: FrameType | None) -> None:
        received.append(signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def run_guarded(config: Config, stop: threading.Event, crashed: list[str], emit: Emit) -> None:
    """The worker thread: a bug ends the program (exit 1, container restart) but is logged."""
    try:
        run_loop(config, stop, emit)
    except Exception as exc:  # noqa: BLE001 - report any bug as one line, then exit 1
        crashed.append(f"{type(exc).__name__}: {exc}")
        emit(format_line("crashed", service=config.service_ref, error=crashed[-1]))
        stop.set()


def serve(config: Config, emit: Emit = print_line) -> int:
    """Run the loop in a worker thread; the main thread only waits for a signal or a crash.

    Setting the event from a signal handler is safe here because the main thread never
    holds the event's lock (it is not the thread waiting on it).
    """
    stop = threading.Event()
    received: list[str] = []
    crashed: list[str] = []
    install_stop_handlers(stop, received)
    emit(start_line(config))
    worker = threading.Thread(
        target=run_guarded,
        args=(config, stop, crashed, emit),
        name="port-patcher",
        daemon=True,
    )
    worker.start()
    while worker.is_alive() and not stop.is_set():
        worker.join(timeout=0.2)
    worker.join(timeout=STOP_GRACE_SECONDS)  # a request in flight may hold it briefly
    if crashed:
        return EXIT_CRASHED
    emit(
        format_line(
            "stopped",
            service=config.service_ref,
            signal=received[0] if received else "none",
        )
    )
    return EXIT_OK


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="port_patcher.py",
        description="Keep a Service's rpc port on the JobManager's bound RPC port. "
        "Configured by environment variables (see the module docstring).",
    )
    parser.add_argument(
        "--once",
        action="store_true",
        help="run one iteration and exit (0 ok, 1 failed)",
    )
    return parser.parse_args(argv)


def run_single(config: Config, emit: Emit) -> int:
    try:
        outcome = run_once(config)
    except SyncError as error:
        emit(
            format_line(
                "failed",
                service=config.service_ref,
                step=error.step,
                reason=error.reason,
            )
        )
        return EXIT_CRASHED
    Reporter(config, emit).success(outcome)
    return EXIT_OK


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = load_config(os.environ if env is None else env)
    except ConfigError as exc:
        print_line(
            format_line(
                "config_error",
                variable=exc.variable,
                value="<unset>" if exc.value is None else exc.value,
                problem=exc.problem,
            )
        )
        return EXIT_CONFIG_ERROR
    if args.once:
        return run_single(config, print_line)
    return serve(config)


if __name__ == "__main__":
    sys.exit(main())
