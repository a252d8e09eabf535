"""Where `-o` may write: a device node, a FIFO, a socket or a folder is refused with one line
and left exactly as it was; `-o -` streams the JSONL to standard output, into a real pipe."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from annotator.cli import run
from annotator.core.files import is_stdout, write_atomically, write_output
from tests.safety.test_export_faults import finished_store  # noqa: F401  (a fixture)

REPO = Path(__file__).resolve().parents[2]
ANNOTATOR = [sys.executable, "-c", "from annotator.cli import main; main()"]


def _device(path: Path) -> None:
    # The numbers of /dev/null, made in a temp folder: writing to it would be harmless, and
    # replacing it is what must not happen.
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.mkdir()
    (path / "keep.txt").write_text("mine")


NODES: dict[str, Callable[[Path], None]] = {
    "device": _device,
    "fifo": _fifo,
    "folder": _folder,
}


def _identity(path: Path) -> tuple[int, int, int, int]:
    info = os.lstat(path)
    return info.st_ino, info.st_mode, info.st_rdev, info.st_mtime_ns


@pytest.fixture
def socket_path() -> Iterator[Path]:
    """A listening Unix socket (in a short temp folder: socket paths are limited to ~100 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="ann-"))
    path = folder / "s"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        yield path
    finally:
        server.close()
        shutil.rmtree(folder)


@pytest.mark.parametrize("kind", sorted(NODES))
@pytest.mark.parametrize(
    "command",
    [
        ["export", "--annotator", "alice"],
        ["export", "--annotator", "alice", "--format", "conll"],
        ["suggest", str(REPO / "seeds")],  # refused before the model loads
    ],
    ids=["export-jsonl", "export-conll", "suggest"],
)
def test_export_onto_a_node_that_is_not_a_file_is_refused_and_left_as_it_was(
    kind: str,
    command: list[str],
    tmp_path: Path,
    finished_store: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "out"
    NODES[kind](target)
    before = _identity(target)
    code = run([*command, "--store", str(finished_store), "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert f"{target}: is a " in err and "left as it is" in err
    assert _identity(target) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary


def test_a_socket_is_refused_too(socket_path: Path, finished_store: Path) -> None:  # noqa: F811
    before = _identity(socket_path)
    code = run(["export", "--annotator", "alice", "--store", str(finished_store),
                "-o", str(socket_path)])
    assert code == 2
    assert _identity(socket_path) == before
    assert stat.S_ISSOCK(os.lstat(socket_path).st_mode)


@pytest.mark.parametrize("kind", ["device", "fifo"])
def test_folder_outputs_refuse_a_device_or_fifo(
    kind: str,
    tmp_path: Path,
    finished_store: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "out"
    NODES[kind](target)
    before = _identity(target)
    export_file = tmp_path / "alice.jsonl"
    assert run(["export", "--annotator", "alice", "--store", str(finished_store),
                "-o", str(export_file)]) == 0
    for command in (
        ["export", "--annotator", "alice", "--store", str(finished_store), "--format", "spacy"],
        ["train", str(export_file), "--blank", "--n-steps", "1"],
        ["recover", str(finished_store)],
    ):
        capsys.readouterr()
        code = run([*command, "-o", str(target)])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1, (command, err)
        assert str(target) in err and "Traceback" not in err
        assert _identity(target) == before
    code = run(["store", "copy", str(finished_store), str(target)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "already exists" in err
    assert _identity(target) == before


def test_a_file_that_becomes_a_fifo_while_writing_is_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"

    def write(handle: object) -> int:
        _fifo(target)  # someone swaps a FIFO in while the export is being written
        return 0

    with pytest.raises(Exception, match="named pipe"):
        write_atomically(target, write)
    assert stat.S_ISFIFO(os.lstat(target).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]  # no temporary left


def test_dash_and_dev_stdout_mean_standard_output_by_name() -> None:
    # Never opened as files: /dev/stdout is a symbolic link, which write_atomically refuses.
    assert is_stdout(Path("-")) and is_stdout("/dev/stdout")
    assert not is_stdout(Path("./-x")) and not is_stdout(Path("stdout"))


def test_write_output_to_stdout_writes_utf8_text(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    count = write_output(Path("-"), lambda handle: handle.write("Zürich ␛\n") and 1)
    assert count == 1
    assert capfdbinary.readouterr().out == "Zürich ␛\n".encode()


def test_export_to_dash_streams_jsonl_into_a_pipe(
    tmp_path: Path, finished_store: Path  # noqa: F811
) -> None:
    """`annotator export -o - | reader`: a real pipe between two processes; the message goes
    to standard error, the records alone to the reader; no file named `-` appears."""
    reader_code = (
        "import json, sys\n"
        "records = [json.loads(line) for line in sys.stdin]\n"
        "print(len(records), sorted({r['answer'] for r in records}))\n"
    )
    env = {**os.environ, "NO_COLOR": "", "PYTHONPATH": str(REPO)}
    exporter = subprocess.Popen(
        [*ANNOTATOR, "export", "--annotator", "alice",
         "--store", str(finished_store), "-o", "-"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    reader = subprocess.run(
        [sys.executable, "-c", reader_code],
        stdin=exporter.stdout, capture_output=True, text=True, timeout=120,
    )
    assert exporter.stdout is not None and exporter.stderr is not None
    exporter.stdout.close()
    err = exporter.stderr.read().decode()
    assert exporter.wait(timeout=120) == 0, err
    count, answers = reader.stdout.split(" ", 1)
    assert reader.returncode == 0 and int(count) > 0 and answers.strip() == "['accept']"
    assert "records exported to standard output" in err
    assert not (tmp_path / "-").exists() and not (tmp_path / "exports").exists()
