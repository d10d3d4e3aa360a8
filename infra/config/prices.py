"""List prices the cost estimate (infra/config/cost.py, docs/cost.md) multiplies.

The figures are data: infra/config/prices.json, one entry per price with its value, unit,
what backs it, the date, the region and the currency. ``python -m infra.prices refresh``
rewrites that file from Azure's Retail Prices API (infra/pricing/) and regenerates
docs/cost.md.

The committed figures are pay-as-you-go list prices in USD for East US, Linux, written on
2026-11-30 on a machine that could not reach Azure's pricing pages or its Retail Prices
API: **no figure there is read from the publisher**, every one is an ASSUMPTION but the
Free tier's zero. Where Microsoft's documentation confirms a figure or the billing model,
or a third-party page quotes the same figure, the evidence says so. A refresh replaces
each with ``sourced: prices.azure.com retail API, meterId=…, effectiveStartDate=…``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("prices.json")
HOURS_PER_MONTH = 730
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
LOG_GB_PER_NODE_DAY = 0.25
FIELDS = ("id", "value", "unit", "evidence", "as_of", "region", "currency")


class PriceDataError(ValueError):
    """infra/config/prices.json does not hold what the estimate needs."""


@dataclass(frozen=True)
class Price:
    """One list price, its unit and what backs it: ``sourced: <where>`` or ``assumption``
    (followed by what a search did find: the billing model, or a third party's figure);
    ``as_of`` is the day it was read or written, in ``region`` and ``currency``."""

    value: float
    unit: str
    evidence: str
    as_of: str
    region: str
    currency: str


def parse_prices(document: Any, source: str) -> dict[str, Price]:
    """The prices of a prices.json document by id, refusing what the estimate cannot use."""
    entries = document.get("prices") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise PriceDataError(f"{source}: 'prices' must be a list of entries with {', '.join(FIELDS)}")
    prices: dict[str, Price] = {}
    for entry in entries:
        if not isinstance(entry, dict) or sorted(entry) != sorted(FIELDS):
            raise PriceDataError(f"{source}: entry {entry!r} must have exactly the keys {', '.join(FIELDS)}")
        value = entry["value"]
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise PriceDataError(f"{source}: {entry['id']}: value {value!r} is not a number >= 0")
        if entry["id"] in prices:
            raise PriceDataError(f"{source}: price {entry['id']!r} appears twice")
        prices[entry["id"]] = Price(
            float(value), entry["unit"], entry["evidence"], entry["as_of"], entry["region"], entry["currency"]
        )
    for key in ("region", "currency"):
        seen = sorted({getattr(p, key) for p in prices.values()})
        if len(seen) != 1:
            raise PriceDataError(f"{source}: every price must be of one {key}, found {seen}")
    return prices


def load_prices(path: Path = DATA) -> dict[str, Price]:
    return parse_prices(json.loads(path.read_text()), path.name)


def _group(prices: dict[str, Price], group: str) -> dict[str, Price]:
    return {key.split("/", 1)[1]: price for key, price in prices.items() if key.startswith(f"{group}/")}


def _one(prices: dict[str, Price], key: str) -> Price:
    if key not in prices:
        raise PriceDataError(f"{DATA.name}: no price {key!r}")
    return prices[key]


PRICES = load_prices()
_any = next(iter(PRICES.values()))
PRICES_DATE = max(p.as_of for p in PRICES.values())
PRICES_REGION = _any.region
PRICES_CURRENCY = _any.currency

# Virtual machines, Linux, by size.
VM_HOURLY = _group(PRICES, "vm")
# AKS control plane per cluster by tier (Premium includes long-term support).
AKS_TIER_HOURLY = _group(PRICES, "aks")
# Event Hubs Standard: per throughput unit, and per million ingress events (every Kafka
# record counted as one: an upper bound). Premium: per processing unit, no per-event charge.
EVENT_HUBS_TU_HOURLY = _one(PRICES, "event-hubs/standard-tu")
EVENT_HUBS_INGRESS_PER_MILLION = _one(PRICES, "event-hubs/ingress")
EVENT_HUBS_PU_HOURLY = _one(PRICES, "event-hubs/premium-pu")
# Managed disks: Premium SSD LRS for the nodes' OS disks by size in GiB; ZooKeeper's
# 8 GiB disks on Standard SSD LRS E2 (managed-csi) or Premium SSD ZRS P2.
OS_DISK_MONTHLY = {int(gib): price for gib, price in _group(PRICES, "os-disk").items()}
ZOOKEEPER_DISK_MONTHLY = _group(PRICES, "zookeeper-disk")
# Azure Files Standard (HDD, pay-as-you-go, transaction optimized) per used GiB; transactions not counted.
FILES_GIB_MONTHLY = _group(PRICES, "files")
# Log Analytics (Analytics logs) per GB ingested; Container Insights' volume per node
# (LOG_GB_PER_NODE_DAY) is assumed.
LOG_ANALYTICS_PER_GB = _one(PRICES, "log-analytics/ingestion")
# Standard load balancer (first 5 rules) and its outbound public IP.
LOAD_BALANCER_HOURLY = _one(PRICES, "load-balancer/standard")
PUBLIC_IP_HOURLY = _one(PRICES, "public-ip/standard")
# Container Registry Basic.
REGISTRY_DAILY = _one(PRICES, "container-registry/basic")


def price_list() -> dict[str, Price]:
    """Every price above by name, for the table in docs/cost.md."""
    return {
        **{f"VM {size}": price for size, price in VM_HOURLY.items()},
        **{f"AKS {tier} tier": price for tier, price in AKS_TIER_HOURLY.items()},
        "Event Hubs Standard TU": EVENT_HUBS_TU_HOURLY,
        "Event Hubs ingress events": EVENT_HUBS_INGRESS_PER_MILLION,
        "Event Hubs Premium PU": EVENT_HUBS_PU_HOURLY,
        **{f"OS disk {gib} GiB (Premium SSD LRS)": price for gib, price in OS_DISK_MONTHLY.items()},
        **{f"ZooKeeper disk 8 GiB ({cls})": price for cls, price in ZOOKEEPER_DISK_MONTHLY.items()},
        **{f"Azure Files {red}": price for red, price in FILES_GIB_MONTHLY.items()},
        "Log Analytics": LOG_ANALYTICS_PER_GB,
        "Standard load balancer": LOAD_BALANCER_HOURLY,
        "public IP": PUBLIC_IP_HOURLY,
        "Container Registry Basic": REGISTRY_DAILY,
    }


def price_rows() -> list[str]:
    """A markdown table of every price with its unit and evidence (docs/cost.md)."""
    rows = [f"| price | {PRICES_CURRENCY} | per | evidence |", "|---|---:|---|---|"]
    for name, price in price_list().items():
        rows.append(f"| {name} | {price.value:g} | {price.unit} | {price.evidence} |")
    return rows
