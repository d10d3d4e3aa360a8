"""Every image the node imports, under the names the stack renders, each built once and cached.

- the pause image (``pause.py``);
- ``flink:1.20.3-scala_2.12-java17``: the Debian base layer (Java 17) + Flink's jars at
  /opt/flink, our ``docker-entrypoint.sh``, user and group ``flink`` (9999);
- the reference job's image: the Flink image + the job jar at /opt/flink/usrlib (what
  ``jobs/Dockerfile`` makes);
- ``python:3.12-slim-bookworm`` (the port-patcher sidecar): the base layer's Debian Python 3
  (3.11: bookworm's; the sidecar needs only the standard library);
- ZooKeeper under the chart's default image name: the base layer's Debian ``zookeeper``
  started by ``zookeeper/entrypoint.sh``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from components.flink.pods import PYTHON_IMAGE
from infra.config.settings import DEFAULT_FLINK_VERSION, DEFAULT_ZOOKEEPER_IMAGE, FLINK_IMAGES
from tests.cache import filled_once
from tests.integration.flink_dist import ensure_flink_dist
from tests.integration.reference_job import build_reference_job, source_hash
from tests.node.images import archive, pause, rootfs
from tests.node.images.layers import Layer, read_from_layer

HERE = Path(__file__).resolve().parent
FLINK_IMAGE = FLINK_IMAGES[DEFAULT_FLINK_VERSION]
ZOOKEEPER_IMAGE = "{}/{}:{}".format(*DEFAULT_ZOOKEEPER_IMAGE)
JOB_IMAGE_REPOSITORY = "localhost/flink-aks/reference-job"
JOB_JAR = "/opt/flink/usrlib/reference-job.jar"
FLINK_UID = 9999
JAVA_HOME = "/usr/lib/jvm/java-17-openjdk-amd64"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
Log = Callable[[str], None]


def job_image() -> str:
    return f"{JOB_IMAGE_REPOSITORY}:{source_hash()[:12]}"


def _digest(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:12]


def _cached(stem: str, key: str, build: Callable[[Path, Path], None]) -> Path:
    def fill(staged: Path, scratch: Path) -> None:
        staged.mkdir()
        build(staged / "image.tar", scratch)

    return filled_once(f"node-images/{stem}-{key}", lambda home: (home / "image.tar").is_file(), fill) / "image.tar"


def _flink_layer(out: Path, base: Path) -> Path:
    dist = ensure_flink_dist()
    owner = (FLINK_UID, FLINK_UID)
    layer = Layer(out)
    passwd = read_from_layer(base, "etc/passwd") + f"flink:x:{FLINK_UID}:{FLINK_UID}::/opt/flink:/bin/bash\n"
    group = read_from_layer(base, "etc/group") + f"flink:x:{FLINK_UID}:\n"
    layer.text("etc/passwd", passwd)
    layer.text("etc/group", group)
    for directory in ("opt/flink", "opt/flink/bin", "opt/flink/lib", "opt/flink/conf", "opt/flink/usrlib"):
        layer.directory(directory, owner)
    for directory in ("opt/flink/log", "opt/flink/plugins", "opt/flink/opt", "opt/flink/examples"):
        layer.directory(directory, owner)
    for jar in sorted(dist.lib_dir.glob("*.jar")):
        layer.file(f"opt/flink/lib/{jar.name}", jar, owner)
    layer.file("opt/flink/bin/bash-java-utils.jar", dist.bash_java_utils_jar, owner)
    for name in ("config.yaml", "log4j-console.properties"):
        layer.file(f"opt/flink/conf/{name}", HERE / "flink" / name, owner)
    layer.file("docker-entrypoint.sh", HERE / "flink" / "docker-entrypoint.sh", mode=0o755)
    return layer.close()


FLINK_CONFIG = archive.ImageConfig(
    entrypoint=["/docker-entrypoint.sh"],
    cmd=["help"],
    env=[f"PATH=/opt/flink/bin:{PATH}", f"JAVA_HOME={JAVA_HOME}", "FLINK_HOME=/opt/flink"],
    working_dir="/opt/flink",
    exposed_ports=("6123/tcp", "8081/tcp"),
)


def _flink_key(base: Path) -> str:
    files = [(HERE / "flink" / name).read_bytes() for name in sorted(p.name for p in (HERE / "flink").iterdir())]
    return _digest(base.parent.name.encode(), FLINK_IMAGE.encode(), *files, Path(__file__).read_bytes())


def flink(base: Path) -> Path:
    def build(out: Path, scratch: Path) -> None:
        layer = _flink_layer(scratch / "flink.tar", base)
        archive.write(out, FLINK_IMAGE, [base, layer], FLINK_CONFIG)

    return _cached("flink", _flink_key(base), build)


def job(base: Path) -> Path:
    jar = build_reference_job()

    def build(out: Path, scratch: Path) -> None:
        flink_layer = _flink_layer(scratch / "flink.tar", base)
        job_layer = Layer(scratch / "job.tar")
        job_layer.file(JOB_JAR.lstrip("/"), jar, (FLINK_UID, FLINK_UID))
        archive.write(out, job_image(), [base, flink_layer, job_layer.close()], FLINK_CONFIG)

    return _cached("reference-job", _digest(_flink_key(base).encode(), jar.read_bytes()), build)


def plain(base: Path, name: str, stem: str, config: archive.ImageConfig, extra: dict[str, Path]) -> Path:
    """An image of the base layer and, if any, one layer of executable files."""

    def build(out: Path, scratch: Path) -> None:
        layers = [base]
        if extra:
            layer = Layer(scratch / "extra.tar")
            for target, source in extra.items():
                layer.file(target, source, mode=0o755)
            layers.append(layer.close())
        archive.write(out, name, layers, config)

    key = _digest(
        base.parent.name.encode(), name.encode(), repr(config).encode(), *(p.read_bytes() for p in extra.values())
    )
    return _cached(stem, key, build)


def ensure_all(log: Log = print) -> list[Path]:
    """Every image archive, built first where the cache lacks it."""
    base = rootfs.ensure()
    log("images: base layer ready")
    python = archive.ImageConfig(cmd=["python3"], env=[f"PATH={PATH}", "LANG=C.UTF-8"])
    zookeeper = archive.ImageConfig(
        entrypoint=["/zookeeper-entrypoint.sh"],
        env=[f"PATH={PATH}", f"JAVA_HOME={JAVA_HOME}"],
        exposed_ports=("2181/tcp",),
    )
    return [
        pause.ensure(),
        flink(base),
        job(base),
        plain(base, PYTHON_IMAGE, "python", python, {}),
        plain(
            base,
            ZOOKEEPER_IMAGE,
            "zookeeper",
            zookeeper,
            {"zookeeper-entrypoint.sh": HERE / "zookeeper" / "entrypoint.sh"},
        ),
    ]
