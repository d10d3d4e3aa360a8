"""The names containerd keeps images under: what the kubelet's references resolve to."""

from __future__ import annotations

import pytest

from tests.node.containerd import stored_name

DIGEST = "sha256:" + "a0" * 32


@pytest.mark.parametrize(
    ("reference", "stored"),
    [
        (f"flink:1.20.5-scala_2.12-java17@{DIGEST}", f"docker.io/library/flink@{DIGEST}"),
        ("python:3.12-slim-bookworm", "docker.io/library/python:3.12-slim-bookworm"),
        ("bitnamilegacy/zookeeper:3.9.3", "docker.io/bitnamilegacy/zookeeper:3.9.3"),
        ("registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.10"),
        ("localhost/flink-aks/reference-job:0123", "localhost/flink-aks/reference-job:0123"),
        ("localhost:5000/job", "localhost:5000/job:latest"),
        ("docker.io/flink", "docker.io/library/flink:latest"),
    ],
)
def test_the_stored_name_is_the_normalized_reference(reference: str, stored: str) -> None:
    assert stored_name(reference) == stored
