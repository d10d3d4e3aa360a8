"""Which Kubernetes minors AKS supports, and until when: the release calendar as data.

Source: "Supported Kubernetes versions in AKS", section "AKS Kubernetes release calendar"
and "LTS versions" (https://learn.microsoft.com/azure/aks/supported-kubernetes-versions,
page as of 2026-08-21). The calendar gives months; a month means its last day ("Mar 2027"
is 2027-03-31). LTS (two years) needs the Premium tier and ``supportPlan:
AKSLongTermSupport``. Update this table when AKS publishes a new minor; a minor missing
from it is refused, so nothing goes out of support silently.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from infra.config.validation import ConfigError, key

OFFICIAL = "KubernetesOfficial"
LONG_TERM = "AKSLongTermSupport"
SUPPORT_PLANS = (OFFICIAL, LONG_TERM)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class Minor:
    version: str
    ga: date  # first day of the AKS GA month: refused before (preview only)
    end_of_life: date  # community support (KubernetesOfficial)
    lts_end_of_life: date  # AKSLongTermSupport


CALENDAR: tuple[Minor, ...] = (
    Minor("1.33", date(2025, 6, 1), _month_end(2026, 7), _month_end(2027, 7)),
    Minor("1.34", date(2025, 11, 1), _month_end(2026, 11), _month_end(2027, 11)),
    Minor("1.35", date(2026, 3, 1), _month_end(2027, 3), _month_end(2028, 3)),
    Minor("1.36", date(2026, 6, 1), _month_end(2027, 6), _month_end(2028, 6)),
    Minor("1.37", date(2026, 10, 1), _month_end(2027, 10), _month_end(2028, 10)),
)
MINORS = {m.version: m for m in CALENDAR}
# The newest minor with schemas for the offline validation and a local control plane
# build (k8s.io/kubernetes v1.36.x): supported until June 2027, with LTS until June 2028.
DEFAULT_KUBERNETES_VERSION = "1.36"


def end_of_support(minor: Minor, support_plan: str) -> date:
    return minor.lts_end_of_life if support_plan == LONG_TERM else minor.end_of_life


def supported_minors(support_plan: str, today: date) -> list[Minor]:
    return [m for m in CALENDAR if m.ga <= today <= end_of_support(m, support_plan)]


def check_kubernetes_version(value: object, support_plan: str, today: date) -> str:
    """``value`` (``1.36`` or ``1.36.2``) if AKS supports its minor on ``today`` under the plan."""
    supported = supported_minors(support_plan, today)
    allowed = (
        f"on {today.isoformat()} with supportPlan {support_plan}, a minor AKS supports, optionally with a patch: "
        + ", ".join(f"{m.version} (until {end_of_support(m, support_plan).isoformat()})" for m in supported)
    )
    match = re.fullmatch(r"(1\.\d+)(\.\d+)?", value) if isinstance(value, str) else None
    if match is None or match.group(1) not in {m.version for m in supported}:
        raise ConfigError(key("aks.kubernetesVersion"), value, allowed)
    return str(value)
