"""Say at preview what ``up`` will do to the running Flink job (see components.flink.state_impact).

The stack reads its own last outputs (a ``StackReference`` to itself: the outputs of its
last update) and compares the ``flinkJob`` record there with the one it declares now.
The statement is logged (a warning when state is dropped, an upgrade is refused or
nothing can be told) and exported as ``stateImpact``, so a pull request's preview
comment shows it per stack. A change Flink cannot restore from stops the program here,
before ``up`` can run it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from components.flink.state_impact import UNRECORDED, DeployedJob, Impact, Unrecorded, state_impact

RECORD_OUTPUT = "flinkJob"
STATEMENT_OUTPUT = "stateImpact"
# What the file backend (and Pulumi's mocks) name the organization of every stack.
DEFAULT_ORGANIZATION = "organization"


def deployed(outputs: Mapping[str, Any] | None) -> DeployedJob | Unrecorded | None:
    """The record in the stack's last outputs; None when the stack was never deployed."""
    if not outputs:
        return None
    try:
        return DeployedJob.from_output(outputs[RECORD_OUTPUT])
    except (KeyError, TypeError, ValueError):
        return UNRECORDED


def announce(impact: Impact) -> str:
    """Log the statement (or refuse the change) and return it."""
    statement = f"flink job on `up`: {impact.statement}"
    if impact.refused_at_preview:
        raise pulumi.RunError(statement)
    if impact.needs_attention:
        pulumi.log.warn(statement)
    else:
        pulumi.log.info(statement)
    return impact.statement


def state_impact_output(record: pulumi.Output[dict[str, Any]]) -> pulumi.Output[str]:
    """The ``stateImpact`` output: this stack's deployed record against ``record``."""
    organization = pulumi.get_organization() or DEFAULT_ORGANIZATION
    own = pulumi.StackReference("deployed", stack_name=f"{organization}/{pulumi.get_project()}/{pulumi.get_stack()}")
    # Only the non-secret record leaves the outputs (which hold secrets, e.g. the kubeconfig).
    previous = pulumi.Output.unsecret(own.outputs.apply(deployed))
    return pulumi.Output.all(previous, record).apply(
        lambda both: announce(state_impact(both[0], DeployedJob.from_output(both[1])))
    )
