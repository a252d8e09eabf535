"""`open_store`, the one door to a store: a file path means SQLite, `postgresql://` a server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.core.store.base import default_store_location
from annotator.core.store.sqlite import SQLiteStore
from annotator.errors import StoreError

if TYPE_CHECKING:
    from annotator.core.store.decisions import StoreBackend

POSTGRES_SCHEMES = ("postgresql", "postgres")
# SQLite's locking (and WAL's shared memory) needs every process on one host; these don't give it.
NETWORK_FILE_SYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "sshfs", "afs", "ncpfs", "davfs"}
)
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):/")


def store_url(location: str | Path) -> str | None:
    """The URL `location` spells (`scheme://...`), or None when it is a file path."""
    text = str(location)
    match = _URL.match(text)
    if match is None or len(match.group(1)) < 2:  # `C:/...` is a drive, not a scheme
        return None
    if not text.startswith(f"{match.group(1)}://"):
        # A URL that went through Path() lost one slash of its `//`.
        text = f"{match.group(1)}://{text[match.end():]}"
    return text


def mount_type(path: Path, mounts: str | None = None) -> str | None:
    """The file system type of the mount holding `path` (from /proc/mounts, or `mounts`)."""
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    target = path.resolve()
    best: tuple[int, str] | None = None
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        # /proc/mounts writes spaces in mount points as \040.
        point = Path(fields[1].replace("\\040", " "))
        if target == point or point in target.parents:
            depth = len(point.parts)
            if best is None or depth >= best[0]:
                best = (depth, fields[2])
    return None if best is None else best[1]


def check_local_file_system(path: Path, mounts: str | None = None) -> None:
    """Refuse a SQLite store on a network file system, pointing to the PostgreSQL store."""
    kind = mount_type(path, mounts)  # the longest mount point above it, existing yet or not
    if kind in NETWORK_FILE_SYSTEMS:
        raise StoreError(
            f"{path}: is on a network file system ({kind}), where SQLite can lose decisions "
            "when several machines write; use a PostgreSQL store instead "
            "(--store postgresql://HOST/DATABASE, see 'Working as a team' in the README)"
        )


def open_store(location: str | Path | None = None, *, read_only: bool = False) -> StoreBackend:
    """Open the store at `location` (default: $ANNOTATOR_STORE or .annotator/annotations.sqlite).

    A `postgresql://` URL opens a PostgreSQL store; any other URL is refused; anything else is
    the path of a SQLite file, created when missing unless `read_only`, which never writes.
    """
    if location is None:
        location = default_store_location()
    url = store_url(location)
    if url is not None:
        scheme = url.split(":", 1)[0].lower()
        if scheme not in POSTGRES_SCHEMES:
            raise StoreError(
                f"{scheme}://...: not a store this tool can use; give a file path (SQLite) "
                "or a postgresql:// URL"
            )
        from annotator.core.store.postgres import PostgresStore

        return PostgresStore(url, read_only=read_only)
    path = Path(location)
    check_local_file_system(path)
    return SQLiteStore(path, read_only=read_only)
