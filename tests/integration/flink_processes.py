"""Start Flink's JobManager (application mode) and TaskManager as Flink's own scripts do.

No scripts ship in the PyPI sdist, so this module does what ``bin/standalone-job.sh``
and ``bin/taskmanager.sh`` (via ``config.sh`` and ``flink-console.sh``) do:

- classpath: every jar of ``lib/`` sorted, ``flink-dist`` last;
- JVM options, in the scripts' order: the memory flags, ``-XX:+IgnoreUnrecognizedVMOptions``,
  ``env.java.opts.all`` (Java 17's ``--add-opens``/``--add-exports`` list), the role's
  ``env.java.opts.jobmanager``/``taskmanager``;
- memory: ``BashJavaUtils GET_JM_RESOURCE_PARAMS`` / ``GET_TM_RESOURCE_PARAMS`` print
  two ``BASH_JAVA_UTILS_EXEC_RESULT:`` lines, the JVM flags (-Xmx, ...) and the derived
  memory settings as ``-D key=value`` arguments for the entry point;
- logging: ``-Dlog.file`` and a log4j2 file, written here (logging only, not Flink config).

``FLINK_HOME`` is a per-run directory: ``lib`` links to the cached jars, ``usrlib``
holds the job jar. In application mode the JobManager finds the job class in
``$FLINK_LIB_DIR/../usrlib`` (as in the official image, ``/opt/flink/usrlib``), and the
TaskManager loads it from the same path, which the job graph lists in its classpath.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.integration.flink_dist import FlinkDist
from tests.integration.processes import ManagedProcess, start_process
from tests.integration.requirements import require_tool

JOBMANAGER_MAIN = "org.apache.flink.container.entrypoint.StandaloneApplicationClusterEntryPoint"
TASKMANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner"
BASH_JAVA_UTILS_MAIN = "org.apache.flink.runtime.util.bash.BashJavaUtils"
EXEC_RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:"
JAVA_DEFAULT_OPTS_ALL = "env.java.default-opts.all"
JAVA_OPTS_ALL = "env.java.opts.all"

LOG4J_PROPERTIES = """\
# Logging of the local Flink processes (not Flink configuration): one file per process.
monitorInterval = 0
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender
appender.main.name = MainAppender
appender.main.type = File
appender.main.append = true
appender.main.fileName = ${sys:log.file}
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
logger.pekko.name = org.apache.pekko
logger.pekko.level = INFO
logger.zookeeper.name = org.apache.zookeeper
logger.zookeeper.level = INFO
logger.shaded_zookeeper.name = org.apache.flink.shaded.zookeeper3
logger.shaded_zookeeper.level = INFO
"""


@dataclasses.dataclass(frozen=True)
class FlinkLayout:
    """One run's FLINK_HOME (lib link, usrlib with the job jar), conf dir and log dir."""

    dist: FlinkDist
    home: Path
    config_dir: Path
    log_dir: Path
    java_opts_all: tuple[str, ...]
    java_opts_source: str  # where the options came from, for the log
    java_opts_jobmanager: tuple[str, ...] = ()
    java_opts_taskmanager: tuple[str, ...] = ()
    # What the pods' env gives the job beyond Flink's own variables (e.g. KAFKA_*).
    job_env: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @property
    def lib_dir(self) -> Path:
        return self.home / "lib"

    @property
    def log4j_file(self) -> Path:
        return self.config_dir / "log4j.properties"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FLINK_", "HADOOP_"))}
        env.update(
            {
                "FLINK_HOME": str(self.home),
                "FLINK_CONF_DIR": str(self.config_dir),
                "FLINK_LIB_DIR": str(self.lib_dir),
                "FLINK_PLUGINS_DIR": str(self.home / "plugins"),
                "FLINK_OPT_DIR": str(self.home / "opt"),
                "FLINK_LOG_DIR": str(self.log_dir),
            }
        )
        env.update(self.job_env)
        return env

    def classpath(self) -> str:
        return os.pathsep.join(str(self.lib_dir / p.name) for p in self.dist.classpath())


