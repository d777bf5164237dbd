"""Registrations: register solo (free: confirmed at once; paid: pending), the refusals and
their order (registration_closed, tournament_full, already_registered), show, cancel
(frees the spot), check-in (only with check_in_required, inside the window), the list per
tournament (status filter, keyset pagination, one query per page), versions and counts
right immediately after every write, and bad input on every registration endpoint."""

import json
import time
from types import SimpleNamespace

import pytest

from support import (REGISTRATION_KEYS, USER_REF_KEYS, assert_error, assert_json,
                     create_users, db_rows, describe, iso_in, list_payments,
                     list_registrations, parse_iso, query_count, register, user_pool, uniq)

REG = "/api/v1/registrations"


@pytest.fixture(scope="module")
def players(server):
    return create_users(server, 14, prefix="rg")


def regs_url(slug):
    return f"/api/v1/tournaments/{slug}/registrations"


def ref(user):
    return {"id": user.id, "username": user.username, "display_name": user.data["display_name"]}


def check_registration(reg, t, user, status, team=None, payment=None):
    assert set(reg) == REGISTRATION_KEYS, f"registration keys {sorted(reg)}"
    assert isinstance(reg["id"], int) and reg["id"] > 0
    assert reg["tournament"] == {"slug": t["slug"], "name": t["name"]}
    assert set(reg["user"]) == USER_REF_KEYS and reg["user"] == ref(user)
    assert reg["team"] == team
    assert reg["status"] == status
    assert reg["seed"] is None
    if payment is not None:
        assert reg["payment"] == payment
    parse_iso(reg["created_at"])
    assert abs(parse_iso(reg["created_at"]) - time.time()) < 300
    if status != "checked_in":
        assert reg["checked_in_at"] is None


def counts_of(server, slug, user=None):
    d = server.detail(slug, user=user)
    st = server.state(slug, user=user)
    assert st["version"] == d["version"], "state and detail disagree on the version"
    assert st["registration_count"] == d["registration_count"]
    assert st["confirmed_count"] == d["counts"]["confirmed"]
    assert st["checked_in_count"] == d["counts"]["checked_in"]
    c = d["counts"]
    assert d["registration_count"] == c["pending"] + c["confirmed"] + c["checked_in"]
    assert st["spots_left"] == d["max_participants"] - d["registration_count"]
    return SimpleNamespace(version=d["version"], active=d["registration_count"], **c,
                           state=st["registration_state"])


def db_counts(server, tid):
    """(counters of the tournaments row, actual counts by status) from the database."""
    (row,) = db_rows(server, "SELECT n_pending, n_confirmed, n_checked_in, n_cancelled"
                             " FROM tournaments WHERE id = ?", (tid,))
    actual = dict(db_rows(server, "SELECT status, count(*) FROM registrations"
                                  " WHERE tournament_id = ? GROUP BY status", (tid,)))
    return row, tuple(actual.get(s, 0) for s in ("pending", "confirmed", "checked_in",
                                                  "cancelled"))


def cancel(server, user, rid):
    return server.delete(f"{REG}/{rid}", user=user)


# ------------------------------------------------------------------ register

def test_free_solo_registration_confirms_at_once(server, alice, bob, admin):
    t = server.create_tournament(alice, status="registration_open", max_participants=4)
    v0 = counts_of(server, t["slug"]).version
    r = register(server, bob, t["slug"])
    reg = assert_json(r, 201)
    check_registration(reg, t, bob, "confirmed", payment=None)
    assert "private@" not in r.text, "an email leaked"
    for viewer in (bob, alice, admin):
        assert assert_json(server.get(f"{REG}/{reg['id']}", user=viewer), 200) == reg
    c = counts_of(server, t["slug"])
    assert (c.active, c.pending, c.confirmed, c.checked_in, c.cancelled) == (1, 0, 1, 0, 0)
    assert c.version > v0
    assert list_registrations(server, t["slug"]) == [reg]
    assert db_counts(server, t["id"]) == ((0, 1, 0, 0), (0, 1, 0, 0))


def test_paid_registration_stays_pending(server, alice, bob):
    t = server.create_tournament(alice, status="registration_open", entry_fee_cents=1500,
                                 currency="EUR")
    reg = assert_json(register(server, bob, t["slug"]), 201)
    check_registration(reg, t, bob, "pending", payment=None)
    c = counts_of(server, t["slug"])
    assert (c.active, c.pending, c.confirmed) == (1, 1, 0)
    assert server.state(t["slug"])["confirmed_count"] == 0


def test_register_with_empty_object_or_no_body(server, alice, players):
    t = server.create_tournament(alice, status="registration_open")
    r1 = server.post(regs_url(t["slug"]), user=players[0], json={})
    assert_json(r1, 201)
    r2 = server.post(regs_url(t["slug"]), user=players[1], data=b"")
    assert_json(r2, 201)
    r3 = server.post(regs_url(t["slug"]), user=players[2], data=b"{}",
                     headers={"Content-Type": "application/json; charset=utf-8"})
    assert_json(r3, 201)
    assert counts_of(server, t["slug"]).active == 3


