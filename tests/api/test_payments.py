"""Payments: submit (the registered player or an admin), list per tournament (organizer,
status filter, pagination, one query per page), verify (payment verified and registration
confirmed in one transaction) and reject with a reason; at most one pending payment per
registration (also under concurrent requests); versions; bad input on every payment
endpoint: 4xx, nothing changed."""

import json
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest

from support import (PAYMENT_KEYS, USER_REF_KEYS, assert_error, assert_json, create_users,
                     db_rows, describe, in_parallel, list_payments, list_registrations,
                     parse_iso, query_count, register, user_pool, uniq)

REG = "/api/v1/registrations"
PAY = "/api/v1/payments"
FEE = 1250


@pytest.fixture(scope="module")
def payers(server):
    return create_users(server, 10, prefix="pay")


def ref(user):
    return {"id": user.id, "username": user.username, "display_name": user.data["display_name"]}


def paid_tournament(server, organizer, **over):
    over.setdefault("entry_fee_cents", FEE)
    over.setdefault("currency", "EUR")
    return server.create_tournament(organizer, status="registration_open", **over)


def pay(server, user, rid, amount=FEE, method="card", **extra):
    return server.post(f"{REG}/{rid}/payments", user=user,
                       json={"amount_cents": amount, "method": method, **extra})


def get_reg(server, rid, user):
    return assert_json(server.get(f"{REG}/{rid}", user=user), 200)


def state(server, slug):
    d = server.detail(slug)
    return SimpleNamespace(version=d["version"], **d["counts"], active=d["registration_count"])


def check_payment(p, reg, user, status, amount=FEE, currency="EUR", team=None):
    assert set(p) == PAYMENT_KEYS, f"payment keys {sorted(p)}"
    assert isinstance(p["id"], int) and p["id"] > 0
    assert p["registration_id"] == reg["id"]
    assert p["amount_cents"] == amount and p["currency"] == currency
    assert p["status"] == status
    assert set(p["user"]) == USER_REF_KEYS and p["user"] == ref(user)
    assert p["team"] == team
    assert abs(parse_iso(p["created_at"]) - time.time()) < 300
    if status == "pending":
        assert p["reason"] is None and p["verified_by"] is None and p["verified_at"] is None


# ------------------------------------------------------------------ submit

def test_submit_payment(server, alice, bob):
    t = paid_tournament(server, alice)
    reg = assert_json(register(server, bob, t["slug"]), 201)
    v0 = state(server, t["slug"]).version
    r = pay(server, bob, reg["id"], reference="TXN-42 'quoted'")
    p = assert_json(r, 201)
    check_payment(p, reg, bob, "pending")
    assert p["method"] == "card" and p["reference"] == "TXN-42 'quoted'"
    assert "private@" not in r.text
    s = state(server, t["slug"])
    assert s.version > v0, "a payment must raise the tournament's version"
    assert (s.pending, s.confirmed) == (1, 0), "submitting does not confirm"
    g = get_reg(server, reg["id"], bob)
    assert g["status"] == "pending"
    assert g["payment"] == {"id": p["id"], "status": "pending", "amount_cents": FEE}
    assert list_payments(server, t["slug"], alice) == [p]


def test_reference_is_optional(server, alice, bob):
    t = paid_tournament(server, alice)
    reg = assert_json(register(server, bob, t["slug"]), 201)
    p = assert_json(server.post(f"{REG}/{reg['id']}/payments", user=bob,
                                json={"amount_cents": FEE, "method": "m" * 32}), 201)
    assert p["reference"] in ("", None)
    assert p["method"] == "m" * 32


def test_admin_may_submit_for_a_player(server, alice, bob, admin):
    t = paid_tournament(server, alice)
    reg = assert_json(register(server, bob, t["slug"]), 201)
    p = assert_json(pay(server, admin, reg["id"], reference="r" * 128), 201)
    check_payment(p, reg, bob, "pending")  # the payment's user is the registered player


