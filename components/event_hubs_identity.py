"""The job's Entra ID identity for Event Hubs (``eventHubs.auth: workloadIdentity``).

A user-assigned managed identity, trusted for the Flink pods' ServiceAccounts through a
federated identity credential on the cluster's OIDC issuer, with Azure Event Hubs Data
Receiver on the input hub and Data Sender on the output hub: nothing at namespace scope,
and no key anywhere (docs/workload-identity.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import authorization, managedidentity

from components.container_registry import role_definition_id

# Azure's built-in roles (the same ids in every tenant).
DATA_RECEIVER_ROLE = "a638d3c7-ab3a-418d-83e6-5f17a39d4fde"  # Azure Event Hubs Data Receiver
DATA_SENDER_ROLE = "2b629674-e913-4c01-ae53-ef4638d8f975"  # Azure Event Hubs Data Sender
# The audience the workload identity webhook's projected token carries.
TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"


def subject(namespace: str, service_account: str) -> str:
    """The federated credential's subject: the ServiceAccount's name in a token."""
    return f"system:serviceaccount:{namespace}:{service_account}"


@dataclass
class JobIdentityArgs:
    identity_name: pulumi.Input[str]
    resource_group_name: pulumi.Input[str]
    location: str
    tags: dict[str, str]
    oidc_issuer_url: pulumi.Input[str]  # the AKS cluster's OIDC issuer
    namespace: str  # the Flink pods' Kubernetes namespace
    service_accounts: tuple[str, ...]  # the ServiceAccounts the Flink pods run as
    input_hub_id: pulumi.Input[str]  # scope of Data Receiver
    output_hub_id: pulumi.Input[str]  # scope of Data Sender


class JobIdentity(pulumi.ComponentResource):
    client_id: pulumi.Output[str]  # the ServiceAccounts' azure.workload.identity/client-id
    principal_id: pulumi.Output[str]

    def __init__(self, name: str, args: JobIdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("flink-aks:eventhubs:JobIdentity", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        identity = managedidentity.UserAssignedIdentity(
            f"{name}-identity",
            resource_name_=args.identity_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=args.tags,
            opts=child,
        )
        for account in args.service_accounts:
            managedidentity.FederatedIdentityCredential(
                f"{name}-{account}",
                federated_identity_credential_resource_name=account,
                resource_name_=identity.name,
                resource_group_name=args.resource_group_name,
                issuer=args.oidc_issuer_url,
                subject=subject(args.namespace, account),
                audiences=[TOKEN_EXCHANGE_AUDIENCE],
                opts=child,
            )
        client = authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=self))
        for logical, role, scope in (
            ("input-receiver", DATA_RECEIVER_ROLE, args.input_hub_id),
            ("output-sender", DATA_SENDER_ROLE, args.output_hub_id),
        ):
            authorization.RoleAssignment(
                f"{name}-{logical}",
                principal_id=identity.principal_id,
                principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
                role_definition_id=client.subscription_id.apply(lambda s, r=role: role_definition_id(s, r)),
                scope=scope,
                opts=child,
            )
        self.client_id = identity.client_id
        self.principal_id = identity.principal_id
        self.register_outputs({"client_id": self.client_id, "principal_id": self.principal_id})