def test_already_registered_is_409_and_changes_nothing(server, alice, bob):
    t = server.create_tournament(alice, status="registration_open")
    first = assert_json(register(server, bob, t["slug"]), 201)
    before = server.detail(t["slug"])
    for _ in range(3):
        assert_error(register(server, bob, t["slug"]), 409, "already_registered")
    assert server.detail(t["slug"]) == before, "a refused registration changed the tournament"
    assert [x["id"] for x in list_registrations(server, t["slug"])] == [first["id"]]
    assert db_rows(server, "SELECT count(*) FROM registrations WHERE tournament_id = ?",
                   (t["id"],)) == [(1,)]


def test_full_tournament_and_cancel_frees_the_spot(server, alice, players):
    p = players
    t = server.create_tournament(alice, status="registration_open", max_participants=2)
    r0 = assert_json(register(server, p[0], t["slug"]), 201)
    assert_json(register(server, p[1], t["slug"]), 201)
    st = server.state(t["slug"])
    assert st["registration_state"] == "full" and st["spots_left"] == 0
    before = server.detail(t["slug"])
    assert_error(register(server, p[2], t["slug"]), 409, "tournament_full")
    # full is told before already_registered
    assert_error(register(server, p[0], t["slug"]), 409, "tournament_full")
    assert server.detail(t["slug"]) == before
    # cancelling frees the spot at once
    c = assert_json(cancel(server, p[0], r0["id"]), 200)
    assert c["status"] == "cancelled" and c["id"] == r0["id"]
    st = server.state(t["slug"])
    assert st["registration_state"] == "open" and st["spots_left"] == 1
    assert st["registration_count"] == 1
    r2 = assert_json(register(server, p[2], t["slug"]), 201)
    assert server.state(t["slug"])["registration_state"] == "full"
    assert_error(register(server, p[3], t["slug"]), 409, "tournament_full")
    ids = [x["id"] for x in list_registrations(server, t["slug"])]
    assert ids == sorted(ids) and r2["id"] == ids[-1] and len(ids) == 3
    row, actual = db_counts(server, t["id"])
    assert row == actual == (0, 2, 0, 1)


def test_reregister_after_cancel_is_a_new_registration(server, alice, bob):
    t = server.create_tournament(alice, status="registration_open")
    a = assert_json(register(server, bob, t["slug"]), 201)
    assert_json(cancel(server, bob, a["id"]), 200)
    b = assert_json(register(server, bob, t["slug"]), 201)
    assert b["id"] != a["id"] and b["status"] == "confirmed"
    assert assert_json(server.get(f"{REG}/{a['id']}", user=bob), 200)["status"] == "cancelled"
    assert [x["id"] for x in list_registrations(server, t["slug"], status="cancelled")] == \
        [a["id"]]
    assert [x["id"] for x in list_registrations(server, t["slug"], status="confirmed")] == \
        [b["id"]]
    assert_error(register(server, bob, t["slug"]), 409, "already_registered")


@pytest.mark.parametrize("status", ["draft", "published", "registration_closed", "cancelled"])
def test_registration_closed_unless_open(server, alice, bob, status):
    t = server.create_tournament(alice, status=status)
    who = alice if status == "draft" else bob  # a draft is seen by its organizer only
    before = server.detail(t["slug"], user=alice)
    assert_error(register(server, who, t["slug"]), 409, "registration_closed")
    assert server.detail(t["slug"], user=alice) == before
    assert list_registrations(server, t["slug"], user=alice) == []


@pytest.mark.parametrize("opens,closes", [(3600, 7200), (-7200, -3600), (None, -60)])
def test_registration_closed_outside_the_window(server, alice, bob, opens, closes):
    over = {}
    if opens is not None:
        over["registration_opens_at"] = iso_in(opens)
    if closes is not None:
        over["registration_closes_at"] = iso_in(closes)
    t = server.create_tournament(alice, status="registration_open", **over)
    before = server.detail(t["slug"])
    assert_error(register(server, bob, t["slug"]), 409, "registration_closed")
    assert server.detail(t["slug"]) == before


def test_closed_is_told_before_full(server, alice, players):
    t = server.create_tournament(alice, status="registration_open", max_participants=2)
    for u in players[:2]:
        assert_json(register(server, u, t["slug"]), 201)
    server.move(alice, t["slug"], "registration_closed")
    assert_error(register(server, players[2], t["slug"]), 409, "registration_closed")
    assert_error(register(server, players[0], t["slug"]), 409, "registration_closed")


def test_draft_unknown_and_deleted_tournaments_are_404(server, alice, bob):
    draft = server.create_tournament(alice)
    assert_error(register(server, bob, draft["slug"]), 404, "not_found")
    assert_error(server.get(regs_url(draft["slug"]), user=bob), 404, "not_found")
    assert_error(server.get(regs_url(draft["slug"])), 404, "not_found")
    assert_json(server.get(regs_url(draft["slug"]), user=alice), 200)
    assert_error(register(server, bob, "no-such-tournament-zz"), 404, "not_found")
    assert_error(server.get(regs_url("no-such-tournament-zz")), 404, "not_found")
    t = server.create_tournament(alice, status="registration_open")
    reg = assert_json(register(server, bob, t["slug"]), 201)
    assert server.delete(f"/api/v1/tournaments/{t['slug']}", user=alice).status_code == 204
    assert_error(register(server, bob, t["slug"]), 404, "not_found")
    assert_error(server.get(regs_url(t["slug"])), 404, "not_found")
    for viewer in (bob, alice, server.admin):
        assert_error(server.get(f"{REG}/{reg['id']}", user=viewer), 404, "not_found")
    assert_error(cancel(server, bob, reg["id"]), 404, "not_found")


