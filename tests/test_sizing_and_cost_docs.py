"""docs/sizing.md and docs/cost.md: every figure comes from the code; the render prints a stack's cost."""

from __future__ import annotations

import re

import pytest

from infra.config.cost import MissingPriceError, cost_rows, estimate, total
from infra.config.prices import price_list, price_rows
from infra.config.profiles import PROFILES
from infra.config.settings import parse_settings
from infra.config.sizing import size, sizing_rows
from infra.pricing.cost_doc import profile_settings
from infra.render.cli import cost_line
from infra.render.offline import ROOT, stack_settings

SIZING = ROOT / "docs" / "sizing.md"
COST = ROOT / "docs" / "cost.md"


def generated(text: str, marker: str) -> list[str]:
    match = re.search(rf"<!-- {re.escape(marker)}[^>]*-->\n(.*?)\n<!-- end of generated table -->", text, re.DOTALL)
    assert match, f"no generated block {marker!r}"
    return match.group(1).splitlines()


def test_sizing_doc_table_is_the_code() -> None:
    rates = {name: p.events_per_second for name, p in PROFILES.items()}
    assert generated(SIZING.read_text(), "generated from infra/config/sizing.py") == sizing_rows(rates)


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_profiles_take_their_hubs_from_the_arithmetic(name: str) -> None:
    p = PROFILES[name]
    s = size(p.events_per_second)
    assert (p.throughput_units, p.partitions) == (s.throughput_units, s.partitions)
    assert p.partitions >= p.throughput_units
    # TUs cover input and output together, with the headroom.
    assert p.throughput_units * 1000 >= 1.2 * 2 * p.events_per_second


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_cost_doc_table_per_profile_is_the_code(name: str) -> None:
    items = estimate(profile_settings(name))
    assert generated(COST.read_text(), f"generated: profile {name}") == cost_rows(items)


def test_cost_doc_price_table_is_the_code() -> None:
    assert generated(COST.read_text(), "generated: prices") == price_rows()


def test_every_price_says_whether_it_is_sourced_or_assumed() -> None:
    for name, price in price_list().items():
        assert price.evidence.startswith(("sourced: ", "assumption")), name
        assert price.value >= 0, name


def test_cost_doc_table_of_the_prod_stack_is_the_code() -> None:
    assert generated(COST.read_text(), "generated: stack prod") == cost_rows(estimate(stack_settings("prod")))


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_render_prints_the_stack_estimate(stack: str) -> None:
    line = cost_line(stack, ROOT)
    assert line is not None
    assert line.startswith(f"estimatedMonthlyCostUsd: {total(estimate(stack_settings(stack))):.2f} ")
    assert "docs/cost.md" in line


def test_estimate_grows_with_the_profile() -> None:
    totals = [total(estimate(profile_settings(n))) for n in ("1k", "5k", "10k")]
    assert totals == sorted(totals) and totals[0] > 0


def test_a_vm_size_without_a_price_is_said_so() -> None:
    settings = parse_settings(
        "cost", {"azure-native:location": "westeurope", "flink-aks:aks": {"vmSize": "Standard_E64s_v9"}}
    )
    with pytest.raises(MissingPriceError, match="Standard_E64s_v9"):
        estimate(settings)
