"""Where harnesses, benches and the control plane write their progress lines (``print`` by default)."""

from collections.abc import Callable

Log = Callable[[str], None]
