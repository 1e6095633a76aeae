"""A throwaway PostgreSQL server on 127.0.0.1: ``initdb`` in a temporary directory, a
free port, trust authentication for local connections only, removed again on ``stop``.

For the tests (one server per test session), ``deploy/cluster.py`` (``python3 dev.py
cluster``) and the load benchmark — never for a bureau's real data.

    with LocalPostgres() as pg:
        url = pg.create_database("indicators")   # postgresql://postgres@127.0.0.1:PORT/indicators

``initdb`` refuses to run as root; as root the server runs as the ``postgres`` system
user (Debian's package creates it) through ``runuser``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SUPERUSER = "postgres"


def find_bin() -> Path | None:
    """The directory holding ``initdb``/``pg_ctl``: Debian's ``/usr/lib/postgresql/N/bin``
    (newest N), or wherever ``pg_ctl`` is on ``PATH``. None when PostgreSQL is missing."""
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True):
        if (Path(d) / "initdb").exists():
            return Path(d)
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and (Path(found).parent / "initdb").exists() else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalPostgres:
    """One PostgreSQL server in a temporary directory. ``fast`` turns off fsync (a test
    server loses nothing worth keeping when the machine crashes)."""

    def __init__(self, *, port: int | None = None, fast: bool = True, max_connections: int = 200):
        self.bin = find_bin()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.port = port or free_port()
        self.fast = fast
        self.max_connections = max_connections
        self.root: Path | None = None
        self._as_postgres = os.geteuid() == 0

    # ------------------------------------------------------------ lifetime

    def start(self) -> LocalPostgres:
        self.root = Path(tempfile.mkdtemp(prefix="indicators-pg-"))
        if self._as_postgres:
            shutil.chown(self.root, SUPERUSER)
        data = self.root / "data"
        self._run("initdb", "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-instructions")
        opts = [f"-p {self.port}", f"-k {self.root}", "-c listen_addresses=127.0.0.1",
                f"-c max_connections={self.max_connections}"]
        if self.fast:
            opts += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self._run("pg_ctl", "-D", str(data), "-l", str(self.root / "server.log"), "-w", "-t", "60",
                  "-o", " ".join(opts), "start")
        return self

    def stop(self) -> None:
        if self.root is None:
            return
        try:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop", check=False)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------ databases

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """``CREATE DATABASE name`` (a copy of ``template`` when given: fast, and the
        template must have no open connections); returns its URL."""
        sql = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
        self.psql(sql)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def psql(self, sql: str, database: str = "postgres") -> str:
        out = subprocess.run([str(self.bin / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At",
                              "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "-d", database, "-c", sql],
                             capture_output=True, text=True, timeout=120)
        if out.returncode:
            raise RuntimeError(f"psql failed: {out.stderr.strip()}")
        return out.stdout

    def _run(self, tool: str, *args: str, check: bool = True) -> None:
        cmd = [str(self.bin / tool), *args]
        if self._as_postgres:
            cmd = ["runuser", "-u", SUPERUSER, "--", *cmd]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=self.root)
        if check and out.returncode:
            log = (self.root / "server.log") if self.root else None
            tail = log.read_text()[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"{tool} failed ({out.returncode}): {out.stderr.strip()} {tail}")


def wait_for_port(port: int, timeout: float = 30.0) -> bool:
    """True once something accepts connections on 127.0.0.1:``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False
