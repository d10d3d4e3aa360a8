"""The program's configuration: environment variables, validated (see the package docstring)."""

from __future__ import annotations

import dataclasses
import math
import re
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Final

SERVICE_ACCOUNT_DIR: Final = "/var/run/secrets/kubernetes.io/serviceaccount"
DEFAULT_NAMESPACE_FILE: Final = f"{SERVICE_ACCOUNT_DIR}/namespace"
DEFAULT_TOKEN_FILE: Final = f"{SERVICE_ACCOUNT_DIR}/token"
DEFAULT_CA_FILE: Final = f"{SERVICE_ACCOUNT_DIR}/ca.crt"
DEFAULT_FLINK_REST_URL: Final = "http://127.0.0.1:8081"
FALLBACK_KUBERNETES_API_URL: Final = "https://kubernetes.default.svc"

FIELD_MANAGER: Final = "port-patcher"  # who owns the Service's rpc entry

# A Service name is a DNS-1035 label, a namespace a DNS-1123 label: both go into a URL path.
DNS_1035_LABEL: Final = re.compile(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?")
DNS_1123_LABEL: Final = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")


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
