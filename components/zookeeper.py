"""ZooKeeperEnsemble: a Helm v3 release of a pinned ZooKeeper chart."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.zookeeper_spec import ZooKeeperSpec
from components.zookeeper_storage import zrs_storage_class
from components.zookeeper_values import FULLNAME, connect_string, helm_values


@dataclass
class ZooKeeperEnsembleArgs:
    namespace: str
    spec: ZooKeeperSpec
    protect: bool
    zonal: bool = False  # nodes in several zones: servers spread over them, disks zone-redundant


class ZooKeeperEnsemble(pulumi.ComponentResource):
    connect_string: pulumi.Output[str]

    def __init__(self, name: str, args: ZooKeeperEnsembleArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("flink-aks:zookeeper:ZooKeeperEnsemble", name, None, opts)
        chart = args.spec.chart
        # An OCI reference or a local chart directory names the chart itself; a repository URL does not.
        in_repository = chart.startswith(("https://", "http://"))
        storage_class = None
        if args.zonal and args.spec.storage_class is None:
            storage_class = zrs_storage_class(f"{name}-storage", pulumi.ResourceOptions(parent=self))
        k8s.helm.v3.Release(
            f"{name}-release",
            name=FULLNAME,
            namespace=args.namespace,
            chart=FULLNAME if in_repository else chart,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=chart) if in_repository else None,
            version=args.spec.chart_version,
            values=helm_values(args.spec, args.zonal),
            atomic=True,
            cleanup_on_fail=True,
            timeout=900,
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.protect, depends_on=[storage_class] if storage_class else None
            ),
        )
        # Known before the release exists, so previews show Flink's full config;
        # consumers wait for the release through depends_on this component.
        self.connect_string = pulumi.Output.from_input(connect_string(args.namespace, args.spec.replicas))
        self.register_outputs({"connect_string": self.connect_string})
