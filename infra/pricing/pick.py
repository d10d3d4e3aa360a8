"""Picking the one Retail Prices API item of a price, and its value in our unit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infra.pricing.queries import PriceQuery

PAY_AS_YOU_GO = "Consumption"  # not 'Reservation', not 'DevTestConsumption'


class PickError(LookupError):
    """No item, or several, match a price's query; or the one item is not in the expected unit."""


@dataclass(frozen=True)
class Picked:
    value: float  # per our unit
    meter_id: str
    effective_start: str
    region: str


def _describe(item: dict[str, Any]) -> str:
    fields = ("productName", "skuName", "meterName", "type", "tierMinimumUnits", "unitOfMeasure", "retailPrice")
    return ", ".join(f"{f}={item.get(f)!r}" for f in fields)


def matches(query: PriceQuery, item: dict[str, Any], currency: str) -> bool:
    return (
        item.get("type") == PAY_AS_YOU_GO
        and item.get("currencyCode") == currency
        and item.get("serviceName") == query.service
        and float(item.get("tierMinimumUnits", 0.0)) == query.tier_minimum_units
        and all(item.get(field) == value for field, value in (*query.where, *query.pick))
        and not any(part in str(item.get(field, "")) for field, part in query.exclude)
    )


def pick(query: PriceQuery, items: list[dict[str, Any]], currency: str) -> Picked:
    """The one item of ``items`` that ``query`` describes, converted to our unit."""
    chosen = [item for item in items if matches(query, item, currency)]
    if len(chosen) != 1:
        listed = "\n  ".join(_describe(item) for item in (chosen or items)) or "(the API returned no item)"
        what = "several items match" if chosen else "no item matches"
        raise PickError(f"price {query.id}: {what} {dict(query.pick)} ({currency}, {PAY_AS_YOU_GO}):\n  {listed}")
    item = chosen[0]
    if item.get("unitOfMeasure") != query.unit_of_measure:
        raise PickError(
            f"price {query.id}: the item is priced per {item.get('unitOfMeasure')!r}, "
            f"the query converts from {query.unit_of_measure!r} to {query.unit!r}: {_describe(item)}"
        )
    return Picked(
        round(float(item["retailPrice"]) * query.factor, 6),
        str(item["meterId"]),
        str(item["effectiveStartDate"]),
        str(item["armRegionName"]),
    )
