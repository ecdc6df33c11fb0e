"""A throwaway local PostgreSQL server for the tests: initdb into a temp dir, unix socket only, pg_ctl.

PostgreSQL refuses to run as root, so under root (as in CI) the server runs as the `postgres` system
user that the Debian package creates (`runuser -u postgres --`), in a temp dir owned by that user.
Nothing listens on TCP: clients reach the server through the socket directory in the URL
(`postgresql+psycopg://postgres@/DB?host=SOCKET_DIR`). Durability is switched off: the data dies with
the test session anyway, and it keeps the server start at about a second.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"
PORT = 5432  # only names the socket file: each server has its own socket directory
_SETTINGS = {
    "listen_addresses": "''",
    "port": str(PORT),
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "40",
}


class ServerUnavailable(Exception):
    """No PostgreSQL server can be started here (binaries or the `postgres` user missing)."""


def find_bindir() -> Path | None:
    """Directory holding initdb and pg_ctl: $RAREPATH_PG_BINDIR, Debian's newest version, else PATH."""
    candidates = []
    if os.environ.get("RAREPATH_PG_BINDIR"):
        candidates.append(Path(os.environ["RAREPATH_PG_BINDIR"]))
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted((Path(v) for v in versions), key=lambda p: _version_key(p.parent.name), reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    return None


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(p) for p in name.split(".") if p.isdigit())


@dataclass
class PgServer:
    """A running server; `url(db)` names one of its databases, `stop()` ends it and removes its files."""

    root: Path
    bindir: Path
    run_as: str | None  # the system user running the server when we are root, else None (ourselves)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str = "postgres", driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://{SUPERUSER}@/{database}?host={self.socket_dir}"

    def create_database(self, name: str) -> str:
        """A fresh, empty database (dropped first if a previous test left it); returns its URL."""
        import psycopg

        with psycopg.connect(host=str(self.socket_dir), port=PORT, user=SUPERUSER, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.run_as is not None:
            cmd = ["runuser", "-u", self.run_as, "--", *cmd]
        return subprocess.run(cmd, cwd=self.root, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "LC_ALL": "C"})

    def _check(self, what: str, result: subprocess.CompletedProcess[str]) -> None:
        if result.returncode != 0:
            log = self.log_file.read_text(errors="replace")[-2000:] if self.log_file.exists() else ""
            raise RuntimeError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}\n{log}")

    def start(self) -> None:
        self._check("initdb", self._run("initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "-A", "trust",
                                        "-E", "UTF8", "--locale=C", "--no-sync"))
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# rarepath test server\n")
            conf.write(f"unix_socket_directories = '{self.socket_dir}'\n")
            conf.writelines(f"{key} = {value}\n" for key, value in _SETTINGS.items())
        self._check("pg_ctl start", self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file),
                                              "-w", "-t", "60", "start", timeout=90))

    def stop(self) -> None:
        try:
            if (self.data_dir / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_server() -> PgServer:
    """Start a private server; `ServerUnavailable` says why none can run here, RuntimeError if it failed."""
    bindir = find_bindir()
    if bindir is None:
        raise ServerUnavailable("PostgreSQL server binaries (initdb, pg_ctl) not found: install the Debian "
                                "package 'postgresql' (scripts/install-system-deps.sh) or set RAREPATH_PG_BINDIR")
    run_as = None
    if os.geteuid() == 0:  # the server refuses root: hand it to the package's system user
        try:
            account = pwd.getpwnam(SUPERUSER)
        except KeyError:
            raise ServerUnavailable(f"running as root and there is no '{SUPERUSER}' system user to run "
                                    "PostgreSQL as") from None
        if shutil.which("runuser") is None:
            raise ServerUnavailable("running as root and 'runuser' is missing") from None
        run_as = SUPERUSER
    # not pytest's tmp dir: that one is private to root, and the server user must reach its files
    root = Path(tempfile.mkdtemp(prefix="rarepath-pg-", dir="/tmp" if run_as and os.path.isdir("/tmp") else None))
    server = PgServer(root, bindir, run_as)
    try:
        (root / "sock").mkdir()
        if run_as is not None:
            for path in (root, root / "sock"):
                os.chown(path, account.pw_uid, account.pw_gid)
        server.start()
    except BaseException:
        server.stop()
        raise
    return server
