"""The broker's image: Apache Kafka's official image, and what the pod relies on in it.

By digest, as the Flink image: the multi-platform index of the ``4.1.1`` tag as public
projects pin it (this digest could not be checked against Docker Hub from the machines the
tests run on; they build an image under this exact reference instead, docs/real-node.md).
The pod uses only ``/opt/kafka/libs`` (the broker's jars), ``java`` on ``PATH`` and
``/bin/sh``; it runs as the image's ``appuser`` (uid and gid 1000) with a read-only root.
The image's own start scripts and environment-variable configuration are not used: the
broker's configuration is a file the stack renders (``properties.py``), started by
``start.sh``.
"""

from __future__ import annotations

KAFKA_VERSION = "4.1.1"
KAFKA_DIGEST = "sha256:0bc1bb2478f45b6cea78864df86acdc11e8df2c5172477819a4d12942cbe5d40"
KAFKA_IMAGE = f"apache/kafka:{KAFKA_VERSION}@{KAFKA_DIGEST}"
KAFKA_UID = 1000  # the image's appuser
KAFKA_LIBS = "/opt/kafka/libs"