def test_register_needs_a_user(server, alice):
    t = server.create_tournament(alice, status="registration_open")
    assert_error(register(server, None, t["slug"]), 401, "unauthorized")
    assert_error(server.post(regs_url(t["slug"]), token="A" * 43), 401, "unauthorized")
    assert counts_of(server, t["slug"]).active == 0


def test_organizer_may_play_in_own_tournament(server, alice):
    t = server.create_tournament(alice, status="registration_open")
    reg = assert_json(register(server, alice, t["slug"]), 201)
    assert reg["user"]["id"] == alice.id


# ------------------------------------------------------------------ show and cancel

@pytest.mark.parametrize("bad", ["0", "-1", "x", "1.5", "99999999999999999999", "%20"])
def test_registration_ids_that_are_not_positive_integers_are_404(server, bob, bad):
    assert_error(server.get(f"{REG}/{bad}", user=bob), 404, "not_found")
    assert_error(server.delete(f"{REG}/{bad}", user=bob), 404, "not_found")
    assert_error(server.post(f"{REG}/{bad}/check-in", user=bob), 404, "not_found")


def test_unknown_registration_is_404(server, bob, admin):
    for who in (bob, admin):
        assert_error(server.get(f"{REG}/{10 ** 12}", user=who), 404, "not_found")
        assert_error(cancel(server, who, 10 ** 12), 404, "not_found")
        assert_error(server.post(f"{REG}/{10 ** 12}/check-in", user=who), 404, "not_found")


@pytest.mark.parametrize("canceller", ["owner", "organizer", "admin"])
def test_cancel_by_owner_organizer_admin(server, alice, bob, admin, canceller):
    t = server.create_tournament(alice, status="registration_open")
    reg = assert_json(register(server, bob, t["slug"]), 201)
    before = counts_of(server, t["slug"])
    who = {"owner": bob, "organizer": alice, "admin": admin}[canceller]
    c = assert_json(cancel(server, who, reg["id"]), 200)
    check_registration(c, t, bob, "cancelled")
    assert c["id"] == reg["id"]
    assert assert_json(server.get(f"{REG}/{reg['id']}", user=bob), 200) == c
    after = counts_of(server, t["slug"])
    assert after.version > before.version
    assert (after.active, after.confirmed, after.cancelled) == (0, 0, 1)
    # cancelling again: 409, nothing changes
    d = server.detail(t["slug"])
    assert_error(cancel(server, who, reg["id"]), 409, "invalid_transition")
    assert server.detail(t["slug"]) == d


def test_cancel_paid_registration_rejects_its_pending_payment(server, alice, bob):
    t = server.create_tournament(alice, status="registration_open", entry_fee_cents=700)
    reg = assert_json(register(server, bob, t["slug"]), 201)
    pay = assert_json(server.post(f"{REG}/{reg['id']}/payments", user=bob,
                                  json={"amount_cents": 700, "method": "card"}), 201)
    c = assert_json(cancel(server, bob, reg["id"]), 200)
    assert c["status"] == "cancelled"
    assert c["payment"] == {"id": pay["id"], "status": "rejected", "amount_cents": 700}
    (p,) = list_payments(server, t["slug"], alice)
    assert p["id"] == pay["id"] and p["status"] == "rejected"
    assert p["reason"] == "registration cancelled"
    assert list_payments(server, t["slug"], alice, status="pending") == []
    c2 = counts_of(server, t["slug"])
    assert (c2.pending, c2.cancelled, c2.active) == (0, 1, 0)


def test_registration_of_cancelled_tournament_may_be_cancelled(server, alice, bob):
    t = server.create_tournament(alice, status="registration_open")
    reg = assert_json(register(server, bob, t["slug"]), 201)
    server.move(alice, t["slug"], "cancelled")
    assert assert_json(cancel(server, bob, reg["id"]), 200)["status"] == "cancelled"


def test_cancel_in_closed_registration_frees_the_count(server, alice, players):
    t = server.create_tournament(alice, status="registration_open", max_participants=3)
    regs = [assert_json(register(server, u, t["slug"]), 201) for u in players[:3]]
    server.move(alice, t["slug"], "registration_closed")
    assert_json(cancel(server, players[1], regs[1]["id"]), 200)
    c = counts_of(server, t["slug"])
    assert (c.active, c.confirmed, c.cancelled) == (2, 2, 1)
    assert c.state == "closed"


# ------------------------------------------------------------------ check-in

def check_in(server, user, rid):
    return server.post(f"{REG}/{rid}/check-in", user=user)


