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

Python standard library only: the package's files are shipped in a ConfigMap, mounted
as ``/app/port_patcher`` and run by the official ``python`` image with
``python -m port_patcher`` (``PYTHONPATH=/app``); see ``components/flink/sidecar.py``.

    config.py      the environment, validated       log.py        one line per action
    transport.py   HTTP: a 2xx body or SyncError    kube.py       GET/PATCH the Service
    flink_rest.py  the RPC port Flink bound         patch.py      one iteration
    loop.py        retry, backoff, logging          process.py    signals, exit codes
"""

from .config import FIELD_MANAGER, Config, ConfigError, load_config
from .flink_rest import rpc_port_from_flink_config
from .kube import bearer_header, kubernetes_request
from .log import format_line
from .loop import Backoff, run_loop
from .patch import build_add_patch, build_patch, find_named_port, run_once, service_ports
from .process import main
from .transport import SyncError, parse_json

__all__ = [
    "FIELD_MANAGER",
    "Backoff",
    "Config",
    "ConfigError",
    "SyncError",
    "bearer_header",
    "build_add_patch",
    "build_patch",
    "find_named_port",
    "format_line",
    "kubernetes_request",
    "load_config",
    "main",
    "parse_json",
    "rpc_port_from_flink_config",
    "run_loop",
    "run_once",
    "service_ports",
]
