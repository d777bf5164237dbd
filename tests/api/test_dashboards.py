"""The two dashboards: GET /api/v1/me/registrations (the player's registrations, solo and
through their teams, newest first, with tournament summary, payment and next match) and
GET /api/v1/organizer/dashboard (per organized tournament: registrations by status,
pending payments, verified revenue), both paginated and costing a constant number of
queries whatever the number of rows."""

import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest

from support import (fresh, DASHBOARD_KEYS, MY_REGISTRATION_KEYS, assert_error, assert_json,
                     create_team, create_users, iso, my_registrations, organizer_dashboard,
                     parse_iso, query_count, register, uniq)

ME = "/api/v1/me/registrations"
DASH = "/api/v1/organizer/dashboard"
REG = "/api/v1/registrations"


@pytest.fixture(scope="module")
def folks(server):
    return create_users(server, 10, prefix="dsh")


# ------------------------------------------------------------------ me/registrations

@pytest.fixture(scope="module")
def mine(server, alice, folks):
    """folks[0] plays solo in three tournaments (one paid with a pending payment, one
    cancelled) and, as a plain member, in a team tournament registered by folks[1]."""
    me, cap = folks[0], folks[1]
    duo = server.create_game(name=f"Dash duo {uniq()}", team_size=2)
    t1 = server.create_tournament(alice, status="registration_open")
    t2 = server.create_tournament(alice, status="registration_open", entry_fee_cents=900)
    t3 = server.create_tournament(alice, status="registration_open")
    t4 = server.create_tournament(alice, status="registration_open", game=duo["slug"],
                                  participant_type="team")
    r1 = assert_json(register(server, me, t1["slug"]), 201)
    r2 = assert_json(register(server, me, t2["slug"]), 201)
    p2 = assert_json(server.post(f"{REG}/{r2['id']}/payments", user=me,
                                 json={"amount_cents": 900, "method": "card"}), 201)
    r3 = assert_json(register(server, me, t3["slug"]), 201)
    assert_json(server.delete(f"{REG}/{r3['id']}", user=me), 200)
    team = create_team(server, cap, members=[me])
    r4 = assert_json(register(server, cap, t4["slug"], team["id"]), 201)
    # someone else's registration in the same tournaments: never in my dashboard
    other = assert_json(register(server, folks[2], t1["slug"]), 201)
    return SimpleNamespace(me=me, cap=cap, ts=[t1, t2, t3, t4], regs=[r1, r2, r3, r4],
                           p2=p2, team=team, other=other, game=duo)


def test_me_registrations_shape_and_order(server, mine, game):
    items = my_registrations(server, mine.me)
    ids = [x["id"] for x in items]
    assert ids == sorted(ids, reverse=True), "newest first"
    assert set(ids) >= {r["id"] for r in mine.regs}
    assert mine.other["id"] not in ids
    by_id = {x["id"]: x for x in items}
    for reg, t in zip(mine.regs, mine.ts):
        x = by_id[reg["id"]]
        assert set(x) == MY_REGISTRATION_KEYS, f"keys {sorted(x)}"
        assert x["tournament"] == {"slug": t["slug"], "name": t["name"],
                                   "status": "registration_open", "start_at": t["start_at"],
                                   "game": {"slug": t["game"]["slug"],
                                            "name": t["game"]["name"]}}
        assert x["next_match"] is None
        for k in ("user", "team", "seed", "created_at"):
            assert x[k] == reg[k], k
    assert by_id[mine.regs[0]["id"]]["status"] == "confirmed"
    assert by_id[mine.regs[1]["id"]]["status"] == "pending"
    assert by_id[mine.regs[1]["id"]]["payment"] == {"id": mine.p2["id"], "status": "pending",
                                                     "amount_cents": 900}
    team_item = by_id[mine.regs[3]["id"]]
    assert team_item["team"] == {"id": mine.team["id"], "name": mine.team["name"],
                                 "tag": mine.team["tag"]}
    assert team_item["user"]["id"] == mine.cap.id
    if mine.regs[2]["id"] in by_id:
        assert by_id[mine.regs[2]["id"]]["status"] == "cancelled"