def test_check_in_within_the_hour_before_start(server, alice, bob, admin, players):
    t = server.create_tournament(alice, status="registration_open", check_in_required=True,
                                 start_at=iso_in(1800))
    reg = assert_json(register(server, bob, t["slug"]), 201)
    before = counts_of(server, t["slug"])
    r = check_in(server, bob, reg["id"])
    ci = assert_json(r, 200)
    assert ci["id"] == reg["id"] and ci["status"] == "checked_in"
    assert abs(parse_iso(ci["checked_in_at"]) - time.time()) < 300
    assert set(ci) == REGISTRATION_KEYS
    after = counts_of(server, t["slug"])
    assert after.version > before.version
    assert (after.active, after.confirmed, after.checked_in) == (1, 0, 1)
    assert server.state(t["slug"])["checked_in_count"] == 1
    assert assert_json(server.get(f"{REG}/{reg['id']}", user=bob), 200) == ci
    # twice: 409, nothing changes
    d = server.detail(t["slug"])
    assert_error(check_in(server, bob, reg["id"]), 409, "invalid_transition")
    assert server.detail(t["slug"]) == d
    # an admin may check a player in
    reg2 = assert_json(register(server, players[4], t["slug"]), 201)
    assert assert_json(check_in(server, admin, reg2["id"]), 200)["status"] == "checked_in"
    assert list_registrations(server, t["slug"], status="checked_in") == \
        [ci, assert_json(server.get(f"{REG}/{reg2['id']}", user=admin), 200)]
    row, actual = db_counts(server, t["id"])
    assert row == actual == (0, 0, 2, 0)


def test_check_in_when_registration_closed(server, alice, bob):
    t = server.create_tournament(alice, status="registration_open", check_in_required=True)
    reg = assert_json(register(server, bob, t["slug"]), 201)
    assert_error(check_in(server, bob, reg["id"]), 409, "invalid_transition")
    server.move(alice, t["slug"], "registration_closed")
    assert assert_json(check_in(server, bob, reg["id"]), 200)["status"] == "checked_in"
    c = counts_of(server, t["slug"])
    assert (c.checked_in, c.confirmed, c.active) == (1, 0, 1)


@pytest.mark.parametrize("case", ["not-required", "too-early", "after-start",
                                  "window-over-start-far", "cancelled-tournament"])
def test_check_in_refused_outside_window(server, alice, bob, case):
    over = {"check_in_required": case != "not-required", "start_at": iso_in(1800)}
    if case in ("too-early", "window-over-start-far"):
        over["start_at"] = iso_in(2 * 3600)
    if case == "after-start":
        over["start_at"] = iso_in(-600)
    t = server.create_tournament(alice, status="registration_open", **over)
    reg = assert_json(register(server, bob, t["slug"]), 201)
    if case == "not-required":
        server.move(alice, t["slug"], "registration_closed")
    if case == "cancelled-tournament":
        server.move(alice, t["slug"], "cancelled")
    if case == "window-over-start-far":  # registration_state closed, status still open
        assert_json(server.patch(f"/api/v1/tournaments/{t['slug']}", user=alice,
                                 json={"registration_closes_at": iso_in(-60)}), 200)
        assert server.state(t["slug"])["registration_state"] == "closed"
    before = server.detail(t["slug"])
    assert_error(check_in(server, bob, reg["id"]), 409, "invalid_transition")
    assert server.detail(t["slug"]) == before
    assert assert_json(server.get(f"{REG}/{reg['id']}", user=bob), 200)["status"] == \
        "confirmed"


def test_check_in_needs_a_confirmed_registration(server, alice, bob, players):
    t = server.create_tournament(alice, status="registration_open", check_in_required=True,
                                 entry_fee_cents=300)
    pending = assert_json(register(server, bob, t["slug"]), 201)
    gone = assert_json(register(server, players[5], t["slug"]), 201)
    assert_json(cancel(server, players[5], gone["id"]), 200)
    server.move(alice, t["slug"], "registration_closed")
    before = server.detail(t["slug"])
    assert_error(check_in(server, bob, pending["id"]), 409, "invalid_transition")
    assert_error(check_in(server, players[5], gone["id"]), 409, "invalid_transition")
    assert server.detail(t["slug"]) == before


def test_cancel_checked_in_registration(server, alice, bob):
    t = server.create_tournament(alice, status="registration_open", check_in_required=True,
                                 start_at=iso_in(1200))
    reg = assert_json(register(server, bob, t["slug"]), 201)
    assert_json(check_in(server, bob, reg["id"]), 200)
    c = assert_json(cancel(server, bob, reg["id"]), 200)
    assert c["status"] == "cancelled"
    cnt = counts_of(server, t["slug"])
    assert (cnt.checked_in, cnt.cancelled, cnt.active) == (0, 1, 0)
    row, actual = db_counts(server, t["id"])
    assert row == actual == (0, 0, 0, 1)


# ------------------------------------------------------------------ versions

