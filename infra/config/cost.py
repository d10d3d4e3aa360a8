"""What one stack costs per month at list prices: the arithmetic behind docs/cost.md and
the ``estimatedMonthlyCostUsd`` line of the offline render.

Counts what the stack creates at its initial size (the autoscaler may add user nodes up
to ``aks.autoscale.max``), running all month. Not counted: data transfer, Azure Files
transactions, Log Analytics retention beyond the included 31 days, taxes and discounts.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.aks_spec import SYSTEM_OS_DISK_GB, USER_OS_DISK_GB, AksSpec
from components.event_hubs_spec import EventHubsSpec
from components.zookeeper_spec import storage_class_name
from infra.config import prices as p
from infra.config.profiles import PROFILES
from infra.config.settings import Settings


class MissingPriceError(LookupError):
    """A size the price list (infra/config/prices.json) does not hold."""


@dataclass(frozen=True)
class Item:
    what: str
    monthly: float


def estimate(settings: Settings) -> list[Item]:
    """Monthly items of a stack that creates AKS and Event Hubs; empty for an existing cluster."""
    if settings.target.existing is not None:
        return []
    aks, hubs = settings.aks, settings.event_hubs
    zonal = bool(aks.zones)
    zookeeper_class = storage_class_name(settings.zookeeper.storage_class, zonal)
    return [
        *_cluster(aks),
        *_event_hubs(hubs, PROFILES[settings.profile].events_per_second),
        Item(
            f"ZooKeeper disks ({settings.zookeeper.replicas} × {zookeeper_class})",
            settings.zookeeper.replicas * _zookeeper_disk_monthly(zookeeper_class),
        ),
        _files(settings.flink.storage_size, zonal),
        Item("Container Registry Basic", p.REGISTRY_DAILY.value * p.HOURS_PER_MONTH / 24),
    ]


def total(items: list[Item]) -> float:
    return round(sum(i.monthly for i in items), 2)


def _vm_hourly(size: str) -> float:
    if size not in p.VM_HOURLY:
        raise MissingPriceError(f"no list price for {size} in infra/config/prices.json")
    return p.VM_HOURLY[size].value


def _zookeeper_disk_monthly(storage_class: str) -> float:
    """A class of the stack's own (``zookeeper.storageClass``) has no list price here: 0."""
    price = p.ZOOKEEPER_DISK_MONTHLY.get(storage_class)
    return price.value if price else 0.0


def _cluster(aks: AksSpec) -> list[Item]:
    nodes = aks.system_node_count + aks.node_count
    return [
        Item(f"AKS control plane ({aks.tier} tier)", p.AKS_TIER_HOURLY[aks.tier].value * p.HOURS_PER_MONTH),
        Item(
            f"system nodes ({aks.system_node_count} × {aks.system_vm_size})",
            aks.system_node_count * _vm_hourly(aks.system_vm_size) * p.HOURS_PER_MONTH,
        ),
        Item(
            f"user nodes ({aks.node_count} × {aks.vm_size}, initial count)",
            aks.node_count * _vm_hourly(aks.vm_size) * p.HOURS_PER_MONTH,
        ),
        Item(
            f"node OS disks ({aks.system_node_count} × {SYSTEM_OS_DISK_GB} GiB, "
            f"{aks.node_count} × {USER_OS_DISK_GB} GiB)",
            aks.system_node_count * p.OS_DISK_MONTHLY[SYSTEM_OS_DISK_GB].value
            + aks.node_count * p.OS_DISK_MONTHLY[USER_OS_DISK_GB].value,
        ),
        Item(
            "load balancer and outbound public IP",
            (p.LOAD_BALANCER_HOURLY.value + p.PUBLIC_IP_HOURLY.value) * p.HOURS_PER_MONTH,
        ),
        Item(
            f"Log Analytics ({p.LOG_GB_PER_NODE_DAY} GB per node and day, assumed)",
            nodes * p.LOG_GB_PER_NODE_DAY * p.LOG_ANALYTICS_PER_GB.value * p.HOURS_PER_MONTH / 24,
        ),
    ]


def _event_hubs(hubs: EventHubsSpec, events_per_second: int) -> list[Item]:
    if hubs.sku == "Premium":
        return [
            Item(
                f"Event Hubs Premium ({hubs.throughput_units} PU)",
                hubs.throughput_units * p.EVENT_HUBS_PU_HOURLY.value * p.HOURS_PER_MONTH,
            )
        ]
    # Ingress: the producers' events into the input hub and the job's into the output hub.
    ingress_events = 2 * events_per_second * p.SECONDS_PER_MONTH
    return [
        Item(
            f"Event Hubs Standard ({hubs.throughput_units} TU)",
            hubs.throughput_units * p.EVENT_HUBS_TU_HOURLY.value * p.HOURS_PER_MONTH,
        ),
        Item(
            f"Event Hubs ingress events ({2 * events_per_second} events/s)",
            ingress_events / 1_000_000 * p.EVENT_HUBS_INGRESS_PER_MILLION.value,
        ),
    ]


def _files(size: str, zonal: bool) -> Item:
    units = {"Mi": 1 / 1024, "Gi": 1, "Ti": 1024}
    gib = int(size[:-2]) * units[size[-2:]]
    redundancy = "ZRS" if zonal else "LRS"
    return Item(f"Azure Files for Flink ({size}, {redundancy})", gib * p.FILES_GIB_MONTHLY[redundancy].value)


def cost_rows(items: list[Item]) -> list[str]:
    """A markdown table of ``items``, dearest first, with their total (docs/cost.md)."""
    grand = total(items)
    rows = [f"| item | {p.PRICES_CURRENCY} per month | share |", "|---|---:|---:|"]
    for item in sorted(items, key=lambda i: -i.monthly):
        rows.append(f"| {item.what} | {item.monthly:,.2f} | {item.monthly / grand:.0%} |")
    rows.append(f"| **total** | **{grand:,.2f}** | |")
    return rows
