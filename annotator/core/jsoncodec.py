"""The one JSON encoding the store writes: compact, UTF-8 kept as it is (not \\u-escaped),
and the decoder it reads back with."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson


def compact_json(value: Any) -> str:
    """`value` as JSON without spaces after separators and with non-ASCII characters kept."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def read_json(text: str | bytes) -> Any:
    """JSON the store wrote, decoded by orjson (a long article's tokens and suggestions in a
    fifth of the time); what orjson refuses (NaN, say) by the standard decoder."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector while millions of small acyclic objects are made (it
    would walk them again and again: a third of the time of reading 30,000 records, half
    of parsing a record of 100,000 spans)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
