"""PUT /api/v1/tournaments/{slug}/seeding: an explicit order (the rest unseeded, last in
registration order), random (deterministic for its rng_seed) or registration order;
bad bodies are 400 naming the field and change nothing; only before live; and the
start numbers the players by those seeds."""

import json

import pytest

from support import (assert_error, assert_json, bracket_matches, get_bracket, go_live,
                     list_registrations, put_seeding, register, tournament_with, user_pool)

REG = "/api/v1/registrations"


@pytest.fixture(scope="module")
def pool(server):
    return user_pool(server, 16)


def seeds_of(server, slug, user=None):
    return {x["id"]: x["seed"] for x in list_registrations(server, slug, user=user)}


def seeds_answer(r):
    body = assert_json(r, 200)
    assert set(body) == {"seeds"}
    for x in body["seeds"]:
        assert set(x) == {"registration_id", "seed"}
    assert [x["seed"] for x in body["seeds"]] == list(range(1, len(body["seeds"]) + 1))
    return [x["registration_id"] for x in body["seeds"]]


def round1_seeds(server, slug):
    """reg id -> seed as the started bracket shows them."""
    out = {}
    for m in bracket_matches(get_bracket(server, slug)):
        for s in (m["participant1"], m["participant2"]):
            if s:
                assert out.setdefault(s["registration_id"], s["seed"]) == s["seed"]
    return out


def test_order_seeds_the_listed_ones_and_the_start_uses_it(server, alice, pool):
    t, regs = tournament_with(server, alice, pool[:6])
    slug = t["slug"]
    ids = [r["id"] for r in regs]
    v0 = server.state(slug)["version"]
    got = seeds_answer(put_seeding(server, alice, slug, {"order": [ids[4], ids[1], ids[5]]}))
    assert got == [ids[4], ids[1], ids[5]]
    assert seeds_of(server, slug) == {ids[0]: None, ids[1]: 2, ids[2]: None, ids[3]: None,
                                      ids[4]: 1, ids[5]: 3}
    v1 = server.state(slug)["version"]
    assert v1 > v0, "seeding did not raise the version"
    # one registration's view shows its seed too
    assert assert_json(server.get(f"{REG}/{ids[4]}", user=pool[4]), 200)["seed"] == 1
    # a new order replaces the old one: the others lose their seeds
    assert seeds_answer(put_seeding(server, alice, slug, {"order": [ids[3], ids[4]]})) == \
        [ids[3], ids[4]]
    assert seeds_of(server, slug) == {ids[0]: None, ids[1]: None, ids[2]: None, ids[3]: 1,
                                      ids[4]: 2, ids[5]: None}
    assert server.state(slug)["version"] > v1
    assert_json(go_live(server, alice, slug), 200)
    want = [ids[3], ids[4], ids[0], ids[1], ids[2], ids[5]]  # unseeded: registration order
    assert seeds_of(server, slug) == {rid: k + 1 for k, rid in enumerate(want)}
    assert round1_seeds(server, slug) == {rid: k + 1 for k, rid in enumerate(want)}
    # 6 players in 8 slots: 1 v bye, 4 v 5, 2 v bye, 3 v 6
    r1 = sorted((m for m in bracket_matches(get_bracket(server, slug))
                 if m["bracket"] == "winners" and m["round"] == 1), key=lambda m: m["position"])
    pairs = [(m["participant1"]["registration_id"],
              m["participant2"] and m["participant2"]["registration_id"]) for m in r1]
    assert pairs == [(want[0], None), (want[3], want[4]), (want[1], None), (want[2], want[5])]


def test_order_may_include_pending_registrations(server, alice, pool):
    t = server.create_tournament(alice, status="registration_open", entry_fee_cents=100)
    regs = [assert_json(register(server, u, t["slug"]), 201) for u in pool[:3]]
    assert all(r["status"] == "pending" for r in regs)
    order = [regs[2]["id"], regs[0]["id"]]
    assert seeds_answer(put_seeding(server, alice, t["slug"], {"order": order})) == order


def test_registration_order(server, alice, pool):
    t, regs = tournament_with(server, alice, pool[:5], status="registration_open",
                              max_participants=8)
    slug = t["slug"]
    ids = [r["id"] for r in regs]
    assert_json(put_seeding(server, alice, slug, {"order": [ids[4], ids[3]]}), 200)
    assert_json(server.delete(f"{REG}/{ids[1]}", user=pool[1]), 200)
    got = seeds_answer(put_seeding(server, alice, slug, {"method": "registration_order"}))
    assert got == [ids[0], ids[2], ids[3], ids[4]], "active registrations, registration order"
    assert seeds_of(server, slug) == {ids[0]: 1, ids[1]: None, ids[2]: 2, ids[3]: 3, ids[4]: 4}