def test_me_registrations_of_the_captain_and_a_stranger(server, mine, folks):
    cap_ids = [x["id"] for x in my_registrations(server, mine.cap)]
    assert mine.regs[3]["id"] in cap_ids
    assert not set(cap_ids) & {mine.regs[0]["id"], mine.regs[1]["id"]}
    stranger = folks[9]
    assert my_registrations(server, stranger) == []


def test_me_registrations_follow_changes_at_once(server, mine, alice):
    assert_json(server.post(f"/api/v1/payments/{mine.p2['id']}/verify", user=alice), 200)
    x = next(i for i in my_registrations(server, mine.me) if i["id"] == mine.regs[1]["id"])
    assert x["status"] == "confirmed"
    assert x["payment"]["status"] == "verified"
    server.move(alice, mine.ts[0]["slug"], "registration_closed")
    x = next(i for i in my_registrations(server, mine.me) if i["id"] == mine.regs[0]["id"])
    assert x["tournament"]["status"] == "registration_closed"


@pytest.mark.parametrize("limit", [1, 2, 3, 4])
def test_me_registrations_pagination(server, mine, limit):
    assert my_registrations(server, mine.me, limit=limit) == my_registrations(server, mine.me)


def test_me_registrations_leave_out_deleted_tournaments(server, alice, folks):
    me = folks[3]
    t = server.create_tournament(alice, status="registration_open")
    reg = assert_json(register(server, me, t["slug"]), 201)
    assert [x["id"] for x in my_registrations(server, me)] == [reg["id"]]
    assert server.delete(f"/api/v1/tournaments/{t['slug']}", user=alice).status_code == 204
    assert my_registrations(server, me) == []


def test_me_registrations_needs_a_user(server):
    assert_error(server.get(ME), 401, "unauthorized")
    assert_error(server.get(ME, token="A" * 43), 401, "unauthorized")


@pytest.mark.parametrize("params,field", [
    ({"limit": "0"}, "limit"), ({"limit": "-1"}, "limit"), ({"limit": "ten"}, "limit"),
    ({"cursor": "zzz"}, "cursor"), ({"cursor": "' OR 1=1 --"}, "cursor"),
])
def test_me_registrations_bad_query_is_400(server, mine, params, field):
    assert_error(server.get(ME, params=params, user=mine.me), 400, "validation_failed", field)


def test_me_registrations_constant_queries(server, alice, folks):
    """30 registrations (solo and through two teams): a page of 1 and a page of 100 cost
    the same number of queries, and so does a player with a single registration."""
    me = folks[4]
    duo = server.create_game(name=f"Dash q {uniq()}", team_size=2)
    solo = server.create_tournaments(alice, [{"_status": "registration_open",
                                              "entry_fee_cents": 100 * (i % 2)}
                                             for i in range(20)])
    teams_t = server.create_tournaments(alice, [{"_status": "registration_open",
                                                 "game": duo["slug"],
                                                 "participant_type": "team"}
                                                for _ in range(10)])
    with ThreadPoolExecutor(6) as ex:
        list(ex.map(lambda t: assert_json(register(server, me, t["slug"]), 201), solo))
    tm1 = create_team(server, folks[5], members=[me])
    tm2 = create_team(server, folks[6], members=[me])
    for i, t in enumerate(teams_t):
        cap, tm = (folks[5], tm1) if i % 2 else (folks[6], tm2)
        assert_json(register(server, cap, t["slug"], tm["id"]), 201)
    everything = my_registrations(server, me)
    assert len(everything) == 30
    counts = {}
    for limit in (1, 7, 100):
        r = server.get(ME, params=fresh({"limit": limit}), user=me)
        assert len(assert_json(r, 200)["items"]) == min(limit, 30)
        counts[limit] = query_count(r)
    r = server.get(ME, params=fresh({"limit": 1}), user=me)
    r2 = server.get(ME, params=fresh({"limit": 100, "cursor": r.json()["next_cursor"]}), user=me)
    assert len(r2.json()["items"]) == 29
    counts["next"] = query_count(r2)
    lone = folks[7]
    assert_json(register(server, lone, solo[0]["slug"]), 201)
    counts["lone"] = query_count(server.get(ME, params=fresh({"limit": 100}), user=lone))
    assert len(set(counts.values())) == 1, f"query counts differ: {counts}"