def test_second_pending_payment_is_409_conflict(server, alice, bob):
    t = paid_tournament(server, alice)
    reg = assert_json(register(server, bob, t["slug"]), 201)
    p = assert_json(pay(server, bob, reg["id"]), 201)
    before = (server.detail(t["slug"]), list_payments(server, t["slug"], alice))
    assert_error(pay(server, bob, reg["id"], method="other"), 409, "conflict")
    assert_error(pay(server, server.admin, reg["id"]), 409, "conflict")
    assert (server.detail(t["slug"]), list_payments(server, t["slug"], alice)) == before
    assert [x["id"] for x in list_payments(server, t["slug"], alice)] == [p["id"]]


@pytest.mark.parametrize("amount", [0, 1, FEE - 1, FEE + 1, 100000000])
def test_amount_other_than_the_fee_is_400(server, alice, bob, amount):
    t = paid_tournament(server, alice)
    reg = assert_json(register(server, bob, t["slug"]), 201)
    before = server.detail(t["slug"])
    assert_error(pay(server, bob, reg["id"], amount=amount), 400, "validation_failed",
                 "amount_cents")
    assert server.detail(t["slug"]) == before
    assert list_payments(server, t["slug"], alice) == []
    assert get_reg(server, reg["id"], bob)["payment"] is None


def test_free_tournament_takes_no_payment(server, alice, bob):
    t = server.create_tournament(alice, status="registration_open")
    reg = assert_json(register(server, bob, t["slug"]), 201)
    before = server.detail(t["slug"])
    for amount in (0, 100):
        assert_error(pay(server, bob, reg["id"], amount=amount), 409, "invalid_transition")
    assert server.detail(t["slug"]) == before
    assert list_payments(server, t["slug"], alice) == []


def test_only_a_pending_registration_takes_a_payment(server, alice, payers):
    t = paid_tournament(server, alice)
    a, b = payers[0], payers[1]
    ra = assert_json(register(server, a, t["slug"]), 201)
    pa = assert_json(pay(server, a, ra["id"]), 201)
    assert_json(server.post(f"{PAY}/{pa['id']}/verify", user=alice), 200)
    rb = assert_json(register(server, b, t["slug"]), 201)
    assert_json(server.delete(f"{REG}/{rb['id']}", user=b), 200)
    before = (server.detail(t["slug"]), list_payments(server, t["slug"], alice))
    assert_error(pay(server, a, ra["id"]), 409, "invalid_transition")   # confirmed
    assert_error(pay(server, b, rb["id"]), 409, "invalid_transition")   # cancelled
    assert (server.detail(t["slug"]), list_payments(server, t["slug"], alice)) == before


# ------------------------------------------------------------------ verify and reject

@pytest.mark.parametrize("decider", ["organizer", "admin"])
def test_verify_confirms_the_registration(server, alice, bob, admin, decider):
    t = paid_tournament(server, alice)
    reg = assert_json(register(server, bob, t["slug"]), 201)
    p = assert_json(pay(server, bob, reg["id"]), 201)
    s0 = state(server, t["slug"])
    who = alice if decider == "organizer" else admin
    r = server.post(f"{PAY}/{p['id']}/verify", user=who)
    v = assert_json(r, 200)
    check_payment(v, reg, bob, "verified")
    assert v["id"] == p["id"]
    assert v["verified_by"] == who.id
    assert abs(parse_iso(v["verified_at"]) - time.time()) < 300
    assert v["reason"] is None
    # the registration is confirmed, immediately
    g = get_reg(server, reg["id"], bob)
    assert g["status"] == "confirmed"
    assert g["payment"] == {"id": p["id"], "status": "verified", "amount_cents": FEE}
    s1 = state(server, t["slug"])
    assert s1.version > s0.version
    assert (s1.pending, s1.confirmed, s1.active) == (0, 1, 1)
    assert server.state(t["slug"])["confirmed_count"] == 1
    # both in the database, together
    assert db_rows(server, "SELECT p.status, r.status FROM payments p JOIN registrations r"
                           " ON r.id = p.registration_id WHERE p.id = ?", (p["id"],)) == \
        [("verified", "confirmed")]
    assert list_payments(server, t["slug"], alice, status="verified") == [v]
    assert list_payments(server, t["slug"], alice, status="pending") == []
    # once decided, it stays decided
    before = (server.detail(t["slug"]), list_payments(server, t["slug"], alice))
    assert_error(server.post(f"{PAY}/{p['id']}/verify", user=who), 409, "invalid_transition")
    assert_error(server.post(f"{PAY}/{p['id']}/reject", user=who, json={"reason": "late"}),
                 409, "invalid_transition")
    assert (server.detail(t["slug"]), list_payments(server, t["slug"], alice)) == before


