"""The ``flink-aks:ui`` setting: validated once into the Flink component's ``UiSpec``."""

from __future__ import annotations

from typing import Any

from components.flink.spec import UiSpec
from infra.config import validation as v
from infra.config.validation import ConfigError, key

UI_KEYS = ("exposure", "allowedCidrs")
UI_EXPOSURES = ("public", "internal", "portForward")


def parse_ui(raw: Any) -> UiSpec:
    obj = v.check_keys(key("ui"), raw, UI_KEYS)
    exposure = v.choice(key("ui.exposure"), obj.get("exposure", "portForward"), UI_EXPOSURES)
    cidrs = tuple(
        v.cidr(key("ui.allowedCidrs"), c) for c in v.string_list(key("ui.allowedCidrs"), obj.get("allowedCidrs", []))
    )
    if exposure != "portForward":  # a load balancer: only for the networks named
        if not cidrs:
            raise ConfigError(
                key("ui.allowedCidrs"),
                list(cidrs),
                f"a non-empty list of CIDRs when ui.exposure is {exposure} (the Flink UI has no authentication)",
            )
        open_to_all = [c for c in cidrs if c.endswith("/0")]
        if open_to_all:
            raise ConfigError(
                key("ui.allowedCidrs"),
                open_to_all[0],
                "networks narrower than the whole internet (the Flink UI has no authentication)",
            )
    return UiSpec(exposure=exposure, allowed_cidrs=cidrs)
