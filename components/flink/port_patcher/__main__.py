"""``python -m port_patcher``: run the sidecar (see the package docstring)."""

import sys

from .process import main

sys.exit(main())