# ------------------------------------------------------------------ organizer dashboard

def test_dashboard_counts_payments_and_revenue(server, folks, admin):
    org, p = folks[8], create_users(server, 6, prefix="dshp")
    base = int(time.time()) + 30 * 86400
    free = server.create_tournament(org, status="registration_open", max_participants=8,
                                    start_at=iso(base))
    paid = server.create_tournament(org, status="registration_open", entry_fee_cents=2000,
                                    currency="GBP", max_participants=10,
                                    start_at=iso(base + 3600))
    draft = server.create_tournament(org, start_at=iso(base - 3600))
    gone = server.create_tournament(org, status="published", start_at=iso(base + 7200))
    assert server.delete(f"/api/v1/tournaments/{gone['slug']}", user=org).status_code == 204
    # free: 3 confirmed, 1 cancelled
    fr = [assert_json(register(server, u, free["slug"]), 201) for u in p[:4]]
    assert_json(server.delete(f"{REG}/{fr[3]['id']}", user=p[3]), 200)
    # paid: p0 verified, p1 rejected (pending again), p2 pending payment, p3 no payment,
    # p4 verified then cancelled, p5 cancelled with a pending payment (rejected by it)
    pr = [assert_json(register(server, u, paid["slug"]), 201) for u in p]

    def pay(i):
        return assert_json(server.post(f"{REG}/{pr[i]['id']}/payments", user=p[i],
                                       json={"amount_cents": 2000, "method": "card"}), 201)

    pays = {i: pay(i) for i in (0, 1, 2, 4, 5)}
    for i in (0, 4):
        assert_json(server.post(f"/api/v1/payments/{pays[i]['id']}/verify", user=org), 200)
    assert_json(server.post(f"/api/v1/payments/{pays[1]['id']}/reject", user=org,
                            json={"reason": "bounced"}), 200)
    for i in (4, 5):
        assert_json(server.delete(f"{REG}/{pr[i]['id']}", user=p[i]), 200)

    r = server.get(DASH, user=org)
    body = assert_json(r, 200)
    assert body["next_cursor"] is None
    items = body["items"]
    assert [x["id"] for x in items] == [paid["id"], free["id"], draft["id"]], \
        "own, not deleted, newest start_at first, drafts included"
    for x in items:
        assert set(x) == DASHBOARD_KEYS, f"keys {sorted(x)}"
        assert set(x["registrations"]) == {"pending", "confirmed", "checked_in", "cancelled",
                                           "active"}
    xp, xf, xd = items
    assert xp == {"id": paid["id"], "slug": paid["slug"], "name": paid["name"],
                  "status": "registration_open", "start_at": paid["start_at"],
                  "max_participants": 10, "entry_fee_cents": 2000, "currency": "GBP",
                  "registrations": {"pending": 3, "confirmed": 1, "checked_in": 0,
                                    "cancelled": 2, "active": 4},
                  "pending_payments": 1, "verified_revenue_cents": 4000}
    assert xf["registrations"] == {"pending": 0, "confirmed": 3, "checked_in": 0,
                                   "cancelled": 1, "active": 3}
    assert (xf["pending_payments"], xf["verified_revenue_cents"]) == (0, 0)
    assert xf["currency"] == "USD" and xf["entry_fee_cents"] == 0
    assert xd["status"] == "draft"
    assert xd["registrations"] == {"pending": 0, "confirmed": 0, "checked_in": 0,
                                   "cancelled": 0, "active": 0}
    # the dashboard agrees with the detail pages
    for x in items:
        d = server.detail(x["slug"], user=org)
        assert x["registrations"]["active"] == d["registration_count"]
        assert {k: x["registrations"][k] for k in d["counts"]} == d["counts"]
    # a payment changes it at once
    assert_json(server.post(f"/api/v1/payments/{pays[2]['id']}/verify", user=org), 200)
    xp2 = assert_json(server.get(DASH, user=org), 200)["items"][0]
    assert xp2["pending_payments"] == 0 and xp2["verified_revenue_cents"] == 6000
    assert xp2["registrations"]["confirmed"] == 2 and xp2["registrations"]["pending"] == 2
    # others see their own dashboard, not this one (admins included)
    for who in (p[0], admin):
        ids = {x["id"] for x in organizer_dashboard(server, who)}
        assert not ids & {paid["id"], free["id"], draft["id"]}


