"""Reading a JSON settings file (label scheme, cue lexicon) with errors meant for people."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from annotator.errors import InputError


def read_json_file(path: Path, what: str) -> Any:
    """The decoded content of `path`; any failure is an InputError naming `what` and the file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(path, f"cannot read the {what} ({error.strerror})") from None
    except UnicodeDecodeError as error:
        raise InputError(path, f"invalid UTF-8 at byte {error.start}") from None
    except json.JSONDecodeError as error:
        raise InputError(
            path, f"the {what} is not valid JSON ({error.msg})", error.lineno
        ) from None
    except RecursionError:
        raise InputError(path, f"the {what} is not valid JSON (nested too deeply)") from None
