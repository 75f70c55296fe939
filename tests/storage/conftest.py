"""A real PostgreSQL server for the storage tests, started by the test run itself.

It uses Debian's ``postgresql`` binaries (``.ci/run`` installs them), a throw-away cluster in a
temporary directory, a Unix socket only (no TCP port), and trust authentication. As root, the
server runs as the ``postgres`` user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL server binaries not found: run `apt-get install postgresql` (.ci/run does)")
    return Path(found[-1]).parent


def _run(args: list[str], as_postgres: bool) -> None:
    command = ["runuser", "-u", "postgres", "--", *args] if as_postgres else args
    subprocess.run(command, check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    bin_dir = _pg_bin()
    as_postgres = os.geteuid() == 0
    root = Path(tempfile.mkdtemp(prefix="hipnerve-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if as_postgres:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
        root.chmod(0o755)
    _run([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"], as_postgres)
    options = f"-c listen_addresses='' -c unix_socket_directories={sock} -c fsync=off -p 55432"
    _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l", str(root / "log"), "start"], as_postgres)
    try:
        _run([str(bin_dir / "createdb"), "-h", str(sock), "-p", "55432", "-U", "postgres", "hipnerve"], as_postgres)
        yield f"postgresql+psycopg://postgres@/hipnerve?host={sock}&port=55432"
    finally:
        _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], as_postgres)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hipnerve.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url
