"""The command line: migrate up/down/status, schema checks at start, user create,
flags from the environment, --help. Runs the binary directly on temporary databases."""
import json
import os
import signal
import socket
import sqlite3
import subprocess
import time

import pytest
import requests

from support import binary_path, child_env, free_port


def run(*args, input_text=None, env=None, timeout=60):
    return subprocess.run([binary_path(), *args], input=input_text, capture_output=True,
                          text=True, timeout=timeout, env=child_env(env))


def schema_version(db):
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        return c.execute("PRAGMA user_version").fetchone()[0]


def tables(db):
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        return {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def indexes(db):
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        return {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='index'")}


def latest_version(tmp_path):
    db = str(tmp_path / "probe.db")
    assert run("migrate", "up", "--db", db).returncode == 0
    return schema_version(db)


def test_migrate_up_down_status_round_trip(tmp_path):
    db = str(tmp_path / "m.db")
    r = run("migrate", "up", "--db", db)
    assert r.returncode == 0, r.stderr
    latest = schema_version(db)
    assert latest >= 3
    assert {"users", "tournaments", "registrations", "payments", "matches"} <= tables(db)
    assert {"registrations_team", "tournaments_game_start"} <= indexes(db)

    st = run("migrate", "status", "--db", db)
    assert st.returncode == 0
    assert f"schema version: {latest}" in st.stdout
    assert "[pending]" not in st.stdout

    # up again is a no-op
    r = run("migrate", "up", "--db", db)
    assert r.returncode == 0 and "applied 0" in r.stdout

    # down 1 reverts exactly the newest migration
    r = run("migrate", "down", "--db", db)
    assert r.returncode == 0, r.stderr
    assert schema_version(db) == latest - 1
    assert run("migrate", "status", "--db", db).stdout.count("[pending]") == 1

    # down to 3, then one more: exactly what 0003 made disappears, 0002's stays
    assert run("migrate", "down", str(latest - 1 - 3), "--db", db).returncode == 0
    assert schema_version(db) == 3
    assert {"tournaments_game_start", "registrations_team"} <= indexes(db)
    assert run("migrate", "down", "--db", db).returncode == 0
    assert schema_version(db) == 2
    assert "tournaments_game_start" not in indexes(db)   # made by 0003
    assert "registrations_team" in indexes(db)           # 0002 stays

    # down everything: no table of ours is left
    r = run("migrate", "down", str(latest), "--db", db)
    assert r.returncode == 0, r.stderr
    assert schema_version(db) == 0
    assert not ({"users", "tournaments", "meta"} & tables(db))

    # and back up
    assert run("migrate", "up", "--db", db).returncode == 0
    assert schema_version(db) == latest


def test_migrate_rejects_bad_usage(tmp_path):
    db = str(tmp_path / "u.db")
    for args in (["migrate"], ["migrate", "sideways"], ["migrate", "down", "zero"],
                 ["migrate", "down", "-1"], ["migrate", "up", "3"]):
        r = run(*args, "--db", db)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
    assert run("migrate", "status", "--db", str(tmp_path / "absent.db")).returncode == 1


def wait_listening(port, proc, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def serve(db, *extra, env=None):
    port = free_port()
    p = subprocess.Popen([binary_path(), "serve", "--db", db, "--listen", f"127.0.0.1:{port}",
                          "--threads", "1", *extra], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=child_env(env))
    return p, port


def stop(p):
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=15)
    assert p.returncode == 0, err
    return err


def test_serve_refuses_missing_and_old_schema_unless_migrate(tmp_path):
    missing = str(tmp_path / "none.db")
    r = subprocess.run([binary_path(), "serve", "--db", missing, "--listen", "127.0.0.1:1"],
                       capture_output=True, text=True, timeout=30, env=child_env())
    assert r.returncode == 1 and "migrate" in r.stderr
    assert not os.path.exists(missing)

    db = str(tmp_path / "old.db")
    assert run("migrate", "up", "--db", db).returncode == 0
    assert run("migrate", "down", "--db", db).returncode == 0
    r = subprocess.run([binary_path(), "serve", "--db", db, "--listen", "127.0.0.1:1"],
                       capture_output=True, text=True, timeout=30, env=child_env())
    assert r.returncode == 1 and "older" in r.stderr
    line = json.loads(r.stderr.strip().splitlines()[-1])
    assert line["level"] == "error"

    p, port = serve(db, "--migrate")
    try:
        assert wait_listening(port, p), p.stderr.read() if p.poll() is not None else "timeout"
        # listening comes before ready: /readyz says 503 "starting" during the cache warm-up
        deadline = time.time() + 10
        while requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code != 200:
            assert time.time() < deadline, "never ready"
            time.sleep(0.05)
    except BaseException:
        p.kill()  # do not leave a server running after a failed assertion
        p.wait()
        raise
    stop(p)
    assert schema_version(db) == latest_version(tmp_path)


def test_serve_refuses_newer_schema(tmp_path):
    db = str(tmp_path / "new.db")
    assert run("migrate", "up", "--db", db).returncode == 0
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA user_version = 999")
    for extra in ([], ["--migrate"]):
        r = subprocess.run([binary_path(), "serve", "--db", db, "--listen", "127.0.0.1:1",
                            *extra], capture_output=True, text=True, timeout=30,
                           env=child_env())
        assert r.returncode == 1 and "newer" in r.stderr, r.stderr


def test_flags_come_from_environment_and_flags_win(tmp_path):
    db = str(tmp_path / "env.db")
    port = free_port()
    p = subprocess.Popen([binary_path(), "serve", "--listen", f"127.0.0.1:{port}"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=child_env({"TOURNEYD_DB": db, "TOURNEYD_MIGRATE": "1",
                                        "TOURNEYD_LISTEN": "127.0.0.1:1",
                                        "TOURNEYD_LOG_LEVEL": "debug"}))
    assert wait_listening(port, p)
    requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
    err = stop(p)
    assert os.path.exists(db)
    lines = [json.loads(l) for l in err.splitlines() if l.startswith("{")]
    # debug level from the environment: every request is logged with its fields
    req = [l for l in lines if l.get("msg") == "request" and l.get("path") == "/healthz"]
    assert req and req[0]["status"] == 200 and "duration_ms" in req[0] and "queries" in req[0]
    assert any(l.get("msg") == "stopped" for l in lines)

    r = run("serve", env={"TOURNEYD_THREADS": "many", "TOURNEYD_DB": db})
    assert r.returncode == 2 and "TOURNEYD_THREADS" in r.stderr


def test_user_create_reads_password_from_stdin(tmp_path):
    db = str(tmp_path / "users.db")
    assert run("migrate", "up", "--db", db).returncode == 0
    r = run("user", "create", "--admin", "boss", "--db", db, input_text="s3cret-password\n")
    assert r.returncode == 0, r.stderr
    r = run("user", "create", "pleb", "--db", db, input_text="another-password\n")
    assert r.returncode == 0, r.stderr
    assert run("user", "create", "boss", "--db", db, input_text="whatever-pass\n").returncode == 1
    assert run("user", "create", "shorty", "--db", db, input_text="short\n").returncode == 2
    assert run("user", "create", "Bad Name", "--db", db, input_text="long-enough-pw\n").returncode == 2
    assert run("user", "create", "nopw", "--db", db, input_text="").returncode == 2
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        rows = dict(c.execute("SELECT username, role FROM users"))
        hashes = [h for (h,) in c.execute("SELECT password_hash FROM users")]
    assert rows == {"boss": "admin", "pleb": "player"}
    assert all(h.startswith("$argon2id$") for h in hashes)

    p, port = serve(db)
    assert wait_listening(port, p)
    base = f"http://127.0.0.1:{port}/api/v1"
    r = requests.post(base + "/auth/login", json={"username": "boss", "password": "s3cret-password"})
    assert r.status_code == 200 and r.json()["user"]["role"] == "admin"
    stop(p)


def test_help_and_unknown_commands():
    r = run("--help")
    assert r.returncode == 0 and "serve" in r.stdout and "migrate" in r.stdout
    for cmd in ("serve", "migrate", "seed", "user"):
        r = run(cmd, "--help")
        assert r.returncode == 0, cmd
        assert "--db" in r.stdout, cmd
    r = run("serve", "--help")
    for flag in ("--listen", "--threads", "--slow-ms", "--log-level", "--migrate"):
        assert flag in r.stdout
        assert "TOURNEYD_" in r.stdout
    assert run("frobnicate").returncode == 2
    assert run("serve", "--no-such-flag").returncode == 2
    assert run().returncode == 2


def test_seed_is_deterministic_and_refuses_a_seeded_db(tmp_path):
    a, b = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    for db in (a, b):
        r = run("seed", "--scale", "0.05", "--rng-seed", "7", "--db", db, timeout=120)
        assert r.returncode == 0, r.stderr
    q = ("SELECT slug, status, format, max_participants, n_pending, n_confirmed, n_checked_in,"
         " n_cancelled FROM tournaments ORDER BY id")
    with sqlite3.connect(f"file:{a}?mode=ro", uri=True) as ca, \
            sqlite3.connect(f"file:{b}?mode=ro", uri=True) as cb:
        assert ca.execute(q).fetchall() == cb.execute(q).fetchall()
        assert ca.execute("SELECT count(*) FROM registrations").fetchone()[0] > 0
        statuses = {s for (s,) in ca.execute("SELECT DISTINCT status FROM tournaments")}
    assert statuses == {"draft", "published", "registration_open", "registration_closed",
                        "live", "completed", "cancelled"}
    r = run("seed", "--scale", "0.01", "--db", a, timeout=120)
    assert r.returncode == 1


def test_sigterm_while_connections_arrive_exits_cleanly(tmp_path):
    """Stopping while clients keep connecting and asking: every run exits 0 (no abort
    inside libmicrohttpd's listen-socket handling), every answer that arrives is whole,
    and once stopping, answers close their connection."""
    import threading
    import http.client

    db = str(tmp_path / "t.db")
    assert run("migrate", "up", "--db", db).returncode == 0
    for round_no in range(6):
        p, port = serve(db, "--threads", "4")
        assert wait_listening(port, p)
        stop_flag = threading.Event()
        problems = []
        closing = []

        def client():
            while not stop_flag.is_set():
                try:
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    for _ in range(5):
                        c.request("GET", "/healthz")
                        r = c.getresponse()
                        body = r.read()
                        if r.status != 200 or b"ok" not in body:
                            problems.append((r.status, body[:80]))
                        if (r.getheader("Connection") or "").lower() == "close":
                            closing.append(1)
                            break
                    c.close()
                except (OSError, http.client.HTTPException):
                    pass  # refused or closed while stopping: expected

        threads = [threading.Thread(target=client) for _ in range(6)]
        for t in threads:
            t.start()
        time.sleep(0.3 + 0.05 * round_no)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=30)
        stop_flag.set()
        for t in threads:
            t.join(10)
        assert p.returncode == 0, err[-2000:]
        assert "Fatal error" not in err, err[-2000:]
        assert not problems, problems[:5]


def test_check_verifies_stored_standings_and_catches_a_wrong_one(tmp_path):
    """`tourneyd check` passes on a seeded database (the seed stores every started
    tournament's standings), and fails, naming the tournament, when a stored document no
    longer matches what its matches give."""
    db = str(tmp_path / "c.db")
    r = run("seed", "--scale", "0.05", "--rng-seed", "3", "--db", db, timeout=120)
    assert r.returncode == 0, r.stderr
    r = run("check", "--db", db)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "quick_check: ok" in r.stdout and "standings: ok" in r.stdout
    with sqlite3.connect(db) as c:
        started = c.execute("SELECT count(DISTINCT tournament_id) FROM matches m JOIN"
                            " tournaments t ON t.id = m.tournament_id"
                            " WHERE t.is_deleted = 0").fetchone()[0]
        stored = c.execute("SELECT count(*) FROM standings").fetchone()[0]
        assert started > 0 and stored == started
        tid, items = c.execute("SELECT tournament_id, items FROM standings"
                               " ORDER BY tournament_id LIMIT 1").fetchone()
        rows = json.loads(items)
        assert rows and rows[0]["rank"] == 1 and "tiebreaks" in rows[0]
        c.execute("UPDATE standings SET items = '[]' WHERE tournament_id = ?", (tid,))
    r = run("check", "--db", db)
    assert r.returncode == 1
    assert f"first: id {tid}" in r.stdout, r.stdout


def test_migration_8_builds_the_standings_of_started_tournaments(tmp_path):
    """Going down past 0008 drops the stored standings; coming back up rebuilds them
    from the matches (the migration's C step), so check passes again."""
    db = str(tmp_path / "m.db")
    r = run("seed", "--scale", "0.05", "--rng-seed", "4", "--db", db, timeout=120)
    assert r.returncode == 0, r.stderr
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        before = c.execute("SELECT tournament_id, complete, items FROM standings"
                           " ORDER BY 1").fetchall()
    assert before
    latest = schema_version(db)
    assert run("migrate", "down", str(latest - 7), "--db", db).returncode == 0
    assert schema_version(db) == 7
    assert "standings" not in tables(db)
    assert run("migrate", "up", "--db", db).returncode == 0
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        after = c.execute("SELECT tournament_id, complete, items FROM standings"
                          " ORDER BY 1").fetchall()
    assert after == before
    assert run("check", "--db", db).returncode == 0


def migrate_down_to_and_up(db, version, table, column):
    """Migrates db down to schema `version`, checks that table.column (added by the next
    migration) is gone, then migrates up to the latest schema again."""
    latest = schema_version(db)
    assert run("migrate", "down", str(latest - version), "--db", db).returncode == 0
    assert schema_version(db) == version
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        cols = [row[1] for row in c.execute(f"PRAGMA table_info({table})")]
    assert column not in cols
    assert run("migrate", "up", "--db", db).returncode == 0


def test_migration_9_gives_every_payment_its_registrations_tournament(tmp_path):
    """0009 adds payments.tournament_id and fills it from each payment's registration;
    check verifies it, and fails on a payment whose tournament is not its registration's."""
    db = str(tmp_path / "m.db")
    r = run("seed", "--scale", "0.05", "--rng-seed", "5", "--db", db, timeout=120)
    assert r.returncode == 0, r.stderr
    migrate_down_to_and_up(db, 8, "payments", "tournament_id")
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        n, wrong = c.execute(
            "SELECT count(*), sum(p.tournament_id <> r.tournament_id) FROM payments p"
            " JOIN registrations r ON r.id = p.registration_id").fetchone()
    assert n > 0 and wrong == 0
    r = run("check", "--db", db)
    assert r.returncode == 0 and "payments: ok" in r.stdout, r.stdout
    with sqlite3.connect(db) as c:
        pid, tid = c.execute("SELECT id, tournament_id FROM payments LIMIT 1").fetchone()
        c.execute("UPDATE payments SET tournament_id = ? WHERE id = ?", (tid + 1, pid))
    r = run("check", "--db", db)
    assert r.returncode == 1 and "payments: 1 have" in r.stdout, r.stdout


def test_migration_10_names_each_registrations_latest_payment(tmp_path):
    """0010 adds registrations.payment_id and fills it with each registration's latest
    payment; a new payment updates it; check fails on a registration that names another."""
    db = str(tmp_path / "m.db")
    r = run("seed", "--scale", "0.05", "--rng-seed", "6", "--db", db, timeout=120)
    assert r.returncode == 0, r.stderr
    latest_q = ("SELECT count(*), sum(r.payment_id IS NOT (SELECT max(p.id) FROM payments p"
                " WHERE p.registration_id = r.id)), count(r.payment_id) FROM registrations r")
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        seeded = c.execute(latest_q).fetchone()
    assert seeded[0] > 0 and seeded[1] == 0 and seeded[2] > 0
    migrate_down_to_and_up(db, 9, "registrations", "payment_id")
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        assert c.execute(latest_q).fetchone() == seeded
    r = run("check", "--db", db)
    assert r.returncode == 0 and "payments: ok" in r.stdout, r.stdout
    with sqlite3.connect(db) as c:
        rid = c.execute("SELECT id FROM registrations WHERE payment_id IS NOT NULL"
                        " LIMIT 1").fetchone()[0]
        c.execute("UPDATE registrations SET payment_id = NULL WHERE id = ?", (rid,))
    r = run("check", "--db", db)
    assert r.returncode == 1 and "payments: 1 registrations have a payment_id" in r.stdout, r.stdout


@pytest.mark.parametrize("column", ["n_pending", "n_confirmed", "n_checked_in", "n_cancelled",
                                    "n_payments_pending", "revenue_verified_cents"])
def test_check_compares_every_tournament_counter_with_its_rows(tmp_path, column):
    """check recounts each tournament's registrations by status, pending payments and
    verified revenue; one counter off by one in one tournament fails it, naming it."""
    db = str(tmp_path / "c.db")
    r = run("seed", "--scale", "0.05", "--rng-seed", "7", "--db", db, timeout=120)
    assert r.returncode == 0, r.stderr
    r = run("check", "--db", db)
    assert r.returncode == 0 and "counters: ok (" in r.stdout, r.stdout
    with sqlite3.connect(db) as c:
        tid = c.execute(f"SELECT id FROM tournaments WHERE {column} > 0 ORDER BY id DESC"
                        " LIMIT 1").fetchone()[0]
        c.execute(f"UPDATE tournaments SET {column} = {column} - 1 WHERE id = ?", (tid,))
    r = run("check", "--db", db)
    assert r.returncode == 1, r.stdout
    assert "counters: 1 of " in r.stdout and f"(first: id {tid})" in r.stdout, r.stdout
