"""Event Hubs sizing: throughput units and partitions from a profile's event rate.

Pure arithmetic, shared by the profiles (infra/config/profiles.py) and docs/sizing.md,
whose table a test regenerates from ``sizing_rows`` (so every figure there comes from here).

Facts (Event Hubs quotas, Standard tier): one throughput unit (TU) takes 1 MB/s or 1000
events/s in (ingress) and gives 2 MB/s or 4096 events/s out (egress); the namespace's TUs
are shared by all its hubs; one partition carries about one TU of ingress, so partitions
are never fewer than TUs. The job's reads of the input hub are egress; its writes to the
output hub are ingress, as the producers' writes to the input hub are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

INGRESS_EVENTS_PER_TU = 1000
EGRESS_EVENTS_PER_TU = 4096
# Events up to 1 KB: 1000 events/s is then also at most 1 MB/s (the other ingress limit).
MAX_EVENT_BYTES = 1024
# A pass-through job writes as many events as it reads (the reference job writes far
# fewer, one count per key and second): size for the worst case.
OUTPUT_RATIO = Fraction(1)
# Readers of each hub: the job reads the input; one downstream consumer reads the output.
READERS_PER_HUB = 1
# Room for bursts and catch-up after a restart (replaying the backlog runs above the
# steady rate).
HEADROOM = Fraction(6, 5)


@dataclass(frozen=True)
class Sizing:
    events_per_second: int
    ingress_events: int  # into the namespace: producers -> input, job -> output
    egress_events: int  # out of the namespace: job <- input, consumer <- output
    ingress_tus: Fraction  # before headroom
    egress_tus: Fraction
    throughput_units: int
    partitions: int


def size(events_per_second: int) -> Sizing:
    output = int(events_per_second * OUTPUT_RATIO)
    ingress = events_per_second + output
    egress = (events_per_second + output) * READERS_PER_HUB
    ingress_tus = Fraction(ingress, INGRESS_EVENTS_PER_TU)
    egress_tus = Fraction(egress, EGRESS_EVENTS_PER_TU)
    tus = math.ceil(max(ingress_tus, egress_tus) * HEADROOM)
    return Sizing(events_per_second, ingress, egress, ingress_tus, egress_tus, tus, partitions=tus)


def sizing_rows(rates: dict[str, int]) -> list[str]:
    """The markdown table of docs/sizing.md: one row per profile."""
    rows = [
        "| profile | events/s in | namespace ingress (events/s) | namespace egress (events/s) "
        "| TUs for ingress | TUs for egress | × headroom | TUs | partitions per hub |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, rate in rates.items():
        s = size(rate)
        rows.append(
            f"| `{name}` | {rate} | {s.ingress_events} | {s.egress_events} | {_num(s.ingress_tus)} "
            f"| {_num(s.egress_tus)} | {_num(HEADROOM)} | {s.throughput_units} | {s.partitions} |"
        )
    return rows


def _num(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):.2f}"
