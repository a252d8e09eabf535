"""annotator: keyboard-first annotation of entity and stance spans, with spaCy in the loop."""

from __future__ import annotations

__version__ = "0.1.0"
