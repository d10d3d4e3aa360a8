"""``python -m infra.flink_ops COMMAND``: operations commands for a stack's Flink job.

Kept as a command; the code is in infra/ops/."""

import sys

from infra.ops.flink_ops import main

if __name__ == "__main__":
    sys.exit(main())
