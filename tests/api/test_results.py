"""POST and DELETE /api/v1/matches/{id}/result: reporting (who may not be reported,
draws, bad bodies that must change nothing, the version) and reopening (exactly the
matches downstream of the reopened one are reset, computed here from the next_match /
loser_next_match links of the bracket before the reopen; later Swiss rounds go away; a
completed tournament goes live again and can complete again)."""

import json
import random

import pytest

from support import (MATCH_KEYS, assert_error, assert_json, bracket_matches, get_bracket,
                     get_standings, in_parallel, play_out, random_scores, reopen, report,
                     tournament_with, user_pool)


@pytest.fixture(scope="module")
def pool(server):
    return user_pool(server, 16)


def by_id(b):
    return {m["id"]: m for m in bracket_matches(b)}


def ids_of(m):
    return tuple(s and s["registration_id"] for s in (m["participant1"], m["participant2"]))


def side_key(slot):
    return "participant1" if slot == 1 else "participant2"


def current_round_of(matches):
    main = [m for m in matches if m["bracket"] in ("winners", "group", "swiss")]
    unfinished = [m["round"] for m in main if m["state"] != "completed"]
    return min(unfinished) if unfinished else max((m["round"] for m in main), default=0)


def live(server, org, users, fmt, **opts):
    t, regs = tournament_with(server, org, users, status="live", format=fmt,
                              format_options=opts)
    return t["slug"], regs


def first(b, **kw):
    for m in bracket_matches(b):
        if all(m[k] == v for k, v in kw.items()):
            return m
    raise AssertionError(f"no match with {kw}")


def play_some(server, org, slug, rng, count, draws=False):
    for _ in range(count):
        b = get_bracket(server, slug)
        ready = [m for m in bracket_matches(b) if m["state"] == "ready"]
        if not ready:
            return
        m = rng.choice(ready)
        assert_json(report(server, org, m["id"], *random_scores(rng, draws)), 200)


# ------------------------------------------------------------------ reporting

def test_result_completes_and_advances(server, alice, pool):
    slug, regs = live(server, alice, pool[:4], "single_elimination", third_place_match=True)
    b = get_bracket(server, slug)
    semi = first(b, bracket="winners", round=1, position=1)  # seeds 2 v 3
    v0 = b["version"]
    r = report(server, alice, semi["id"], 1, 3)
    m = assert_json(r, 200)
    assert set(m) == MATCH_KEYS
    assert (m["state"], m["score1"], m["score2"]) == ("completed", 1, 3)
    assert m["winner"] == semi["participant2"] and m["completed_at"] is not None
    assert assert_json(server.get(f"/api/v1/matches/{semi['id']}"), 200) == m
    after = get_bracket(server, slug)
    assert after["version"] > v0
    assert server.state(slug)["version"] == after["version"]
    final = by_id(after)[semi["next_match"]["id"]]
    assert final["participant2"] == semi["participant2"] and final["state"] == "pending"
    third = by_id(after)[semi["loser_next_match"]["id"]]
    assert third["bracket"] == "third_place" and third["participant2"] == semi["participant1"]
    # the boundaries of the score range are accepted
    other = first(after, bracket="winners", round=1, position=0)
    m = assert_json(report(server, alice, other["id"], 1000, 0), 200)
    assert m["winner"] == other["participant1"]
    after2 = get_bracket(server, slug)
    assert by_id(after2)[final["id"]]["state"] == "ready"
    assert by_id(after2)[third["id"]]["state"] == "ready"
    assert after2["current_round"] == 2 and after2["version"] > after["version"]


def test_not_ready_matches_are_409(server, alice, pool):
    slug, regs = live(server, alice, pool[:5], "single_elimination")
    b = get_bracket(server, slug)
    bye = first(b, bracket="winners", round=1, position=0)  # seed 1 v bye
    assert bye["participant2"] is None and bye["state"] == "completed"
    pending = first(b, bracket="winners", round=2, position=0)  # seed 1 v winner of 4-5
    assert pending["state"] == "pending"
    final = first(b, bracket="winners", round=3)
    real = first(b, bracket="winners", round=1, position=1)  # 4 v 5
    assert_json(report(server, alice, real["id"], 2, 0), 200)
    before = get_bracket(server, slug)
    for mid in (bye["id"], final["id"], real["id"]):
        for scores in ((1, 0), (0, 3)):
            assert_error(report(server, alice, mid, *scores), 409, "match_not_ready")
    assert get_bracket(server, slug) == before


