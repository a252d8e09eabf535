"""The one JSON encoding the store writes: compact, UTF-8 kept as it is (not \\u-escaped)."""

from __future__ import annotations

import json
from typing import Any


def compact_json(value: Any) -> str:
    """`value` as JSON without spaces after separators and with non-ASCII characters kept."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
