"""The pure core never imports Textual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CORE_MODULES = [
    "annotator.core.model",
    "annotator.core.tokens",
    "annotator.core.commands",
    "annotator.core.store",
    "annotator.core.corpus",
    "annotator.core.export",
    "annotator.core.schema",
    "annotator.core.scheme",
    "annotator.workflow",
    "annotator.loop.project",
    "annotator.loop.model_loop",
    "annotator.loop.suggesting",
    "annotator.loop.rounds",
    "annotator.ui.review_state",
]


def test_core_modules_do_not_import_textual() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_import_contracts_hold() -> None:
    """The import-linter contracts in pyproject.toml: pure core, UI without SQLite, layers down."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[1],  # where pyproject.toml holds the contracts
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 kept, 0 broken" in result.stdout
