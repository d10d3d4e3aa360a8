"""List prices the cost estimate (infra/config/cost.py, docs/cost.md) multiplies.

Pay-as-you-go list prices in USD for the East US region, Linux. Each price carries what
backs it, as found on 2026-11-30 by searching stored public pages (the machine that wrote
this cannot reach Azure's pricing pages or its Retail Prices API). Azure's own price
pages for the global cloud (azure.microsoft.com/pricing/details/...) were not among them,
so **no figure here is read from the publisher**: every one stays an ASSUMPTION. Where
Microsoft's documentation confirms a figure (the Free tier's zero) or the billing model
(what is metered, per which unit), or a third-party page quotes the same figure, the
evidence says so. Check the figures for your region with the Azure Retail Prices API, e.g.
https://prices.azure.com/api/retail/prices?$filter=armRegionName eq 'westeurope' and armSkuName eq 'Standard_D4s_v5'
"""

from __future__ import annotations

from dataclasses import dataclass

PRICES_DATE = "2026-11-30"
PRICES_REGION = "eastus"
PRICES_CURRENCY = "USD"
HOURS_PER_MONTH = 730
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600

ASSUMED = "assumption"
AKS_TIERS_DOC = "learn.microsoft.com/azure/aks/free-standard-pricing-tiers (ms.date 2026-07-06)"
DISK_BILLING_DOC = "billing model only: learn.microsoft.com/azure/virtual-machines/disks-understand-billing"
EVENT_HUBS_MODEL = (
    "billing model only: azure.cn/en-us/pricing/details/event-hubs (Azure China, CNY): Standard "
    "per TU-hour plus per million ingress events of up to 64 KB, Premium per PU-hour"
)


@dataclass(frozen=True)
class Price:
    """One list price, its unit and what backs it: ``sourced: <page>`` or ``assumption``
    (followed by what a search did find: the billing model, or a third party's figure)."""

    usd: float
    unit: str
    evidence: str


# Virtual machines, Linux.
VM_HOURLY = {
    "Standard_D2s_v5": Price(0.096, "hour", ASSUMED),
    "Standard_D4s_v5": Price(
        0.192,
        "hour",
        f"{ASSUMED}; a third-party course page (learningbro.com, Azure pricing lesson, read "
        "2026-11-30) quotes ~$0.19 as illustrative",
    ),
    "Standard_D8s_v5": Price(0.384, "hour", ASSUMED),
}
# AKS control plane per cluster by tier (Premium includes long-term support).
AKS_TIER_HOURLY = {
    "Free": Price(0.0, "cluster-hour", f"sourced: {AKS_TIERS_DOC}, 'free cluster management'"),
    "Standard": Price(
        0.10,
        "cluster-hour",
        f"{ASSUMED}; a third-party article (techmarmot.com post 6188, read 2026-11-30) quotes $0.10 per cluster-hour",
    ),
    "Premium": Price(0.60, "cluster-hour", ASSUMED),
}
# Event Hubs Standard: per throughput unit, and per million ingress events (every Kafka
# record counted as one: an upper bound). Premium: per processing unit, no per-event charge.
EVENT_HUBS_TU_HOURLY = Price(0.03, "TU-hour", f"assumption; {EVENT_HUBS_MODEL}")
EVENT_HUBS_INGRESS_PER_MILLION = Price(0.028, "million events", f"assumption; {EVENT_HUBS_MODEL}")
EVENT_HUBS_PU_HOURLY = Price(1.233, "PU-hour", f"assumption; {EVENT_HUBS_MODEL}")
# Managed disks: Premium SSD LRS for the nodes' OS disks by size in GiB; ZooKeeper's
# 8 GiB disks on Standard SSD LRS E2 (managed-csi) or Premium SSD ZRS P2.
OS_DISK_MONTHLY = {
    64: Price(9.86, "disk-month", f"assumption; {DISK_BILLING_DOC}"),
    128: Price(19.71, "disk-month", f"assumption; {DISK_BILLING_DOC}"),
}
ZOOKEEPER_DISK_MONTHLY = {
    "managed-csi": Price(0.60, "disk-month", f"assumption; {DISK_BILLING_DOC}"),
    "zookeeper-disk-zrs": Price(2.31, "disk-month", f"assumption; {DISK_BILLING_DOC}"),
}
# Azure Files Standard (HDD, pay-as-you-go, transaction optimized) per used GiB; transactions not counted.
FILES_GIB_MONTHLY = {
    "LRS": Price(0.06, "GiB-month", ASSUMED),
    "ZRS": Price(0.075, "GiB-month", ASSUMED),
}
# Log Analytics (Analytics logs) per GB ingested; Container Insights' volume per node is assumed.
LOG_ANALYTICS_PER_GB = Price(
    2.30,
    "GB ingested",
    f"{ASSUMED}; billing model only: learn.microsoft.com/azure/azure-monitor/logs/cost-logs",
)
LOG_GB_PER_NODE_DAY = 0.25
# Standard load balancer (first 5 rules) and its outbound public IP.
LOAD_BALANCER_HOURLY = Price(0.025, "hour", ASSUMED)
PUBLIC_IP_HOURLY = Price(0.005, "hour", ASSUMED)
# Container Registry Basic.
REGISTRY_DAILY = Price(0.167, "day", ASSUMED)


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
        rows.append(f"| {name} | {price.usd:g} | {price.unit} | {price.evidence} |")
    return rows
