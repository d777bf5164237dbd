"""Registration rules under concurrent requests: never more active registrations than
max_participants; one active registration per (tournament, user) and per (tournament,
team), and one per player across teams; registration only while it is open. Every answer
is 201 or one of API.md's 409 codes, never a 500; /state, the list and the database agree
with the answers at once."""

import threading
import time
from collections import Counter

import pytest

from support import (assert_error, assert_json, create_team, create_users, db_rows,
                     describe, in_parallel, list_registrations, register, user_pool, uniq)

REG = "/api/v1/registrations"


def codes_of(res):
    errors = [r for r in res if isinstance(r, Exception)]
    assert not errors, f"{len(errors)} requests failed without an answer: {errors[:3]!r}"
    return Counter(r.status_code for r in res)


def db_active(server, tid):
    return db_rows(server, "SELECT id, user_id, team_id, status FROM registrations"
                           " WHERE tournament_id = ? AND status <> 'cancelled' ORDER BY id",
                   (tid,))


def assert_counters_match(server, tid):
    (row,) = db_rows(server, "SELECT n_pending, n_confirmed, n_checked_in, n_cancelled"
                             " FROM tournaments WHERE id = ?", (tid,))
    actual = dict(db_rows(server, "SELECT status, count(*) FROM registrations"
                                  " WHERE tournament_id = ? GROUP BY status", (tid,)))
    expected = tuple(actual.get(s, 0) for s in ("pending", "confirmed", "checked_in",
                                                 "cancelled"))
    assert row == expected, f"tournament counters {row} != actual rows {expected}"
    return expected


@pytest.fixture(scope="module")
def pool(server):
    return user_pool(server, 200)


@pytest.mark.parametrize("fee", [0, 500], ids=["free", "paid"])
def test_200_clients_for_16_slots(server, alice, pool, fee):
    t = server.create_tournament(alice, status="registration_open", max_participants=16,
                                 entry_fee_cents=fee)
    v0 = server.state(t["slug"])["version"]
    res = in_parallel(lambda u: register(server, u, t["slug"]), pool)
    codes = codes_of(res)
    assert codes == {201: 16, 409: 184}, f"answers: {dict(codes)}"
    for r in res:
        if r.status_code == 409:
            assert_error(r, 409, "tournament_full")
    won = [r.json() for r in res if r.status_code == 201]
    status = "pending" if fee else "confirmed"
    assert all(x["status"] == status for x in won)
    won_users = {x["user"]["id"] for x in won}
    assert len(won_users) == 16
    # /state says 16, at once
    st = server.state(t["slug"])
    assert st["registration_count"] == 16 and st["spots_left"] == 0
    assert st["registration_state"] == "full"
    assert st["confirmed_count"] == (0 if fee else 16)
    assert st["version"] >= v0 + 16, "every registration raises the version"
    d = server.detail(t["slug"])
    assert d["counts"] == {"pending": 16 if fee else 0, "confirmed": 0 if fee else 16,
                           "checked_in": 0, "cancelled": 0}
    # the API lists exactly those 16
    listed = list_registrations(server, t["slug"])
    assert sorted(x["id"] for x in listed) == sorted(x["id"] for x in won)
    assert list_registrations(server, t["slug"], status=status) == listed
    assert list_registrations(server, t["slug"], status="cancelled") == []
    # and so does the database
    rows = db_active(server, t["id"])
    assert len(rows) == 16
    assert {row[1] for row in rows} == won_users
    assert {row[0] for row in rows} == {x["id"] for x in won}
    assert db_rows(server, "SELECT count(*) FROM registrations WHERE tournament_id = ?",
                   (t["id"],)) == [(16,)]
    assert assert_counters_match(server, t["id"]) == ((16, 0, 0, 0) if fee else (0, 16, 0, 0))


def test_50_parallel_duplicates_by_one_user(server, alice, pool):
    t = server.create_tournament(alice, status="registration_open", max_participants=64)
    me = pool[0]
    res = in_parallel(lambda _i: register(server, me, t["slug"]), range(50))
    codes = codes_of(res)
    assert codes == {201: 1, 409: 49}, f"answers: {dict(codes)}"
    for r in res:
        if r.status_code == 409:
            assert_error(r, 409, "already_registered")
    (won,) = [r.json() for r in res if r.status_code == 201]
    assert server.state(t["slug"])["registration_count"] == 1
    assert [x["id"] for x in list_registrations(server, t["slug"])] == [won["id"]]
    assert db_active(server, t["id"]) == [(won["id"], me.id, None, "confirmed")]
    assert db_rows(server, "SELECT count(*) FROM registrations WHERE tournament_id = ?",
                   (t["id"],)) == [(1,)]
    assert_counters_match(server, t["id"])