def test_reject_keeps_the_registration_pending_and_it_may_pay_again(server, alice, bob):
    t = paid_tournament(server, alice)
    reg = assert_json(register(server, bob, t["slug"]), 201)
    p1 = assert_json(pay(server, bob, reg["id"], reference="first"), 201)
    s0 = state(server, t["slug"])
    reason = "The transfer never arrived; 'ref' unknown ✓"
    rj = assert_json(server.post(f"{PAY}/{p1['id']}/reject", user=alice,
                                 json={"reason": reason}), 200)
    check_payment(rj, reg, bob, "rejected")
    assert rj["reason"] == reason
    s1 = state(server, t["slug"])
    assert s1.version > s0.version, "a rejection must raise the tournament's version"
    assert (s1.pending, s1.confirmed) == (1, 0)
    g = get_reg(server, reg["id"], bob)
    assert g["status"] == "pending"
    assert g["payment"] == {"id": p1["id"], "status": "rejected", "amount_cents": FEE}
    # again: a new payment, and it is the one the registration shows
    p2 = assert_json(pay(server, bob, reg["id"], reference="second"), 201)
    assert p2["id"] != p1["id"]
    assert get_reg(server, reg["id"], bob)["payment"]["id"] == p2["id"]
    assert_error(server.post(f"{PAY}/{p1['id']}/verify", user=alice), 409,
                 "invalid_transition")
    v = assert_json(server.post(f"{PAY}/{p2['id']}/verify", user=alice), 200)
    assert v["status"] == "verified"
    assert [x["id"] for x in list_payments(server, t["slug"], alice)] == [p1["id"], p2["id"]]
    assert [x["status"] for x in list_payments(server, t["slug"], alice)] == \
        ["rejected", "verified"]
    assert get_reg(server, reg["id"], bob)["status"] == "confirmed"


@pytest.mark.parametrize("reason", ["x", "r" * 500])
def test_reject_reason_bounds_accepted(server, alice, bob, reason):
    t = paid_tournament(server, alice)
    reg = assert_json(register(server, bob, t["slug"]), 201)
    p = assert_json(pay(server, bob, reg["id"]), 201)
    assert assert_json(server.post(f"{PAY}/{p['id']}/reject", user=alice,
                                   json={"reason": reason}), 200)["reason"] == reason


def test_payment_of_team_registration_names_the_team(server, alice, payers):
    g = server.create_game(name=f"Pay pairs {uniq()}", team_size=2)
    t = paid_tournament(server, alice, game=g["slug"], participant_type="team")
    cap, mate = payers[2], payers[3]
    team = assert_json(server.post("/api/v1/teams", user=cap,
                                   json={"name": f"Payers {uniq()}", "tag": "PY"}), 201)
    assert_json(server.post(f"/api/v1/teams/{team['id']}/members", user=cap,
                            json={"username": mate.username}), 201)
    reg = assert_json(register(server, cap, t["slug"], team["id"]), 201)
    p = assert_json(pay(server, cap, reg["id"]), 201)
    check_payment(p, reg, cap, "pending", team={"id": team["id"], "name": team["name"]})
    # the registration belongs to the captain: the mate may not pay it
    assert_error(pay(server, mate, reg["id"]), 403, "forbidden")


