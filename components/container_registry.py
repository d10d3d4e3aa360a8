"""ContainerRegistry: where the job image lives, and the cluster's right to pull it.

An Azure Container Registry (admin user off: nobody pushes or pulls with a shared
password) and an ``AcrPull`` role assignment on it for the AKS kubelet identity, so nodes
pull the job image with no image pull secret. Images are pushed by ``az acr build`` (the
deploy workflow, with its OIDC login) and deployed by digest.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_random as random
from pulumi_azure_native import authorization, containerregistry

from components import azure_names as names

SUFFIX_LENGTH = 6
# Basic holds 10 GiB and suits one job image per stack; Standard/Premium add throughput,
# geo-replication and private endpoints.
DEFAULT_SKU = "Basic"
# Azure's built-in role "AcrPull" (the same id in every tenant).
ACR_PULL_ROLE = "7f951dda-4ed3-4680-a7ca-43fe172d538d"


def role_definition_id(subscription_id: str, role: str = ACR_PULL_ROLE) -> str:
    return f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{role}"


@dataclass
class ContainerRegistryArgs:
    project: str  # with the stack, part of the registry name
    stack: str
    resource_group_name: pulumi.Input[str]
    location: str
    kubelet_object_id: pulumi.Input[str]  # the principal that pulls images on the nodes
    protect: bool
    tags: dict[str, str]
    sku: str = DEFAULT_SKU


class ContainerRegistry(pulumi.ComponentResource):
    registry_name: pulumi.Output[str]
    login_server: pulumi.Output[str]

    def __init__(self, name: str, args: ContainerRegistryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("flink-aks:acr:ContainerRegistry", name, None, opts)
        suffix = random.RandomString(
            f"{name}-suffix",
            length=SUFFIX_LENGTH,
            special=False,
            upper=False,
            opts=pulumi.ResourceOptions(parent=self),
        )
        registry = containerregistry.Registry(
            f"{name}-registry",
            registry_name=suffix.result.apply(lambda s: names.container_registry_name(args.stack, s, args.project)),
            resource_group_name=args.resource_group_name,
            location=args.location,
            sku=containerregistry.SkuArgs(name=args.sku),
            admin_user_enabled=False,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        client = authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=self))
        authorization.RoleAssignment(
            f"{name}-acr-pull",
            principal_id=args.kubelet_object_id,
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            role_definition_id=client.subscription_id.apply(role_definition_id),
            scope=registry.id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.registry_name = registry.name
        self.login_server = registry.login_server
        self.register_outputs({"registry_name": self.registry_name, "login_server": self.login_server})
