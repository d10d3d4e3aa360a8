"""The real Pulumi engine for the tests: the CLI and the kubernetes provider built from Go modules."""
