"""What the engine is built from: versions read from ``requirements.txt``, mapped to Go modules.

``requirements.txt`` pins the Python SDKs (``pulumi``, ``pulumi-kubernetes``,
``pulumi-random``); it is the single source of truth. The Go module proxy does not serve
every released version, so each pin maps to the module version that builds the same
release:

- the CLI (``github.com/pulumi/pulumi/pkg/v3``): the proxy serves no ``v3.272.0``; the
  nearest later release it serves is built. A CLI at least as new as the SDK is what
  Pulumi supports (the CLI is backwards compatible with older SDKs).
- the ``kubernetes`` provider (``github.com/pulumi/pulumi-kubernetes/provider/v4``): the
  proxy serves only the commit tagged ``v4.25.0``, as a pseudo-version; the SDK is pinned
  to that release so the plugin the program asks for is the one we build.

Not buildable here, and why: the ``python`` language host's module
(``github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3``) and the
``random`` provider's (``github.com/pulumi/pulumi-random/provider/v4``) are not served
by the Go module proxy; ``azure-native`` embeds generated files its module lacks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "requirements.txt"

# SDK pin -> the CLI release built for it (a version the Go module proxy serves).
CLI_FOR_SDK = {"3.272.0": "3.274.1"}
# SDK pin -> Go module version of the provider module at that release's tag.
KUBERNETES_MODULE_FOR_SDK = {"4.25.0": "v4.0.0-20260115033456-f47bc2d6f199"}


class VersionError(RuntimeError):
    """A pin in requirements.txt that this recipe does not know how to build."""


def pinned(package: str) -> str:
    """The exact version ``requirements.txt`` pins for ``package``."""
    requirements = REQUIREMENTS
    for line in requirements.read_text().splitlines():
        match = re.fullmatch(rf"\s*{re.escape(package)}==([\w.]+)\s*(#.*)?", line)
        if match:
            return match.group(1)
    raise VersionError(f"{requirements.name}: no exact pin for {package}")


@dataclass(frozen=True)
class GoBinary:
    """One binary built from a Go module's source."""

    name: str  # the file name of the binary
    module: str  # the Go module path
    module_version: str  # the version the Go module proxy serves
    package: str  # the main package, relative to the module root
    version_var: str  # the -X variable that carries the release version
    version: str  # the release version the binary reports
    generate: bool = False  # run the package's own generate.go first (embedded schema files)


def cli() -> GoBinary:
    sdk = pinned("pulumi")
    if sdk not in CLI_FOR_SDK:
        raise VersionError(f"requirements.txt pins pulumi=={sdk}: add the CLI release to build for it to CLI_FOR_SDK")
    version = CLI_FOR_SDK[sdk]
    return GoBinary(
        name="pulumi",
        module="github.com/pulumi/pulumi/pkg/v3",
        module_version=f"v{version}",
        package="./cmd/pulumi",
        version_var="github.com/pulumi/pulumi/sdk/v3/go/common/version.Version",
        version=f"v{version}",
    )


def kubernetes_provider() -> GoBinary:
    sdk = pinned("pulumi-kubernetes")
    if sdk not in KUBERNETES_MODULE_FOR_SDK:
        raise VersionError(
            f"requirements.txt pins pulumi-kubernetes=={sdk}: add the Go module version of its tag "
            "to KUBERNETES_MODULE_FOR_SDK"
        )
    return GoBinary(
        name="pulumi-resource-kubernetes",
        module="github.com/pulumi/pulumi-kubernetes/provider/v4",
        module_version=KUBERNETES_MODULE_FOR_SDK[sdk],
        package="./cmd/pulumi-resource-kubernetes",
        version_var="github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version",
        version=sdk,
        generate=True,
    )


def engine_key() -> str:
    """Names the cache directory: changes whenever a built version changes."""
    return f"pulumi-engine-{cli().version}-kubernetes-{kubernetes_provider().version}"
