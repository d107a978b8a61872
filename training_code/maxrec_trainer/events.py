"""Progress for the monitor: one JSON object per line on stdout, beside plain lines.

The TypeScript monitor (src/core/types.ts, TrainerEvent) parses only the JSON
lines, so their shapes are a contract; human lines never start with '{'.
"""

import json
import math
import sys
from typing import Any


def _clean(value: Any) -> Any:
    # JSON has no NaN; a metric that could not be computed is null.
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, 6)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def emit(event: str, **fields: Any) -> None:
    """Print one progress event as a JSON line and flush it."""
    record = {"event": event, **{k: _clean(v) for k, v in fields.items()}}
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def say(line: str) -> None:
    """Print one human-readable log line and flush it."""
    if line.startswith("{"):
        line = " " + line
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
