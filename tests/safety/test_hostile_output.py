"""One hostile file through every command: terminal escapes, control characters, bidi
overrides and Rich markup in labels, titles and file names never reach the terminal raw.

Every command's standard output and standard error is captured as bytes; none may hold an
ESC (or BEL, or a right-to-left override), and markup is printed as the text it is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.cli import run
from annotator.core.printable import PrintableWriter, colour_only_on_a_terminal, printable

# Clear the screen, set the window title, an OSC-8 hyperlink, a BEL, a bidi override, markup.
ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\\u202e"
MARKUP = "[bold red]loud[/bold red][link=file:///etc/passwd]x[/link]:smile:"
HOSTILE = ESCAPES + MARKUP
HOSTILE_NAME = "in\x1b[2J\x1b]0;pwned\x07[red]x:smile:"  # a file name (no "/")


def _record(text: str, label: str, title: str) -> dict[str, Any]:
    start = text.index("Paris")
    return {
        "text": text,
        "meta": {"title": title},
        "spans": [{"start": start, "end": start + 5, "label": label}],
        "answer": "accept",
    }


TEXT = f"{HOSTILE} Obama met Putin in Paris on Monday."
TEXT_2 = f"Merkel spoke in Berlin and Paris. {HOSTILE}"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """The hostile inputs: an importable file (escapes in titles, text and its name), one with
    escapes in a label, and export-format files with escapes in labels."""
    folder = tmp_path / HOSTILE_NAME
    folder.mkdir()
    clean_labels = folder / f"{HOSTILE_NAME}.jsonl"
    clean_labels.write_text(
        "".join(json.dumps(_record(t, "GPE", HOSTILE)) + "\n" for t in (TEXT, TEXT_2)),
        encoding="utf-8",
    )
    bad_label = folder / f"{HOSTILE_NAME}-label.jsonl"
    bad_label.write_text(json.dumps(_record(TEXT, "GPE" + ESCAPES, HOSTILE)) + "\n")
    return {"input": clean_labels, "bad_label": bad_label, "folder": folder}


def _exported_with_hostile_labels(clean_export: Path, target: Path) -> Path:
    """An export file whose labels hold escapes (as a hand-edited or foreign file might)."""
    lines = []
    for line in clean_export.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for span in record["spans"]:
            span["label"] = span["label"] + ESCAPES + MARKUP
        record["_annotator_id"] = "bob" + ESCAPES + MARKUP
        lines.append(json.dumps(record))
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def _run(args: list[str], capfdbinary: pytest.CaptureFixture[bytes]) -> tuple[int, bytes]:
    code = run(args)
    captured = capfdbinary.readouterr()
    output = captured.out + captured.err
    # `-o -` and `--json` write data to stdout: JSON escapes ESC and BEL there, and keeps the
    # text's other characters exactly; every message is checked for all three.
    data = args[-2:] == ["-o", "-"] or "--json" in args
    messages = captured.err if data else output
    assert b"\x1b" not in output and b"\x07" not in output, (args, output)
    assert "\u202e".encode() not in messages, (args, messages)
    assert b"Traceback" not in output
    return code, output


def test_the_hostile_file_through_every_command(
    files: dict[str, Path], tmp_path: Path, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    store = str(tmp_path / "store.sqlite")
    name = ["--annotator", "alice" + ESCAPES]
    out = files["folder"]

    # Import: the label with escapes is refused in one line naming file and line.
    code, output = _run(
        ["suggest", str(files["bad_label"]), "--store", store, "-o", str(out / "s.jsonl")],
        capfdbinary,
    )
    assert code == 2 and output.count(b"\n") == 1
    assert b":1: span 0 label 'GPE\xe2\x90\x9b[2J" in output  # ␛ shows where ESC was
    for args in (
        ["validate", "--input", str(files["bad_label"])],
        ["validate", "--input", str(files["input"]), str(tmp_path / "nothing.jsonl")],
    ):
        code, output = _run(args, capfdbinary)
        assert code == 1
    code, output = _run(["validate", "--input", str(files["input"])], capfdbinary)
    assert code == 0 and b"will import: 2 document(s)" in output
    assert b"[red]x:smile:" in output  # markup shown as the text it is

    # suggest imports titles and file names with escapes, and names them in its message.
    code, _ = _run(
        [
            "suggest",
            str(files["input"]),
            "--store",
            store,
            "--suggesters",
            "none",
            "-o",
            str(out / f"{HOSTILE_NAME}.suggested.jsonl"),
        ],
        capfdbinary,
    )
    assert code == 0
    code, output = _run(["stats", "--store", store, *name], capfdbinary)
    assert code == 0 and b"2 documents" in output

    export = out / f"{HOSTILE_NAME}.export.jsonl"
    for args in (
        ["export", "--store", store, *name, "--include-unfinished", "-o", str(export)],
        ["export", "--store", store, *name, "--include-unfinished", "-o", "-"],
        [
            "export",
            "--store",
            store,
            *name,
            "--include-unfinished",
            "--format",
            "conll",
            "-o",
            str(out / f"{HOSTILE_NAME}.conll"),
        ],
        [
            "export",
            "--store",
            store,
            *name,
            "--include-unfinished",
            "--format",
            "spacy",
            "-o",
            str(out / f"{HOSTILE_NAME}.spacy"),
        ],
        ["validate", str(export)],
        ["validate", str(files["input"])],  # an input file: the hint names it
        ["evaluate", str(export), str(export)],
        ["recover", store, "-o", str(out / f"{HOSTILE_NAME}.recovered.sqlite")],
        ["store", "copy", store, str(out / f"{HOSTILE_NAME}.copy.sqlite")],
        ["export", "--store", store, "--all-annotators", "--include-unfinished",
         "-o", str(out / f"{HOSTILE_NAME}.all.jsonl")],
        ["import", str(files["bad_label"]), "--store", store],
    ):
        code, output = _run(args, capfdbinary)
        # Everything works but the input file given to validate (1: it says what it is) and
        # the import of the file whose label holds escapes (2: refused in one line).
        expected = 2 if args[0] == "import" else 1 if args[1] == str(files["input"]) else 0
        assert code == expected and output.count(b"annotator: error") <= 1, (args, output)

    hostile_export = _exported_with_hostile_labels(export, out / f"{HOSTILE_NAME}.labels.jsonl")
    for args in (
        ["validate", str(hostile_export)],
        ["evaluate", str(hostile_export), str(hostile_export)],
        ["evaluate", str(export), str(hostile_export)],
        ["train", str(hostile_export), "--blank", "-o", str(out / "model")],
        ["agree", str(export), str(hostile_export)],
        ["agree", str(export), str(hostile_export), "--json", "--min", "0.99"],
        ["agree", "--store", store],
        ["stats", "--store", str(out / f"{HOSTILE_NAME}.missing.sqlite")],
    ):
        code, output = _run(args, capfdbinary)
        assert code in (0, 1, 2), (args, output)
    code, output = _run(["validate", str(hostile_export)], capfdbinary)
    assert code == 1 and b"holds a control or reordering character" in output


def test_printable_shows_every_control_character_and_keeps_the_rest() -> None:
    assert printable("a\x1b[2Jb\x07\n\t\x7f") == "a␛[2Jb␇␊␉␡"
    assert printable("\x9b31m \u202eevil\u202c \u200f") == "\\x9b31m \\u202eevil\\u202c \\u200f"
    assert printable("Zürich — 北京 [bold]x[/bold] 👍") == "Zürich — 北京 [bold]x[/bold] 👍"
    assert printable(printable(HOSTILE)) == printable(HOSTILE)  # shown once is shown for good


def test_spacys_log_through_the_printable_writer_has_no_colour_and_no_raw_escapes() -> None:
    import io

    from wasabi import Printer

    sink = io.StringIO()
    writer = PrintableWriter(sink)
    with colour_only_on_a_terminal(writer):
        # What spaCy's training loop does: a Printer made inside the block, writing the log.
        message = Printer(no_print=True).good(f"Saved pipeline to {HOSTILE_NAME}")
        writer.write(str(message) + "\n")
    assert "\x1b" not in sink.getvalue()
    assert "Saved pipeline to in␛[2J" in sink.getvalue()
