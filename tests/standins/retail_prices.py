"""A stand-in for Azure's Retail Prices API (``GET /api/retail/prices``) on 127.0.0.1.

``pages`` maps an exact ``$filter`` to the pages of items the API answers for it (a filter
it does not hold answers no item, as the API does). Pages are addressed by ``$skip`` in
steps of 1000 and chained by ``NextPageLink``; ``requests`` records each request's
``$filter``, ``currencyCode`` and ``$skip``.
"""

from __future__ import annotations

import urllib.parse
from http.server import BaseHTTPRequestHandler

from tests.standins.server import Json, JsonHandler, StandIn

PATH = "/api/retail/prices"
PAGE = 1000


class FakeRetailPrices(StandIn):
    def __init__(self, pages: dict[str, list[list[Json]]]) -> None:
        self.pages = pages
        self.requests: list[tuple[str, str, int]] = []
        super().__init__()

    @property
    def api_url(self) -> str:
        return self.url + PATH

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(JsonHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                url = urllib.parse.urlsplit(self.path)
                if url.path != PATH:
                    self.answer(404, {"Error": {"Code": "NotFound", "Message": url.path}})
                    return
                query = dict(urllib.parse.parse_qsl(url.query))
                odata, currency = query.get("$filter", ""), query.get("currencyCode", "")
                skip = int(query.get("$skip", 0))
                with stand_in.lock:
                    stand_in.requests.append((odata, currency, skip))
                pages = stand_in.pages.get(odata, [[]])
                index = skip // PAGE
                following = None
                if index + 1 < len(pages):
                    more = urllib.parse.urlencode({**query, "$skip": str(skip + PAGE)})
                    following = f"{stand_in.api_url}?{more}"
                items = pages[index] if index < len(pages) else []
                self.answer(
                    200,
                    {
                        "BillingCurrency": currency.strip("'"),
                        "CustomerEntityId": "Default",
                        "CustomerEntityType": "Retail",
                        "Items": items,
                        "NextPageLink": following,
                        "Count": len(items),
                    },
                )

        return Handler
