"""``flink-aks:monitoring``: defaults per stack name, receivers, the checkpoint bound, refusals."""

from __future__ import annotations

from typing import Any

import pytest

from infra.config.monitoring import prometheus_duration
from infra.config.settings import parse_settings
from infra.config.validation import ConfigError
from tests.test_settings import PROD_ACCESS
from tests.test_settings import config as stack_config
from tests.test_target import SECRET_KEYS, existing

EMAILS = ["flink-oncall@example.com"]


def config(**objects: Any) -> dict[str, Any]:
    """A valid config (prod-like stacks need cluster access settings) plus overrides."""
    return stack_config(**{"aks": PROD_ACCESS, **objects})


def refusal(stack: str, values: dict[str, Any], secret_keys: frozenset[str] = frozenset()) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_settings(stack, values, secret_keys)
    return caught.value


def test_on_by_default_for_prod_stacks_only_with_grafana_following() -> None:
    prod = parse_settings("prod-eu", config(monitoring={"emails": EMAILS})).monitoring
    assert prod.enabled and prod.grafana and prod.emails == tuple(EMAILS)
    dev = parse_settings("dev", config()).monitoring
    assert not dev.enabled and not dev.grafana and dev.emails == ()


def test_switchable_per_stack() -> None:
    assert not parse_settings("prod", config(monitoring={"enabled": False})).monitoring.enabled
    dev = parse_settings("dev", config(monitoring={"enabled": True, "emails": EMAILS, "grafana": False})).monitoring
    assert dev.enabled and not dev.grafana


def test_the_stack_files() -> None:
    from tests.rendering import settings_of

    prod = settings_of("prod").monitoring
    assert prod.enabled and prod.grafana and prod.emails == ("flink-oncall@example.com",)
    dev = settings_of("dev").monitoring
    assert dev.enabled and not dev.grafana and dev.emails == ("flink-dev@example.com",)


def test_an_enabled_stack_needs_a_receiver() -> None:
    error = refusal("prod", config())
    assert error.key == "flink-aks:monitoring.emails" and error.value == []
    assert "an alert nobody receives is useless" in error.allowed
    assert refusal("dev", config(monitoring={"enabled": True, "emails": []})).key == "flink-aks:monitoring.emails"


@pytest.mark.parametrize("bad", ["oncall", "on call@example.com", "a@b", "@example.com", 42])
def test_a_malformed_address_is_refused(bad: Any) -> None:
    error = refusal("prod", config(monitoring={"emails": [*EMAILS, bad]}))
    assert error.key == "flink-aks:monitoring.emails"
    assert error.value in (bad, [*EMAILS, bad])  # the address, or the list when it holds a non-string


def test_unknown_keys_and_bad_values_are_refused() -> None:
    assert refusal("prod", config(monitoring={"emails": EMAILS, "email": EMAILS})).key == "flink-aks:monitoring.email"
    assert (
        refusal("prod", config(monitoring={"emails": EMAILS, "enabled": "yes"})).key == "flink-aks:monitoring.enabled"
    )
    error = refusal("dev", config(monitoring={"grafana": True}))
    assert error.key == "flink-aks:monitoring.grafana" and "monitoring.enabled" in error.allowed


def test_refused_on_an_existing_cluster_and_off_by_default_there() -> None:
    error = refusal("prod", {**existing(), "flink-aks:monitoring": {"enabled": True, "emails": EMAILS}}, SECRET_KEYS)
    assert error.key == "flink-aks:monitoring.enabled"
    assert "Azure resources" in error.allowed and "port named metrics" in error.allowed
    assert not parse_settings("prod", existing(), SECRET_KEYS).monitoring.enabled


@pytest.mark.parametrize(
    ("interval", "after"),
    [("10s", "15m"), ("60s", "15m"), ("5min", "15m"), ("6min", "18m"), ("7 min", "21m"), ("25s", "15m")],
)
def test_the_checkpoint_bound_follows_the_checkpoint_interval(interval: str, after: str) -> None:
    spec = parse_settings("dev", config(flink={"checkpointInterval": interval})).monitoring
    assert spec.checkpoint_alert_after == after and spec.bounds().checkpoint_age == after


def test_the_checkpoint_bound_can_be_set() -> None:
    spec = parse_settings("dev", config(monitoring={"checkpointAlertAfter": "90s"})).monitoring
    assert spec.checkpoint_alert_after == "90s"
    assert (
        parse_settings("dev", config(monitoring={"checkpointAlertAfter": "2h"})).monitoring.bounds().checkpoint_age
        == "120m"
    )
    error = refusal("dev", config(flink={"checkpointInterval": "60s"}, monitoring={"checkpointAlertAfter": "100s"}))
    assert error.key == "flink-aks:monitoring.checkpointAlertAfter" and "2 × flink.checkpointInterval" in error.allowed
    assert refusal("dev", config(monitoring={"checkpointAlertAfter": "30s"})).key.endswith("checkpointAlertAfter")


def test_prometheus_durations() -> None:
    assert [prometheus_duration(ms) for ms in (900_000, 90_000, 60_000, 7_200_000)] == ["15m", "90s", "1m", "120m"]