def test_results_refused_once_the_tournament_is_not_live(server, alice, pool):
    slug, _ = live(server, alice, pool[:4], "round_robin")
    b = get_bracket(server, slug)
    done = bracket_matches(b)[0]
    assert_json(report(server, alice, done["id"], 1, 1), 200)
    alice_cancels = server.post(f"/api/v1/tournaments/{slug}/status", user=alice,
                                json={"status": "cancelled"})
    assert assert_json(alice_cancels, 200)["status"] == "cancelled"
    before = get_bracket(server, slug)
    ready = [m for m in bracket_matches(before) if m["state"] == "ready"]
    assert ready
    assert_error(report(server, alice, ready[0]["id"], 2, 1), 409, "match_not_ready")
    assert_error(reopen(server, alice, done["id"]), 409, "match_not_ready")
    assert get_bracket(server, slug) == before


@pytest.mark.parametrize("fmt", ["single_elimination", "double_elimination"])
def test_draws_are_refused_in_elimination(server, alice, pool, fmt):
    slug, _ = live(server, alice, pool[:4], fmt)
    before = get_bracket(server, slug)
    m = first(before, bracket="winners", round=1, position=0)
    for s in (0, 2, 1000):
        err = assert_error(report(server, alice, m["id"], s, s), 400, "validation_failed")
        assert err.get("field") in ("score1", "score2")
    assert get_bracket(server, slug) == before


@pytest.mark.parametrize("fmt", ["round_robin", "swiss"])
def test_draws_count_in_round_robin_and_swiss(server, alice, pool, fmt):
    slug, regs = live(server, alice, pool[:4], fmt)
    b = get_bracket(server, slug)
    m = bracket_matches(b)[0]
    a = assert_json(report(server, alice, m["id"], 2, 2), 200)
    assert (a["state"], a["winner"], a["score1"], a["score2"]) == ("completed", None, 2, 2)
    st = get_standings(server, slug)
    rows = {it["participant"]["registration_id"]: it for it in st["items"]}
    for rid in ids_of(m):
        row = rows[rid]
        assert (row["played"], row["wins"], row["draws"], row["losses"]) == (1, 0, 1, 0)
        assert row["points"] == (1 if fmt == "round_robin" else 0.5)
        assert (row["score_for"], row["score_against"]) == (2, 2)


def bad_result_bodies():
    return [
        ({"score2": 1}, "score1"),
        ({"score1": 1}, "score2"),
        ({}, {"score1", "score2"}),
        ({"score1": -1, "score2": 0}, "score1"),
        ({"score1": 0, "score2": -5}, "score2"),
        ({"score1": 1001, "score2": 0}, "score1"),
        ({"score1": 3, "score2": 10 ** 6}, "score2"),
        ({"score1": 1.5, "score2": 0}, "score1"),
        ({"score1": 2, "score2": 1.0}, "score2"),
        ({"score1": "2", "score2": 1}, "score1"),
        ({"score1": 2, "score2": "one"}, "score2"),
        ({"score1": True, "score2": 0}, "score1"),
        ({"score1": 3, "score2": False}, "score2"),
        ({"score1": None, "score2": 1}, "score1"),
        ({"score1": 1, "score2": None}, "score2"),
        ({"score1": [1], "score2": 0}, "score1"),
        ({"score1": {"v": 1}, "score2": 0}, "score1"),
        ({"score1": 2 ** 31, "score2": 0}, "score1"),
        ({"score1": -(2 ** 63), "score2": 0}, "score1"),
        ({"score1": 2 ** 63 - 1, "score2": 0}, "score1"),
    ]


