"""``python -m infra.prices refresh`` against a stand-in of Azure's Retail Prices API on
127.0.0.1, serving recorded-shape pages (tests/data/retail_prices_eastus.json): Linux,
Windows, Spot, Low Priority, Reservation and DevTest items side by side, tiered meters,
a load balancer listed under 'Global', a price found only on a second page."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra.config.prices import HOURS_PER_MONTH, SECONDS_PER_MONTH, PriceDataError, load_prices, parse_prices
from infra.pricing.cost_doc import UnknownBlockError, regenerate
from infra.pricing.pick import PickError, pick
from infra.pricing.queries import QUERIES, UNMETERED, PriceQuery, odata_filter
from infra.pricing.refresh import fetch_prices, main
from infra.render.offline import ROOT
from tests.standins.retail_prices import FakeRetailPrices

FIXTURE = Path(__file__).parent / "data" / "retail_prices_eastus.json"
SOURCED = re.compile(
    r"^sourced: prices\.azure\.com retail API, meterId=([0-9a-f-]{36}), effectiveStartDate=(\S+?)(,|$)"
)
QUERY = {q.id: q for q in QUERIES}


def recorded() -> dict[str, list[list[dict[str, Any]]]]:
    return json.loads(FIXTURE.read_text())["pages"]


def pages_of(pages: dict[str, list[list[dict[str, Any]]]], price_id: str) -> list[list[dict[str, Any]]]:
    return pages[odata_filter(QUERY[price_id], "eastus")]


def refresh(pages: dict[str, list[list[dict[str, Any]]]]) -> tuple[dict[str, Any], FakeRetailPrices]:
    with FakeRetailPrices(pages) as api:
        return fetch_prices(api.api_url, "eastus", "USD", "2026-12-01", load_prices()), api


def test_the_pay_as_you_go_linux_item_of_each_price_is_picked() -> None:
    prices, _ = refresh(recorded())
    values = {key: price.value for key, price in prices.items()}
    assert values == {
        "vm/Standard_D2s_v5": 0.1,  # not Windows 0.19, Spot/Low Priority 0.02, Reservation, DevTest 0.09
        "vm/Standard_D4s_v5": 0.2,
        "vm/Standard_D8s_v5": 0.4,
        "aks/Free": 0.0,
        "aks/Standard": 0.11,
        "aks/Premium": 0.66,
        "event-hubs/standard-tu": 0.031,
        "event-hubs/ingress": 0.029,
        "event-hubs/premium-pu": 1.3,
        "os-disk/64": 10.21,
        "os-disk/128": 19.71,
        "zookeeper-disk/managed-csi": 0.6,
        "zookeeper-disk/zookeeper-disk-zrs": 2.31,
        "files/LRS": 0.06,
        "files/ZRS": 0.075,
        "log-analytics/ingestion": 2.76,  # the charged tier (5 GB), not the free one
        "load-balancer/standard": 0.025,
        "public-ip/standard": 0.005,
        "container-registry/basic": 0.1666,
    }
    assert list(prices) == list(load_prices()), "the estimate's order is kept"


def test_each_price_names_its_meter_date_region_and_currency() -> None:
    pages = recorded()
    prices, _ = refresh(pages)
    for key, price in prices.items():
        assert (price.as_of, price.region, price.currency) == (
            "2026-12-01" if key not in UNMETERED else "2026-11-30",
            "eastus",
            "USD",
        )
        if key in UNMETERED:
            assert price.evidence.startswith("sourced: learn.microsoft.com/azure/aks/"), key
            continue
        match = SOURCED.match(price.evidence)
        assert match, price.evidence
        items = [i for page in pages_of(pages, key) for i in page if i["meterId"] == match[1]]
        assert [(i["retailPrice"], i["type"], i["effectiveStartDate"]) for i in items] == [
            (price.value, "Consumption", match[2])
        ], key
        assert price.unit == QUERY[key].unit
    assert prices["load-balancer/standard"].evidence.endswith(", armRegionName=Global")


def test_paging_is_followed_and_filters_are_fetched_once() -> None:
    pages = recorded()
    first, second = pages_of(pages, "vm/Standard_D2s_v5")
    linux = [
        i
        for i in second
        if i["type"] == "Consumption" and i["meterName"] == "D2s v5" and "Windows" not in i["productName"]
    ]
    assert len(linux) == 1 and linux[0] not in first  # only the second page holds it
    _, api = refresh(pages)
    d2s = odata_filter(QUERY["vm/Standard_D2s_v5"], "eastus")
    assert [(skip, currency) for odata, currency, skip in api.requests if odata == d2s] == [
        (0, "'USD'"),
        (1000, "'USD'"),
    ]
    assert len(api.requests) == len(pages) + 1  # AKS and Event Hubs Standard share a filter
    assert d2s == "serviceName eq 'Virtual Machines' and armRegionName eq 'eastus' and armSkuName eq 'Standard_D2s_v5'"


def test_a_price_without_its_item_is_refused_with_the_candidates() -> None:
    pages = recorded()
    for page in pages_of(pages, "vm/Standard_D4s_v5"):
        page[:] = [
            i
            for i in page
            if not (
                i["type"] == "Consumption" and i["meterName"] == "D4s v5" and not i["productName"].endswith("Windows")
            )
        ]
    del pages[odata_filter(QUERY["container-registry/basic"], "eastus")]
    with pytest.raises(PickError) as refused:
        refresh(pages)
    message = str(refused.value)
    assert "price vm/Standard_D4s_v5: no item matches {'armSkuName': 'Standard_D4s_v5'} (USD, Consumption)" in message
    assert "productName='Virtual Machines Dsv5 Series Windows'" in message and "meterName='D4s v5 Spot'" in message
    assert "price container-registry/basic: no item matches" in message and "(the API returned no item)" in message


def test_several_matching_items_are_refused_naming_them() -> None:
    pages = recorded()
    page = pages_of(pages, "public-ip/standard")[0]
    twin = copy.deepcopy(page[0])
    twin.update(meterId="5eed0000-0000-4000-8000-0000000000ff", retailPrice=0.0036)
    page.append(twin)
    with pytest.raises(PickError, match=r"price public-ip/standard: several items match") as refused:
        refresh(pages)
    assert "retailPrice=0.005" in str(refused.value) and "retailPrice=0.0036" in str(refused.value)


def test_an_item_in_another_unit_is_refused() -> None:
    pages = recorded()
    pages_of(pages, "container-registry/basic")[0][0]["unitOfMeasure"] = "1/Month"
    with pytest.raises(
        PickError, match=r"container-registry/basic: the item is priced per '1/Month', .* from '1/Day' to 'day'"
    ):
        refresh(pages)


def test_the_unit_is_converted_by_the_declared_factor() -> None:
    query = PriceQuery("x/y", "S", (), (("meterName", "m"),), unit_of_measure="100 Hours", unit="hour", factor=0.01)
    item = {
        "type": "Consumption",
        "currencyCode": "EUR",
        "serviceName": "S",
        "meterName": "m",
        "tierMinimumUnits": 0,
        "unitOfMeasure": "100 Hours",
        "retailPrice": 7.0,
        "meterId": "id",
        "effectiveStartDate": "d",
        "armRegionName": "westeurope",
    }
    assert pick(query, [item], "EUR").value == 0.07
    with pytest.raises(PickError, match="no item matches"):
        pick(query, [item], "USD")  # another currency's item is not this one


def test_every_committed_price_has_a_query_or_is_unmetered() -> None:
    committed = set(load_prices())
    assert committed == {q.id for q in QUERIES} | UNMETERED


def test_the_committed_doc_is_what_the_generator_writes() -> None:
    text = (ROOT / "docs" / "cost.md").read_text()
    assert regenerate(text, ROOT) == text
    with pytest.raises(UnknownBlockError, match="block 'nonsense': allowed are 'prices'"):
        regenerate("<!-- generated: nonsense -->\n|x|\n<!-- end of generated table -->", ROOT)


def test_bad_price_data_is_refused_naming_the_entry() -> None:
    entry = {
        "id": "vm/a",
        "value": 1,
        "unit": "hour",
        "evidence": "assumption",
        "as_of": "d",
        "region": "eastus",
        "currency": "USD",
    }
    with pytest.raises(PriceDataError, match="value -1 is not a number >= 0"):
        parse_prices({"prices": [{**entry, "value": -1}]}, "p.json")
    with pytest.raises(PriceDataError, match="must have exactly the keys"):
        parse_prices({"prices": [{k: v for k, v in entry.items() if k != "unit"}]}, "p.json")
    with pytest.raises(PriceDataError, match=r"one region, found \['eastus', 'westeurope'\]"):
        parse_prices({"prices": [entry, {**entry, "id": "vm/b", "region": "westeurope"}]}, "p.json")


@pytest.mark.parametrize(
    ("flag", "value", "says"), [("--region", "West Europe", "armRegionName"), ("--currency", "usd", "three capital")]
)
def test_bad_options_are_refused(flag: str, value: str, says: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["refresh", flag, value])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"{flag} {value!r}" in err and says in err


def _project_copy(tmp: Path) -> Path:
    for package in ("infra", "components"):
        shutil.copytree(ROOT / package, tmp / package, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "cost.md", tmp / "docs" / "cost.md")
    for stack_file in ROOT.glob("Pulumi*.yaml"):
        shutil.copy(stack_file, tmp / stack_file.name)
    return tmp


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_refresh_writes_the_data_and_regenerates_the_doc(tmp_path: Path) -> None:
    project = _project_copy(tmp_path)
    with FakeRetailPrices(recorded()) as api:
        done = _run(project, "-m", "infra.prices", "refresh", "--api-url", api.api_url)
    assert done.returncode == 0, done.stderr
    assert (
        "infra/config/prices.json: 19 prices, eastus, USD" in done.stdout and "docs/cost.md regenerated" in done.stdout
    )

    data = json.loads((project / "infra" / "config" / "prices.json").read_text())["prices"]
    assert {e["id"]: e["value"] for e in data}["vm/Standard_D2s_v5"] == 0.1
    doc = (project / "docs" / "cost.md").read_text()
    assert re.search(r"\| VM Standard_D2s_v5 \| 0\.1 \| hour \| sourced: prices\.azure\.com retail API, meterId=", doc)
    # The 1k profile's rows from the fetched prices: 3 user nodes, 2000 events/s of ingress.
    assert f"| user nodes (3 × Standard_D2s_v5, initial count) | {3 * 0.1 * HOURS_PER_MONTH:,.2f} |" in doc
    assert f"| Event Hubs ingress events (2000 events/s) | {2000 * SECONDS_PER_MONTH / 1e6 * 0.029:,.2f} |" in doc
    # Only the generated tables changed; a second regeneration changes nothing.
    outside = re.compile(r"<!-- generated: [^>]*-->\n.*?\n<!-- end of generated table -->", re.DOTALL)
    assert outside.sub("", doc) == outside.sub("", (ROOT / "docs" / "cost.md").read_text())
    again = _run(project, "-m", "infra.prices", "docs")
    assert again.stdout.strip() == "docs/cost.md unchanged", again.stderr
    # The estimate the render prints reads the same data.
    line = _run(
        project,
        "-c",
        "from infra.render.cli import cost_line; from pathlib import Path; print(cost_line('prod', Path.cwd()))",
    )
    assert line.returncode == 0, line.stderr
    assert line.stdout.strip().endswith(f"(pay-as-you-go list prices, eastus, {data[0]['as_of']}; docs/cost.md)")
    total = re.search(r"<!-- generated: stack prod -->.*?\| \*\*total\*\* \| \*\*([\d,.]+)\*\*", doc, re.DOTALL)
    assert total and line.stdout.startswith(f"estimatedMonthlyCostUsd: {total[1].replace(',', '')} ")


def test_a_refused_refresh_writes_nothing(tmp_path: Path) -> None:
    project = _project_copy(tmp_path)
    before = (project / "infra" / "config" / "prices.json").read_text(), (project / "docs" / "cost.md").read_text()
    pages = recorded()
    del pages[odata_filter(QUERY["aks/Standard"], "eastus")]
    with FakeRetailPrices(pages) as api:
        done = _run(project, "-m", "infra.prices", "refresh", "--api-url", api.api_url)
    assert done.returncode == 1
    assert "price aks/Standard: no item matches" in done.stderr and "price aks/Premium: no item matches" in done.stderr
    assert done.stderr.rstrip().endswith("nothing written")
    assert (
        (project / "infra" / "config" / "prices.json").read_text(),
        (project / "docs" / "cost.md").read_text(),
    ) == before


def test_an_unreachable_api_is_said_so(capsys: pytest.CaptureFixture[str]) -> None:
    with FakeRetailPrices({}) as api:
        closed = api.url + "/nowhere"  # answers 404
        assert main(["refresh", "--api-url", closed]) == 1
    err = capsys.readouterr().err
    assert f"error: GET {closed}?currencyCode=" in err and "404" in err and err.rstrip().endswith("nothing written")