def prepare_layout(
    dist: FlinkDist, work_dir: Path, config_dir: Path, job_jar: Path, config: Mapping[str, object]
) -> FlinkLayout:
    home = work_dir / "flink-home"
    (home / "usrlib").mkdir(parents=True, exist_ok=True)
    (home / "plugins").mkdir(exist_ok=True)
    if not (home / "lib").exists():
        (home / "lib").symlink_to(dist.lib_dir, target_is_directory=True)
    shutil.copy2(job_jar, home / "usrlib" / "job.jar")
    log_dir = work_dir / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "log4j.properties").write_text(LOG4J_PROPERTIES)
    # As Flink's config.sh: the administrator's default options, then the user's. Both
    # come from the rendered config only: it must carry Java 17's module opens itself.
    opts = " ".join(str(config.get(key, "")) for key in (JAVA_DEFAULT_OPTS_ALL, JAVA_OPTS_ALL)).strip()
    source = "rendered config"
    return FlinkLayout(
        dist,
        home,
        config_dir,
        log_dir,
        tuple(shlex.split(opts)),
        source,
        java_opts_jobmanager=tuple(shlex.split(str(config.get("env.java.opts.jobmanager", "")))),
        java_opts_taskmanager=tuple(shlex.split(str(config.get("env.java.opts.taskmanager", "")))),
    )


def resource_params(layout: FlinkLayout, command: str) -> tuple[list[str], list[str]]:
    """(JVM flags, ``-D key=value`` arguments) from BashJavaUtils, as config.sh gets them."""
    classpath = os.pathsep.join([str(layout.dist.bash_java_utils_jar), str(layout.dist.dist_jar)])
    argv = [
        require_tool("java"),
        "-classpath",
        classpath,
        BASH_JAVA_UTILS_MAIN,
        command,
        "--configDir",
        str(layout.config_dir),
    ]
    result = subprocess.run(argv, capture_output=True, text=True, check=False, env=layout.environment(), timeout=60)
    lines = [
        line[len(EXEC_RESULT_PREFIX) :]
        for line in (result.stdout + result.stderr).splitlines()
        if line.startswith(EXEC_RESULT_PREFIX)
    ]
    if result.returncode != 0 or len(lines) != 2:
        output = result.stdout + result.stderr
        raise RuntimeError(f"BashJavaUtils {command} failed (exit {result.returncode}):\n{output}")
    return shlex.split(lines[0]), shlex.split(lines[1])


def _java_command(
    layout: FlinkLayout, jvm_params: list[str], log_file: Path, main_class: str, role_opts: tuple[str, ...]
) -> list[str]:
    log4j = f"file:{layout.log4j_file}"
    return [
        require_tool("java"),
        *jvm_params,
        "-XX:+IgnoreUnrecognizedVMOptions",
        *layout.java_opts_all,
        *role_opts,
        f"-Dlog.file={log_file}",
        f"-Dlog4j.configuration={log4j}",
        f"-Dlog4j.configurationFile={log4j}",
        "-classpath",
        layout.classpath(),
        main_class,
    ]


def start_jobmanager(
    layout: FlinkLayout, name: str, job_class: str, job_args: list[str], options: Sequence[str] = ()
) -> ManagedProcess:
    """``standalone-job.sh start-foreground OPTIONS --job-classname CLASS ARGS...``."""
    jvm_params, dynamic = resource_params(layout, "GET_JM_RESOURCE_PARAMS")
    log_file = layout.log_dir / f"{name}.log"
    argv = [
        *_java_command(layout, jvm_params, log_file, JOBMANAGER_MAIN, layout.java_opts_jobmanager),
        *dynamic,
        "--configDir",
        str(layout.config_dir),
        *options,
        "--job-classname",
        job_class,
        *job_args,
    ]
    return start_process(name, argv, layout.log_dir / f"{name}.out", env=layout.environment(), cwd=layout.home)


def start_taskmanager(layout: FlinkLayout, name: str) -> ManagedProcess:
    """``taskmanager.sh start-foreground``."""
    jvm_params, dynamic = resource_params(layout, "GET_TM_RESOURCE_PARAMS")
    log_file = layout.log_dir / f"{name}.log"
    argv = [
        *_java_command(layout, jvm_params, log_file, TASKMANAGER_MAIN, layout.java_opts_taskmanager),
        "--configDir",
        str(layout.config_dir),
        *dynamic,
    ]
    return start_process(name, argv, layout.log_dir / f"{name}.out", env=layout.environment(), cwd=layout.home)
