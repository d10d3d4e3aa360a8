"""The node's network on the host: a bridge for the pod subnet, a firewall chain that keeps pod
traffic on the machine, and the sysctls the node's components change (saved, then restored).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.node import layout

# What the kubelet, kube-proxy and the CNI bridge plugin set on the host; restored at stop.
SYSCTLS = (
    "vm.overcommit_memory",
    "vm.panic_on_oom",
    "kernel.panic",
    "kernel.panic_on_oops",
    "kernel.keys.root_maxkeys",
    "kernel.keys.root_maxbytes",
    "net.ipv4.ip_forward",
    "net.ipv4.conf.all.route_localnet",
    "net.bridge.bridge-nf-call-iptables",
    "net.netfilter.nf_conntrack_max",
    "net.netfilter.nf_conntrack_tcp_timeout_established",
    "net.netfilter.nf_conntrack_tcp_timeout_close_wait",
    "net.netfilter.nf_conntrack_tcp_be_liberal",
)


class NetworkError(RuntimeError):
    """The host refused a network change."""


def _sysctl_path(name: str) -> Path:
    return Path("/proc/sys") / name.replace(".", "/")


def read_sysctls() -> dict[str, str]:
    """The current value of each of ``SYSCTLS`` this kernel has."""
    values: dict[str, str] = {}
    for name in SYSCTLS:
        try:
            values[name] = _sysctl_path(name).read_text().strip()
        except OSError:
            continue
    return values


def restore_sysctls(saved: dict[str, str]) -> list[str]:
    """Write the saved values back; returns the ones the kernel refused."""
    refused = []
    for name, value in saved.items():
        try:
            if _sysctl_path(name).read_text().strip() != value:
                _sysctl_path(name).write_text(value + "\n")
        except OSError:
            refused.append(name)
    return refused


def _run(*command: str, check: bool = True) -> bool:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise NetworkError(f"{' '.join(command)}: {result.stderr.strip()}")
    return result.returncode == 0


def _bridge_exists() -> bool:
    return Path(f"/sys/class/net/{layout.BRIDGE}").exists()


def create() -> None:
    """The bridge with the gateway address, and the chain dropping pod traffic bound off the machine."""
    if _bridge_exists():
        raise NetworkError(f"bridge {layout.BRIDGE} exists already: another node runs (stop it first)")
    _run("ip", "link", "add", layout.BRIDGE, "type", "bridge")
    _run("ip", "addr", "add", f"{layout.GATEWAY}/{layout.GATEWAY_PREFIX}", "dev", layout.BRIDGE)
    _run("ip", "link", "set", layout.BRIDGE, "up")
    _run("iptables", "-w", "-N", layout.FIREWALL_CHAIN)
    _run("iptables", "-w", "-A", layout.FIREWALL_CHAIN, "-i", layout.BRIDGE, "!", "-o", layout.BRIDGE, "-j", "DROP")
    _run("iptables", "-w", "-I", "FORWARD", "1", "-j", layout.FIREWALL_CHAIN)


# Chains the kubelet writes (kube-proxy's own are removed by ``kube-proxy --cleanup``).
KUBELET_CHAINS = {
    "filter": ("KUBE-FIREWALL", "KUBE-KUBELET-CANARY"),
    "nat": ("KUBE-KUBELET-CANARY",),
    "mangle": ("KUBE-KUBELET-CANARY", "KUBE-IPTABLES-HINT"),
}


def remove_kubelet_chains() -> None:
    """The kubelet's chains and the jumps to them, IPv4 and IPv6."""
    for tool in ("iptables", "ip6tables"):
        for table, chains in KUBELET_CHAINS.items():
            listing = subprocess.run([tool, "-w", "-t", table, "-S"], capture_output=True, text=True, check=False)
            for rule in listing.stdout.splitlines():
                parts = rule.split()
                if parts[:1] == ["-A"] and parts[1] not in chains and parts[-2:-1] == ["-j"] and parts[-1] in chains:
                    _run(tool, "-w", "-t", table, "-D", *parts[1:], check=False)
            for chain in chains:
                _run(tool, "-w", "-t", table, "-F", chain, check=False)
                _run(tool, "-w", "-t", table, "-X", chain, check=False)


def remove() -> None:
    """Undo ``create`` (each step tolerates its part being gone already)."""
    while _run("iptables", "-w", "-D", "FORWARD", "-j", layout.FIREWALL_CHAIN, check=False):
        pass
    _run("iptables", "-w", "-F", layout.FIREWALL_CHAIN, check=False)
    _run("iptables", "-w", "-X", layout.FIREWALL_CHAIN, check=False)
    if _bridge_exists():
        _run("ip", "link", "delete", layout.BRIDGE, check=False)