@pytest.mark.parametrize("fmt", ["single_elimination", "round_robin"])
def test_bad_bodies_are_refused_and_change_nothing(server, alice, pool, fmt):
    slug, _ = live(server, alice, pool[:4], fmt)
    before = get_bracket(server, slug)
    m = bracket_matches(before)[0]
    assert m["state"] == "ready"
    url = f"/api/v1/matches/{m['id']}/result"
    for body, field in bad_result_bodies():
        assert_error(server.post(url, user=alice, json=body), 400, "validation_failed", field)
    raw = [
        (b'{"score1": 99999999999999999999999, "score2": 0}', "application/json", 400,
         {"bad_request", "validation_failed"}),
        (b'{"score1": 1e400, "score2": 0}', "application/json", 400,
         {"bad_request", "validation_failed"}),
        (b'{"score1": 1, "score2": 0', "application/json", 400, "bad_request"),
        (b'{"score1": 1, "score2": 0}}', "application/json", 400, "bad_request"),
        (b'[1, 0]', "application/json", 400, "bad_request"),
        (b'"1-0"', "application/json", 400, "bad_request"),
        (b'1', "application/json", 400, "bad_request"),
        (b'', "application/json", 400, {"bad_request", "validation_failed"}),
        (b'{"score1": 1, "score2": 0}', "text/plain", 415, "unsupported_media_type"),
        (b'{"score1": 1, "score2": 0}', "application/x-www-form-urlencoded", 415,
         "unsupported_media_type"),
        (b'{"score1": 1, "score2": 0}', None, 415, "unsupported_media_type"),
        (b'score1=1&score2=0', "application/x-www-form-urlencoded", 415,
         "unsupported_media_type"),
    ]
    for data, ctype, status, code in raw:
        headers = {"Content-Type": ctype} if ctype else {}
        r = server.post(url, user=alice, data=data, headers=headers)
        assert_error(r, status, code)
    big = json.dumps({"score1": 1, "score2": 0, "pad": "x" * 70000}).encode()
    assert_error(server.post(url, user=alice, data=big,
                             headers={"Content-Type": "application/json"}), 413,
                 "payload_too_large")
    assert get_bracket(server, slug) == before, "a refused result changed the bracket"
    # and the match still takes a good result afterwards
    assert_json(report(server, alice, m["id"], 3, 1), 200)


def test_unknown_matches_are_404(server, alice, admin):
    for who in (alice, admin):
        for bad in ("999999999", "0", "-1", "abc", "1.5", "12345678901234567890"):
            assert_error(server.post(f"/api/v1/matches/{bad}/result", user=who,
                                     json={"score1": 1, "score2": 0}), 404, "not_found")
            assert_error(server.delete(f"/api/v1/matches/{bad}/result", user=who), 404,
                         "not_found")


def test_result_route_methods(server, alice, pool):
    slug, _ = live(server, alice, pool[:2], "single_elimination")
    m = bracket_matches(get_bracket(server, slug))[0]
    for method in ("GET", "PUT", "PATCH"):
        r = server.request(method, f"/api/v1/matches/{m['id']}/result", user=alice,
                           json={"score1": 1, "score2": 0})
        assert_error(r, 405, "method_not_allowed")
    assert bracket_matches(get_bracket(server, slug))[0] == m


# ------------------------------------------------------------------ reopening

def downstream(matches, mid):
    """What reopening `mid` must reset, from the bracket before: {match id: slots that
    lose their participant}, following where the result of each reset match had sent
    its winner and loser."""
    out = {}

    def undo(m):
        if m["winner"] is None:
            return
        w = m["winner"]["registration_id"]
        a, b = ids_of(m)
        loser = b if a == w else a
        for link, who in ((m["next_match"], w), (m["loser_next_match"], loser)):
            if link is None or who is None:
                continue
            t = matches[link["id"]]
            side = t[side_key(link["slot"])]
            if side is None or side["registration_id"] != who:
                continue
            out.setdefault(t["id"], set()).add(link["slot"])
            if t["state"] == "completed":
                undo(t)

    undo(matches[mid])
    return out


