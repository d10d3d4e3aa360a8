"""Operations commands for a stack's Flink job: status, savepoints, resume, fresh start.

    python -m infra.flink_ops [--namespace flink] [--context CTX] [--rest URL] COMMAND

Commands:
    status            job id, state, parallelism, restarts, age of the last completed
                      checkpoint, what it restored from, upgrade records of the shared volume
    savepoint         take a savepoint now (the job keeps running) and print its path
    savepoints        list the savepoints on the shared volume, newest first
    resume --latest   make the next JobManager start the job from the newest retained
                      checkpoint of its last JobID on the volume, and restart the JobManager
    resume --savepoint PATH
                      the same from savepoint (or retained checkpoint) PATH
    start-from PATH   the same as resume --savepoint PATH
    fresh-start --confirm
                      make the next JobManager start the job without state, and restart it

resume, start-from and fresh-start give the job a new JobID (the start step does) and are
recorded in the volume's history.log; they need no REST API (a JobManager that refused
to start a job that ended has none).

Against a stack it runs ``kubectl port-forward`` to the JobManager Service for the REST
API and ``kubectl exec`` into the JobManager for the shared volume; ``--rest`` and
``--local-env`` point it at a local Flink and a local shell instead (the tests do).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components import shell
from components.flink.names import JOBMANAGER_DEPLOYMENT, JOBMANAGER_SERVICE, REST_PORT
from components.flink.upgrade_scripts import SNAPSHOTS

SAVEPOINT_TIMEOUT_S = 300.0
# The bash programs run in the JobManager's container (see the files next to this one).
HERE = Path(__file__).parent
UPGRADE_RECORDS = shell.load(HERE / "upgrade_records.sh")
LIST_SAVEPOINTS = shell.load(HERE / "list_savepoints.sh")
REQUEST_START = SNAPSHOTS + shell.load(HERE / "request_start.sh")

Shell = Callable[[str, Sequence[str]], str]
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class OpsError(RuntimeError):
    """A command that cannot do what it was asked; the message says why."""


@dataclass
class Flink:
    """The REST API of the JobManager and a shell in its container (for the shared volume)."""

    rest: str
    shell: Shell
    timeout_s: float = 10.0

    def call(self, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        method = "GET" if data is None else "POST"
        request = urllib.request.Request(self.rest.rstrip("/") + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with _OPENER.open(request, timeout=self.timeout_s) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raise OpsError(f"{path}: HTTP {error.code}: {error.read().decode(errors='replace')[:300]}") from None
        except (urllib.error.URLError, OSError) as error:
            raise OpsError(f"{self.rest}{path}: {error}") from None

    def job_id(self) -> str:
        jobs = (self.call("/jobs/overview") or {}).get("jobs") or []
        running = [j for j in jobs if j.get("state") not in ("FINISHED", "CANCELED", "FAILED")] or jobs
        if not running:
            raise OpsError("the JobManager runs no job")
        return str(running[0]["jid"])


def status(flink: Flink, now_ms: int | None = None) -> dict[str, Any]:
    """What a team asks first: is the job running, at which parallelism, is it checkpointing."""
    now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
    job_id = flink.job_id()
    job = flink.call(f"/jobs/{job_id}") or {}
    checkpoints = flink.call(f"/jobs/{job_id}/checkpoints") or {}
    latest = checkpoints.get("latest") or {}
    completed = latest.get("completed") or {}
    restored = latest.get("restored") or {}
    metrics = flink.call(f"/jobs/{job_id}/metrics?get=numRestarts") or []
    restarts = next((int(float(m["value"])) for m in metrics if m.get("id") == "numRestarts"), None)
    vertices = job.get("vertices") or []
    return {
        "job": job_id,
        "name": job.get("name"),
        "state": job.get("state"),
        "tasks": {v["name"]: f"{v.get('status')} x{v.get('parallelism')}" for v in vertices},
        "parallelism": max((int(v["parallelism"]) for v in vertices), default=None),
        "restarts": restarts,
        "checkpoints_completed": (checkpoints.get("counts") or {}).get("completed"),
        "last_checkpoint": completed.get("id"),
        "last_checkpoint_age_s": (
            round((now_ms - int(completed["latest_ack_timestamp"])) / 1000, 1) if completed else None
        ),
        "restored_from": (
            f"{'savepoint' if restored.get('is_savepoint') else 'checkpoint'} {restored.get('id')} "
            f"{restored.get('external_path', '')}".strip()
            if restored
            else None
        ),
        "upgrade_records": _records(flink),
    }


def _records(flink: Flink) -> dict[str, str]:
    lines = flink.shell(UPGRADE_RECORDS, []).splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


def trigger_savepoint(flink: Flink, timeout_s: float = SAVEPOINT_TIMEOUT_S, poll_s: float = 0.5) -> str:
    """Take a savepoint of the running job (it keeps running); its path."""
    job_id = flink.job_id()
    request = flink.call(f"/jobs/{job_id}/savepoints", {"cancel-job": False})["request-id"]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        answer = flink.call(f"/jobs/{job_id}/savepoints/{request}") or {}
        operation = answer.get("operation") or {}
        if "location" in operation:
            return str(operation["location"])
        if "failure-cause" in operation:
            cause = operation["failure-cause"].get("stack-trace", "").splitlines()[:1]
            raise OpsError(f"savepoint failed: {' '.join(cause)}")
        time.sleep(poll_s)
    raise OpsError(f"savepoint not completed within {timeout_s:g}s")


def savepoint_dir(flink: Flink) -> str:
    config = {e["key"]: e["value"] for e in flink.call("/jobmanager/config") or []}
    directory = config.get("execution.checkpointing.savepoint-dir") or config.get("state.savepoints.dir")
    if not directory:
        raise OpsError("the JobManager's config names no savepoint directory")
    return str(directory).removeprefix("file://").removeprefix("file:")


def list_savepoints(flink: Flink) -> list[str]:
    """Complete savepoints (with their _metadata) in the savepoint directory, newest first."""
    directory = savepoint_dir(flink)
    return [f"file:{line}" for line in flink.shell(LIST_SAVEPOINTS, [directory]).splitlines() if line]


def request_start(run: Shell, *request: str) -> str:
    """Record ``request`` (``savepoint PATH``, ``latest``, ``fresh``) for the JobManager's
    start step, which honours it before anything else; what it will do."""
    return run(REQUEST_START, list(request)).strip()


def kubectl_shell(kubectl: list[str]) -> Shell:
    def run(script: str, args: Sequence[str]) -> str:
        argv = [*kubectl, "exec", f"deploy/{JOBMANAGER_DEPLOYMENT}", "-c", "flink", "--", "bash", "-c", script, "ops"]
        return _run([*argv, *args])

    return run


def local_shell(env: dict[str, str]) -> Shell:
    def run(script: str, args: Sequence[str]) -> str:
        return _run(["bash", "-c", script, "ops", *args], env={**os.environ, **env})

    return run


def _run(argv: list[str], env: dict[str, str] | None = None) -> str:
    result = subprocess.run(argv, capture_output=True, text=True, check=False, env=env, timeout=120)
    if result.returncode != 0:
        raise OpsError(f"{' '.join(argv[:3])} ...: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


@contextmanager
def port_forward(kubectl: list[str]) -> Iterator[str]:
    """``kubectl port-forward`` to the JobManager Service on a free local port."""
    process = subprocess.Popen(
        [*kubectl, "port-forward", f"svc/{JOBMANAGER_SERVICE}", f":{REST_PORT}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        # "Forwarding from 127.0.0.1:PORT -> 8081"
        if "127.0.0.1:" not in line:
            raise OpsError(f"kubectl port-forward: {line.strip() or (process.stderr.read() if process.stderr else '')}")
        yield "http://" + line.split()[2]
    finally:
        process.terminate()
        process.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.flink_ops", description=__doc__.split("\n\n")[0])
    parser.add_argument("--namespace", default="flink", help="the stack's namespace (default flink)")
    parser.add_argument("--context", help="kubectl context (default: the current one)")
    parser.add_argument("--rest", help="the Flink REST API URL (default: kubectl port-forward)")
    parser.add_argument("--local-env", help="JSON env for a local shell instead of kubectl exec (tests)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("status")
    commands.add_parser("savepoint")
    commands.add_parser("savepoints")
    start = commands.add_parser("start-from", help="the same as resume --savepoint PATH")
    start.add_argument("path", help="a savepoint path as `savepoints` lists it")
    resume = commands.add_parser("resume").add_mutually_exclusive_group(required=True)
    resume.add_argument("--latest", action="store_true", help="the newest retained checkpoint of the last JobID")
    resume.add_argument("--savepoint", metavar="PATH", help="a savepoint (or retained checkpoint) path")
    fresh = commands.add_parser("fresh-start")
    fresh.add_argument("--confirm", action="store_true", required=True, help="yes, start without state")
    args = parser.parse_args(argv)
    kubectl = ["kubectl", "-n", args.namespace, *(["--context", args.context] if args.context else [])]
    shell = local_shell(json.loads(args.local_env)) if args.local_env else kubectl_shell(kubectl)
    try:
        if args.command in ("start-from", "resume", "fresh-start"):
            print(request_start(shell, *_request(args)))
            if not args.local_env:
                _run([*kubectl, "rollout", "restart", f"deployment/{JOBMANAGER_DEPLOYMENT}"])
                print(f"restarting deployment/{JOBMANAGER_DEPLOYMENT}")
            return 0
        with port_forward(kubectl) if args.rest is None else _given(args.rest) as rest:
            flink = Flink(rest, shell)
            if args.command == "status":
                print(json.dumps(status(flink), indent=2))
            elif args.command == "savepoint":
                print(trigger_savepoint(flink))
            else:
                print("\n".join(list_savepoints(flink)))
    except OpsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def _request(args: argparse.Namespace) -> list[str]:
    if args.command == "fresh-start":
        return ["fresh"]
    if args.command == "start-from":
        return ["savepoint", args.path]
    return ["latest"] if args.latest else ["savepoint", args.savepoint]


@contextmanager
def _given(rest: str) -> Iterator[str]:
    yield rest


if __name__ == "__main__":
    sys.exit(main())
