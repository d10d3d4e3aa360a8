"""The container images the node runs, built here (no registry is reachable) and cached by version."""
