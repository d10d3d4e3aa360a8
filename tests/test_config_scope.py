"""Typos outside the objects: config namespaces and Azure regions."""

from __future__ import annotations

from typing import Any

import pytest

from infra.config.azure_regions import AZURE_PUBLIC_REGIONS
from infra.config.settings import parse_settings
from infra.config.validation import ConfigError

BASE = {"azure-native:location": "westeurope"}


def refused(config: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_settings("dev", config)
    return caught.value


def test_a_key_of_an_unknown_namespace_is_refused() -> None:
    error = refused({**BASE, "flink-ask:ui": {"exposure": "public"}})
    assert error.key == "flink-ask:ui"
    assert str(error).endswith("no such namespace; keys of flink-aks, azure-native, kubernetes, random, pulumi")


@pytest.mark.parametrize("key", ["azure-native:subscriptionId", "kubernetes:enableServerSideApply", "pulumi:tags"])
def test_the_providers_namespaces_stay_allowed(key: str) -> None:
    assert parse_settings("dev", {**BASE, key: "x"}).location == "westeurope"


def test_a_misspelt_region_is_refused_with_the_way_out() -> None:
    error = refused({"azure-native:location": "westeuorpe"})
    assert error.key == "azure-native:location"
    assert "allowUnlistedLocation" in str(error)


@pytest.mark.parametrize("given", ["West Europe", "swedencentral", "eastus2"])
def test_listed_regions_pass_normalized(given: str) -> None:
    assert parse_settings("dev", {"azure-native:location": given}).location == given.replace(" ", "").lower()


def test_a_region_not_yet_listed_passes_when_allowed() -> None:
    config = {"azure-native:location": "marscentral", "flink-aks:allowUnlistedLocation": "true"}
    assert "marscentral" not in AZURE_PUBLIC_REGIONS
    assert parse_settings("dev", config).location == "marscentral"


def test_the_region_list_is_lowercase_sorted_and_unique() -> None:
    assert list(AZURE_PUBLIC_REGIONS) == sorted(set(AZURE_PUBLIC_REGIONS))
    assert all(r.isalnum() and r == r.lower() for r in AZURE_PUBLIC_REGIONS)
