"""Entry point of the flink-aks Pulumi program (see README.md)."""

from infra.compose import program

program.run()