def test_random_is_deterministic_for_its_rng_seed(server, alice, pool):
    t, regs = tournament_with(server, alice, pool[:10], status="registration_open",
                              max_participants=12)
    slug = t["slug"]
    ids = [r["id"] for r in regs]
    assert_json(server.delete(f"{REG}/{ids[7]}", user=pool[7]), 200)
    active = sorted(ids[:7] + ids[8:])
    first = seeds_answer(put_seeding(server, alice, slug, {"method": "random", "rng_seed": 42}))
    assert sorted(first) == active, "random seeds every active registration once"
    assert seeds_of(server, slug) == {**{ids[7]: None},
                                      **{rid: k + 1 for k, rid in enumerate(first)}}
    orders = {tuple(first)}
    for rng_seed in (1, 2, 3, 4, 5, 2 ** 40):
        got = seeds_answer(put_seeding(server, alice, slug,
                                       {"method": "random", "rng_seed": rng_seed}))
        assert sorted(got) == active
        orders.add(tuple(got))
    assert len(orders) >= 5, "different rng_seeds gave (nearly) the same order"
    again = seeds_answer(put_seeding(server, alice, slug, {"method": "random", "rng_seed": 42}))
    assert again == first, "the same rng_seed gave another order"
    assert seeds_of(server, slug)[again[0]] == 1
    # and the start follows it
    server.move(alice, slug, "registration_closed")
    assert_json(go_live(server, alice, slug), 200)
    assert round1_seeds(server, slug) == {rid: k + 1 for k, rid in enumerate(first)}


def test_random_is_the_same_permutation_in_a_twin_tournament(server, alice, pool):
    """Deterministic for N: two tournaments entered by the same players in the same order
    get the same seeding from the same rng_seed."""
    results = []
    for _ in range(2):
        t, regs = tournament_with(server, alice, pool[:8], status="registration_open")
        got = seeds_answer(put_seeding(server, alice, t["slug"],
                                       {"method": "random", "rng_seed": 7}))
        index = {r["id"]: i for i, r in enumerate(regs)}
        results.append([index[x] for x in got])
    assert results[0] == results[1]
    assert results[0] != list(range(8)), "random with rng_seed 7 kept registration order"


# ------------------------------------------------------------------ bad bodies

UNKNOWN = 10 ** 9


HUGE = str(2 ** 70)


def bad_bodies(ids, other_id, cancelled_id):
    a, b = ids[0], ids[1]
    return [
        ({"order": [a, b], "method": "registration_order"}, {"order", "method"}),
        ({"order": [a, b, a]}, "order"),
        ({"order": [a, UNKNOWN]}, "order"),
        ({"order": [a, other_id]}, "order"),
        ({"order": [cancelled_id]}, "order"),
        ({"order": [a, 0]}, "order"),
        ({"order": [a, -b]}, "order"),
        ({"order": [str(a)]}, "order"),
        ({"order": [float(a) + 0.5]}, "order"),
        ({"order": [a, True]}, "order"),
        ({"order": [a, None]}, "order"),
        ({"order": [[a]]}, "order"),
        ({"order": [{"id": a}]}, "order"),
        ({"order": [2 ** 70]}, "order"),
        ({"order": str(a)}, "order"),
        ({"order": a}, "order"),
        ({"order": {"1": a}}, "order"),
        ({"order": True}, "order"),
        ({}, {"order", "method"}),
        ({"seeds": [a, b]}, {"order", "method"}),
        ({"method": "alphabetical"}, "method"),
        ({"method": ""}, "method"),
        ({"method": 1}, "method"),
        ({"method": ["random"]}, "method"),
        ({"method": "RANDOM", "rng_seed": 1}, "method"),
        ({"method": "random"}, "rng_seed"),
        ({"method": "random", "rng_seed": None}, "rng_seed"),
        ({"method": "random", "rng_seed": "42"}, "rng_seed"),
        ({"method": "random", "rng_seed": 4.2}, "rng_seed"),
        ({"method": "random", "rng_seed": -1}, "rng_seed"),
        ({"method": "random", "rng_seed": True}, "rng_seed"),
        ({"method": "random", "rng_seed": 2 ** 70}, "rng_seed"),
    ]


