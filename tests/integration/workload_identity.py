"""The workload-identity chain on this machine, from the projected token on:

    ServiceAccount (local control plane) ─TokenRequest─▶ projected token file
        ─client_assertion─▶ Entra stand-in ─access token (JWT)─▶ Kafka OAUTHBEARER
        ─Kafka's validator (JWKS, audience, issuer)─▶ ACLs of the token's principal

``IdentityChain`` starts the stand-in and keeps one projected token file per workload
fresh; ``workload_env`` is what AKS's webhook would inject into that workload's pods, and
``client_properties`` the Kafka client file of a workload on OAUTHBEARER.
"""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from pathlib import Path

from components.flink.kafka_secret import EVENT_HUBS_CLIENT_PROPERTIES
from tests.controlplane.client import KubeClient
from tests.integration.entra_standin import EntraStandIn, ManagedIdentity, TokenService, service_account_subject
from tests.integration.kafka_credentials import NAMESPACE as EVENT_HUBS_NAMESPACE
from tests.integration.kafka_oauth import LOGIN_MODULE, OAuthListener
from tests.integration.projected_token import ProjectedToken, issuer, issuer_jwks

K8S_NAMESPACE = "flink-aks"
TOKEN_LIFETIME_S = 20  # Entra's live 60-90 minutes; short here so every run refreshes
HANDLER = "flinkaks.reference.auth.WorkloadIdentityLoginCallbackHandler"
TOKEN_FILE_NAME = "azure-identity-token"  # as the webhook names it
EVENT_HUBS_RESOURCE = f"https://{EVENT_HUBS_NAMESPACE}.servicebus.windows.net"
SCOPE = f"{EVENT_HUBS_RESOURCE}/.default"


@dataclasses.dataclass(frozen=True)
class Workload:
    service_account: str
    identity: ManagedIdentity
    token_file: Path


def oauth_client_properties(bootstrap_servers: str, extra: dict[str, str], scope: str = SCOPE) -> str:
    """A Kafka client file on OAUTHBEARER with workload identity: no secret in it.

    ``scope`` is only needed where the bootstrap host is not the namespace's (here: 127.0.0.1).
    """
    lines = {
        "bootstrap.servers": bootstrap_servers,
        **EVENT_HUBS_CLIENT_PROPERTIES,
        "sasl.mechanism": "OAUTHBEARER",
        "sasl.login.callback.handler.class": HANDLER,
        **extra,
        # Here only: the stand-in's authority is unknown to MSAL, which would ask login.microsoftonline.com.
        "sasl.jaas.config": f'{LOGIN_MODULE} required scope="{scope}" disableInstanceDiscovery="true";',
    }
    return "".join(f"{k}={v}\n" for k, v in lines.items())


class IdentityChain(contextlib.ExitStack):
    def __init__(self, work_dir: Path, kube: KubeClient, service_accounts: list[str]) -> None:
        super().__init__()
        self.work_dir = work_dir
        self.kube = kube
        self.service_accounts = service_accounts
        self.tenant_id = str(uuid.uuid4())
        self.workloads: dict[str, Workload] = {}

    def start(self) -> IdentityChain:
        cluster_issuer = issuer(self.kube)
        for account in self.service_accounts:
            identity = ManagedIdentity(f"id-{account}", cluster_issuer, service_account_subject(K8S_NAMESPACE, account))
            token_file = self.work_dir / "tokens" / account / TOKEN_FILE_NAME
            self.workloads[account] = Workload(account, identity, token_file)
        self.service = TokenService(
            self.tenant_id,
            [w.identity for w in self.workloads.values()],
            lambda: issuer_jwks(self.kube),
            TOKEN_LIFETIME_S,
        )
        self.entra = self.enter_context(EntraStandIn(self.work_dir / "entra", self.service))
        for workload in self.workloads.values():
            self.enter_context(ProjectedToken(self.kube, K8S_NAMESPACE, workload.service_account, workload.token_file))
        return self

    @property
    def oauth_listener(self) -> OAuthListener:
        return OAuthListener(self.entra.jwks_url, EVENT_HUBS_RESOURCE, self.service.issuer)

    def workload_env(self, account: str) -> dict[str, str]:
        """What the webhook injects, plus trust in the stand-in's test CA (Entra's is public)."""
        workload = self.workloads[account]
        return {
            "AZURE_CLIENT_ID": workload.identity.client_id,
            "AZURE_TENANT_ID": self.tenant_id,
            "AZURE_FEDERATED_TOKEN_FILE": str(workload.token_file),
            "AZURE_AUTHORITY_HOST": self.entra.authority_host,
            "JAVA_TOOL_OPTIONS": " ".join(self.entra.java_trust_options()),
        }

    def issued(self, account: str) -> int:
        return self.service.issued[self.workloads[account].identity.name]
