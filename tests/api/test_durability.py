"""Durability: a registration load (registrations, duplicates, payments, verifications,
cancellations from many threads) runs against a dedicated server, which is killed with
SIGKILL in the middle of it. A new server on the same database must start, and hold every
write that was acknowledged (201/200), nothing that was refused (4xx), and counters that
equal the rows. Requests in flight at the kill are unknown: neither asserted present nor
absent."""

import random
import threading
import time
from collections import defaultdict

import requests

from support import (assert_json, create_users, db_rows, describe, kill_server,
                     list_payments, list_registrations, register, reopen_server)

REG = "/api/v1/registrations"
WORKERS = 16
KILL_AFTER = 120  # acknowledged registrations before the SIGKILL


class Ledger:
    """What the clients were told, per request, under a lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reg_ok = {}            # registration id -> (user id, tournament id, status)
        self.pair_ok = {}           # (user id, tournament id) -> registration id
        self.refused = []           # (user id, tournament id, status code, error code)
        self.unknown_pairs = set()  # registration requests without an answer
        self.pay_ok = {}            # payment id -> registration id
        self.pay_unknown = set()    # registration ids whose payment had no answer
        self.verified = set()       # registration ids whose payment was verified (200)
        self.verify_unknown = set()
        self.cancelled = set()      # registration ids cancelled (200)
        self.cancel_unknown = set()
        self.answers = defaultdict(int)
        self.dead = threading.Event()


def run_load(srv, org, players, tournaments, ledger):
    jobs = [(u, t) for u in players for t in tournaments]
    random.Random(7).shuffle(jobs)
    jobs_lock = threading.Lock()

    def call(fn):
        """The response, or None when the server did not answer (dead or dying)."""
        try:
            r = fn()
        except requests.RequestException:
            ledger.dead.set()
            return None
        with ledger.lock:
            ledger.answers[r.status_code] += 1
        assert r.status_code < 500, f"server error under load: {describe(r)}"
        return r

    def one(u, t):
        pair = (u.id, t["id"])
        r = call(lambda: register(srv, u, t["slug"]))
        if r is None:
            with ledger.lock:
                ledger.unknown_pairs.add(pair)
            return
        if r.status_code != 201:
            err = r.json()["error"]["code"]
            assert r.status_code == 409 and err in ("tournament_full", "already_registered"), \
                describe(r)
            with ledger.lock:
                ledger.refused.append((u.id, t["id"], r.status_code, err))
            return
        reg = r.json()
        rid = reg["id"]
        with ledger.lock:
            ledger.reg_ok[rid] = (u.id, t["id"], reg["status"])
            ledger.pair_ok[pair] = rid
        # a duplicate: must be refused, and must not add a row
        if (u.id + t["id"]) % 3 == 0:
            d = call(lambda: register(srv, u, t["slug"]))
            if d is None:
                return
            assert d.status_code == 409, describe(d)
            with ledger.lock:
                ledger.refused.append((u.id, t["id"], 409, d.json()["error"]["code"]))
        if t["entry_fee_cents"]:
            p = call(lambda: srv.post(f"{REG}/{rid}/payments", user=u, json={
                "amount_cents": t["entry_fee_cents"], "method": "card"}))
            if p is None:
                with ledger.lock:
                    ledger.pay_unknown.add(rid)
                return
            pay = assert_json(p, 201)
            with ledger.lock:
                ledger.pay_ok[pay["id"]] = rid
            if u.id % 2 == 0:
                v = call(lambda: srv.post(f"/api/v1/payments/{pay['id']}/verify", user=org))
                if v is None:
                    with ledger.lock:
                        ledger.verify_unknown.add(rid)
                    return
                assert_json(v, 200)
                with ledger.lock:
                    ledger.verified.add(rid)
        if (u.id + t["id"]) % 4 == 0:
            c = call(lambda: srv.delete(f"{REG}/{rid}", user=u))
            if c is None:
                with ledger.lock:
                    ledger.cancel_unknown.add(rid)
                return
            assert_json(c, 200)
            with ledger.lock:
                ledger.cancelled.add(rid)

    failures = []

    def worker():
        while not ledger.dead.is_set():
            with jobs_lock:
                if not jobs:
                    return
                u, t = jobs.pop()
            try:
                one(u, t)
            except AssertionError as e:
                failures.append(e)
                return

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(WORKERS)]
    for th in threads:
        th.start()
    return threads, jobs, failures


def test_acknowledged_registrations_survive_sigkill(server_factory):
    srv = server_factory(flags={"--threads": "4"})
    org = srv.new_user(prefix="durorg")
    players = create_users(srv, 40, prefix="dur", workers=8)
    game = srv.game
    specs = [{"max_participants": 64}] * 5 + [{"max_participants": 6}] * 2 + \
        [{"max_participants": 64, "entry_fee_cents": 300}] * 3
    tournaments = [srv.create_tournament(org, status="registration_open", game=game["slug"],
                                         **spec) for spec in specs]
    tids = {t["id"]: t for t in tournaments}

    ledger = Ledger()
    threads, jobs_left, failures = run_load(srv, org, players, tournaments, ledger)
    deadline = time.monotonic() + 60
    while len(ledger.reg_ok) < KILL_AFTER and time.monotonic() < deadline:
        assert not failures, failures[0]
        time.sleep(0.002)
    assert len(ledger.reg_ok) >= KILL_AFTER, "the load did not get going"
    problems = kill_server(srv)  # mid-load: the workers are still sending
    killed_with_jobs_left = len(jobs_left)
    for th in threads:
        th.join(30)
    assert not problems, problems
    assert not failures, failures[0]
    assert killed_with_jobs_left > 0, "the load had finished before the kill"

    again = reopen_server(srv)
    try:
        check_after_restart(again, org, tournaments, tids, ledger)
    finally:
        stop_problems = again.stop()
    assert not stop_problems, "\n".join(stop_problems)


def check_after_restart(srv, org, tournaments, tids, ledger):
    admin = srv.admin
    assert srv.healthy()
    assert db_rows(srv, "PRAGMA integrity_check") == [("ok",)]
    assert db_rows(srv, "PRAGMA foreign_key_check") == []

    rows = db_rows(srv, "SELECT id, user_id, tournament_id, status FROM registrations")
    by_id = {r[0]: r for r in rows}

    def expected_status(rid):
        _, tid, first = ledger.reg_ok[rid]
        paid = tids[tid]["entry_fee_cents"] > 0
        before_cancel = {first}
        if rid in ledger.verified:
            before_cancel = {"confirmed"}
        elif rid in ledger.verify_unknown:
            before_cancel = {"pending", "confirmed"}
        if not paid:
            before_cancel = {"confirmed"}
        if rid in ledger.cancelled:
            return {"cancelled"}
        if rid in ledger.cancel_unknown:
            return before_cancel | {"cancelled"}
        return before_cancel

    # 1. every acknowledged registration is there, as acknowledged (API and database)
    for rid, (uid, tid, _) in ledger.reg_ok.items():
        assert rid in by_id, f"registration {rid} got a 201 but is not in the database"
        _, db_uid, db_tid, db_status = by_id[rid]
        assert (db_uid, db_tid) == (uid, tid)
        want = expected_status(rid)
        assert db_status in want, f"registration {rid}: {db_status} not in {want}"
        g = assert_json(srv.get(f"{REG}/{rid}", user=admin), 200)
        assert g["user"]["id"] == uid and g["tournament"]["slug"] == tids[tid]["slug"]
        assert g["status"] == db_status

    # 2. nothing that was refused, nothing nobody asked for
    unknown = ledger.unknown_pairs
    for rid, uid, tid, _ in rows:
        pair = (uid, tid)
        assert rid in ledger.reg_ok or pair in unknown, \
            f"registration {rid} of user {uid} in tournament {tid} was never acknowledged " \
            f"nor in flight"
    per_pair = defaultdict(list)
    for rid, uid, tid, _ in rows:
        per_pair[(uid, tid)].append(rid)
    for uid, tid, code, err in ledger.refused:
        pair = (uid, tid)
        if pair in ledger.pair_ok:   # the duplicate of an acknowledged one
            assert per_pair[pair] == [ledger.pair_ok[pair]], \
                f"refused duplicate ({err}) left a row: {per_pair[pair]}"
        elif pair not in unknown:
            assert per_pair.get(pair, []) == [], \
                f"a registration refused with {code} {err} is in the database: {pair}"
    for pair, ids in per_pair.items():
        assert len(ids) == 1, f"{pair} has {len(ids)} registrations"

    # 3. payments: acknowledged ones exist; verified payment <=> confirmed (atomic)
    pays = {r[0]: r for r in db_rows(srv, "SELECT id, registration_id, status FROM payments")}
    for pid, rid in ledger.pay_ok.items():
        assert pid in pays and pays[pid][1] == rid, f"payment {pid} got a 201 but is gone"
        if rid in ledger.verified:
            assert pays[pid][2] == "verified"
    for pid, rid, pstatus in pays.values():
        assert pid in ledger.pay_ok or rid in ledger.pay_unknown, f"unknown payment {pid}"
        rstatus = by_id[rid][3]
        if pstatus == "verified":
            assert rstatus in ("confirmed", "cancelled"), \
                f"payment {pid} verified but registration {rid} is {rstatus}"
        if pstatus == "pending":
            assert rstatus == "pending"
    for rid, uid, tid, rstatus in rows:
        if tids[tid]["entry_fee_cents"] and rstatus == "confirmed":
            assert any(p[1] == rid and p[2] == "verified" for p in pays.values()), \
                f"registration {rid} confirmed without a verified payment"
    assert db_rows(srv, "SELECT registration_id, count(*) FROM payments WHERE status ="
                        " 'pending' GROUP BY registration_id HAVING count(*) > 1") == []

    # 4. counters equal the rows; capacity held; the API says the same
    for t in tournaments:
        (row,) = db_rows(srv, "SELECT n_pending, n_confirmed, n_checked_in, n_cancelled,"
                              " max_participants FROM tournaments WHERE id = ?", (t["id"],))
        actual = dict(db_rows(srv, "SELECT status, count(*) FROM registrations WHERE"
                                   " tournament_id = ? GROUP BY status", (t["id"],)))
        counts = tuple(actual.get(s, 0) for s in ("pending", "confirmed", "checked_in",
                                                   "cancelled"))
        assert row[:4] == counts, f"{t['slug']}: counters {row[:4]} != rows {counts}"
        active = counts[0] + counts[1] + counts[2]
        assert active <= row[4]
        st = srv.state(t["slug"])
        assert st["registration_count"] == active
        assert st["confirmed_count"] == counts[1]
        listed = list_registrations(srv, t["slug"])
        assert sorted(x["id"] for x in listed) == sorted(
            r[0] for r in rows if r[2] == t["id"])
        if t["entry_fee_cents"]:
            assert sorted(p["id"] for p in list_payments(srv, t["slug"], org)) == sorted(
                pid for pid, rid, _ in pays.values() if by_id[rid][2] == t["id"])

    # 5. and it goes on serving writes
    late = srv.new_user(prefix="durlate")
    open_t = next(t for t in tournaments if t["max_participants"] == 64 and
                  not t["entry_fee_cents"])
    v = srv.state(open_t["slug"])["version"]
    assert_json(register(srv, late, open_t["slug"]), 201)
    assert srv.state(open_t["slug"])["version"] > v
