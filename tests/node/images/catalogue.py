"""Every image the node imports, under the names the stack renders, built from layers cached by
version and written into one archive (a layer several images share is stored once):

- the pause image (``pause.py``);
- the stack's default Flink image (its digest reference): the Debian base layer (Java 17) +
  the integration tests' Flink jars (``FLINK_VERSION``) at /opt/flink, our
  ``docker-entrypoint.sh``, user and group ``flink`` (9999);
  and a trust layer: the base's Java trust store plus the node's test CA (``kafka_ca``), so
  the pods' Kafka clients verify the test broker as they verify Event Hubs, with nothing
  added to the rendered client properties;
- the reference job's image: the Flink image + the job jar at /opt/flink/usrlib (what
  ``jobs/Dockerfile`` makes);
- the port-patcher sidecar's ``PYTHON_IMAGE`` (its digest reference): the base layer's Debian Python 3
  (3.11: bookworm's; the sidecar needs only the standard library);
- ZooKeeper under the stack's default ZooKeeper image name: the base layer's Debian
  ``zookeeper`` started by ``zookeeper/entrypoint.sh``;
- the in-cluster broker's ``KAFKA_IMAGE``: the base layer + the integration tests' Kafka
  broker jars (``pom.xml``'s ``kafka.version``) at /opt/kafka/libs, owned by root, and user
  and group ``appuser`` (1000): what the broker's pod relies on in the official image.
"""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from components.flink.sidecar import PYTHON_IMAGE
from components.kafka_broker.image import KAFKA_IMAGE, KAFKA_LIBS, KAFKA_UID
from infra.config.flink import DEFAULT_FLINK_VERSION, FLINK_IMAGES
from infra.config.zookeeper import DEFAULT_ZOOKEEPER_IMAGE
from tests.cache import filled_once
from tests.integration.flink_dist import ensure_flink_dist
from tests.integration.kafka_dist import ensure_kafka_dist
from tests.integration.reference_job import build_reference_job, source_hash
from tests.integration.requirements import require_tool
from tests.node import kafka_ca, layout
from tests.node.images import archive, pause, rootfs
from tests.node.images.layers import Layer, read_bytes_from_layer, read_from_layer

HERE = Path(__file__).resolve().parent
FLINK_IMAGE = FLINK_IMAGES[DEFAULT_FLINK_VERSION]
ZOOKEEPER_IMAGE = "{}/{}:{}".format(*DEFAULT_ZOOKEEPER_IMAGE)
JOB_IMAGE_REPOSITORY = "localhost/flink-aks/reference-job"
JOB_JAR = "/opt/flink/usrlib/reference-job.jar"
FLINK_UID = 9999
FLINK_OWNER = (FLINK_UID, FLINK_UID)
KAFKA_USER = "appuser"
JAVA_HOME = "/usr/lib/jvm/java-17-openjdk-amd64"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
Log = Callable[[str], None]

FLINK_CONFIG = archive.ImageConfig(
    entrypoint=["/docker-entrypoint.sh"],
    cmd=["help"],
    env=[f"PATH=/opt/flink/bin:{PATH}", f"JAVA_HOME={JAVA_HOME}", "FLINK_HOME=/opt/flink"],
    working_dir="/opt/flink",
    exposed_ports=("6123/tcp", "8081/tcp"),
)
PYTHON_CONFIG = archive.ImageConfig(cmd=["python3"], env=[f"PATH={PATH}", "LANG=C.UTF-8"])
ZOOKEEPER_CONFIG = archive.ImageConfig(
    entrypoint=["/zookeeper-entrypoint.sh"], env=[f"PATH={PATH}", f"JAVA_HOME={JAVA_HOME}"], exposed_ports=("2181/tcp",)
)
KAFKA_HOME = str(Path(KAFKA_LIBS).parent)
KAFKA_CONFIG = archive.ImageConfig(
    env=[f"PATH={JAVA_HOME}/bin:{PATH}", f"JAVA_HOME={JAVA_HOME}"], user=str(KAFKA_UID), working_dir=KAFKA_HOME
)
JAVA_TRUST_STORE = "etc/ssl/certs/java/cacerts"  # $JAVA_HOME/lib/security/cacerts links here
JAVA_TRUST_STORE_PASSWORD = "changeit"  # Debian's ca-certificates-java (a public default, not a secret)
PAUSE_CONFIG = archive.ImageConfig(entrypoint=["/pause"], user="65535:65535")


def job_image() -> str:
    return f"{JOB_IMAGE_REPOSITORY}:{source_hash()[:12]}"


def _digest(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:12]


def _layer(stem: str, key: str, build: Callable[[Layer], None]) -> Path:
    def fill(staged: Path, scratch: Path) -> None:
        staged.mkdir()
        layer = Layer(staged / "layer.tar")
        build(layer)
        layer.close()

    return filled_once(f"node-images/{stem}-{key}", lambda home: (home / "layer.tar").is_file(), fill) / "layer.tar"


