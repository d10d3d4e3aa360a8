"""The Pulumi program: read settings, build the stack, export its outputs.

Validation runs first: invalid config raises ``ConfigError`` before any resource is
declared, so nothing is ever half-created.
"""

from __future__ import annotations

import pulumi

from infra.compose.stack import build_stack
from infra.config.settings import from_pulumi


def run() -> None:
    settings = from_pulumi()
    for name, value in build_stack(settings).items():
        pulumi.export(name, value)
