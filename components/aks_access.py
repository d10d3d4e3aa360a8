"""Entra-only access to an AKS cluster: who administers it, and the kubeconfig to reach it.

Local accounts are off and Azure RBAC for Kubernetes authorizes every request, so there
is no static credential: kubeconfigs run ``kubelogin`` (an exec plugin) to fetch an Entra
token for whoever runs ``kubectl`` or ``pulumi``. The admin groups get the built-in role
Azure Kubernetes Service RBAC Cluster Admin on the cluster.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import yaml
from pulumi_azure_native import authorization

# Azure's built-in role "Azure Kubernetes Service RBAC Cluster Admin" (the same id in every tenant).
RBAC_CLUSTER_ADMIN_ROLE = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"
# Works on a laptop after `az login` and in CI after `azure/login` (OIDC): both leave an
# Azure CLI session whose token kubelogin exchanges. `kubelogin convert-kubeconfig -l
# workloadidentity` suits runners with a federated token file instead.
LOGIN_MODE = "azurecli"
# Flags of `kubelogin get-token` that the azurecli login mode does not take.
UNUSED_FLAGS = ("--client-id", "--environment", "--tenant-id")


def role_definition_id(subscription_id: str) -> str:
    return (
        f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{RBAC_CLUSTER_ADMIN_ROLE}"
    )


def kubelogin_kubeconfig(kubeconfig: str, login: str = LOGIN_MODE) -> str:
    """AKS' exec-format user kubeconfig with its ``kubelogin`` login mode set to ``login``
    (what ``kubelogin convert-kubeconfig -l <login>`` does); refuses one with a credential."""
    config = yaml.safe_load(kubeconfig)
    for user in config.get("users") or []:
        entry = user.get("user") or {}
        exec_ = entry.get("exec")
        if exec_ is None or set(entry) - {"exec"}:
            raise ValueError(f"user {user.get('name')!r} is not a kubelogin exec user (a static credential?)")
        exec_["args"] = _login_args(list(exec_.get("args") or []), login)
    return yaml.safe_dump(config, sort_keys=False)


def _login_args(args: list[str], login: str) -> list[str]:
    kept: list[str] = []
    it = iter(args)
    for arg in it:
        if arg in UNUSED_FLAGS or arg == "--login":
            next(it, None)
            continue
        kept.append(arg)
    return [*kept[:1], "--login", login, *kept[1:]]


def cluster_admins(
    name: str,
    cluster_id: pulumi.Input[str],
    admin_group_object_ids: Sequence[str],
    opts: pulumi.ResourceOptions,
) -> list[authorization.RoleAssignment]:
    """RBAC Cluster Admin on the cluster for each admin group.

    The deploying identity is not assigned here: its principal type (a user on a laptop,
    a service principal in CI) is not known to the program, and Azure refuses a role
    assignment with the wrong one. It holds the role beforehand (docs/azure.md).
    """
    client = authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=opts.parent))
    role = client.subscription_id.apply(role_definition_id)
    return [
        authorization.RoleAssignment(
            f"{name}-admin-{group}",
            principal_id=group,
            principal_type=authorization.PrincipalType.GROUP,
            role_definition_id=role,
            scope=cluster_id,
            opts=opts,
        )
        for group in admin_group_object_ids
    ]