def flink_layer(base: Path) -> Path:
    """/opt/flink (the pinned jars, our conf), /docker-entrypoint.sh, the flink user and group."""
    dist = ensure_flink_dist()
    files = sorted((HERE / "flink").iterdir())

    def build(layer: Layer) -> None:
        passwd = read_from_layer(base, "etc/passwd") + f"flink:x:{FLINK_UID}:{FLINK_UID}::/opt/flink:/bin/bash\n"
        layer.text("etc/passwd", passwd)
        layer.text("etc/group", read_from_layer(base, "etc/group") + f"flink:x:{FLINK_UID}:\n")
        for name in ("", "bin", "lib", "conf", "usrlib", "log", "plugins", "opt", "examples"):
            layer.directory(f"opt/flink/{name}", FLINK_OWNER)
        for jar in sorted(dist.lib_dir.glob("*.jar")):
            layer.file(f"opt/flink/lib/{jar.name}", jar, FLINK_OWNER)
        layer.file("opt/flink/bin/bash-java-utils.jar", dist.bash_java_utils_jar, FLINK_OWNER)
        for name in ("config.yaml", "log4j-console.properties"):
            layer.file(f"opt/flink/conf/{name}", HERE / "flink" / name, FLINK_OWNER)
        layer.file("docker-entrypoint.sh", HERE / "flink" / "docker-entrypoint.sh", mode=0o755)

    jars = sorted(p.name for p in dist.lib_dir.glob("*.jar"))
    return _layer(
        "flink-layer", _digest(base.parent.name.encode(), repr(jars).encode(), *(f.read_bytes() for f in files)), build
    )


def trusting(store: bytes, ca_pem: Path) -> bytes:
    """``store`` (a Java trust store) with ``ca_pem`` added as a trusted certificate, by keytool."""
    with tempfile.TemporaryDirectory(prefix="trust-") as tmp:
        path = Path(tmp) / "cacerts"
        path.write_bytes(store)
        command = [
            require_tool("keytool"),
            "-importcert",
            "-noprompt",
            "-alias",
            "flink-aks-node-test-ca",
            "-file",
            str(ca_pem),
            "-keystore",
            str(path),
            "-storepass",
            JAVA_TRUST_STORE_PASSWORD,
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
        if result.returncode != 0:
            detail = result.stdout + result.stderr
            raise RuntimeError(f"keytool -importcert into the trust layer failed (exit {result.returncode}):\n{detail}")
        return path.read_bytes()


def trust_layer(base: Path) -> Path:
    """The base layer's Java trust store with the node's test CA: rebuilt when the CA changes."""
    ca_pem = kafka_ca.certificate_pem()
    return _layer(
        "trust-layer",
        _digest(base.parent.name.encode(), ca_pem.read_bytes()),
        lambda layer: layer.data(JAVA_TRUST_STORE, trusting(read_bytes_from_layer(base, JAVA_TRUST_STORE), ca_pem)),
    )


def job_layer() -> Path:
    jar = build_reference_job()
    return _layer(
        "job-layer", _digest(jar.read_bytes()), lambda layer: layer.file(JOB_JAR.lstrip("/"), jar, FLINK_OWNER)
    )


def zookeeper_layer() -> Path:
    script = HERE / "zookeeper" / "entrypoint.sh"
    return _layer(
        "zookeeper-layer",
        _digest(script.read_bytes()),
        lambda layer: layer.file("zookeeper-entrypoint.sh", script, mode=0o755),
    )


def kafka_layer(base: Path) -> Path:
    """/opt/kafka/libs (the pinned broker jars, root's, world-readable), the appuser user and group."""
    jars = ensure_kafka_dist().classpath()
    home = f"/home/{KAFKA_USER}"
    user = f"{KAFKA_USER}:x:{KAFKA_UID}:{KAFKA_UID}::{home}:/bin/sh\n"
    group = f"{KAFKA_USER}:x:{KAFKA_UID}:\n"

    def build(layer: Layer) -> None:
        layer.text("etc/passwd", read_from_layer(base, "etc/passwd") + user)
        layer.text("etc/group", read_from_layer(base, "etc/group") + group)
        layer.directory(home, (KAFKA_UID, KAFKA_UID))
        layer.directory(KAFKA_HOME)
        layer.directory(KAFKA_LIBS)
        for jar in jars:
            layer.file(f"{KAFKA_LIBS}/{jar.name}", jar)

    names = repr([jar.name for jar in jars])
    return _layer(
        "kafka-layer", _digest(base.parent.name.encode(), names.encode(), user.encode(), group.encode()), build
    )


def images(log: Log = print) -> list[archive.Image]:
    """What the node imports, every layer built first where the cache lacks it."""
    base = rootfs.ensure()
    log("images: Debian base layer ready")
    flink = [base, flink_layer(base), trust_layer(base)]
    return [
        archive.Image(layout.PAUSE_IMAGE, [pause.ensure_layer()], PAUSE_CONFIG),
        archive.Image(FLINK_IMAGE, flink, FLINK_CONFIG),
        archive.Image(job_image(), [*flink, job_layer()], FLINK_CONFIG),
        archive.Image(PYTHON_IMAGE, [base], PYTHON_CONFIG),
        archive.Image(ZOOKEEPER_IMAGE, [base, zookeeper_layer()], ZOOKEEPER_CONFIG),
        archive.Image(KAFKA_IMAGE, [base, kafka_layer(base)], KAFKA_CONFIG),
    ]


def ensure_archive(log: Log = print) -> Path:
    """One archive of every image, written once per set of layers and configs."""
    wanted = images(log)
    key = _digest(*(repr((i.name, [p.parent.name for p in i.layers], i.config)).encode() for i in wanted))

    def fill(staged: Path, scratch: Path) -> None:
        staged.mkdir()
        archive.write(staged / "images.tar", wanted)

    home = filled_once(f"node-images/all-{key}", lambda home: (home / "images.tar").is_file(), fill)
    return home / "images.tar"
