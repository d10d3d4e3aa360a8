"""List prices the cost estimate (infra/config/cost.py, docs/cost.md) multiplies.

Pay-as-you-go list prices in USD for the East US region, Linux, as published on Azure's
pricing pages (azure.microsoft.com/pricing: Virtual Machines, AKS, Event Hubs, Managed
Disks, Azure Files, Azure Monitor, Load Balancer, IP Addresses, Container Registry),
recorded on 2026-11-30 from memory of those pages: no pricing source could be reached
from the machine that wrote them, so every figure here is an ASSUMPTION to check. Other
regions differ (West Europe, the shipped stacks' region, is usually dearer). The Azure
Retail Prices API gives the current figure for a region, e.g.
https://prices.azure.com/api/retail/prices?$filter=armRegionName eq 'westeurope' and armSkuName eq 'Standard_D4s_v5'
"""

from __future__ import annotations

PRICES_DATE = "2026-11-30"
PRICES_REGION = "eastus"
HOURS_PER_MONTH = 730
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600

# Virtual machines, Linux, per hour.
VM_HOURLY = {
    "Standard_D2s_v5": 0.096,
    "Standard_D4s_v5": 0.192,
    "Standard_D8s_v5": 0.384,
}
# AKS control plane per cluster-hour by tier (Premium includes long-term support).
AKS_TIER_HOURLY = {"Free": 0.0, "Standard": 0.10, "Premium": 0.60}
# Event Hubs Standard: per throughput unit-hour, and per million ingress events
# (an event up to 64 KB; every Kafka record counted as one: an upper bound).
EVENT_HUBS_TU_HOURLY = 0.03
EVENT_HUBS_INGRESS_PER_MILLION = 0.028
# Event Hubs Premium: per processing unit-hour (no per-event charge).
EVENT_HUBS_PU_HOURLY = 1.233
# Managed disks per month: Premium SSD for the nodes' OS disks (P6 = 64 GiB, P10 = 128 GiB);
# ZooKeeper: Standard SSD LRS E2 (8 GiB, managed-csi) or Premium SSD ZRS P2 (8 GiB).
OS_DISK_MONTHLY = {64: 9.86, 128: 19.71}
ZOOKEEPER_DISK_MONTHLY = {"managed-csi": 0.60, "zookeeper-disk-zrs": 2.31}
# Azure Files Standard (transaction optimized) per GiB-month, LRS and ZRS; transactions not counted.
FILES_GIB_MONTHLY = {"LRS": 0.06, "ZRS": 0.075}
# Log Analytics (Analytics logs) per GB ingested; Container Insights' volume is assumed.
LOG_ANALYTICS_PER_GB = 2.30
LOG_GB_PER_NODE_DAY = 0.25
# Standard load balancer (first 5 rules) and its outbound public IP, per hour.
LOAD_BALANCER_HOURLY = 0.025
PUBLIC_IP_HOURLY = 0.005
# Container Registry Basic, per day.
REGISTRY_DAILY = 0.167