def test_bad_bodies_are_400_and_change_nothing(server, alice, bob, pool):
    other, _ = tournament_with(server, bob, pool[:2], status="registration_open")
    other_id = list_registrations(server, other["slug"])[0]["id"]
    t, regs = tournament_with(server, alice, pool[:5], status="registration_open",
                              max_participants=8)
    slug = t["slug"]
    ids = [r["id"] for r in regs]
    assert_json(server.delete(f"{REG}/{ids[4]}", user=pool[4]), 200)
    assert_json(put_seeding(server, alice, slug, {"order": [ids[2], ids[0]]}), 200)
    before = (server.detail(slug), list_registrations(server, slug))
    for body, field in bad_bodies(ids, other_id, ids[4]):
        r = put_seeding(server, alice, slug, body)
        if HUGE in json.dumps(body):
            # beyond 64 bits the JSON parser may refuse the document itself (as in
            # test_bad_input.test_out_of_range_numbers_are_400)
            err = assert_error(r, 400, {"bad_request", "validation_failed"})
            assert err["code"] == "bad_request" or err.get("field") == field, body
        else:
            assert_error(r, 400, "validation_failed", field)
        assert (server.detail(slug), list_registrations(server, slug)) == before, body
    url = f"/api/v1/tournaments/{slug}/seeding"
    for data, ctype, status, code in (
            (b'{"order": [1,', "application/json", 400, "bad_request"),
            (b'[1, 2]', "application/json", 400, "bad_request"),
            (b'"random"', "application/json", 400, "bad_request"),
            (b'null', "application/json", 400, "bad_request"),
            (b'\xff\xfe{}', "application/json", 400, "bad_request"),
            (b'{"method": "registration_order"}', "text/plain", 415, "unsupported_media_type"),
            (b'{"method": "registration_order"}', None, 415, "unsupported_media_type")):
        headers = {"Content-Type": ctype} if ctype else {}
        r = server.request("PUT", url, user=alice, data=data, headers=headers)
        assert_error(r, status, code)
        assert (server.detail(slug), list_registrations(server, slug)) == before, data
    # the other tournament was not touched either
    assert all(x["seed"] is None for x in list_registrations(server, other["slug"]))


def test_empty_body_is_refused(server, alice, pool):
    t, _ = tournament_with(server, alice, pool[:2], status="registration_open")
    before = server.detail(t["slug"])
    r = server.request("PUT", f"/api/v1/tournaments/{t['slug']}/seeding", user=alice, data=b"",
                       headers={"Content-Type": "application/json"})
    assert_error(r, 400)
    assert server.detail(t["slug"]) == before


@pytest.mark.parametrize("status", ["live", "completed", "cancelled"])
def test_seeding_only_before_live(server, alice, pool, status):
    t, regs = tournament_with(server, alice, pool[:2],
                              status="live" if status != "cancelled" else "registration_closed")
    slug = t["slug"]
    if status == "completed":
        (m,) = bracket_matches(get_bracket(server, slug))
        assert_json(server.post(f"/api/v1/matches/{m['id']}/result", user=alice,
                                json={"score1": 1, "score2": 0}), 200)
    if status == "cancelled":
        server.move(alice, slug, "cancelled")
    assert server.state(slug)["status"] == status
    before = (server.detail(slug), list_registrations(server, slug), get_bracket(server, slug))
    ids = [r["id"] for r in regs]
    for body in ({"order": [ids[1], ids[0]]}, {"method": "random", "rng_seed": 3},
                 {"method": "registration_order"}):
        assert_error(put_seeding(server, alice, slug, body), 409, "invalid_transition")
    assert (server.detail(slug), list_registrations(server, slug),
            get_bracket(server, slug)) == before


@pytest.mark.parametrize("status", ["draft", "published", "registration_open",
                                    "registration_closed"])
def test_seeding_in_every_status_before_live(server, alice, status):
    t = server.create_tournament(alice, status=status)
    r = put_seeding(server, alice, t["slug"], {"method": "registration_order"})
    assert seeds_answer(r) == []


def test_unknown_or_deleted_tournament(server, alice, pool):
    assert_error(put_seeding(server, alice, "no-such-tournament-x", {"order": []}), 404,
                 "not_found")
    t, _ = tournament_with(server, alice, pool[:2], status="registration_open")
    assert server.delete(f"/api/v1/tournaments/{t['slug']}", user=alice).status_code == 204
    assert_error(put_seeding(server, alice, t["slug"], {"method": "registration_order"}), 404,
                 "not_found")


def test_seeding_route_methods(server, alice):
    t = server.create_tournament(alice, status="published")
    for method in ("POST", "PATCH", "DELETE"):
        assert_error(server.request(method, f"/api/v1/tournaments/{t['slug']}/seeding",
                                    user=alice, json={}), 405, "method_not_allowed")