def test_unknown_payment_is_404(server, alice, admin):
    for who in (alice, admin):
        assert_error(server.post(f"{PAY}/{10 ** 12}/verify", user=who), 404, "not_found")
        assert_error(server.post(f"{PAY}/{10 ** 12}/reject", user=who,
                                 json={"reason": "x"}), 404, "not_found")
    assert_error(pay(server, admin, 10 ** 12), 404, "not_found")


def test_payments_of_a_deleted_tournament_are_gone(server, alice, bob):
    t = paid_tournament(server, alice)
    reg = assert_json(register(server, bob, t["slug"]), 201)
    p = assert_json(pay(server, bob, reg["id"]), 201)
    assert server.delete(f"/api/v1/tournaments/{t['slug']}", user=alice).status_code == 204
    assert_error(server.get(f"/api/v1/tournaments/{t['slug']}/payments", user=alice), 404,
                 "not_found")
    assert_error(server.post(f"{PAY}/{p['id']}/verify", user=alice), 404, "not_found")
    assert_error(pay(server, bob, reg["id"]), 404, "not_found")
    assert db_rows(server, "SELECT status FROM payments WHERE id = ?", (p["id"],)) == \
        [("pending",)]


# ------------------------------------------------------------------ the list

@pytest.fixture(scope="module")
def ledger(server, alice, payers):
    """A paid tournament with 7 payments: verified, rejected and pending ones."""
    t = paid_tournament(server, alice, max_participants=32)
    pays = []
    for i, u in enumerate(payers[4:10]):
        reg = assert_json(register(server, u, t["slug"]), 201)
        p = assert_json(pay(server, u, reg["id"], reference=f"ref-{i}"), 201)
        pays.append(p)
        if i % 3 == 0:
            assert_json(server.post(f"{PAY}/{p['id']}/verify", user=alice), 200)
        elif i % 3 == 1:
            assert_json(server.post(f"{PAY}/{p['id']}/reject", user=alice,
                                    json={"reason": f"no {i}"}), 200)
            if i == 1:  # pays again
                pays.append(assert_json(pay(server, u, reg["id"]), 201))
    items = list_payments(server, t["slug"], alice)
    return SimpleNamespace(t=t, items=items)


def test_payments_list_in_creation_order(server, ledger, alice, admin):
    assert len(ledger.items) == 7
    ids = [p["id"] for p in ledger.items]
    assert ids == sorted(ids)
    for p in ledger.items:
        assert set(p) == PAYMENT_KEYS
    assert list_payments(server, ledger.t["slug"], admin) == ledger.items
    assert [p["status"] for p in ledger.items].count("verified") == 2


@pytest.mark.parametrize("status", ["pending", "verified", "rejected"])
def test_payments_status_filter(server, ledger, alice, status):
    got = list_payments(server, ledger.t["slug"], alice, status=status)
    assert got == [p for p in ledger.items if p["status"] == status]
    assert got, f"the fixture has {status} payments"


@pytest.mark.parametrize("limit", [1, 2, 3, 6, 7, 8])
def test_payments_pagination(server, ledger, alice, limit):
    assert list_payments(server, ledger.t["slug"], alice, limit=limit) == ledger.items


def test_payments_list_is_organizer_only(server, ledger, bob, payers):
    path = f"/api/v1/tournaments/{ledger.t['slug']}/payments"
    assert_error(server.get(path), 401, "unauthorized")
    for who in (bob, payers[4]):  # a stranger, a payer
        assert_error(server.get(path, user=who), 403, "forbidden")


def test_payments_list_costs_the_same_queries_for_1_and_100_rows(server, alice):
    users = user_pool(server, 200)[40:145]
    t = paid_tournament(server, alice, max_participants=256)

    def go(u):
        reg = assert_json(register(server, u, t["slug"]), 201)
        p = assert_json(pay(server, u, reg["id"]), 201)
        if u.id % 2:
            assert_json(server.post(f"{PAY}/{p['id']}/verify", user=alice), 200)
        return p

    with ThreadPoolExecutor(8) as ex:
        list(ex.map(go, users))
    path = f"/api/v1/tournaments/{t['slug']}/payments"
    counts = {}
    for params in ({"limit": 1}, {"limit": 100}, {"limit": 1, "status": "verified"},
                   {"limit": 100, "status": "pending"}):
        r = server.get(path, params=params, user=alice)
        body = assert_json(r, 200)
        assert body["items"] and len(body["items"]) <= params["limit"]
        counts[json.dumps(params)] = query_count(r)
    assert len(assert_json(server.get(path, params={"limit": 100}, user=alice),
                           200)["items"]) == 100
    assert len(set(counts.values())) == 1, f"query counts differ by page size: {counts}"


