"""``python -m infra.prices refresh [--region R] [--currency C]``: list prices from Azure's
Retail Prices API into infra/config/prices.json and docs/cost.md.

Kept as a command; the code is in infra/pricing/."""

import sys

from infra.pricing.refresh import main

if __name__ == "__main__":
    sys.exit(main())