def test_duplicates_and_capacity_at_once(server, alice, pool):
    """70 players, each sending 3 requests at once, for 20 slots: 20 distinct winners,
    every other answer a 409 tournament_full or already_registered."""
    t = server.create_tournament(alice, status="registration_open", max_participants=20)
    users = pool[10:80]
    res = in_parallel(lambda u: register(server, u, t["slug"]), users * 3)
    codes = codes_of(res)
    assert codes[201] == 20 and codes[409] == 190, f"answers: {dict(codes)}"
    for r in res:
        if r.status_code == 409:
            assert_error(r, 409, {"tournament_full", "already_registered"})
    winners = [r.json()["user"]["id"] for r in res if r.status_code == 201]
    assert len(set(winners)) == 20, "a player got two registrations"
    rows = db_active(server, t["id"])
    assert sorted(row[1] for row in rows) == sorted(winners)
    assert server.state(t["slug"])["registration_count"] == 20
    assert_counters_match(server, t["id"])


def test_cancellations_racing_registrations_never_overfill(server, alice, pool):
    t = server.create_tournament(alice, status="registration_open", max_participants=8)
    holders = pool[80:88]
    regs = in_parallel(lambda u: register(server, u, t["slug"]), holders)
    assert codes_of(regs) == {201: 8}
    newcomers = pool[88:128]
    jobs = [("cancel", u, r.json()["id"]) for u, r in zip(holders[:4], regs[:4])] + \
        [("register", u, None) for u in newcomers]

    def run(job):
        kind, u, rid = job
        if kind == "cancel":
            return server.delete(f"{REG}/{rid}", user=u)
        return register(server, u, t["slug"])

    res = in_parallel(run, jobs)
    codes_of(res)
    for job, r in zip(jobs, res):
        if job[0] == "cancel":
            assert r.status_code == 200, describe(r)
            assert r.json()["status"] == "cancelled"
        elif r.status_code != 201:
            assert_error(r, 409, "tournament_full")
    new = sum(1 for job, r in zip(jobs, res) if job[0] == "register" and r.status_code == 201)
    assert 0 <= new <= 4
    st = server.state(t["slug"])
    assert st["registration_count"] == 4 + new <= 8
    rows = db_active(server, t["id"])
    assert len(rows) == 4 + new
    assert assert_counters_match(server, t["id"]) == (0, 4 + new, 0, 4)
    # whatever spots are left can still be taken, and then it is full
    rest = in_parallel(lambda u: register(server, u, t["slug"]), pool[128:140])
    assert codes_of(rest)[201] == 4 - new
    assert server.state(t["slug"])["registration_count"] == 8


def test_no_registration_succeeds_after_close_is_acknowledged(server, alice, pool):
    """60 registrations race the organizer closing registration; 60 more are sent the
    moment the close is answered. Every answer is 201 or 409 registration_closed, none
    sent after the close was answered gets a 201, and the database holds exactly the
    201s."""
    t = server.create_tournament(alice, status="registration_open", max_participants=500)
    users = pool[:120]
    closed = threading.Event()
    closed_at = []

    def run(i):
        if i == 60:
            time.sleep(0.01)
            r = server.post(f"/api/v1/tournaments/{t['slug']}/status", user=alice,
                            json={"status": "registration_closed"})
            closed_at.append(time.monotonic())
            closed.set()
            return r
        u = users[i if i < 60 else i - 1]
        if i > 60:
            closed.wait(60)
        sent = time.monotonic()
        r = register(server, u, t["slug"])
        r.sent_at = sent
        return r

    res = in_parallel(run, range(121))
    codes_of(res)
    close_r = res[60]
    assert assert_json(close_r, 200)["status"] == "registration_closed"
    won = []
    late = 0
    for i, r in enumerate(res):
        if i == 60:
            continue
        if r.sent_at > closed_at[0]:
            late += 1
        if r.status_code == 201:
            won.append(r.json()["id"])
            assert r.sent_at < closed_at[0], \
                f"registration accepted although sent after the close was acknowledged: " \
                f"{describe(r)}"
        else:
            assert_error(r, 409, "registration_closed")
    assert late >= 60
    rows = db_active(server, t["id"])
    assert sorted(row[0] for row in rows) == sorted(won)
    assert server.state(t["slug"])["registration_count"] == len(won)
    assert_counters_match(server, t["id"])
    assert_error(register(server, pool[150], t["slug"]), 409, "registration_closed")