def check_reopen(server, org, slug, mid, fmt=None):
    """Reopens `mid` and checks that exactly the downstream matches were reset and that
    every other match is exactly as it was. Returns (the answer, the reset ids)."""
    before = get_bracket(server, slug)
    old = by_id(before)
    target = old[mid]
    assert target["state"] == "completed" and None not in ids_of(target)
    reset = downstream(old, mid)
    r = reopen(server, org, mid)
    answer = assert_json(r, 200)
    after = get_bracket(server, slug)
    new = by_id(after)
    assert after["version"] > before["version"], "a reopen did not raise the version"
    assert after["status"] == "live"
    assert after["current_round"] == current_round_of(list(new.values()))
    assert server.state(slug)["current_round"] == after["current_round"]
    assert new[mid] == answer
    removed_reset = [t for t, slots in reset.items()
                     if old[t]["bracket"] == "grand_final" and old[t]["round"] == 2]
    gone = set(old) - set(new)
    assert gone == set(removed_reset), f"removed {gone}, expected {removed_reset}"
    assert set(new) <= set(old), "a reopen created matches"
    # the reopened match: ready, its result erased, its sides kept
    want = dict(target, state="ready", score1=None, score2=None, winner=None,
                completed_at=None)
    if gone and target["bracket"] == "grand_final":
        want.update(next_match=None, loser_next_match=None)
    assert answer == want
    for t, slots in reset.items():
        if t in gone:
            continue
        o, n = old[t], new[t]
        exp = dict(o, state="pending", score1=None, score2=None, winner=None,
                   completed_at=None)
        for s in slots:
            exp[side_key(s)] = None
        if gone and o["bracket"] == "grand_final" and o["round"] == 1:
            exp.update(next_match=None, loser_next_match=None)
        assert n == exp, f"match {t} was not reset as expected:\nbefore {o}\nafter  {n}"
    changed = {i for i in new if new[i] != old[i]}
    assert changed == (set(reset) - gone) | {mid}, \
        f"changed {sorted(changed)}, downstream {sorted(set(reset) | {mid})}"
    return answer, reset


def replay_to_end(server, org, slug, rng, draws=False):
    final, _ = play_out(server, org, slug, rng, draws=draws)
    assert final["status"] == "completed"
    assert server.state(slug)["status"] == "completed"
    st = get_standings(server, slug)
    assert st["complete"] is True
    assert [it["rank"] for it in st["items"]].count(1) == 1
    return final


@pytest.mark.parametrize("n,picks", [
    (8, [("winners", 2, 1), ("losers", 2, 0), ("winners", 1, 3), ("grand_final", 1, 0)]),
    (16, [("winners", 2, 2), ("losers", 3, 1), ("winners", 1, 5), ("losers", 1, 2),
          ("winners", 3, 0)]),
])
def test_reopen_in_the_middle_of_double_elimination(server, alice, pool, n, picks):
    slug, _ = live(server, alice, pool[:n], "double_elimination", grand_final="reset")
    rng = random.Random(f"reopen-de-{n}")
    replay_to_end(server, alice, slug, rng)
    for kind, rnd, pos in picks:
        b = get_bracket(server, slug)
        assert b["status"] == "completed"
        m = first(b, bracket=kind, round=rnd, position=pos)
        _answer, reset = check_reopen(server, alice, slug, m["id"])
        if kind != "grand_final":
            assert len(reset) >= 3, f"{kind} {rnd}/{pos} reset only {reset}: a weak pick"
        assert get_standings(server, slug)["complete"] is False
        # report the other way round this time, then finish again
        s1, s2 = (0, 2) if m["winner"] == m["participant1"] else (2, 0)
        again = assert_json(report(server, alice, m["id"], s1, s2), 200)
        assert again["winner"] != m["winner"]
        replay_to_end(server, alice, slug, rng)


def test_reopen_while_double_elimination_is_live(server, alice, pool):
    """Halfway through: the reopened winners' match fed matches already played."""
    slug, _ = live(server, alice, pool[:8], "double_elimination", grand_final="single")
    rng = random.Random("reopen-de-live")
    play_some(server, alice, slug, rng, 10)
    b = get_bracket(server, slug)
    assert b["status"] == "live"
    old = by_id(b)
    done = [m for m in old.values() if m["state"] == "completed" and None not in ids_of(m)]
    best = max(done, key=lambda m: (len(downstream(old, m["id"])), -m["id"]))
    _answer, reset = check_reopen(server, alice, slug, best["id"])
    assert any(old[t]["state"] == "completed" for t in reset), "no played match was reset"
    replay_to_end(server, alice, slug, rng)