def test_every_registration_change_raises_the_version_at_once(server, alice, players):
    """No sleeps: the state and the detail are right as soon as the write is answered."""
    t = server.create_tournament(alice, status="registration_open", check_in_required=True,
                                 start_at=iso_in(1500), max_participants=3)
    slug = t["slug"]
    seen = [counts_of(server, slug).version]

    def step(expect):
        c = counts_of(server, slug)
        assert c.version > seen[-1], f"version did not rise: {c.version} after {seen}"
        got = (c.pending, c.confirmed, c.checked_in, c.cancelled)
        assert got == expect, f"counts {got}, expected {expect}"
        seen.append(c.version)
        row, actual = db_counts(server, t["id"])
        assert row == actual == expect

    def same():
        c = counts_of(server, slug)
        assert c.version == seen[-1], "a refused request raised the version"

    r = [None] * 4
    r[0] = assert_json(register(server, players[6], slug), 201)
    step((0, 1, 0, 0))
    r[1] = assert_json(register(server, players[7], slug), 201)
    step((0, 2, 0, 0))
    assert_error(register(server, players[7], slug), 409, "already_registered")
    same()
    r[2] = assert_json(register(server, players[8], slug), 201)
    step((0, 3, 0, 0))
    assert_error(register(server, players[9], slug), 409, "tournament_full")
    same()
    assert_json(check_in(server, players[6], r[0]["id"]), 200)
    step((0, 2, 1, 0))
    assert_json(cancel(server, players[6], r[0]["id"]), 200)
    step((0, 2, 0, 1))
    assert_error(cancel(server, players[6], r[0]["id"]), 409, "invalid_transition")
    same()
    assert_json(cancel(server, alice, r[1]["id"]), 200)
    step((0, 1, 0, 2))
    r[3] = assert_json(register(server, players[9], slug), 201)
    step((0, 2, 0, 2))
    # the list shows the same at once
    regs = list_registrations(server, slug)
    assert [x["status"] for x in regs] == ["cancelled", "cancelled", "confirmed", "confirmed"]


def test_bulk_states_follow_registrations(server, alice, bob):
    t = server.create_tournament(alice, status="registration_open", max_participants=5)
    reg = assert_json(register(server, bob, t["slug"]), 201)
    st = assert_json(server.get("/api/v1/tournament-states", params={"slugs": t["slug"]}),
                     200)["states"][t["slug"]]
    assert st["registration_count"] == 1 and st["spots_left"] == 4
    assert_json(cancel(server, bob, reg["id"]), 200)
    st2 = assert_json(server.get("/api/v1/tournament-states", params={"slugs": t["slug"]}),
                      200)["states"][t["slug"]]
    assert st2["registration_count"] == 0 and st2["version"] > st["version"]
    (item,) = server.list_all({"q": t["name"]})
    assert item["registration_count"] == 0


def test_etag_changes_after_a_registration(server, alice, bob):
    t = server.create_tournament(alice, status="registration_open")
    for path in (f"/api/v1/tournaments/{t['slug']}", f"/api/v1/tournaments/{t['slug']}/state",
                 regs_url(t["slug"])):
        r1 = server.get(path)
        etag = r1.headers.get("ETag")
        assert etag, describe(r1)
        assert server.get(path, headers={"If-None-Match": etag}).status_code == 304
    etags = {p: server.get(p).headers["ETag"] for p in
             (f"/api/v1/tournaments/{t['slug']}", f"/api/v1/tournaments/{t['slug']}/state",
              regs_url(t["slug"]))}
    assert_json(register(server, bob, t["slug"]), 201)
    for path, etag in etags.items():
        r = server.get(path, headers={"If-None-Match": etag})
        assert r.status_code == 200, f"stale 304 after a registration: {describe(r)}"


# ------------------------------------------------------------------ the list

@pytest.fixture(scope="module")
def listed(server, alice):
    """A tournament with 12 registrations in every status, plus a paid one."""
    users = user_pool(server, 200)[150:162]
    t = server.create_tournament(alice, status="registration_open", check_in_required=True,
                                 start_at=iso_in(1800), max_participants=64)
    regs = [assert_json(register(server, u, t["slug"]), 201) for u in users]
    for i in (1, 4, 7):
        assert_json(check_in(server, users[i], regs[i]["id"]), 200)
    for i in (2, 5, 10):
        assert_json(cancel(server, users[i], regs[i]["id"]), 200)
    all_ = list_registrations(server, t["slug"])
    return SimpleNamespace(t=t, users=users, regs=all_)


def test_list_is_in_registration_order_for_anyone(server, listed, bob):
    for viewer in (None, bob, server.admin):
        items = list_registrations(server, listed.t["slug"], user=viewer)
        assert items == listed.regs
    ids = [x["id"] for x in listed.regs]
    assert ids == sorted(ids) and len(ids) == 12
    for x in listed.regs:
        assert set(x) == REGISTRATION_KEYS
        assert x["tournament"] == {"slug": listed.t["slug"], "name": listed.t["name"]}
    # each item is the registration itself
    for x in listed.regs[:3]:
        assert assert_json(server.get(f"{REG}/{x['id']}", user=server.admin), 200) == x


@pytest.mark.parametrize("status", ["pending", "confirmed", "checked_in", "cancelled"])
def test_list_status_filter(server, listed, status):
    items = list_registrations(server, listed.t["slug"], status=status)
    assert items == [x for x in listed.regs if x["status"] == status]
    expected = {"pending": 0, "confirmed": 6, "checked_in": 3, "cancelled": 3}[status]
    assert len(items) == expected


@pytest.mark.parametrize("limit", [1, 2, 5, 11, 12, 13])
def test_list_pagination_walk(server, listed, limit):
    assert list_registrations(server, listed.t["slug"], limit=limit) == listed.regs
    first = assert_json(server.get(regs_url(listed.t["slug"]), params={"limit": limit}), 200)
    assert first["items"] == listed.regs[:limit]
    assert (first["next_cursor"] is None) == (limit >= 12)


