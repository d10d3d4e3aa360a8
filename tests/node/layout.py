"""The node's fixed names and addresses: one bridge, one pod subnet, nothing routed off the machine.

The pod subnet lives on a bridge the run creates; its gateway address (on the host side of
the bridge) is where the API server listens and the node's InternalIP, so pods reach the API
server through the ``kubernetes`` Service and the API server reaches the kubelet without a
loopback address. Service addresses exist only as kube-proxy's iptables rules.
"""

from __future__ import annotations

NODE_NAME = "flinkaks-node"
BRIDGE = "flinkaks0"
POD_CIDR = "10.244.0.0/24"
GATEWAY = "10.244.0.1"  # the bridge's address: node IP, API server, services pods may call
GATEWAY_PREFIX = 24
CLUSTER_DNS = GATEWAY  # CoreDNS runs on the host, on the bridge address
CLUSTER_DOMAIN = "cluster.local"
PAUSE_IMAGE = "registry.k8s.io/pause:3.10"  # the name containerd's CRI asks for
CNI_BIN_DIR = "/usr/lib/cni"  # Debian's containernetworking-plugins
FIREWALL_CHAIN = "FLINKAKS-NODE"  # drops pod traffic that would leave through another interface
