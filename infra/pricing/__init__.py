"""Refreshing the estimate's list prices from Azure's Retail Prices API (``python -m infra.prices``)."""