def test_list_default_limit_is_20_and_large_limits_clamp(server, alice):
    users = user_pool(server, 200)[120:145]
    t = server.create_tournament(alice, status="registration_open", max_participants=64)
    for u in users:
        assert_json(register(server, u, t["slug"]), 201)
    body = assert_json(server.get(regs_url(t["slug"])), 200)
    assert len(body["items"]) == 20 and body["next_cursor"]
    for lim in ("100", "1000", "2147483648"):
        body = assert_json(server.get(regs_url(t["slug"]), params={"limit": lim}), 200)
        assert len(body["items"]) == 25 and body["next_cursor"] is None


def test_cursor_stays_valid_while_registrations_arrive(server, alice, players):
    t = server.create_tournament(alice, status="registration_open", max_participants=64)
    early = [assert_json(register(server, u, t["slug"]), 201)["id"] for u in players[:4]]
    seen, cursor, late = [], None, []
    newcomers = list(players[4:10])
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = assert_json(server.get(regs_url(t["slug"]), params=params), 200)
        seen += [x["id"] for x in page["items"]]
        cursor = page["next_cursor"]
        if newcomers:
            late.append(assert_json(register(server, newcomers.pop(0), t["slug"]), 201)["id"])
        if cursor is None:
            break
    assert len(seen) == len(set(seen)), "an item was repeated"
    assert seen == sorted(seen)
    assert set(early) <= set(seen), "an item was skipped"
    assert set(seen) <= set(early) | set(late)


def test_list_shows_team_and_latest_payment(server, alice, players):
    g = server.create_game(name=f"Pairs {uniq()}", team_size=2)
    t = server.create_tournament(alice, status="registration_open", game=g["slug"],
                                 participant_type="team", entry_fee_cents=250)
    cap, mate = players[10], players[11]
    team = assert_json(server.post("/api/v1/teams", user=cap,
                                   json={"name": f"Pair {uniq()}", "tag": "PR"}), 201)
    assert_json(server.post(f"/api/v1/teams/{team['id']}/members", user=cap,
                            json={"username": mate.username}), 201)
    reg = assert_json(register(server, cap, t["slug"], team["id"]), 201)
    assert reg["team"] == {"id": team["id"], "name": team["name"], "tag": team["tag"]}
    assert reg["status"] == "pending" and reg["payment"] is None
    p1 = assert_json(server.post(f"{REG}/{reg['id']}/payments", user=cap,
                                 json={"amount_cents": 250, "method": "cash"}), 201)
    assert_json(server.post(f"/api/v1/payments/{p1['id']}/reject", user=alice,
                            json={"reason": "no"}), 200)
    p2 = assert_json(server.post(f"{REG}/{reg['id']}/payments", user=cap,
                                 json={"amount_cents": 250, "method": "card"}), 201)
    (item,) = list_registrations(server, t["slug"])
    assert item["payment"] == {"id": p2["id"], "status": "pending", "amount_cents": 250}
    assert item["team"] == reg["team"]
    assert item["user"] == ref(cap)


def test_list_costs_the_same_queries_for_1_and_100_rows(server, alice):
    """105 registrations with teams and payments mixed in: one page of 100 costs exactly
    the queries of a page of 1 (tournament, user, team and payment in one query)."""
    users = user_pool(server, 200)[:105]
    t = server.create_tournament(alice, status="registration_open", max_participants=200,
                                 entry_fee_cents=100)
    from concurrent.futures import ThreadPoolExecutor

    def reg_and_pay(u):
        reg = assert_json(register(server, u, t["slug"]), 201)
        assert_json(server.post(f"{REG}/{reg['id']}/payments", user=u,
                                json={"amount_cents": 100, "method": "card"}), 201)
        return reg

    with ThreadPoolExecutor(8) as ex:
        regs = list(ex.map(reg_and_pay, users))
    assert len(regs) == 105
    path = regs_url(t["slug"])
    for viewer in (None, alice):
        counts = {}
        for params in ({"limit": 1}, {"limit": 100}, {"limit": 50, "status": "pending"},
                       {"limit": 100, "status": "pending"}):
            r = server.get(path, params=params, user=viewer)
            body = assert_json(r, 200)
            assert len(body["items"]) == params["limit"]
            assert all(x["payment"] and x["payment"]["status"] == "pending"
                       for x in body["items"])
            counts[json.dumps(params)] = query_count(r)
        # a page costs the tournament's row and the page's one query (plus the token's
        # lookup when signed in), whatever its size; a response-cache hit (per io thread)
        # costs only the tournament's row
        bound = 2 if viewer is None else 3
        assert max(counts.values()) <= bound, f"query counts grow with page size: {counts}"
        # the next page too
        r = server.get(path, params={"limit": 100}, user=viewer)
        r2 = server.get(path, params={"limit": 100, "cursor": r.json()["next_cursor"]},
                        user=viewer)
        assert len(r2.json()["items"]) == 5
        assert query_count(r2) <= bound


# ------------------------------------------------------------------ bad input

@pytest.fixture
def bad_ctx(server, alice, players):
    t = server.create_tournament(alice, status="registration_open", check_in_required=True,
                                 start_at=iso_in(1800))
    reg = assert_json(register(server, players[12], t["slug"]), 201)
    return SimpleNamespace(t=t, reg=reg, user=players[12], newcomer=players[13])


