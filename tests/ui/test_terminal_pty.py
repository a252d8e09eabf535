"""The real `annotator annotate` under a pseudo-terminal: SIGTERM and SIGHUP hand the terminal
back as it was, and `q` ends the process at once even while the model suggests."""

from __future__ import annotations

import os
import signal
import sys
import termios
import time
from pathlib import Path

import pexpect
import pytest

from tests.ui.conftest import SEED

ANNOTATOR = str(Path(sys.executable).with_name("annotator"))
# What Textual turns on at start and must turn off again: the alternate screen, mouse
# tracking (SGR mode), bracketed paste.
RESTORED = (b"\x1b[?1049l", b"\x1b[?1000l", b"\x1b[?1006l", b"\x1b[?2004l")


def _spawn(inputs: Path, store: Path) -> pexpect.spawn:
    return pexpect.spawn(
        ANNOTATOR,
        ["annotate", str(inputs), "--store", str(store), "--annotator", "alice"],
        env={**os.environ, "TERM": "xterm-256color"},
        dimensions=(40, 120),
        timeout=30,
    )


def _read_until(child: pexpect.spawn, needle: bytes, limit: float = 60) -> bytes:
    out = b""
    deadline = time.monotonic() + limit
    while needle not in out:
        assert time.monotonic() < deadline, f"{needle!r} never appeared"
        try:
            out += child.read_nonblocking(65536, timeout=0.5)
        except pexpect.TIMEOUT:
            continue
    return out


def _rest(child: pexpect.spawn, limit: float = 10) -> bytes:
    """Everything written until the process closes the terminal."""
    out = b""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            out += child.read_nonblocking(65536, timeout=0.5)
        except pexpect.TIMEOUT:
            continue
        except pexpect.EOF:
            return out
    raise AssertionError("the app did not end")


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_restores_the_terminal(number: int, tmp_path: Path) -> None:
    child = _spawn(SEED, tmp_path / "s.sqlite")
    before = termios.tcgetattr(child.child_fd)
    _read_until(child, b"suggest")  # the screen is up (suggesting, or suggestions ready)
    raw = termios.tcgetattr(child.child_fd)
    assert not raw[3] & termios.ECHO  # the app runs the terminal raw
    child.kill(number)
    tail = _rest(child)
    for sequence in RESTORED:
        assert sequence in tail, sequence
    after = termios.tcgetattr(child.child_fd)
    assert after[3] & termios.ECHO and after[3] & termios.ICANON  # cooked again
    assert after[3] == before[3]
    child.close()


def test_q_while_the_model_suggests_a_long_article_ends_at_once(tmp_path: Path) -> None:
    article = tmp_path / "long.txt"
    body = SEED.read_text(encoding="utf-8")
    article.write_text("A long article\n\n" + "\n\n".join([body] * 40), encoding="utf-8")
    child = _spawn(article, tmp_path / "s.sqlite")
    _read_until(child, b"suggesting")
    time.sleep(3)  # the model loads and starts on ~150,000 characters
    started = time.monotonic()
    child.send("q")
    _rest(child, limit=30)
    # Timed to the moment the app closes the terminal, not pexpect's own close delays.
    ended = time.monotonic() - started
    child.close()
    assert ended < 1.0
    assert not child.isalive()
