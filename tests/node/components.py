"""The kubelet's and kube-proxy's configuration files and command lines."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.node import containerd, layout


def kubelet_command(binary: Path, home: Path, kubeconfig: Path, ca_file: Path, ports: dict[str, int]) -> list[str]:
    """The kubelet, serving on the bridge address (the API server reaches it there for logs/exec)."""
    config = {
        "apiVersion": "kubelet.config.k8s.io/v1beta1",
        "kind": "KubeletConfiguration",
        "address": layout.GATEWAY,
        "port": ports["kubelet"],
        "readOnlyPort": 0,
        "healthzBindAddress": "127.0.0.1",
        "healthzPort": ports["kubelet-healthz"],
        "authentication": {
            "anonymous": {"enabled": False},
            "webhook": {"enabled": True},
            "x509": {"clientCAFile": str(ca_file)},
        },
        "authorization": {"mode": "Webhook"},
        "containerRuntimeEndpoint": f"unix://{containerd.socket(home / 'containerd')}",
        "cgroupDriver": "cgroupfs",  # no systemd here
        "failCgroupV1": False,  # this machine's cgroups are v1 (a warning, not a failure)
        "failSwapOn": False,
        "clusterDNS": [layout.CLUSTER_DNS],
        "clusterDomain": layout.CLUSTER_DOMAIN,
        "resolvConf": str(_resolv_conf(home)),
        "podCIDR": layout.POD_CIDR,
        "maxPods": 110,
        "serializeImagePulls": False,
        "rotateCertificates": False,
        "imageGCHighThresholdPercent": 100,  # images cannot be pulled again: never collect them
        "imageGCLowThresholdPercent": 99,
        "evictionHard": {"memory.available": "100Mi", "nodefs.available": "1%", "imagefs.available": "1%"},
        "nodeStatusUpdateFrequency": "2s",
        "syncFrequency": "5s",
        "fileCheckFrequency": "5s",
        "volumeStatsAggPeriod": "0s",
        "enableDebuggingHandlers": True,  # logs, exec, port-forward
    }
    path = home / "kubelet-config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return [
        str(binary),
        f"--config={path}",
        f"--kubeconfig={kubeconfig}",
        f"--root-dir={home / 'kubelet'}",
        f"--cert-dir={home / 'kubelet-pki'}",
        f"--hostname-override={layout.NODE_NAME}",
        f"--node-ip={layout.GATEWAY}",
        "--node-labels=flinkaks.test/node=real",
        "--v=1",
    ]


def _resolv_conf(home: Path) -> Path:
    """For pods with ``dnsPolicy: Default``: no upstream, nothing off the machine."""
    path = home / "resolv.conf"
    path.write_text(f"nameserver {layout.GATEWAY}\n", encoding="utf-8")
    return path


def kube_proxy_command(binary: Path, home: Path, kubeconfig: Path, ports: dict[str, int]) -> list[str]:
    """kube-proxy in iptables mode; NodePorts only on the bridge address, service traffic masqueraded."""
    config = {
        "apiVersion": "kubeproxy.config.k8s.io/v1alpha1",
        "kind": "KubeProxyConfiguration",
        "clientConnection": {"kubeconfig": str(kubeconfig)},
        "hostnameOverride": layout.NODE_NAME,
        "bindAddress": layout.GATEWAY,
        "healthzBindAddress": f"127.0.0.1:{ports['kube-proxy-healthz']}",
        "metricsBindAddress": f"127.0.0.1:{ports['kube-proxy-metrics']}",
        "mode": "iptables",
        "clusterCIDR": layout.POD_CIDR,
        "nodePortAddresses": [f"{layout.GATEWAY}/32"],
        # Every service connection masqueraded: a pod reaching a pod on the same bridge
        # through a Service gets the answer back through the host's connection tracking.
        "iptables": {"masqueradeAll": True, "localhostNodePorts": False, "syncPeriod": "30s"},
        "conntrack": {
            "maxPerCore": 0,  # leave the host's conntrack table size and timeouts as they are
            "tcpEstablishedTimeout": "0s",
            "tcpCloseWaitTimeout": "0s",
        },
    }
    path = home / "kube-proxy-config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return [str(binary), f"--config={path}", "--v=1"]


def kube_proxy_cleanup(binary: Path) -> list[str]:
    """kube-proxy's own removal of the rules it wrote."""
    return [str(binary), "--cleanup"]
