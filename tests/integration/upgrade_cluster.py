"""A local Flink application cluster that can be upgraded as ``pulumi up`` upgrades the stack.

A ``Deployment`` is one version of the stack's Flink settings (slots, job arguments,
upgrade mode), rendered by our config renderer with only addresses, ports and paths
moved (``local_config.local_overrides``, pinned RPC port: the Service is not the
subject here). The JobManager "pod" runs as in the cluster: the start step
(``upgrade_scripts.start_program``, with the environment ``pods.py`` gives it), then
Flink; stopping it runs the pre-stop step (``SAVEPOINT_BEFORE_STOP``) first, then
SIGTERM, as the kubelet does. ZooKeeper is shared and given by the caller; the shared
volume (HA data, checkpoints, savepoints, upgrade records) is one directory.
"""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Sequence
from pathlib import Path

from components.flink.fingerprint import job_fingerprint
from components.flink.flink_config import CONFIG_FILE_NAME, render_flink_config, to_config_yaml
from components.flink.units import Duration
from components.flink.upgrade_scripts import (
    SAVEPOINT_BEFORE_STOP,
    ZOOKEEPER_CLI_MAIN,
    start_program,
    upgrade_environment,
)
from infra.config.settings import parse_settings
from infra.render.project_files import stack_config
from tests.integration.flink_dist import FlinkDist, ensure_flink_dist
from tests.integration.flink_processes import FlinkLayout, prepare_layout, start_jobmanager, start_taskmanager
from tests.integration.flink_rest import FlinkRest
from tests.integration.job_jar import JOB_CLASS, build_job_jar
from tests.integration.local_config import REPO_ROOT, STACK, LocalPorts, local_overrides
from tests.integration.process_group import ProcessGroup
from tests.integration.processes import ManagedProcess, start_process
from tests.integration.requirements import require_tool
from tests.integration.zookeeper_server import ZooKeeperServer
from tests.log import Log
from tests.waiting import wait_until

CLUSTER_ID = "flink-aks-dev"
# Short checkpoints keep the scenarios short (a stack setting like any other).
CHECKPOINT_INTERVAL = Duration(text="2s", millis=2000)
JOB_RATE_PER_S = 200
START_STEP_TIMEOUT_S = 180.0
# The image's entrypoint, as the start step execs it: here it writes down its arguments.
STAND_IN_ENTRYPOINT = 'printf "%s\\n" "$@" >"$ENTRYPOINT_ARGS.tmp" && mv "$ENTRYPOINT_ARGS.tmp" "$ENTRYPOINT_ARGS"\n'


@dataclasses.dataclass(frozen=True)
class JobSpec:
    """What a team sets in its stack: one TaskManager with ``slots`` slots (parallelism)."""

    slots: int
    out: str  # side channel file name: the job argument that changes in the args scenario
    mode: str  # flink.upgradeMode
    fallback: str = "last-state"  # flink.savepointFallback


@dataclasses.dataclass(frozen=True)
class Deployment:
    spec: JobSpec
    layout: FlinkLayout
    fingerprint: str
    args: tuple[str, ...]

    @property
    def config_file(self) -> Path:
        return self.layout.config_dir / CONFIG_FILE_NAME


