"""A throwaway PostgreSQL cluster for tests and benchmarks: started in a temporary folder as
the `postgres` user (initdb refuses root), reachable only through a unix socket there."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote


def server_bin() -> Path:
    """The folder of Debian's initdb and pg_ctl (off the PATH); fails when none is installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError(
            "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/initdb): "
            "apt-get install postgresql (.ci/run does it)"
        )
    return Path(found[-1]).parent


@dataclass
class Cluster:
    """A running cluster: its folder (holding the socket) and the database to use."""

    folder: Path
    bin: Path

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str = "postgres", search_path: str | None = None) -> str:
        """A libpq URL over the unix socket; `search_path` puts the tables in that schema."""
        url = f"postgresql://postgres@/{database}?host={quote(str(self.folder))}"
        if search_path:
            url += "&options=" + quote(f"-csearch_path={search_path}")
        return url

    def pg_ctl(self, *args: str, timeout: float = 60) -> None:
        """Run pg_ctl on this cluster as the postgres user."""
        _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), *args], timeout)

    def psql(self, sql: str, database: str = "postgres") -> None:
        """Run one statement as the superuser."""
        _as_postgres(
            [str(self.bin / "psql"), "-h", str(self.folder), "-U", "postgres", "-d", database,
             "-v", "ON_ERROR_STOP=1", "-qc", sql],
            60,
        )

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        try:
            self.pg_ctl("stop", "-m", "immediate", "-w")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def stop_quietly(self) -> None:
        """Stop and remove it, whatever state it is in (a half-made cluster included)."""
        try:
            self.stop()
        except (RuntimeError, subprocess.TimeoutExpired):
            shutil.rmtree(self.folder, ignore_errors=True)


def _as_postgres(command: list[str], timeout: float) -> None:
    result = subprocess.run(
        ["runuser", "-u", "postgres", "--", *command],
        capture_output=True, text=True, timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip()}")


OWNER_FILE = "owner.pid"  # the process whose tests use the cluster


def stop_orphans() -> None:
    """Stop clusters whose test process died before its teardown (killed, timed out)."""
    for folder in Path(tempfile.gettempdir()).glob("annotator-pg-*"):
        owner = folder / OWNER_FILE
        try:
            pid = int(owner.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not _alive(pid):
            Cluster(folder, server_bin()).stop_quietly()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_cluster(durable: bool = False, settings: dict[str, str] | None = None) -> Cluster:
    """initdb and start a cluster in a fresh temporary folder; `durable` keeps fsync on."""
    stop_orphans()
    folder = Path(tempfile.mkdtemp(prefix="annotator-pg-"))
    (folder / OWNER_FILE).write_text(str(os.getpid()), encoding="utf-8")
    user = pwd.getpwnam("postgres")
    os.chown(folder, user.pw_uid, user.pw_gid)
    folder.chmod(0o755)
    cluster = Cluster(folder, server_bin())
    _as_postgres(
        [str(cluster.bin / "initdb"), "-D", str(cluster.data), "-A", "trust", "-U", "postgres",
         "-E", "UTF8", "--no-sync"],
        120,
    )
    options = {
        "listen_addresses": "''",
        "unix_socket_directories": f"'{folder}'",
        "max_connections": "200",
        "shared_buffers": "64MB",
    }
    if not durable:
        options.update(fsync="off", full_page_writes="off", synchronous_commit="off")
    options.update(settings or {})
    with (cluster.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.writelines(f"{key} = {value}\n" for key, value in options.items())
    try:
        cluster.pg_ctl("start", "-w", "-l", str(folder / "server.log"))
    except RuntimeError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return cluster
