"""``python -m infra.prices refresh``: the estimate's list prices from Azure's Retail Prices API.

Fetches every price of the query table (infra/pricing/queries.py), picks exactly one item per
price (or refuses, naming the price and the candidates), rewrites infra/config/prices.json
with the value, unit, ``sourced: prices.azure.com retail API, meterId=…,
effectiveStartDate=…``, the day, the region and the currency of each, then regenerates
docs/cost.md (``python -m infra.prices docs``) in a fresh interpreter, which reads the new file.
Nothing is written unless every price was found.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from infra.config.prices import DATA, Price, PriceDataError, load_prices
from infra.pricing import retail_api
from infra.pricing.cost_doc import rewrite
from infra.pricing.pick import PickError, pick
from infra.pricing.queries import QUERIES, UNMETERED, odata_filter

ROOT = Path(__file__).resolve().parents[2]
REGION = re.compile(r"^[a-z][a-z0-9]*$")
CURRENCY = re.compile(r"^[A-Z]{3}$")


def fetch_prices(api_url: str, region: str, currency: str, today: str, current: dict[str, Price]) -> dict[str, Price]:
    """Every price of ``current`` anew: metered ones from the API, unmetered ones kept."""
    unknown = sorted(set(current) - {q.id for q in QUERIES} - UNMETERED)
    if unknown:
        raise PriceDataError(f"{DATA.name}: no query for {unknown} in infra/pricing/queries.py")
    fresh: dict[str, Price] = {}
    answers: dict[str, list[dict[str, Any]]] = {}  # queries that share a filter fetch it once
    refused: list[str] = []
    for query in QUERIES:
        odata = odata_filter(query, region)
        try:
            if odata not in answers:
                answers[odata] = retail_api.items(api_url, odata, currency)
            found = pick(query, answers[odata], currency)
        except PickError as error:  # every refused price is reported; an unreachable API stops at once
            refused.append(str(error))
            continue
        evidence = (
            "sourced: prices.azure.com retail API, "
            f"meterId={found.meter_id}, effectiveStartDate={found.effective_start}"
            + (f", armRegionName={found.region}" if found.region != region else "")
        )
        fresh[query.id] = Price(found.value, query.unit, evidence, today, region, currency)
    if refused:
        raise PickError("\n".join(refused))
    for key in sorted(UNMETERED & set(current)):
        kept = current[key]
        fresh[key] = Price(kept.value, kept.unit, kept.evidence, kept.as_of, region, currency)
    # The file's order is the estimate's table order.
    return {key: fresh[key] for key in [*current, *(k for k in fresh if k not in current)]}


def write_prices(path: Path, prices: dict[str, Price]) -> None:
    entries = [{"id": key, **asdict(price)} for key, price in prices.items()]
    path.write_text(json.dumps({"prices": entries}, indent=2, ensure_ascii=False) + "\n")


def _regenerate_docs(root: Path) -> None:
    subprocess.run([sys.executable, "-m", "infra.prices", "docs"], cwd=root, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.prices", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    refresh = commands.add_parser("refresh", help="read every price from the Retail Prices API, rewrite docs/cost.md")
    refresh.add_argument("--region", default="eastus", help="armRegionName, e.g. westeurope (default eastus)")
    refresh.add_argument("--currency", default="USD", help="currencyCode, e.g. EUR (default USD)")
    refresh.add_argument("--api-url", default=retail_api.API_URL, help=f"the API (default {retail_api.API_URL})")
    commands.add_parser("docs", help="regenerate docs/cost.md's tables from infra/config/prices.json")
    args = parser.parse_args(argv)
    if args.command == "docs":
        print("docs/cost.md " + ("regenerated" if rewrite(ROOT) else "unchanged"))
        return 0
    if not REGION.match(args.region):
        parser.error(f"--region {args.region!r}: an armRegionName is lower-case letters and digits, e.g. westeurope")
    if not CURRENCY.match(args.currency):
        parser.error(f"--currency {args.currency!r}: a currency is three capital letters, e.g. USD")
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    try:
        prices = fetch_prices(args.api_url, args.region, args.currency, today, load_prices(DATA))
    except (PickError, PriceDataError, retail_api.RetailApiError) as error:
        print(f"error: {error}\nnothing written", file=sys.stderr)
        return 1
    write_prices(DATA, prices)
    print(f"{DATA.relative_to(ROOT)}: {len(prices)} prices, {args.region}, {args.currency}, {today}")
    _regenerate_docs(ROOT)
    return 0
