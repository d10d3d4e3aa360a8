"""Which Retail Prices API item is each price of infra/config/prices.json: ONE table.

Each query sends ``serviceName``, the region and ``where`` as an OData ``$filter`` (exact,
case-sensitive ``eq``), then keeps the items that are pay-as-you-go (``type`` 'Consumption')
at ``tier_minimum_units``, hold every ``pick`` value exactly and none of the ``exclude``
substrings. Exactly one must be left (infra/pricing/pick.py). Its ``retailPrice`` per
``unit_of_measure`` times ``factor`` is the price per our ``unit``.

Service, product, SKU and meter names follow the API's published items as third-party
price tools use them; none was read from the API here (no access). A name that is wrong
makes refresh refuse, naming the price and what the API did return.
"""

from __future__ import annotations

from dataclasses import dataclass

VM_SIZES = ("Standard_D2s_v5", "Standard_D4s_v5", "Standard_D8s_v5")
# The AKS Free tier has no cluster-management meter: its zero comes from Microsoft's
# documentation (the evidence in prices.json) and refresh keeps it.
UNMETERED = frozenset({"aks/Free"})


@dataclass(frozen=True)
class PriceQuery:
    id: str  # the price's id in infra/config/prices.json
    service: str  # serviceName
    where: tuple[tuple[str, str], ...]  # more `field eq 'value'` clauses sent to the API
    pick: tuple[tuple[str, str], ...]  # fields the one item must have exactly
    unit_of_measure: str  # what the item must say it is priced per
    unit: str  # our unit
    factor: float = 1.0  # our unit = factor × the API's unit_of_measure
    exclude: tuple[tuple[str, str], ...] = ()  # (field, substring) that rule an item out
    tier_minimum_units: float = 0.0  # tiered meters: the tier that is charged
    global_region: bool = False  # listed under armRegionName 'Global', not the region


def _vm(size: str) -> PriceQuery:
    # Linux: the product without "Windows"; regular priority: no "Spot", no "Low Priority".
    return PriceQuery(
        f"vm/{size}",
        "Virtual Machines",
        where=(("armSkuName", size),),
        pick=(("armSkuName", size),),
        unit_of_measure="1 Hour",
        unit="hour",
        exclude=(("productName", "Windows"), ("meterName", "Spot"), ("meterName", "Low Priority")),
    )


def _disk(price_id: str, product: str, sku: str) -> PriceQuery:
    return PriceQuery(
        price_id,
        "Storage",
        where=(("productName", product), ("skuName", sku)),
        pick=(("meterName", f"{sku} Disk"),),
        unit_of_measure="1/Month",
        unit="disk-month",
    )


def _files(redundancy: str) -> PriceQuery:
    # Standard (transaction optimized) pay-as-you-go shares; the API's GB taken as our GiB.
    return PriceQuery(
        f"files/{redundancy}",
        "Storage",
        where=(("productName", "Files v2"), ("skuName", f"Standard {redundancy}")),
        pick=(("meterName", f"{redundancy} Data Stored"),),
        unit_of_measure="1 GB/Month",
        unit="GiB-month",
    )


def _aks(tier: str, meter: str) -> PriceQuery:
    return PriceQuery(
        f"aks/{tier}",
        "Azure Kubernetes Service",
        where=(("productName", "Azure Kubernetes Service"),),
        pick=(("meterName", meter),),
        unit_of_measure="1 Hour",
        unit="cluster-hour",
    )


def _event_hubs(price_id: str, sku: str, meter: str, unit_of_measure: str, unit: str) -> PriceQuery:
    return PriceQuery(
        price_id,
        "Event Hubs",
        where=(("skuName", sku),),
        pick=(("meterName", meter),),
        unit_of_measure=unit_of_measure,
        unit=unit,
    )


QUERIES: tuple[PriceQuery, ...] = (
    *(_vm(size) for size in VM_SIZES),
    _aks("Standard", "Standard Uptime SLA"),
    # Premium (long-term support): the meter third-party price tools read for this tier.
    _aks("Premium", "Standard Long Term Support"),
    _event_hubs("event-hubs/standard-tu", "Standard", "Standard Throughput Unit", "1 Hour", "TU-hour"),
    _event_hubs("event-hubs/ingress", "Standard", "Standard Ingress Events", "1M", "million events"),
    _event_hubs("event-hubs/premium-pu", "Premium", "Premium Processing Unit", "1 Hour", "PU-hour"),
    _disk("os-disk/64", "Premium SSD Managed Disks", "P6 LRS"),
    _disk("os-disk/128", "Premium SSD Managed Disks", "P10 LRS"),
    _disk("zookeeper-disk/managed-csi", "Standard SSD Managed Disks", "E2 LRS"),
    _disk("zookeeper-disk/zookeeper-disk-zrs", "Premium SSD Managed Disks", "P2 ZRS"),
    _files("LRS"),
    _files("ZRS"),
    # Tiered: the first 5 GB a month are free (tier 0), the charged rate is tier 5.
    PriceQuery(
        "log-analytics/ingestion",
        "Log Analytics",
        where=(("productName", "Log Analytics"), ("skuName", "Analytics Logs")),
        pick=(("meterName", "Analytics Logs Data Ingestion"),),
        unit_of_measure="1 GB",
        unit="GB ingested",
        tier_minimum_units=5.0,
    ),
    PriceQuery(
        "load-balancer/standard",
        "Load Balancer",
        where=(("productName", "Load Balancer"), ("skuName", "Standard")),
        pick=(("meterName", "Standard Included LB Rules and Outbound Rules"),),
        unit_of_measure="1 Hour",
        unit="hour",
        global_region=True,
    ),
    PriceQuery(
        "public-ip/standard",
        "Virtual Network",
        where=(("productName", "IP Addresses"), ("skuName", "Standard")),
        pick=(("meterName", "Standard IPv4 Static Public IP"),),
        unit_of_measure="1 Hour",
        unit="hour",
    ),
    PriceQuery(
        "container-registry/basic",
        "Container Registry",
        where=(("skuName", "Basic"),),
        pick=(("meterName", "Basic Registry Unit"),),
        unit_of_measure="1/Day",
        unit="day",
    ),
)


def odata_filter(query: PriceQuery, region: str) -> str:
    """The ``$filter`` of ``query`` in ``region``: exact ``eq`` clauses joined by ``and``."""
    clauses = (
        ("serviceName", query.service),
        ("armRegionName", "Global" if query.global_region else region),
        *query.where,
    )
    return " and ".join(f"{field} eq '{value.replace(chr(39), chr(39) * 2)}'" for field, value in clauses)
