"""A throwaway PostgreSQL server for one test session: Debian's binaries, loopback only.

``make test`` runs the suite a second time with ``TRADEPORTAL_TEST_DATABASE=postgresql``.
The cluster lives in a temporary directory, listens on 127.0.0.1 on a free port and is
tuned for tests (no fsync: a crash loses nothing we keep). Each test gets its own database,
copied from a template database with ``CREATE DATABASE ... TEMPLATE``, the PostgreSQL
counterpart of copying the SQLite file.
"""

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

SUPERUSER = "postgres"


def _binaries() -> Path:
    """The newest installed server's bin directory (/usr/lib/postgresql/<version>/bin)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not found:
        raise RuntimeError(
            "PostgreSQL is not installed: `make test` installs the Debian package postgresql"
        )
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """Start, use and stop a private cluster."""

    def __init__(self) -> None:
        self.bin = _binaries()
        self.root = Path(tempfile.mkdtemp(prefix="tradeportal-pg-"))
        self.port = _free_port()
        # initdb refuses to run as root: CI runs as root, so the cluster belongs to the
        # postgres user the Debian package creates.
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(self.root, "postgres")

    def _run(self, *command: str) -> None:
        subprocess.run([*self._as, *command], check=True, capture_output=True, text=True)

    def start(self) -> "PostgresServer":
        """Create the cluster and start it."""
        self._run(
            str(self.bin / "initdb"), "-D", str(self.root / "data"), "-U", SUPERUSER,
            "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        self.resume()
        return self

    def resume(self) -> None:
        """Start the server on its existing cluster (after ``pause``)."""
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-c port={self.port}",
                f"-c unix_socket_directories={self.root}",
                "-c max_connections=300",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
            ]
        )
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-o", options, "-l",
            str(self.root / "server.log"), "-w", "start",
        )  # fmt: skip

    def pause(self) -> None:
        """Stop the server, keeping its data (a restart is ``pause`` then ``resume``)."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "stop")

    def stop(self) -> None:
        """Stop the server and delete the cluster."""
        try:
            self.pause()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _admin(self):
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        )

    def exists(self, database: str) -> bool:
        with self._admin() as connection:
            found = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
            ).fetchone()
        return found is not None

    def create(self, database: str, template: str | None = None) -> None:
        """Create ``database``, empty or as a copy of ``template`` (replacing any old one)."""
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database))
        if template:
            # FILE_COPY copies the template's files in one go: much faster than the
            # default WAL_LOG for a database of tens of megabytes.
            statement += sql.SQL(" TEMPLATE {} STRATEGY FILE_COPY").format(sql.Identifier(template))
        with self._admin() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
            )
            connection.execute(statement)

    def drop(self, database: str) -> None:
        with self._admin() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
            )
