"""A throwaway PostgreSQL server for tests: Debian's binaries, a fresh cluster in a temp dir.

Needs ``apt-get install -y postgresql`` and ``pip install sqlalchemy 'psycopg[binary]'``.
Missing binaries make the fixture FAIL (never skip): the store must be tested on PostgreSQL.

Example (in a test module):
    from tests.support.postgres import postgres_server  # noqa: F401  (the fixture)

    def test_x(postgres_server):
        url = postgres_server.new_database()
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found: install them with "
    "`apt-get install -y postgresql` (and `pip install sqlalchemy 'psycopg[binary]'`)"
)


def find_bin_dir() -> str | None:
    """The directory holding ``initdb`` and ``pg_ctl`` (Debian keeps them off PATH)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    for directory in candidates:
        if os.path.exists(os.path.join(directory, "initdb")):
            return directory
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def _version_key(path: str) -> float:
    try:
        return float(path.split("/")[-2])
    except ValueError:
        return 0.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    """A running cluster on 127.0.0.1:``port`` with trust authentication."""

    bin_dir: str
    base: str
    port: int
    user: str | None  # OS user that runs the server (postgres refuses to run as root)
    databases: list[str] = field(default_factory=list)

    @property
    def data_dir(self) -> str:
        return os.path.join(self.base, "data")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [os.path.join(self.bin_dir, args[0]), *args[1:]],
            user=self.user,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.base,
        )

    def start(self) -> None:
        init = self._run(
            "initdb",
            "-D",
            self.data_dir,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        if init.returncode != 0:
            pytest.fail(f"initdb failed:\n{init.stdout}\n{init.stderr}")
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        start = self._run(
            "pg_ctl",
            "-D",
            self.data_dir,
            "-o",
            options,
            "-l",
            os.path.join(self.base, "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        if start.returncode != 0:
            log = ""
            try:
                with open(os.path.join(self.base, "server.log")) as fh:
                    log = fh.read()
            except OSError:
                pass
            pytest.fail(f"pg_ctl start failed:\n{start.stdout}\n{start.stderr}\n{log}")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", self.data_dir, "-m", "immediate", "-w", "stop")

    def new_database(self) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        return self.url(name)


def start_server() -> PostgresServer:
    """Start a fresh cluster (fails the test when the binaries are missing)."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    user = "postgres" if os.geteuid() == 0 else None
    # a directory of its own under /tmp: pytest's tmp dirs are private to root
    base = tempfile.mkdtemp(prefix="ascope-pg-")
    os.chmod(base, 0o700)
    if user is not None:
        shutil.chown(base, user=user, group=user if _group_exists(user) else None)
    server = PostgresServer(bin_dir=bin_dir, base=base, port=_free_port(), user=user)
    server.start()
    return server


def _group_exists(name: str) -> bool:
    import grp

    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole test session."""
    server = start_server()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.base, ignore_errors=True)