@pytest.mark.parametrize("third", [False, True])
def test_reopen_single_elimination(server, alice, pool, third):
    slug, _ = live(server, alice, pool[:8], "single_elimination", third_place_match=third)
    rng = random.Random(f"reopen-se-{third}")
    replay_to_end(server, alice, slug, rng)
    b = get_bracket(server, slug)
    semi = first(b, bracket="winners", round=2, position=1)
    _a, reset = check_reopen(server, alice, slug, semi["id"])
    kinds = sorted(by_id(b)[t]["bracket"] for t in reset)
    assert kinds == (["third_place", "winners"] if third else ["winners"])
    # a first-round match whose semi-final (just reopened) is ready, not played
    r1 = first(get_bracket(server, slug), bracket="winners", round=1, position=2)
    _a, reset = check_reopen(server, alice, slug, r1["id"])
    assert list(reset) == [semi["id"]]
    replay_to_end(server, alice, slug, rng)


def test_reopen_round_robin_touches_only_that_match(server, alice, pool):
    slug, _ = live(server, alice, pool[:5], "round_robin")
    rng = random.Random("reopen-rr")
    replay_to_end(server, alice, slug, rng, draws=True)
    m = bracket_matches(get_bracket(server, slug))[3]
    _a, reset = check_reopen(server, alice, slug, m["id"])
    assert reset == {}
    assert server.state(slug)["status"] == "live"
    assert_json(report(server, alice, m["id"], 4, 4), 200)
    assert server.state(slug)["status"] == "completed"


def test_reopen_swiss_removes_later_rounds(server, alice, pool):
    slug, regs = live(server, alice, pool[:6], "swiss", rounds=3)
    rng = random.Random("reopen-swiss")
    for _ in range(6):  # rounds 1 and 2 (3 matches each)
        play_some(server, alice, slug, rng, 1, draws=True)
    b = get_bracket(server, slug)
    old = by_id(b)
    assert {m["round"] for m in old.values()} == {1, 2, 3}
    assert all(m["state"] == "completed" for m in old.values() if m["round"] <= 2)
    r1 = first(b, bracket="swiss", round=1, position=1)
    answer = assert_json(reopen(server, alice, r1["id"]), 200)
    after = get_bracket(server, slug)
    new = by_id(after)
    later = {i for i, m in old.items() if m["round"] > 1}
    assert set(new) == set(old) - later, "later Swiss rounds were not removed"
    assert answer["state"] == "ready" and answer["winner"] is None
    for i in new:
        if i != r1["id"]:
            assert new[i] == old[i]
    assert after["current_round"] == 1 and after["version"] > b["version"]
    for i in later:
        assert_error(server.get(f"/api/v1/matches/{i}"), 404, "not_found")
        assert_error(report(server, alice, i, 1, 0), 404, "not_found")
    listed = assert_json(server.get(f"/api/v1/tournaments/{slug}/matches",
                                    params={"round": 2}), 200)
    assert listed["items"] == []
    # finishing round 1 again pairs round 2 afresh
    assert_json(report(server, alice, r1["id"], 0, 1), 200)
    b2 = get_bracket(server, slug)
    assert {m["round"] for m in bracket_matches(b2)} == {1, 2}
    assert b2["current_round"] == 2
    replay_to_end(server, alice, slug, rng, draws=True)


def test_reopen_refusals(server, alice, pool):
    slug, _ = live(server, alice, pool[:5], "double_elimination")
    b = get_bracket(server, slug)
    bye = first(b, bracket="winners", round=1, position=0)
    ready = first(b, bracket="winners", round=1, position=1)
    pending = first(b, bracket="grand_final", round=1)
    before = get_bracket(server, slug)
    for m in (bye, ready, pending):
        assert_error(reopen(server, alice, m["id"]), 409, "match_not_ready")
    assert get_bracket(server, slug) == before
    assert_json(report(server, alice, ready["id"], 1, 0), 200)
    # the losers' match that completed as a bye when the loser arrived: a bye too
    lb = [m for m in bracket_matches(get_bracket(server, slug))
          if m["bracket"] == "losers" and m["state"] == "completed"]
    for m in lb:
        assert m["score1"] is None
        assert_error(reopen(server, alice, m["id"]), 409, "match_not_ready")
    assert_json(reopen(server, alice, ready["id"]), 200)
    assert_error(reopen(server, alice, ready["id"]), 409, "match_not_ready")
    assert get_bracket(server, slug) == before | {"version": get_bracket(server, slug)["version"]}


