"""``python -m infra.job_image STACK IMAGE``: point a stack at a job image.

Kept as a command; the code is in infra/ops/."""

import sys

from infra.ops.job_image import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