def test_dashboard_of_a_new_user_is_empty(server):
    (u,) = create_users(server, 1, prefix="dshn")
    assert assert_json(server.get(DASH, user=u), 200) == {"items": [], "next_cursor": None}


def test_dashboard_needs_a_user(server):
    assert_error(server.get(DASH), 401, "unauthorized")


@pytest.fixture(scope="module")
def big_organizer(server):
    """An organizer of 45 tournaments, many sharing a start_at (the id breaks ties)."""
    (org,) = create_users(server, 1, prefix="dshb")
    base = int(time.time()) + 40 * 86400
    ts = server.create_tournaments(org, [{"start_at": iso(base + (i % 7) * 3600),
                                          "_status": ("registration_open" if i % 3 else
                                                      "draft"),
                                          "entry_fee_cents": 50 * (i % 2)}
                                         for i in range(45)])
    order = sorted(ts, key=lambda t: (-parse_iso(t["start_at"]), -t["id"]))
    return SimpleNamespace(org=org, ts=ts, order=[t["id"] for t in order])


@pytest.mark.parametrize("limit", [1, 4, 20, 44, 45, 100])
def test_dashboard_pagination(server, big_organizer, limit):
    items = organizer_dashboard(server, big_organizer.org, limit=limit)
    assert [x["id"] for x in items] == big_organizer.order


def test_dashboard_default_limit_is_20(server, big_organizer):
    body = assert_json(server.get(DASH, user=big_organizer.org), 200)
    assert [x["id"] for x in body["items"]] == big_organizer.order[:20]
    assert body["next_cursor"]


@pytest.mark.parametrize("params,field", [
    ({"limit": "0"}, "limit"), ({"limit": "-2"}, "limit"), ({"limit": "1e2"}, "limit"),
    ({"cursor": "bogus"}, "cursor"), ({"cursor": "' OR 1=1 --"}, "cursor"),
])
def test_dashboard_bad_query_is_400(server, big_organizer, params, field):
    assert_error(server.get(DASH, params=params, user=big_organizer.org), 400,
                 "validation_failed", field)


def test_dashboard_refuses_another_lists_cursor(server, big_organizer):
    me = assert_json(server.get("/api/v1/tournaments", params={"limit": 1}), 200)
    assert me["next_cursor"]
    r = server.get(DASH, params={"cursor": me["next_cursor"]}, user=big_organizer.org)
    # a tournaments-list cursor has the same key (start_at, id) but is not this list's
    assert_error(r, 400, "validation_failed", "cursor")


def test_dashboard_constant_queries_whatever_the_number_of_tournaments(server, big_organizer,
                                                                       folks):
    """The dashboard of 45 tournaments (with registrations and payments) costs what the
    dashboard of one tournament costs, for any page size."""
    org = big_organizer.org
    open_paid = [t for t in big_organizer.ts
                 if t["status"] == "registration_open" and t["entry_fee_cents"]][:6]
    for i, t in enumerate(open_paid):
        reg = assert_json(register(server, folks[i], t["slug"]), 201)
        assert_json(server.post(f"{REG}/{reg['id']}/payments", user=folks[i],
                                json={"amount_cents": 50, "method": "card"}), 201)
    (small,) = create_users(server, 1, prefix="dshs")
    server.create_tournament(small, status="registration_open")
    counts = {}
    for who, name in ((org, "big"), (small, "small")):
        for limit in (1, 10, 100):
            r = server.get(DASH, params={"limit": limit}, user=who)
            assert assert_json(r, 200)["items"]
            counts[f"{name}-{limit}"] = query_count(r)
    r = server.get(DASH, params={"limit": 5}, user=org)
    counts["big-next"] = query_count(server.get(DASH, params={
        "limit": 100, "cursor": r.json()["next_cursor"]}, user=org))
    assert len(set(counts.values())) == 1, f"query counts differ: {counts}"
    items = organizer_dashboard(server, org)
    assert sum(x["pending_payments"] for x in items) == 6
    assert sum(x["registrations"]["pending"] for x in items) == 6