def test_shrinking_max_participants_racing_registrations(server, alice, pool):
    """PATCH max_participants down while 40 players register: whichever wins, the active
    registrations never exceed the final max_participants."""
    t = server.create_tournament(alice, status="registration_open", max_participants=64)
    users = pool[140:180]

    def run(i):
        if i == 20:
            return server.patch(f"/api/v1/tournaments/{t['slug']}", user=alice,
                                json={"max_participants": 12})
        return register(server, users[i if i < 20 else i - 1], t["slug"])

    res = in_parallel(run, range(41))
    codes_of(res)
    patch_r = res[20]
    assert patch_r.status_code in (200, 409), describe(patch_r)
    if patch_r.status_code == 409:
        assert_error(patch_r, 409, "conflict")
    for i, r in enumerate(res):
        if i != 20 and r.status_code != 201:
            assert_error(r, 409, "tournament_full")
    d = server.detail(t["slug"])
    n201 = sum(1 for i, r in enumerate(res) if i != 20 and r.status_code == 201)
    assert d["registration_count"] == n201 == len(db_active(server, t["id"]))
    assert d["registration_count"] <= d["max_participants"]
    assert d["max_participants"] == (12 if patch_r.status_code == 200 else 64)
    assert_counters_match(server, t["id"])


@pytest.fixture(scope="module")
def duo(server):
    return server.create_game(name=f"Race duo {uniq()}", team_size=2)


def test_player_in_two_teams_racing_registers_once(server, alice, duo):
    """x is in teams A and B; both captains register at once, in 8 tournaments at once:
    in each exactly one team is in, the other is 409 already_registered."""
    cap_a, cap_b, x = create_users(server, 3, prefix="race")
    a = create_team(server, cap_a, members=[x])
    b = create_team(server, cap_b, members=[x])
    ts = server.create_tournaments(alice, [{"_status": "registration_open",
                                            "game": duo["slug"], "participant_type": "team"}
                                           for _ in range(8)])
    jobs = [(t, cap, tm) for t in ts for cap, tm in ((cap_a, a), (cap_b, b))] * 3
    res = in_parallel(lambda j: register(server, j[1], j[0]["slug"], j[2]["id"]), jobs)
    codes_of(res)
    for t in ts:
        mine = [r for j, r in zip(jobs, res) if j[0]["slug"] == t["slug"]]
        assert sum(r.status_code == 201 for r in mine) == 1, [describe(r) for r in mine]
        for r in mine:
            if r.status_code != 201:
                assert_error(r, 409, "already_registered")
        rows = db_active(server, t["id"])
        assert len(rows) == 1 and rows[0][2] in (a["id"], b["id"])
        assert server.state(t["slug"])["registration_count"] == 1
        assert_counters_match(server, t["id"])


def test_same_team_racing_registers_once(server, alice, duo):
    cap, mate = create_users(server, 2, prefix="race")
    team = create_team(server, cap, members=[mate])
    t = server.create_tournament(alice, status="registration_open", game=duo["slug"],
                                 participant_type="team", max_participants=4)
    res = in_parallel(lambda _i: register(server, cap, t["slug"], team["id"]), range(30))
    assert codes_of(res) == {201: 1, 409: 29}
    for r in res:
        if r.status_code == 409:
            assert_error(r, 409, "already_registered")
    assert len(db_active(server, t["id"])) == 1


def test_teams_racing_for_the_last_slots(server, alice, duo):
    """10 teams of 2 for 4 slots, at once: 4 in, 6 tournament_full."""
    people = create_users(server, 20, prefix="racet")
    teams = [create_team(server, people[2 * i], members=[people[2 * i + 1]])
             for i in range(10)]
    t = server.create_tournament(alice, status="registration_open", game=duo["slug"],
                                 participant_type="team", max_participants=4)
    res = in_parallel(lambda i: register(server, people[2 * i], t["slug"], teams[i]["id"]),
                      range(10))
    assert codes_of(res) == {201: 4, 409: 6}
    for r in res:
        if r.status_code == 409:
            assert_error(r, 409, "tournament_full")
    assert len(db_active(server, t["id"])) == 4
    assert server.state(t["slug"])["registration_state"] == "full"


def test_many_tournaments_at_once_keep_their_counts(server, alice, pool):
    """12 tournaments of 5 slots, 10 players each, all at once: every tournament ends with
    exactly 5, and its version, counters and list agree."""
    ts = server.create_tournaments(alice, [{"_status": "registration_open",
                                            "max_participants": 5} for _ in range(12)])
    jobs = [(t, u) for k, t in enumerate(ts) for u in pool[k * 10:(k + 1) * 10]]
    res = in_parallel(lambda j: register(server, j[1], j[0]["slug"]), jobs)
    codes = codes_of(res)
    assert codes == {201: 60, 409: 60}, dict(codes)
    for t in ts:
        st = server.state(t["slug"])
        assert st["registration_count"] == 5 and st["registration_state"] == "full"
        assert len(list_registrations(server, t["slug"])) == 5
        assert len(db_active(server, t["id"])) == 5
        assert_counters_match(server, t["id"])
