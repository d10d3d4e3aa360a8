"""docs/cost.md's generated tables, rewritten from the code and infra/config/prices.json.

Each table sits between ``<!-- generated: WHAT -->`` and ``<!-- end of generated table -->``;
WHAT is ``prices``, ``profile NAME`` or ``stack NAME``. tests/test_sizing_and_cost_docs.py
checks the committed document against the same functions."""

from __future__ import annotations

import re
from pathlib import Path

from infra.config.cost import cost_rows, estimate
from infra.config.prices import price_rows
from infra.config.settings import Settings, parse_settings
from infra.render.offline import stack_settings

BLOCK = re.compile(r"(<!-- generated: ([^>]*?) -->\n)(.*?)(\n<!-- end of generated table -->)", re.DOTALL)


class UnknownBlockError(ValueError):
    """A generated block whose name this module does not know."""


def profile_settings(name: str) -> Settings:
    """The settings the per-profile tables price: a new cluster at the profile's defaults."""
    return parse_settings("cost", {"azure-native:location": "westeurope", "flink-aks:throughputProfile": name})


def block_rows(what: str, root: Path) -> list[str]:
    kind, _, name = what.partition(" ")
    if what == "prices":
        return price_rows()
    if kind == "profile" and name:
        return cost_rows(estimate(profile_settings(name)))
    if kind == "stack" and name:
        return cost_rows(estimate(stack_settings(name, root)))
    allowed = "'prices', 'profile NAME', 'stack NAME'"
    raise UnknownBlockError(f"docs/cost.md: generated block {what!r}: allowed are {allowed}")


def regenerate(text: str, root: Path) -> str:
    """``text`` with every generated block's rows replaced by the code's."""
    return BLOCK.sub(lambda m: m[1] + "\n".join(block_rows(m[2], root)) + m[4], text)


def rewrite(root: Path) -> bool:
    """Regenerates root/docs/cost.md in place; True when it changed."""
    doc = root / "docs" / "cost.md"
    old = doc.read_text()
    new = regenerate(old, root)
    doc.write_text(new)
    return new != old
