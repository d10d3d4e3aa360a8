"""Azure's Retail Prices API: public, unauthenticated, OData ``$filter``, paged by ``NextPageLink``.

https://learn.microsoft.com/rest/api/cost-management/retail-prices/azure-retail-prices
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

API_URL = "https://prices.azure.com/api/retail/prices"
MAX_PAGES = 50
TIMEOUT_SECONDS = 60


class RetailApiError(RuntimeError):
    """The API did not answer, or not with pages of ``Items``."""


def first_page_url(api_url: str, odata_filter: str, currency: str) -> str:
    query = urllib.parse.urlencode({"currencyCode": f"'{currency}'", "$filter": odata_filter})
    return f"{api_url}?{query}"


def _page(url: str) -> dict[str, Any]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            body = json.load(response)
    except (urllib.error.URLError, TimeoutError, json.JSONDecodeError) as error:
        raise RetailApiError(f"GET {url}: {error}") from error
    if not isinstance(body, dict) or not isinstance(body.get("Items"), list):
        raise RetailApiError(f"GET {url}: no 'Items' list in the answer")
    return body


def items(api_url: str, odata_filter: str, currency: str) -> list[dict[str, Any]]:
    """Every item the filter matches, following ``NextPageLink`` to the last page."""
    url: str | None = first_page_url(api_url, odata_filter, currency)
    found: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        if not url:
            return found
        page = _page(url)
        found.extend(page["Items"])
        url = page.get("NextPageLink")
    raise RetailApiError(f"more than {MAX_PAGES} pages for $filter={odata_filter}: narrow the query")