def test_reopen_a_completed_tournament_makes_it_live_again(server, alice, pool):
    slug, _ = live(server, alice, pool[:3], "single_elimination")
    rng = random.Random("reopen-completed")
    final_b = replay_to_end(server, alice, slug, rng)
    v = final_b["version"]
    final = first(final_b, bracket="winners", round=2)
    assert server.state(slug)["status"] == "completed"
    assert_json(reopen(server, alice, final["id"]), 200)
    st = server.state(slug)
    assert st["status"] == "live" and st["version"] > v
    assert server.detail(slug)["status"] == "live"
    assert get_standings(server, slug)["complete"] is False
    assert_json(report(server, alice, final["id"], 5, 6), 200)
    st2 = server.state(slug)
    assert st2["status"] == "completed" and st2["version"] > st["version"]
    top = get_standings(server, slug)["items"][0]
    assert top["rank"] == 1 and top["participant"] == final["participant2"]


# ------------------------------------------------------------------ concurrency

def test_concurrent_results_on_one_match_count_once(server, alice, pool):
    slug, _ = live(server, alice, pool[:4], "round_robin")
    m = bracket_matches(get_bracket(server, slug))[0]
    v0 = server.state(slug)["version"]
    res = in_parallel(lambda i: report(server, alice, m["id"], i, 9 - i), range(6))
    assert not [r for r in res if isinstance(r, Exception)], res
    assert sorted(r.status_code for r in res) == [200, 409, 409, 409, 409, 409]
    (ok,) = [r for r in res if r.status_code == 200]
    for r in res:
        if r.status_code == 409:
            assert_error(r, 409, "match_not_ready")
    b = get_bracket(server, slug)
    assert by_id(b)[m["id"]] == ok.json()
    assert b["version"] > v0
    played = [x for x in bracket_matches(b) if x["state"] == "completed"]
    assert [x["id"] for x in played] == [m["id"]]


def test_concurrent_results_on_every_match_all_apply(server, alice, pool):
    slug, _ = live(server, alice, pool[:6], "round_robin")
    ms = bracket_matches(get_bracket(server, slug))
    v0 = server.state(slug)["version"]
    scores = {m["id"]: (m["position"] % 3, 2) for m in ms}
    res = in_parallel(lambda m: report(server, alice, m["id"], *scores[m["id"]]), ms)
    assert not [r for r in res if isinstance(r, Exception)], res
    assert [r.status_code for r in res] == [200] * len(ms)
    b = get_bracket(server, slug)
    assert b["status"] == "completed"
    assert b["version"] >= v0 + len(ms), "some result did not raise the version"
    for m in bracket_matches(b):
        assert (m["score1"], m["score2"]) == scores[m["id"]]
    st = get_standings(server, slug)
    assert st["complete"] is True
    assert sum(it["played"] for it in st["items"]) == 2 * len(ms)


@pytest.mark.parametrize("fmt,n,opts", [
    ("double_elimination", 6, {"grand_final": "reset"}),
    ("double_elimination", 11, {"grand_final": "single"}),
    ("double_elimination", 16, {"grand_final": "reset"}),
    ("single_elimination", 5, {"third_place_match": True}),
    ("single_elimination", 11, {"third_place_match": False}),
])
def test_random_reopens_reset_exactly_their_downstream(server, alice, pool, fmt, n, opts):
    """Byes included (6 and 11 players): reopen random played matches at random moments
    (seeded), each time checking the reset set against the links, then play on."""
    slug, _ = live(server, alice, pool[:n], fmt, **opts)
    rng = random.Random(f"random-reopen-{fmt}-{n}")
    total_reset = 0
    for step in range(6):
        play_some(server, alice, slug, rng, rng.randint(2, 2 * n))
        old = by_id(get_bracket(server, slug))
        played = [m for m in old.values() if m["state"] == "completed" and None not in ids_of(m)]
        if not played:
            continue
        m = rng.choice(played)
        _a, reset = check_reopen(server, alice, slug, m["id"])
        total_reset += len(reset)
    assert total_reset >= 4, "the random reopens never reset anything downstream"
    replay_to_end(server, alice, slug, rng)