class UpgradeCluster(ProcessGroup):
    """JobManager + one TaskManager on a shared ZooKeeper; ends what it started, by PID."""

    poll_interval_s = 0.2

    def __init__(self, work_dir: Path, zookeeper: ZooKeeperServer, log: Log) -> None:
        super().__init__(work_dir, log)
        require_tool("java")
        self.zookeeper = zookeeper
        self.dist: FlinkDist = ensure_flink_dist()
        self.job_jar = build_job_jar(self.dist)
        self.ports = LocalPorts.pick()
        self.rest = FlinkRest(self.ports.rest)
        self.deployments: list[Deployment] = []
        self.jobmanagers: list[ManagedProcess] = []
        self.taskmanagers: list[ManagedProcess] = []
        self.data_dir = work_dir / "flink-data"
        self.state_dir = self.data_dir / "upgrades" / CLUSTER_ID

    @property
    def current(self) -> Deployment:
        return self.deployments[-1]

    def side_channels(self) -> list[Path]:
        names = dict.fromkeys(d.spec.out for d in self.deployments)
        return [self.work_dir / name for name in names]

    def deploy(self, spec: JobSpec) -> Deployment:
        """Render the stack's config for ``spec`` (a new conf dir, as a new ConfigMap)."""
        settings = parse_settings(STACK, stack_config(REPO_ROOT, STACK))
        flink = dataclasses.replace(
            settings.flink,
            slots_per_task_manager=spec.slots,
            checkpoint_interval=CHECKPOINT_INTERVAL,
            rpc_port_mode="pinned",
            upgrade_mode=spec.mode,
            savepoint_fallback=spec.fallback,
        )
        rendered = render_flink_config(flink, CLUSTER_ID, "zookeeper:2181")
        effective = {**rendered, **local_overrides(rendered, self.zookeeper.connect_string, self.ports, self.work_dir)}
        index = len(self.deployments) + 1
        config_dir = self.work_dir / f"deploy-{index}" / "conf"
        config_dir.mkdir(parents=True)
        (config_dir / CONFIG_FILE_NAME).write_text(to_config_yaml(effective))
        layout = prepare_layout(self.dist, self.work_dir, config_dir, self.job_jar, effective)
        layout = dataclasses.replace(layout, log_dir=self.work_dir / f"deploy-{index}" / "log")
        layout.log_dir.mkdir(parents=True)
        args = ("--out", str(self.work_dir / spec.out), "--rate", str(JOB_RATE_PER_S))
        fingerprint = job_fingerprint("local-image", "usrlib/job.jar", JOB_CLASS, args, rendered)
        deployment = Deployment(spec, layout, fingerprint, args)
        self.deployments.append(deployment)
        return deployment

    def environment(self, deployment: Deployment) -> dict[str, str]:
        env = upgrade_environment(
            cluster_id=CLUSTER_ID,
            zookeeper_quorum=self.zookeeper.connect_string,
            data_dir=str(self.data_dir),
            conf_file=str(deployment.config_file),
            fingerprint=deployment.fingerprint,
            mode=deployment.spec.mode,
            fallback=deployment.spec.fallback,
        )
        return {
            **env,
            "PATH": "/usr/bin:/bin",
            "FLINK_LIB_DIR": str(self.dist.lib_dir),
            "FLINK_REST_PORT": str(self.ports.rest),
        }

    def start_jobmanager(self) -> ManagedProcess:
        """The JobManager container: the start step, then Flink with the step's arguments."""
        name = f"jobmanager-{len(self.jobmanagers) + 1}"
        step = self._start_step(name)
        options = wait_until(
            f"{name}'s start step to hand over to Flink", lambda: self._handed_over(name, step), START_STEP_TIMEOUT_S
        )
        deployment = self.current
        process = self.track(start_jobmanager(deployment.layout, name, JOB_CLASS, list(deployment.args), options))
        self.jobmanagers.append(process)
        return process

    def start_refused(self) -> ManagedProcess:
        """The JobManager container whose start step refuses: it waits (Flink not started)
        with its reason in ``refused``; stop it (SIGTERM) as the kubelet would."""
        name = f"jobmanager-{len(self.jobmanagers) + 1}-refused"
        step = self._start_step(name)

        def refused() -> str | None:
            if not step.alive():
                raise RuntimeError(f"{name}: the start step ended instead of refusing:\n{step.log_tail()}")
            return self.refusal()

        wait_until(f"{name}'s start step to refuse", refused, START_STEP_TIMEOUT_S)
        return step

    def refusal(self) -> str | None:
        path = self.state_dir / "refused"
        return path.read_text().strip() if path.exists() else None

    def _start_step(self, name: str) -> ManagedProcess:
        """``bash -c PROGRAM jobmanager standalone-job ...`` as the pod runs it, with a stand-in
        for the image's entrypoint that writes the arguments it gets to a file."""
        deployment = self.current
        entrypoint = deployment.layout.log_dir / "entrypoint.sh"
        entrypoint.write_text(STAND_IN_ENTRYPOINT)
        args_file = deployment.layout.log_dir / f"{name}.entrypoint-args"
        env = {**self.environment(deployment), "ENTRYPOINT_ARGS": str(args_file)}
        argv = ["bash", "-c", start_program(f"bash {entrypoint}"), "jobmanager", "standalone-job", "--job-classname"]
        log = deployment.layout.log_dir / f"{name}.start-step.log"
        return self.track(start_process(f"{name}-start-step", argv, log, env=env))

    def _handed_over(self, name: str, step: ManagedProcess) -> list[str] | None:
        """Flink's arguments from the start step, once it exec'ed the entrypoint and ended."""
        if step.alive():
            return None
        for line in step.log_tail(20).splitlines():
            self.log(f"  {name} start step: {line}")
        args_file = self.current.layout.log_dir / f"{name}.entrypoint-args"
        if step.popen.returncode != 0 or not args_file.exists():
            raise RuntimeError(f"{name}: start step failed ({step.popen.returncode}):\n{step.log_tail()}")
        args = args_file.read_text().splitlines()
        if args[:1] != ["standalone-job"] or args[-1:] != ["--job-classname"]:
            raise RuntimeError(f"{name}: unexpected entrypoint arguments {args}")
        return args[1:-1]

    def start_pre_stop(self) -> ManagedProcess:
        """The pre-stop hook of the running JobManager (the deployment it was started with)."""
        deployment = self.deployments[-1]
        log = deployment.layout.log_dir / f"pre-stop-{len(self.jobmanagers)}.log"
        argv = ["bash", "-c", SAVEPOINT_BEFORE_STOP]
        return self.track(start_process("pre-stop", argv, log, env=self.environment(deployment)))

    def start_taskmanager(self) -> ManagedProcess:
        process = self.track(start_taskmanager(self.current.layout, f"taskmanager-{len(self.taskmanagers) + 1}"))
        self.taskmanagers.append(process)
        return process

    def jobmanager_log(self, index: int = -1) -> Path:
        process = self.jobmanagers[index]
        return process.log_path.with_suffix(".log")

    def vital(self) -> Sequence[ManagedProcess | None]:
        return [self.jobmanagers[-1], self.taskmanagers[-1]]

    def reported(self) -> Sequence[ManagedProcess | None]:
        return [*self.jobmanagers[-2:], *self.taskmanagers[-1:]]

    def stored_checkpoints(self, job_id: str) -> list[int]:
        """Ids in the job's completed checkpoint store in ZooKeeper: what a new JobManager
        restores from (a checkpoint completing during a shutdown may never reach the log)."""
        path = f"/flink/{CLUSTER_ID}/jobs/{job_id}/checkpoints"
        argv = ["java", "-cp", str(self.dist.dist_jar), ZOOKEEPER_CLI_MAIN, "-server", self.zookeeper.connect_string]
        result = subprocess.run([*argv, "ls", path], capture_output=True, text=True, timeout=120, check=False)
        listed = [line for line in result.stdout.splitlines() if line.startswith("[") and line.endswith("]")]
        if result.returncode != 0 or not listed:
            raise RuntimeError(f"ls {path} failed ({result.returncode}): {result.stdout}{result.stderr}")
        return sorted(int(name) for name in listed[-1].strip("[]").split(", ") if name)

    def delete_ha_nodes(self) -> None:
        """Lose the cluster's ZooKeeper nodes (job graphs, checkpoint store, leaders)."""
        argv = ["java", "-cp", str(self.dist.dist_jar), ZOOKEEPER_CLI_MAIN, "-server", self.zookeeper.connect_string]
        path = f"/flink/{CLUSTER_ID}"
        result = subprocess.run([*argv, "deleteall", path], capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"deleteall {path} failed ({result.returncode}): {result.stdout}{result.stderr}")

    def job_parallelism(self, job_id: str) -> int | None:
        """The highest vertex parallelism of the job (the keyed function's; the source has 1)."""
        job = self.rest.get(f"/jobs/{job_id}")
        vertices = (job or {}).get("vertices") or []
        return max((int(v["parallelism"]) for v in vertices), default=None)
