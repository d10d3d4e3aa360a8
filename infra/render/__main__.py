"""``python -m infra.render STACK``: the offline render's command line (infra/render/cli.py)."""

import sys

from infra.render.cli import main

sys.exit(main())
