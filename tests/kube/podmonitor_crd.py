"""A stand-in CRD for ``podmonitors.azmonitoring.coreos.com``, written by us for the tests.

On AKS the managed Prometheus add-on (``ama-metrics``) installs the real definition. The
test control plane has no add-on, so the stack's ``PodMonitor`` needs a definition to be
applied at all: this one declares the group, version, kind, plural and scope the add-on
uses and keeps any ``spec`` (``x-kubernetes-preserve-unknown-fields``). It proves the
object is a well-formed, namespaced custom resource the API server accepts; its fields
are checked by tests/test_monitoring_stack.py, and Azure's schema only by Azure.
"""

from __future__ import annotations

from typing import Any

from components.monitoring.pod_monitor import API_VERSION, KIND
from tests.controlplane.client import PLURALS, KubeClient, object_path
from tests.controlplane.sidecar_access import PULUMI_FIELD_MANAGER

GROUP, VERSION = API_VERSION.split("/")
PLURAL = PLURALS[KIND]
NAME = f"{PLURAL}.{GROUP}"

DEFINITION: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": NAME},
    "spec": {
        "group": GROUP,
        "names": {"kind": KIND, "listKind": f"{KIND}List", "plural": PLURAL, "singular": KIND.lower()},
        "scope": "Namespaced",
        "versions": [
            {
                "name": VERSION,
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {"spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                    }
                },
            }
        ],
    },
}


def established(client: KubeClient) -> bool:
    answer = client.request("GET", object_path(DEFINITION))
    conditions = answer.body.get("status", {}).get("conditions", []) if answer.ok else []
    return any(c["type"] == "Established" and c["status"] == "True" for c in conditions)


def install(client: KubeClient) -> None:
    """Apply the definition and wait until the API server serves the kind."""
    answer = client.apply(DEFINITION, PULUMI_FIELD_MANAGER)
    assert answer.ok, f"the PodMonitor CRD: {answer.status} {answer.message}"
    client.wait_for("the PodMonitor CRD to be established", lambda: established(client))