def snap(server, ctx):
    return (server.detail(ctx.t["slug"]), list_registrations(server, ctx.t["slug"]))


@pytest.mark.parametrize("body", [b"{", b"[]", b"null", b'"x"', b"1", b'{"team_id": }',
                                  b'{"x": "\xff"}', b"{} {}"])
def test_register_with_malformed_body_is_400(server, bad_ctx, body):
    before = snap(server, bad_ctx)
    r = server.post(regs_url(bad_ctx.t["slug"]), user=bad_ctx.newcomer, data=body,
                    headers={"Content-Type": "application/json"})
    assert_error(r, 400, "bad_request")
    assert snap(server, bad_ctx) == before


@pytest.mark.parametrize("value", ["1", 1.5, True, [], {}, 0, -1, "x' OR 1=1"])
def test_register_with_wrong_team_id_is_400(server, bad_ctx, value):
    before = snap(server, bad_ctx)
    r = server.post(regs_url(bad_ctx.t["slug"]), user=bad_ctx.newcomer, json={"team_id": value})
    assert_error(r, 400, "validation_failed", "team_id")
    assert snap(server, bad_ctx) == before


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded"])
def test_register_with_wrong_content_type_is_415(server, bad_ctx, ctype):
    before = snap(server, bad_ctx)
    r = server.post(regs_url(bad_ctx.t["slug"]), user=bad_ctx.newcomer, data=b"{}",
                    headers={"Content-Type": ctype})
    assert_error(r, 415, "unsupported_media_type")
    assert snap(server, bad_ctx) == before


def test_register_with_oversized_body_is_413(server, bad_ctx):
    before = snap(server, bad_ctx)
    body = json.dumps({"pad": "x" * (1 << 17)}).encode()
    r = server.raw("POST", regs_url(bad_ctx.t["slug"]),
                   headers={"Content-Type": "application/json", **bad_ctx.newcomer.headers},
                   body=body)
    assert_error(r, 413, "payload_too_large")
    assert snap(server, bad_ctx) == before


@pytest.mark.parametrize("params,field", [
    ({"status": "active"}, "status"), ({"status": "CONFIRMED"}, "status"),
    ({"status": "' OR 1=1 --"}, "status"), ({"limit": "0"}, "limit"),
    ({"limit": "-1"}, "limit"), ({"limit": "abc"}, "limit"), ({"limit": "1.5"}, "limit"),
    ({"cursor": "garbage"}, "cursor"), ({"cursor": "' OR 1=1 --"}, "cursor"),
    ({"cursor": "%%%"}, "cursor"),
])
def test_list_with_bad_query_is_400(server, bad_ctx, params, field):
    assert_error(server.get(regs_url(bad_ctx.t["slug"]), params=params), 400,
                 "validation_failed", field)


def test_list_refuses_a_cursor_of_another_list(server, alice, bad_ctx):
    ts = server.list_all({}, limit=100)
    assert len(ts) >= 2
    other = assert_json(server.get("/api/v1/tournaments", params={"limit": 1}), 200)
    assert other["next_cursor"]
    assert_error(server.get(regs_url(bad_ctx.t["slug"]),
                            params={"cursor": other["next_cursor"]}),
                 400, "validation_failed", "cursor")


@pytest.mark.parametrize("method,path,allowed", [
    ("PUT", "/api/v1/tournaments/{slug}/registrations", {"GET", "POST"}),
    ("DELETE", "/api/v1/tournaments/{slug}/registrations", {"GET", "POST"}),
    ("PATCH", "/api/v1/tournaments/{slug}/registrations", {"GET", "POST"}),
    ("POST", "/api/v1/registrations/{id}", {"GET", "DELETE"}),
    ("PUT", "/api/v1/registrations/{id}", {"GET", "DELETE"}),
    ("PATCH", "/api/v1/registrations/{id}", {"GET", "DELETE"}),
    ("GET", "/api/v1/registrations/{id}/check-in", {"POST"}),
    ("DELETE", "/api/v1/registrations/{id}/check-in", {"POST"}),
    ("POST", "/api/v1/me/registrations", {"GET"}),
    ("DELETE", "/api/v1/me/registrations", {"GET"}),
])
def test_other_methods_are_405(server, bad_ctx, method, path, allowed):
    before = snap(server, bad_ctx)
    path = path.replace("{slug}", bad_ctx.t["slug"]).replace("{id}", str(bad_ctx.reg["id"]))
    kw = {"json": {"status": "cancelled"}} if method in ("POST", "PUT", "PATCH") else {}
    r = server.request(method, path, user=bad_ctx.user, **kw)
    assert_error(r, 405, "method_not_allowed")
    allow = {m.strip().upper() for m in (r.headers.get("Allow") or "").split(",")}
    assert allowed <= allow and method not in allow, r.headers.get("Allow")
    assert snap(server, bad_ctx) == before


def test_check_in_with_a_non_json_body_is_refused(server, bad_ctx):
    """A body that is not declared JSON is refused (415) before anything happens."""
    before = snap(server, bad_ctx)
    r = server.post(f"{REG}/{bad_ctx.reg['id']}/check-in", user=bad_ctx.user, data=b"{",
                    headers={"Content-Type": "text/plain"})
    assert_error(r, 415, "unsupported_media_type")
    assert snap(server, bad_ctx) == before


