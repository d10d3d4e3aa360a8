"""One log line per action: ``<UTC timestamp> action=<action> key=value ...``."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable

Emit = Callable[[str], None]


def format_value(value: object) -> str:
    """Render one log value: bare when it is a simple token, JSON-quoted otherwise."""
    text = str(value)
    if text and not any(c.isspace() or c in '"=\\' for c in text):
        return text
    return json.dumps(text)


def format_line(action: str, now: datetime.datetime | None = None, **fields: object) -> str:
    """One log line: ``<UTC timestamp> action=<action> key=value ...``."""
    moment = now or datetime.datetime.now(datetime.UTC)
    stamp = moment.astimezone(datetime.UTC).isoformat(timespec="milliseconds")
    parts = [stamp.replace("+00:00", "Z"), f"action={format_value(action)}"]
    parts += [f"{key}={format_value(value)}" for key, value in fields.items()]
    return " ".join(parts)


def print_line(line: str) -> None:
    """Default sink: stdout, flushed, so `kubectl logs` shows it at once."""
    print(line, flush=True)
