"""Saved scenarios are never lost or corrupted (PRODUCT.md non-negotiables).

SQLite: concurrent writer processes, and a writer SIGKILLed while writing. PostgreSQL: a
real server this module starts itself (initdb + pg_ctl on a free loopback port).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from loan401k.store import READ_WAIT_MS, WRITE_WAIT_S, ScenarioStore, default_database_url, is_valid_id

# A writer process: its own engine, one scenario per transaction, and each id printed only
# after its commit returned (an "acknowledged" save). count < 0: write until killed.
WRITER = """
import sys, time
from loan401k.store import ScenarioStore
store = ScenarioStore(sys.argv[1])
count, name, pause, i = int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), 0
while count < 0 or i < count:
    scenario_id = store.save({"age": 40, "vested_balance": i, "note": name})
    sys.stdout.write(scenario_id + "\\n")
    sys.stdout.flush()
    i += 1
    time.sleep(pause)
"""


def start_writer(url: str, count: int, name: str, pause: float = 0.0) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, url, str(count), name, str(pause)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def acknowledged(output: str) -> list[str]:
    return [line for line in output.split("\n") if line and is_valid_id(line)]


# --------------------------------------------------------------------------- PostgreSQL


def _postgres_bindir() -> Path | None:
    def version(path: str) -> tuple[int, ...]:
        return tuple(int(p) for p in Path(path).parts[-3].split(".") if p.isdigit())

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version)
    initdb = found[-1] if found else shutil.which("initdb")
    return Path(os.path.realpath(initdb)).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL server on 127.0.0.1 (STACK.md recipe); stopped afterwards."""
    bindir = _postgres_bindir()
    if bindir is None:
        if os.environ.get("LOAN401K_SKIP_POSTGRES") == "1":
            pytest.skip("PostgreSQL binaries absent and LOAN401K_SKIP_POSTGRES=1")
        pytest.fail(
            "PostgreSQL server binaries (initdb, pg_ctl) not found. `make test` installs them "
            "(scripts/system-deps.sh: apt-get install postgresql); set LOAN401K_SKIP_POSTGRES=1 "
            "to skip these tests on purpose.",
            pytrace=False,
        )
    as_user: list[str] = []
    base = tempfile.mkdtemp(prefix="l4kpg")  # short: the socket path must stay under 107 bytes
    if os.geteuid() == 0:  # initdb refuses to run as root
        postgres = pwd.getpwnam("postgres")
        os.chown(base, postgres.pw_uid, postgres.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data = f"{base}/data"
    subprocess.run(
        [
            *as_user,
            str(bindir / "initdb"),
            "-D",
            data,
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
    )
    for _attempt in range(3):  # another process may take the free port first
        port = _free_port()
        started = subprocess.run(
            [
                *as_user,
                str(bindir / "pg_ctl"),
                "-D",
                data,
                "-l",
                f"{base}/log",
                "-w",
                "-t",
                "30",
                "start",
                "-o",
                f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off",
            ],
            capture_output=True,
        )
        if started.returncode == 0:
            break
    else:
        log = Path(f"{base}/log").read_text(errors="replace")[-2000:]
        pytest.fail(f"PostgreSQL did not start: {started.stderr!r}\n{log}", pytrace=False)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop"], capture_output=True
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'scenarios.db'}"
    return request.getfixturevalue("postgres_url")


# --------------------------------------------------------------------------- both databases


def test_save_and_load(database_url):
    store = ScenarioStore(database_url)
    try:
        saved = {
            "age": 40,
            "vested_balance": 80000.5,
            "alternatives": [{"kind": "heloc", "apr_pct": 8.25}],
            "criteria": {"stable_job": True},
            "note": "ünïcødé",
        }
        scenario_id = store.save(saved)
        assert store.load(scenario_id) == saved
        assert store.load("A" * 22) is None
        assert store.load("not an id; DROP TABLE scenarios") is None
        assert store.load(scenario_id) == saved  # still there
    finally:
        store.close()


def test_concurrent_writer_processes_lose_nothing(database_url):
    ScenarioStore(database_url).close()  # the table exists before the race starts
    writers = [start_writer(database_url, 50, f"w{n}") for n in range(4)]
    ids: list[str] = []
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        ids += acknowledged(out)
    assert len(ids) == 200 and len(set(ids)) == 200
    store = ScenarioStore(database_url)
    try:
        assert all(store.load(scenario_id) is not None for scenario_id in ids)
    finally:
        store.close()


def test_api_saves_into_postgresql(postgres_url):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from loan401k.app import create_app

    with TestClient(create_app(postgres_url)) as client:
        body = {"vested_balance": 80000, "age": 40, "amount": 10000}
        saved = client.post("/api/v1/scenarios", json=body)
        assert saved.status_code == 201, saved.text
        loaded = client.get(f"/api/v1/scenarios/{saved.json()['id']}")
        assert loaded.json() == body


# --------------------------------------------------------------------------- SQLite


def test_sqlite_is_wal_with_busy_timeout(tmp_path):
    """Writers queue on the lock, for a bounded time (issue 17: a busy database answers)."""
    store = ScenarioStore(f"sqlite:///{tmp_path / 'scenarios.db'}")
    try:
        with store.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == WRITE_WAIT_S * 1000
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        with store.engine.connect().execution_options(sqlite_begin="DEFERRED") as connection:
            connection.execute(text("SELECT 1"))  # a read's transaction: a shorter bound
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == READ_WAIT_MS
    finally:
        store.close()


def stored_ids_of_an_intact_database(url: str) -> set[str]:
    """Every scenario id in the database, after checking the database is not corrupt: SQLite's
    `PRAGMA integrity_check`; on PostgreSQL, amcheck's `bt_index_check` on the primary key with
    every table row looked up in it (heapallindexed)."""
    store = ScenarioStore(url)
    try:
        with store.engine.connect().execution_options(sqlite_begin="DEFERRED") as connection:
            if store.engine.dialect.name == "sqlite":
                assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            else:
                connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
                connection.execute(text("SELECT bt_index_check('scenarios_pkey'::regclass, true)"))
                connection.commit()
            return {row[0] for row in connection.execute(text("SELECT id FROM scenarios"))}
    finally:
        store.close()


def test_sigkilled_writer_leaves_every_acknowledged_save(database_url):
    url = database_url
    ScenarioStore(url).close()
    # Two bystanders keep the lock busy (a short pause each, so the victim is not starved).
    others = [start_writer(url, -1, f"bystander{n}", pause=0.005) for n in range(2)]
    acked: list[str] = []
    try:
        for round_number in range(3):
            victim = start_writer(url, -1, f"victim{round_number}")
            lines = 0
            deadline = time.monotonic() + 60
            while lines < 40 + 13 * round_number and time.monotonic() < deadline:
                line = victim.stdout.readline()
                assert line, victim.stderr.read()
                acked += acknowledged(line)
                lines += 1
            # It writes continuously, so the kill lands inside or between transactions.
            victim.send_signal(signal.SIGKILL)
            out, _ = victim.communicate(timeout=30)
            acked += acknowledged(out)  # ids it acknowledged before dying
            assert victim.returncode == -signal.SIGKILL
    finally:
        for writer in others:
            writer.send_signal(signal.SIGKILL)
        for writer in others:
            out, _ = writer.communicate(timeout=30)
            acked += acknowledged(out)
    assert len(acked) >= 120
    stored = stored_ids_of_an_intact_database(url)
    assert set(acked) <= stored, f"{len(set(acked) - stored)} acknowledged saves are missing"


def test_sigkilled_server_keeps_every_acknowledged_save(database_url, tmp_path):
    """`loan401k serve --workers 2` killed with SIGKILL (the whole process group: master and
    workers) while clients are saving: every save answered 201 is in the database, intact."""
    ScenarioStore(database_url).close()
    port = _free_port()
    env = {
        **os.environ,
        "LOAN401K_DATABASE_URL": database_url,
        "LOAN401K_SAVES_PER_MINUTE": "1000000",
        "LOAN401K_SAVES_PER_MINUTE_TOTAL": "1000000",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "loan401k.cli", "serve", "--port", str(port), "--workers", "2"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    acked: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(n: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            i = 0
            while not stop.is_set():
                try:
                    body = {"age": 40, "vested_balance": n * 100_000 + i + 20_000, "amount": 10_000}
                    response = http.post("/api/v1/scenarios", json=body)
                except httpx.TransportError:
                    return  # the server is gone; whatever was not answered was not acknowledged
                if response.status_code == 201:
                    with lock:
                        acked.append(response.json()["id"])
                i += 1

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, server.stderr.read()[-2000:]
            time.sleep(0.1)
        clients = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(6)]
        for thread in clients:
            thread.start()
        deadline = time.monotonic() + 60
        while len(acked) < 150 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.killpg(server.pid, signal.SIGKILL)  # mid-stream: the clients are still saving
        server.wait(timeout=30)
        stop.set()
        for thread in clients:
            thread.join(60)
    finally:
        stop.set()
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
        server.stderr.close()
    assert len(acked) >= 150, "the clients could not save before the kill"
    stored = stored_ids_of_an_intact_database(database_url)
    assert set(acked) <= stored, f"{len(set(acked) - stored)} acknowledged saves are missing"


def test_default_database_is_var_under_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("LOAN401K_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert default_database_url() == f"sqlite:///{tmp_path.as_posix()}/var/loan401k.db"
    store = ScenarioStore()
    try:
        store.save({"age": 40})
    finally:
        store.close()
    assert (tmp_path / "var" / "loan401k.db").is_file()


def test_environment_variable_chooses_the_database(tmp_path, monkeypatch):
    target = tmp_path / "elsewhere" / "x.db"
    monkeypatch.setenv("LOAN401K_DATABASE_URL", f"sqlite:///{target}")
    store = ScenarioStore()
    try:
        assert store.load(store.save({"age": 41})) == {"age": 41}
    finally:
        store.close()
    assert target.is_file()


def test_the_save_limit_is_one_count_for_every_process(database_url):
    """Two stores with their own engines and quotas (two workers, or two servers on one
    database): the limit holds for their saves together, in SQLite and PostgreSQL alike."""
    from loan401k.throttle import SaveQuota, SaveRefused

    stores = [ScenarioStore(database_url), ScenarioStore(database_url)]
    client = "198.51.100.8"
    quotas = [SaveQuota(limit=3, total=1000, clock=lambda: 9_000.0) for _ in stores]
    outcomes = []
    before = stores[0].count()  # the PostgreSQL server is shared by this module's tests
    try:
        for n in range(8):
            store, quota = stores[n % 2], quotas[n % 2]
            try:
                store.save({"age": 40}, charge=lambda connection, q=quota: q.charge(connection, client))
                outcomes.append("saved")
            except SaveRefused:
                outcomes.append("refused")
        assert outcomes == ["saved"] * 3 + ["refused"] * 5
        assert stores[0].count() - before == 3
    finally:
        for store in stores:
            store.close()
