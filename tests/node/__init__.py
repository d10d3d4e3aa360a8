"""A one-node Kubernetes cluster for the tests: the control plane of tests/controlplane plus a
real node (kubelet, kube-proxy, containerd, runc, CNI bridge) whose pods run in containers.

``python -m tests.node start|stop``; see ``tests/node/cluster.py``.
"""
