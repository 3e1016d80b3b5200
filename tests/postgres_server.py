"""A real PostgreSQL for tests: Debian's server binaries, a throwaway cluster in /tmp on 127.0.0.1.

`initdb` refuses to run as root, so as root the cluster belongs to the `postgres` user (made by the Debian
package) or `nobody`. Each test gets its own database. Where no server binaries are installed, the tests that
need one are skipped with the reason (CI installs the `postgresql` package, see .ci/run).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import free_port, stop_process, wait_for_http

from rag.settings import Settings


def server_binaries() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


def _as_user(user: str | None, *args: str) -> list[str]:
    return ["runuser", "-u", user, "--", *args] if user else list(args)


def _run_as(user: str | None, *args: str) -> None:
    done = subprocess.run(_as_user(user, *args), capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stderr.strip()[-2000:]}")


class PostgresUnavailable(Exception):
    """Why no PostgreSQL server can be started here."""


@contextmanager
def running_postgres() -> Iterator[str]:
    """postgresql://crossread@127.0.0.1:<port> of a server running for the body (no database part)."""
    bin_dir = server_binaries()
    if bin_dir is None:
        raise PostgresUnavailable("PostgreSQL server binaries not found (apt-get install postgresql)")
    user = None
    if os.geteuid() == 0:
        user = next((u for u in ("postgres", "nobody") if _user_exists(u)), None)
        if user is None:
            raise PostgresUnavailable("running as root and no unprivileged user to run PostgreSQL as")
    root = Path(tempfile.mkdtemp(prefix="crossread-pg-"))
    if user:
        record = pwd.getpwnam(user)
        os.chown(root, record.pw_uid, record.pw_gid)
    data, port = root / "data", free_port()
    try:
        _run_as(user, str(bin_dir / "initdb"), "-D", str(data), "-U", "crossread", "-A", "trust", "-E", "UTF8",
                "--no-sync")
        options = f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c full_page_writes=off"
        _run_as(user, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w",
                "-t", "60", "start")
        yield f"postgresql://crossread@127.0.0.1:{port}"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(_as_user(user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"),
                           capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A server for the whole session; tests are skipped, with the reason, where none can be started."""
    pytest.importorskip("psycopg", reason="psycopg not installed (pip install 'crossread[postgres]')")
    try:
        with running_postgres() as url:
            yield url
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def new_database(server: str) -> str:
    """A fresh empty database on `server`; its URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh database for one test."""
    return new_database(postgres_server)


@contextmanager
def running_chroma(folder: Path) -> Iterator[str]:
    """http://127.0.0.1:<port> of a `chroma run` server keeping its data in `folder`, running for the body."""
    chroma = Path(sys.executable).with_name("chroma")
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "chroma.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(chroma), "run", "--path", str(folder / "data"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/api/v2/heartbeat", server, timeout=60, log=log)
        yield url
    finally:
        stop_process(server)


@pytest.fixture
def chroma_server_url(tmp_path: Path) -> Iterator[str]:
    with running_chroma(tmp_path / "chroma-server") as url:
        yield url


@pytest.fixture
def server_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings of an empty store on the servers: a fresh database and a Chroma server.

    Modules using it import `postgres_server` and `chroma_server_url` too (pytest finds fixtures by name there).
    """
    database = new_database(request.getfixturevalue("postgres_server"))
    return Settings(data_dir=tmp_path / "data", database_url=database,
                    chroma_url=request.getfixturevalue("chroma_server_url"))


def server_env(settings: Settings) -> dict[str, str]:
    """The environment of a `crossread` process using `settings`' store."""
    return {**os.environ, "CROSSREAD_DATA_DIR": str(settings.data_dir),
            "CROSSREAD_DATABASE_URL": settings.database_url, "CROSSREAD_CHROMA_URL": settings.chroma_url}