# ------------------------------------------------------------------ concurrency

def test_parallel_payments_of_one_registration_one_wins(server, alice, bob):
    t = paid_tournament(server, alice)
    reg = assert_json(register(server, bob, t["slug"]), 201)
    res = in_parallel(lambda i: pay(server, bob, reg["id"], reference=f"try-{i}"), range(20))
    codes = [getattr(r, "status_code", r) for r in res]
    assert codes.count(201) == 1, codes
    for r in res:
        if r.status_code != 201:
            assert_error(r, 409, "conflict")
    assert len(list_payments(server, t["slug"], alice)) == 1
    assert db_rows(server, "SELECT count(*) FROM payments WHERE registration_id = ?",
                   (reg["id"],)) == [(1,)]


def test_parallel_verify_and_reject_one_wins(server, alice, admin, payers):
    t = paid_tournament(server, alice)
    for u in payers[:3]:
        reg = assert_json(register(server, u, t["slug"]), 201)
        p = assert_json(pay(server, u, reg["id"]), 201)

        def decide(i):
            who = alice if i % 2 else admin
            if i % 3 == 0:
                return server.post(f"{PAY}/{p['id']}/reject", user=who, json={"reason": "x"})
            return server.post(f"{PAY}/{p['id']}/verify", user=who)

        res = in_parallel(decide, range(12))
        codes = [getattr(r, "status_code", r) for r in res]
        assert codes.count(200) == 1, codes
        for r in res:
            if r.status_code != 200:
                assert_error(r, 409, "invalid_transition")
        winner = next(r for r in res if r.status_code == 200).json()
        g = get_reg(server, reg["id"], u)
        assert g["status"] == ("confirmed" if winner["status"] == "verified" else "pending")
        assert g["payment"]["status"] == winner["status"]
    row = db_rows(server, "SELECT n_pending, n_confirmed FROM tournaments WHERE id = ?",
                  (t["id"],))[0]
    actual = db_rows(server, "SELECT sum(status = 'pending'), sum(status = 'confirmed')"
                             " FROM registrations WHERE tournament_id = ?", (t["id"],))[0]
    assert row == actual


def test_cancel_racing_verify_never_confirms_a_cancelled_registration(server, alice, payers):
    t = paid_tournament(server, alice)
    for u in payers[3:6]:
        reg = assert_json(register(server, u, t["slug"]), 201)
        p = assert_json(pay(server, u, reg["id"]), 201)
        res = in_parallel(lambda i: server.delete(f"{REG}/{reg['id']}", user=u) if i == 0
                          else server.post(f"{PAY}/{p['id']}/verify", user=alice), range(2))
        cancel_r, verify_r = res
        assert cancel_r.status_code == 200, describe(cancel_r)
        final = get_reg(server, reg["id"], u)
        assert final["status"] == "cancelled"
        if verify_r.status_code == 200:      # verified first, then cancelled
            assert final["payment"]["status"] == "verified"
        else:                                 # cancelled first: the payment was rejected
            assert_error(verify_r, 409, "invalid_transition")
            assert final["payment"]["status"] == "rejected"
    d = server.detail(t["slug"])
    assert d["counts"]["cancelled"] == 3 and d["registration_count"] == 0


# ------------------------------------------------------------------ bad input

