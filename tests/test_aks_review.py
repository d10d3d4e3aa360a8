"""Issue 18, the AKS side: supported Kubernetes, Entra-only access, maintenance windows,
nodes; each refusal names the key, the value and what is allowed."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml

from components.aks_access import kubelogin_kubeconfig
from components.aks_egress import egress_ip_id
from infra.config.aks_versions import CALENDAR, DEFAULT_KUBERNETES_VERSION, LONG_TERM, OFFICIAL, supported_minors
from infra.config.settings import parse_settings
from infra.config.validation import ConfigError
from infra.render.mocks import fake_kubeconfig

TODAY = date(2026, 11, 30)
GROUP = "11111111-2222-3333-4444-555555555555"
PROD_ACCESS = {"adminGroupObjectIds": [GROUP], "apiServerAuthorizedIpRanges": ["198.51.100.0/24"]}


def settings(stack: str = "dev", today: date = TODAY, **aks: Any) -> Any:
    config = {"azure-native:location": "westeurope", "flink-aks:aks": aks}
    return parse_settings(stack, config, today=today)


def refused(stack: str = "dev", today: date = TODAY, **aks: Any) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        settings(stack, today, **aks)
    return caught.value


# --------------------------------------------------------------------------- Kubernetes version


def test_default_minor_is_supported_through_mid_2027_and_lts_to_2028() -> None:
    minor = next(m for m in CALENDAR if m.version == DEFAULT_KUBERNETES_VERSION)
    assert minor.end_of_life == date(2027, 6, 30) and minor.lts_end_of_life == date(2028, 6, 30)
    assert settings().aks.kubernetes_version == DEFAULT_KUBERNETES_VERSION


def test_a_minor_out_of_support_is_refused_with_what_is_allowed() -> None:
    error = refused(today=date(2026, 12, 1), kubernetesVersion="1.34")
    assert error.key == "flink-aks:aks.kubernetesVersion" and error.value == "1.34"
    assert "on 2026-12-01 with supportPlan KubernetesOfficial" in error.allowed
    assert "1.35 (until 2027-03-31)" in error.allowed and "1.36 (until 2027-06-30)" in error.allowed
    assert "1.34" not in error.allowed


def test_a_minor_is_supported_on_the_last_day_of_its_month() -> None:
    assert settings(today=date(2026, 11, 30), kubernetesVersion="1.34.2").aks.kubernetes_version == "1.34.2"


@pytest.mark.parametrize("version", ["1.9", "1.40", "2.0", "1.36.x", 1.36, "v1.36"])
def test_unknown_or_malformed_versions_are_refused(version: Any) -> None:
    assert refused(kubernetesVersion=version).key == "flink-aks:aks.kubernetesVersion"


def test_a_minor_before_its_aks_ga_is_refused() -> None:
    assert "1.37" not in {m.version for m in supported_minors(OFFICIAL, date(2026, 9, 15))}


def test_long_term_support_needs_premium_and_extends_support() -> None:
    error = refused(supportPlan=LONG_TERM)
    assert error.key == "flink-aks:aks.supportPlan" and "Premium" in error.allowed
    later = date(2027, 9, 1)  # 1.34 left community support in November 2026
    assert refused(today=later, kubernetesVersion="1.34").key == "flink-aks:aks.kubernetesVersion"
    lts = settings(today=later, tier="Premium", supportPlan=LONG_TERM, kubernetesVersion="1.34").aks
    assert (lts.tier, lts.support_plan, lts.kubernetes_version) == ("Premium", LONG_TERM, "1.34")


def test_unknown_support_plan_is_refused() -> None:
    assert "KubernetesOfficial, AKSLongTermSupport" in refused(supportPlan="Extended").allowed


# --------------------------------------------------------------------------- access


def test_prod_like_stack_without_admin_groups_is_refused() -> None:
    error = refused("prod", apiServerAuthorizedIpRanges=["198.51.100.0/24"])
    assert error.key == "flink-aks:aks.adminGroupObjectIds" and "prod-like" in error.allowed


def test_prod_like_stack_without_authorized_ranges_is_refused() -> None:
    error = refused("prod", adminGroupObjectIds=[GROUP])
    assert error.key == "flink-aks:aks.apiServerAuthorizedIpRanges"
    assert "aks.privateCluster: true" in error.allowed and "prod-like" in error.allowed


def test_any_stack_that_protects_its_resources_is_prod_like() -> None:
    config = {"azure-native:location": "westeurope", "flink-aks:protect": True}
    with pytest.raises(ConfigError) as caught:
        parse_settings("staging", config, today=TODAY)
    assert caught.value.key == "flink-aks:aks.adminGroupObjectIds"


def test_prod_like_stack_may_use_a_private_cluster_instead() -> None:
    access = settings("prod", adminGroupObjectIds=[GROUP], privateCluster=True).aks.access
    assert access.private_cluster and access.authorized_ip_ranges == ()


@pytest.mark.parametrize(
    ("aks", "key", "allowed"),
    [
        ({"apiServerAuthorizedIpRanges": ["0.0.0.0/0"]}, "apiServerAuthorizedIpRanges", "whole internet"),
        ({"apiServerAuthorizedIpRanges": ["198.51.100.7/24"]}, "apiServerAuthorizedIpRanges", "host bits"),
        ({"apiServerAuthorizedIpRanges": "198.51.100.0/24"}, "apiServerAuthorizedIpRanges", "list of strings"),
        (
            {"apiServerAuthorizedIpRanges": ["198.51.100.0/24"], "privateCluster": True},
            "apiServerAuthorizedIpRanges",
            "privateCluster",
        ),
        ({"adminGroupObjectIds": ["platform-team"]}, "adminGroupObjectIds", "GUIDs"),
        ({"privateCluster": "maybe"}, "privateCluster", "true or false"),
    ],
)
def test_bad_access_values_are_refused(aks: dict[str, Any], key: str, allowed: str) -> None:
    error = refused(**aks)
    assert error.key == f"flink-aks:aks.{key}" and allowed in error.allowed


def test_dev_may_leave_access_open_to_entra_authenticated_callers() -> None:
    access = settings().aks.access
    assert access.admin_group_object_ids == () and access.authorized_ip_ranges == ()


def test_kubeconfig_is_converted_to_the_azure_cli_login() -> None:
    converted = yaml.safe_load(kubelogin_kubeconfig(fake_kubeconfig("c")))
    exec_ = converted["users"][0]["user"]["exec"]
    assert exec_["args"][:3] == ["get-token", "--login", "azurecli"]
    assert "--client-id" not in exec_["args"] and "devicecode" not in exec_["args"]
    workload = yaml.safe_load(kubelogin_kubeconfig(fake_kubeconfig("c"), login="workloadidentity"))
    assert workload["users"][0]["user"]["exec"]["args"][2] == "workloadidentity"


def test_a_kubeconfig_with_a_static_credential_is_refused() -> None:
    static = yaml.safe_dump({"users": [{"name": "admin", "user": {"token": "t0k3n"}}]})
    with pytest.raises(ValueError, match="static credential") as caught:
        kubelogin_kubeconfig(static)
    assert "t0k3n" not in str(caught.value)


def test_egress_ip_id_reads_typed_and_plain_profiles() -> None:
    ip = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/x"
    assert egress_ip_id({"loadBalancerProfile": {"effectiveOutboundIPs": [{"id": ip}]}}) == ip
    assert egress_ip_id({"loadBalancerProfile": {}}) is None
    assert egress_ip_id(None) is None


# --------------------------------------------------------------------------- maintenance and nodes


def test_maintenance_windows_default_to_weekly_four_hours_on_different_days() -> None:
    aks = settings().aks
    assert aks.upgrade_window.duration_hours >= 4 and aks.node_os_window.duration_hours >= 4
    assert aks.upgrade_window.day != aks.node_os_window.day


def test_maintenance_window_overrides_and_refusals() -> None:
    window = settings(upgradeWindow={"day": "Wednesday", "startTime": "22:30", "durationHours": 6}).aks.upgrade_window
    assert (window.day, window.start_time, window.duration_hours) == ("Wednesday", "22:30", 6)
    assert refused(nodeOsWindow={"durationHours": 3}).key == "flink-aks:aks.nodeOsWindow.durationHours"
    assert refused(upgradeWindow={"day": "Someday"}).key == "flink-aks:aks.upgradeWindow.day"
    assert refused(upgradeWindow={"startTime": "25:00"}).key == "flink-aks:aks.upgradeWindow.startTime"
    assert refused(upgradeWindow={"weekday": "Monday"}).key == "flink-aks:aks.upgradeWindow.weekday"


def test_zonal_stacks_get_a_system_node_in_every_zone() -> None:
    assert settings(zones=["1", "2", "3"]).aks.system_node_count == 3
    assert settings().aks.system_node_count == 1
