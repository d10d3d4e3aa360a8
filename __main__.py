"""Entry point of the flink-aks Pulumi program (see README.md)."""

from infra import program

program.run()