@pytest.fixture
def pctx(server, alice, payers):
    t = paid_tournament(server, alice)
    u = payers[6]
    reg = assert_json(register(server, u, t["slug"]), 201)
    p = assert_json(pay(server, u, reg["id"]), 201)
    # a second registration without payment, for the submit endpoint
    u2 = payers[7]
    reg2 = assert_json(register(server, u2, t["slug"]), 201)
    return SimpleNamespace(t=t, u=u, reg=reg, p=p, u2=u2, reg2=reg2, organizer=alice)


def psnap(server, c):
    return (server.detail(c.t["slug"]), list_payments(server, c.t["slug"], c.organizer),
            list_registrations(server, c.t["slug"]))


def pay_ep(c, ep):
    return {
        "submit": (f"{REG}/{c.reg2['id']}/payments", c.u2,
                   {"amount_cents": FEE, "method": "card", "reference": "ok"}),
        "reject": (f"{PAY}/{c.p['id']}/reject", c.organizer, {"reason": "because"}),
    }[ep]


MALFORMED = [b"{", b"[]", b"null", b'"s"', b"42", b"", b'{"amount_cents": }',
             b'{"method": "ok\xff"}', b'{"reason": "ok\xc0\xaf"}', b"{}{}"]


@pytest.mark.parametrize("ep", ["submit", "reject"])
@pytest.mark.parametrize("body", MALFORMED, ids=[f"m{i}" for i in range(len(MALFORMED))])
def test_malformed_payment_bodies_are_400(server, pctx, ep, body):
    before = psnap(server, pctx)
    path, user, _ = pay_ep(pctx, ep)
    r = server.post(path, user=user, data=body, headers={"Content-Type": "application/json"})
    assert_error(r, 400, "bad_request")
    assert psnap(server, pctx) == before


WRONG = {
    "submit": {"amount_cents": [None, "1250", 1250.5, True, [], {}, -1, 100000001],
               "method": [None, 1, True, [], {}, "", "m" * 33],
               "reference": [1, True, [], {}, "r" * 129]},
    "reject": {"reason": [None, 1, True, [], {}, "", "r" * 501]},
}


def _wrong_cases():
    return [pytest.param(ep, f, v, id=f"{ep}-{f}-{json.dumps(v)[:16]}")
            for ep, fields in WRONG.items() for f, vals in fields.items() for v in vals]


@pytest.mark.parametrize("ep,field,value", _wrong_cases())
def test_wrong_payment_fields_are_400_with_field(server, pctx, ep, field, value):
    before = psnap(server, pctx)
    path, user, body = pay_ep(pctx, ep)
    r = server.post(path, user=user, json=dict(body, **{field: value}))
    assert_error(r, 400, "validation_failed", field)
    assert psnap(server, pctx) == before


@pytest.mark.parametrize("ep", ["submit", "reject"])
def test_missing_payment_fields_are_400(server, pctx, ep):
    before = psnap(server, pctx)
    path, user, body = pay_ep(pctx, ep)
    for f in body:
        if f == "reference":
            continue
        r = server.post(path, user=user, json={k: v for k, v in body.items() if k != f})
        assert_error(r, 400, "validation_failed", f)
    assert psnap(server, pctx) == before


@pytest.mark.parametrize("ep", ["submit", "reject"])
@pytest.mark.parametrize("ctype", [None, "text/plain", "application/xml"])
def test_payment_wrong_content_type_is_415(server, pctx, ep, ctype):
    before = psnap(server, pctx)
    path, user, body = pay_ep(pctx, ep)
    headers = {} if ctype is None else {"Content-Type": ctype}
    r = server.post(path, user=user, data=json.dumps(body).encode(), headers=headers)
    assert_error(r, 415, "unsupported_media_type")
    assert psnap(server, pctx) == before


@pytest.mark.parametrize("ep", ["submit", "reject"])
def test_payment_oversized_body_is_413(server, pctx, ep):
    before = psnap(server, pctx)
    path, user, body = pay_ep(pctx, ep)
    raw = json.dumps(dict(body, pad="x" * (1 << 17))).encode()
    r = server.raw("POST", path, headers={"Content-Type": "application/json", **user.headers},
                   body=raw)
    assert_error(r, 413, "payload_too_large")
    assert psnap(server, pctx) == before


