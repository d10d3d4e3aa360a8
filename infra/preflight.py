"""``python -m infra.preflight STACK``: refuse a stack file before the Pulumi CLI runs.

Kept as a command; the code is in infra/render/."""

import sys

from infra.render.preflight import main

if __name__ == "__main__":
    sys.exit(main())