@pytest.mark.parametrize("path", ["/api/v1/registrations", "/api/v1/registrations/1/x",
                                  "/api/v1/registrations/1/check-in/x",
                                  "/api/v1/tournaments/{slug}/registrations/1",
                                  "/api/v1/me/registrations/1"])
def test_unknown_paths_are_404(server, bad_ctx, path):
    path = path.replace("{slug}", bad_ctx.t["slug"])
    for method in ("GET", "POST", "DELETE"):
        assert_error(server.request(method, path, user=bad_ctx.user), 404, "not_found")


# ------------------------------------------------------------------ GETs: ETag, HEAD, privacy

@pytest.fixture(scope="module")
def mailers(server):
    """An organizer and a captain with private email addresses, organizing and playing
    nothing else (so their dashboards hold only what a test makes)."""
    return SimpleNamespace(org=server.new_user(prefix="mlo", email=f"{uniq()}-private@ex.com"),
                           cap=server.new_user(prefix="mlc", email=f"{uniq()}-private@ex.org"))


@pytest.fixture
def gets(server, mailers):
    """Every GET endpoint of the issue, with a user who may read it."""
    org, cap = mailers.org, mailers.cap
    g = server.create_game(name=f"Get pairs {uniq()}", team_size=2)
    t = server.create_tournament(org, status="registration_open", game=g["slug"],
                                 participant_type="team", entry_fee_cents=400)
    team = assert_json(server.post("/api/v1/teams", user=cap,
                                   json={"name": f"Getters {uniq()}", "tag": "GT"}), 201)
    assert_json(server.post(f"/api/v1/teams/{team['id']}/members", user=cap,
                            json={"username": org.username}), 201)
    reg = assert_json(register(server, cap, t["slug"], team["id"]), 201)
    p = assert_json(server.post(f"{REG}/{reg['id']}/payments", user=cap,
                                json={"amount_cents": 400, "method": "card"}), 201)
    paths = [(f"/api/v1/teams/{team['id']}", None), (regs_url(t["slug"]), None),
             (f"{REG}/{reg['id']}", cap), ("/api/v1/me/registrations", cap),
             (f"/api/v1/tournaments/{t['slug']}/payments", org),
             ("/api/v1/organizer/dashboard", org)]
    return SimpleNamespace(t=t, team=team, reg=reg, p=p, paths=paths)


def test_new_gets_have_etags_and_answer_if_none_match(server, gets):
    for path, user in gets.paths:
        r1 = server.get(path, user=user)
        assert r1.status_code == 200, describe(r1)
        etag = r1.headers.get("ETag")
        assert etag and etag.startswith('"') and etag.endswith('"'), (path, etag)
        r304 = server.get(path, user=user, headers={"If-None-Match": etag})
        assert r304.status_code == 304 and r304.content == b"", describe(r304)
        other = server.get(path, user=user, headers={"If-None-Match": '"nope"'})
        assert other.status_code == 200 and other.content == r1.content


def test_new_gets_answer_head(server, gets):
    for path, user in gets.paths:
        g = server.get(path, user=user)
        # the same representation as the GET (requests asks for gzip)
        h = server.raw("HEAD", path, headers={**(user.headers if user else {}),
                                             "Accept-Encoding": "gzip, deflate"})
        assert h.status_code == 200 and h.content == b"", (path, h)
        assert h.headers.get("ETag") == g.headers.get("ETag"), path


def test_payment_decisions_change_the_etags(server, gets, mailers):
    before = {path: server.get(path, user=user).headers["ETag"] for path, user in gets.paths
              if not path.startswith("/api/v1/teams/")}
    assert_json(server.post(f"/api/v1/payments/{gets.p['id']}/verify", user=mailers.org),
                200)
    for path, user in gets.paths:
        if path in before:
            r = server.get(path, user=user, headers={"If-None-Match": before[path]})
            assert r.status_code == 200, f"stale 304 after a verification: {describe(r)}"


def test_no_email_in_any_new_endpoint(server, gets):
    """The organizer and the captain have private emails: no read of this issue shows
    them, to them or to an admin."""
    for path, user in gets.paths:
        for viewer in (user, server.admin):
            r = server.get(path, user=viewer)
            assert r.status_code == 200, describe(r)
            assert "private@" not in r.text and "email" not in r.text, describe(r)


UTF8_QUERIES = [(path, param) for path in ("/api/v1/tournaments/{slug}/registrations",
                                            "/api/v1/tournaments/{slug}/payments")
                for param in ("status", "cursor", "limit")] + \
               [(path, param) for path in ("/api/v1/me/registrations",
                                           "/api/v1/organizer/dashboard")
                for param in ("cursor", "limit")]


@pytest.mark.parametrize("path,param", UTF8_QUERIES, ids=[f"{p}-{q}" for p, q in UTF8_QUERIES])
def test_invalid_utf8_in_list_queries_is_400(server, bad_ctx, alice, path, param):
    path = path.replace("{slug}", bad_ctx.t["slug"])
    r = server.raw("GET", f"{path}?{param}=ok%FF%FEok", headers=alice.headers)
    assert_error(r, 400, "validation_failed", param)