@pytest.mark.parametrize("params,field", [
    ({"status": "paid"}, "status"), ({"status": "PENDING"}, "status"),
    ({"status": "' OR 1=1 --"}, "status"), ({"limit": "0"}, "limit"),
    ({"limit": "-5"}, "limit"), ({"limit": "x"}, "limit"), ({"cursor": "nope"}, "cursor"),
    ({"cursor": "'; DROP TABLE payments; --"}, "cursor"),
])
def test_payments_list_bad_query_is_400(server, pctx, params, field):
    r = server.get(f"/api/v1/tournaments/{pctx.t['slug']}/payments", params=params,
                   user=pctx.organizer)
    assert_error(r, 400, "validation_failed", field)


def test_payments_list_refuses_a_registrations_cursor(server, pctx, alice):
    regs = assert_json(server.get(f"/api/v1/tournaments/{pctx.t['slug']}/registrations",
                                  params={"limit": 1}), 200)
    assert regs["next_cursor"]
    r = server.get(f"/api/v1/tournaments/{pctx.t['slug']}/payments",
                   params={"cursor": regs["next_cursor"]}, user=alice)
    assert_error(r, 400, "validation_failed", "cursor")


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "2.5", "99999999999999999999"])
def test_payment_ids_that_are_not_positive_integers_are_404(server, pctx, bad):
    before = psnap(server, pctx)
    assert_error(server.post(f"{PAY}/{bad}/verify", user=pctx.organizer), 404, "not_found")
    assert_error(server.post(f"{PAY}/{bad}/reject", user=pctx.organizer,
                             json={"reason": "x"}), 404, "not_found")
    assert_error(server.post(f"{REG}/{bad}/payments", user=pctx.u,
                             json={"amount_cents": FEE, "method": "card"}), 404, "not_found")
    assert psnap(server, pctx) == before


@pytest.mark.parametrize("method,path,allowed", [
    ("GET", "/api/v1/registrations/{rid}/payments", {"POST"}),
    ("DELETE", "/api/v1/registrations/{rid}/payments", {"POST"}),
    ("POST", "/api/v1/tournaments/{slug}/payments", {"GET"}),
    ("DELETE", "/api/v1/tournaments/{slug}/payments", {"GET"}),
    ("GET", "/api/v1/payments/{pid}/verify", {"POST"}),
    ("PUT", "/api/v1/payments/{pid}/verify", {"POST"}),
    ("GET", "/api/v1/payments/{pid}/reject", {"POST"}),
    ("DELETE", "/api/v1/payments/{pid}/reject", {"POST"}),
    ("POST", "/api/v1/organizer/dashboard", {"GET"}),
    ("DELETE", "/api/v1/organizer/dashboard", {"GET"}),
])
def test_payment_endpoints_other_methods_are_405(server, pctx, method, path, allowed):
    before = psnap(server, pctx)
    path = path.replace("{rid}", str(pctx.reg2["id"])).replace("{slug}", pctx.t["slug"]) \
        .replace("{pid}", str(pctx.p["id"]))
    kw = {"json": {"amount_cents": FEE, "method": "x", "reason": "x"}} \
        if method in ("POST", "PUT") else {}
    r = server.request(method, path, user=pctx.organizer, **kw)
    assert_error(r, 405, "method_not_allowed")
    allow = {m.strip().upper() for m in (r.headers.get("Allow") or "").split(",")}
    assert allowed <= allow and method not in allow, r.headers.get("Allow")
    assert psnap(server, pctx) == before


@pytest.mark.parametrize("path", ["/api/v1/payments", "/api/v1/payments/{pid}",
                                  "/api/v1/payments/{pid}/refund",
                                  "/api/v1/organizer", "/api/v1/organizer/dashboard/x"])
def test_payment_unknown_paths_are_404(server, pctx, path):
    path = path.replace("{pid}", str(pctx.p["id"]))
    for method in ("GET", "POST"):
        assert_error(server.request(method, path, user=pctx.organizer), 404, "not_found")
