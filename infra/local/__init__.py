"""The ``local`` stack: the whole pipeline on a local Kubernetes, no Azure (docs/local-stack.md)."""
