"""Writing files: the one door every output of the tool goes through.

The rules, for every command that writes (export in every format, suggest, train, store copy,
recover): a path that exists and is not a regular file (a device, a FIFO, a socket, a folder,
a symbolic link) is refused with one line and never replaced; a file is written beside its
target and renamed over it once complete and on disk; `-` and `/dev/stdout` mean standard
output where a stream makes sense.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import secrets
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from annotator.errors import AnnotatorError

STDOUT_NAMES = ("-", "/dev/stdout")
STDOUT_LABEL = "standard output"


class OutputRefused(AnnotatorError):
    """An output path the tool will not write to (it names the path and what it is)."""


def is_stdout(path: Path | str) -> bool:
    """Whether an `-o` value means standard output (`-` or `/dev/stdout`)."""
    return str(path) in STDOUT_NAMES


def describe_output(path: Path | str) -> str:
    """How messages name an output: its path, or "standard output"."""
    return STDOUT_LABEL if is_stdout(path) else str(path)


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words (None for a regular file)."""
    kinds = (
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISSOCK, "a socket"),
    )
    for test, words in kinds:
        if test(mode):
            return words
    return None if stat.S_ISREG(mode) else "not a regular file"


def _existing_mode(path: Path) -> int | None:
    """The mode of what is at `path` (links not followed), None when nothing is."""
    try:
        return os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        raise OutputRefused(f"{path}: cannot write here ({error.strerror})") from None


def check_output_file(path: Path) -> None:
    """Refuse `path` unless it is absent or a regular file (never a link, device, FIFO...)."""
    mode = _existing_mode(path)
    if mode is None:
        return  # creating its folder will say what is wrong, if anything
    kind = _kind(mode)
    if kind == "a symbolic link":
        raise OutputRefused(f"{path}: is a symbolic link; choose a plain file to write to")
    if kind is not None:
        raise OutputRefused(
            f"{path}: is {kind}, not a regular file; it was left as it is "
            "(choose a file path, or - for standard output)"
        )


def check_output_folder(path: Path, what: str = "output") -> None:
    """Refuse a folder output that exists as anything but a folder (or means stdout)."""
    if is_stdout(path):
        raise OutputRefused(f"{path}: the {what} is a folder; it cannot go to standard output")
    mode = _existing_mode(path)
    if mode is None:
        return  # creating its folder will say what is wrong, if anything
    kind = _kind(mode)
    if kind == "a symbolic link":
        raise OutputRefused(f"{path}: is a symbolic link; choose a plain folder for the {what}")
    if kind != "a folder":
        raise OutputRefused(
            f"{path}: is {kind or 'a file'}; the {what} is a folder, choose a folder path"
        )


def check_new_output(path: Path) -> None:
    """Refuse any existing `path` (a store copy or a recovered store is always a new file)."""
    if is_stdout(path):
        raise OutputRefused(f"{path}: a store cannot go to standard output; name a new file")
    if os.path.lexists(path):
        raise OutputRefused(f"{path}: already exists; write into a new file")


def publish_new(partial: Path, target: Path) -> None:
    """Move a finished file (a store built beside `target`) to `target`, which must not exist.

    A hard link cannot replace anything, so a file, FIFO or device that appeared at `target`
    meanwhile stays as it was; where links are not supported, a last check and a rename.
    """
    check_new_output(target)
    try:
        os.link(partial, target)
    except FileExistsError:
        raise OutputRefused(f"{target}: already exists; write into a new file") from None
    except OSError:
        check_new_output(target)
        os.replace(partial, target)
    else:
        os.unlink(partial)
    sync_folder(target.parent)


def write_output(path: Path, write: Callable[[Any], int], mode: str = "w") -> int:
    """`write_atomically`, or the text straight to standard output for `-`/`/dev/stdout`."""
    if is_stdout(path):
        return write_stdout(write, mode)
    return write_atomically(path, write, mode)


def write_stdout(write: Callable[[Any], int], mode: str = "w") -> int:
    """Write UTF-8 text to standard output (whatever the locale); a closed pipe is one line."""
    if "b" in mode:
        raise OutputRefused("binary output cannot go to standard output; name a file")
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    handle: Any = (
        sys.stdout
        if buffer is None
        else io.TextIOWrapper(buffer, encoding="utf-8", newline="\n", write_through=False)
    )
    try:
        count = write(handle)
        handle.flush()
    except BrokenPipeError:
        # The reader stopped (`| head`): later flushes of stdout must not raise again.
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        raise AnnotatorError("standard output was closed before the output was complete") from None
    finally:
        if buffer is not None:
            with contextlib.suppress(ValueError):
                handle.detach()  # sys.stdout keeps its buffer
    return count


def write_atomically(path: Path, write: Callable[[Any], int], mode: str = "w") -> int:
    """Write through a temporary file in the same folder, then rename it over `path`.

    The old file stays untouched until the new one is complete and on disk; a path that is
    not a regular file is refused before and checked again just before the rename.
    """
    check_output_file(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputRefused(
            f"{path.parent}: cannot create the output folder ({error.strerror})"
        ) from None
    try:
        fd, temporary = _create_temporary(path)
    except OSError as error:
        raise OutputRefused(f"{path.parent}: cannot write here ({error.strerror})") from None
    try:
        with os.fdopen(fd, mode, encoding="utf-8" if "b" not in mode else None) as handle:
            count = write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        check_output_file(path)  # it may have become a FIFO or a link while we wrote
        os.replace(temporary, path)
        sync_folder(path.parent)
    except OSError as error:
        _remove(temporary)
        raise AnnotatorError(
            f"{path}: writing failed ({error.strerror}); the previous file is unchanged"
        ) from None
    except BaseException:
        _remove(temporary)
        raise
    return count


def _create_temporary(path: Path) -> tuple[int, str]:
    """A new file beside `path`, mode 0666 less the umask like any file the user creates.

    (mkstemp's 0600 would need a chmod, and reading the umask means setting it, which is
    process-wide.) O_EXCL and O_NOFOLLOW: never an existing file, never through a link.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(temporary, flags, 0o666), str(temporary)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path.parent))


def sync_folder(folder: Path) -> None:
    """Make a rename durable: after a power cut the new file is there, not the old."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems cannot sync a folder; the file itself is synced already
    finally:
        os.close(descriptor)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
