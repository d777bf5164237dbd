"""GET /api/v1/tournaments/{slug}/standings on hand-made results whose table is known:
the tie-break order (points, Buchholz, Sonneborn-Berger, head-to-head, score
difference), one champion for a total tie, Swiss points 1 / 0.5 / 0, elimination ranks
by the round reached (the third-place match deciding 3rd and 4th); standings, bracket
and match list cost a number of queries that does not grow with the tournament; and a
result is never hidden behind an old ETag."""

import random

import pytest

from support import (fresh, STANDING_KEYS, STANDINGS_KEYS, assert_json, bracket_matches,
                     get_bracket, get_standings, play_out, query_count, report, tournament_with,
                     user_pool)


@pytest.fixture(scope="module")
def pool(server):
    return user_pool(server, 16)


def start(server, org, users, fmt, **opts):
    t, regs = tournament_with(server, org, users, status="live", format=fmt,
                              format_options=opts)
    return t["slug"], [r["id"] for r in regs]


def play_table(server, org, slug, outcomes):
    """outcomes: {(seed a, seed b): (score of a, score of b)} for every match; reports
    them with the sides as the bracket has them."""
    done = set()
    for m in bracket_matches(get_bracket(server, slug)):
        a, b = m["participant1"]["seed"], m["participant2"]["seed"]
        key = (a, b) if (a, b) in outcomes else (b, a)
        sa, sb = outcomes[key]
        s1, s2 = (sa, sb) if key == (a, b) else (sb, sa)
        assert_json(report(server, org, m["id"], s1, s2), 200)
        done.add(key)
    assert done == set(outcomes)


def table(server, slug):
    st = get_standings(server, slug)
    assert set(st) == STANDINGS_KEYS
    for it in st["items"]:
        assert set(it) == STANDING_KEYS
    return st, [(it["participant"]["seed"], it["rank"]) for it in st["items"]]


def test_standings_are_empty_before_the_start(server, alice, pool):
    t, _ = tournament_with(server, alice, pool[:4], status="registration_closed",
                           format="round_robin")
    st = get_standings(server, t["slug"])
    assert st == {"tournament": t["slug"], "format": "round_robin", "complete": False,
                  "items": []}


def test_round_robin_sonneborn_berger_before_head_to_head(server, alice, pool):
    """1 and 2 have 6 points, 3 and 4 have 3: Sonneborn-Berger ranks 4 above 3 although 3
    beat 4 (head-to-head comes later) and 2's big score difference does not help it."""
    slug, ids = start(server, alice, pool[:4], "round_robin")
    outcomes = {(1, 2): (1, 0), (1, 3): (1, 0), (1, 4): (0, 1), (2, 3): (10, 0),
                (2, 4): (10, 0), (3, 4): (1, 0)}
    play_table(server, alice, slug, outcomes)
    st, order = table(server, slug)
    assert st["complete"] is True
    assert order == [(1, 1), (2, 2), (4, 3), (3, 4)]
    rows = {it["participant"]["seed"]: it for it in st["items"]}
    assert [rows[s]["points"] for s in (1, 2, 3, 4)] == [6, 6, 3, 3]
    assert [rows[s]["tiebreaks"]["sonneborn_berger"] for s in (1, 2, 3, 4)] == [9, 6, 3, 6]
    assert [rows[s]["tiebreaks"]["buchholz"] for s in (1, 2, 3, 4)] == [12, 12, 15, 15]
    assert [rows[s]["tiebreaks"]["head_to_head"] for s in (1, 2, 3, 4)] == [3, 0, 3, 0]
    assert (rows[2]["score_for"], rows[2]["score_against"]) == (20, 1)
    assert [(rows[s]["wins"], rows[s]["draws"], rows[s]["losses"]) for s in (1, 2, 3, 4)] == \
        [(2, 0, 1), (2, 0, 1), (1, 0, 2), (1, 0, 2)]


def test_round_robin_head_to_head_before_score_difference(server, alice, pool):
    """2 and 4 have 4 points and equal Sonneborn-Berger (4.5); 2 beat 4, so 2 is ahead
    although 4's score difference (+9) is far better than 2's (0)."""
    slug, ids = start(server, alice, pool[:4], "round_robin")
    outcomes = {(1, 2): (1, 0), (1, 3): (1, 0), (1, 4): (2, 2), (2, 3): (3, 3),
                (2, 4): (1, 0), (3, 4): (0, 10)}
    play_table(server, alice, slug, outcomes)
    st, order = table(server, slug)
    assert order == [(1, 1), (2, 2), (4, 3), (3, 4)]
    rows = {it["participant"]["seed"]: it for it in st["items"]}
    assert [rows[s]["points"] for s in (1, 2, 3, 4)] == [7, 4, 1, 4]
    assert rows[2]["tiebreaks"]["sonneborn_berger"] == rows[4]["tiebreaks"]["sonneborn_berger"] \
        == 4.5
    assert (rows[2]["tiebreaks"]["head_to_head"], rows[4]["tiebreaks"]["head_to_head"]) == (3, 0)
    assert rows[4]["score_for"] - rows[4]["score_against"] == 9
    assert (rows[2]["draws"], rows[3]["draws"], rows[4]["draws"]) == (1, 1, 1)


def test_round_robin_score_difference_last(server, alice, pool):
    """A three-way cycle: equal on points, Buchholz, Sonneborn-Berger and head-to-head;
    the score difference orders them."""
    slug, ids = start(server, alice, pool[:3], "round_robin")
    outcomes = {(1, 2): (3, 0), (2, 3): (1, 0), (1, 3): (0, 1)}
    play_table(server, alice, slug, outcomes)
    st, order = table(server, slug)
    assert order == [(1, 1), (3, 2), (2, 3)]
    for it in st["items"]:
        assert (it["points"], it["tiebreaks"]["buchholz"],
                it["tiebreaks"]["sonneborn_berger"], it["tiebreaks"]["head_to_head"]) == \
            (3, 6, 3, 3)


def test_total_tie_has_one_champion_the_better_seed(server, alice, pool):
    slug, ids = start(server, alice, pool[:4], "round_robin")
    outcomes = {(a, b): (1, 1) for a in range(1, 5) for b in range(a + 1, 5)}
    play_table(server, alice, slug, outcomes)
    st, order = table(server, slug)
    assert st["complete"] is True
    assert order == [(1, 1), (2, 2), (3, 2), (4, 2)]
    for it in st["items"]:
        assert (it["points"], it["draws"], it["tiebreaks"]["buchholz"],
                it["tiebreaks"]["sonneborn_berger"], it["tiebreaks"]["head_to_head"]) == \
            (3, 3, 9, 4.5, 3)


def test_incomplete_round_robin_may_share_first_place(server, alice, pool):
    slug, ids = start(server, alice, pool[:4], "round_robin")
    b = get_bracket(server, slug)
    r1 = [m for m in bracket_matches(b) if m["round"] == 1]
    for m in r1:
        assert_json(report(server, alice, m["id"], 2, 2), 200)
    st, order = table(server, slug)
    assert st["complete"] is False
    assert [rank for _seed, rank in order] == [1, 1, 1, 1]


def test_swiss_points_are_one_half_zero(server, alice, pool):
    slug, ids = start(server, alice, pool[:4], "swiss")
    for _round in (1, 2):
        b = get_bracket(server, slug)
        for m in bracket_matches(b):
            if m["state"] == "ready":
                assert_json(report(server, alice, m["id"], 0, 0), 200)
    st, order = table(server, slug)
    assert st["complete"] is True
    assert order == [(1, 1), (2, 2), (3, 2), (4, 2)]
    for it in st["items"]:
        assert (it["played"], it["draws"], it["points"]) == (2, 2, 1)
        assert it["tiebreaks"]["buchholz"] == 2
        assert it["tiebreaks"]["sonneborn_berger"] == 1


def test_swiss_winner_takes_one_point(server, alice, pool):
    slug, ids = start(server, alice, pool[:4], "swiss", rounds=1)
    b = get_bracket(server, slug)
    for m in bracket_matches(b):
        assert_json(report(server, alice, m["id"], 3, 1), 200)
    st, _ = table(server, slug)
    assert st["complete"] is True
    assert sorted(it["points"] for it in st["items"]) == [0, 0, 1, 1]
    assert [it["rank"] for it in st["items"]] == [1, 2, 3, 3]


def test_swiss_bye_counts_as_a_win(server, alice, pool):
    slug, ids = start(server, alice, pool[:5], "swiss", rounds=1)
    b = get_bracket(server, slug)
    (bye,) = [m for m in bracket_matches(b) if m["participant2"] is None]
    for m in bracket_matches(b):
        if m["state"] == "ready":
            assert_json(report(server, alice, m["id"], 1, 1), 200)
    st, _ = table(server, slug)
    rows = {it["participant"]["registration_id"]: it for it in st["items"]}
    r = rows[bye["participant1"]["registration_id"]]
    assert (r["played"], r["wins"], r["points"], r["score_for"]) == (1, 1, 1, 0)
    assert r["rank"] == 1


@pytest.mark.parametrize("fmt,n,opts,ranks", [
    ("single_elimination", 4, {"third_place_match": True}, [1, 2, 3, 4]),
    ("single_elimination", 4, {"third_place_match": False}, [1, 2, 3, 3]),
    ("single_elimination", 8, {"third_place_match": False}, [1, 2, 3, 3, 5, 5, 5, 5]),
    ("single_elimination", 8, {"third_place_match": True}, [1, 2, 3, 4, 5, 5, 5, 5]),
    ("single_elimination", 6, {"third_place_match": False}, [1, 2, 3, 3, 5, 5]),
    ("double_elimination", 4, {"grand_final": "single"}, [1, 2, 3, 4]),
    ("double_elimination", 8, {"grand_final": "reset"}, [1, 2, 3, 4, 5, 5, 7, 7]),
])
def test_elimination_ranks_by_round_reached(server, alice, pool, fmt, n, opts, ranks):
    slug, ids = start(server, alice, pool[:n], fmt, **opts)
    final, _ = play_out(server, alice, slug, random.Random(f"ranks-{fmt}-{n}-{opts}"))
    st, order = table(server, slug)
    assert st["complete"] is True
    assert [rank for _seed, rank in order] == ranks
    ms = bracket_matches(final)
    last = [m for m in ms if m["bracket"] == ("winners" if fmt == "single_elimination"
                                               else "grand_final")]
    decider = max(last, key=lambda m: m["round"])
    assert st["items"][0]["participant"] == decider["winner"]
    runner = decider["participant1"] if decider["winner"] == decider["participant2"] \
        else decider["participant2"]
    assert st["items"][1]["participant"] == runner
    third = [m for m in ms if m["bracket"] == "third_place"]
    if third:
        assert st["items"][2]["participant"] == third[0]["winner"]
    for it in st["items"]:
        assert it["played"] == it["wins"] + it["losses"] and it["draws"] == 0


# ------------------------------------------------------------------ costs and caching

def costs(server, slug):
    out = {}
    for name, path, params in (("standings", "standings", {}), ("bracket", "bracket", {}),
                               ("matches", "matches", {"limit": 100})):
        r = server.get(f"/api/v1/tournaments/{slug}/{path}", params=fresh(params))
        assert_json(r, 200)
        out[name] = query_count(r)
    return out


@pytest.mark.parametrize("fmt", ["single_elimination", "double_elimination", "round_robin",
                                 "swiss"])
def test_query_count_does_not_grow_with_the_tournament(server, alice, pool, fmt):
    seen = []
    for n in (3, 8, 16):
        slug, _ = start(server, alice, pool[:n], fmt)
        live_costs = costs(server, slug)
        play_out(server, alice, slug, random.Random(f"qc-{fmt}-{n}"),
                 draws=fmt in ("round_robin", "swiss"))
        seen.append((n, live_costs, costs(server, slug)))
    for n, live_costs, done_costs in seen:
        assert live_costs == seen[0][1], seen
        assert done_costs == seen[0][2], seen
    assert all(v <= 6 for v in seen[0][1].values()), seen


def test_a_result_is_never_hidden_by_an_old_etag(server, alice, pool):
    slug, _ = start(server, alice, pool[:4], "round_robin")
    m = bracket_matches(get_bracket(server, slug))[0]
    paths = [f"/api/v1/tournaments/{slug}/standings", f"/api/v1/tournaments/{slug}/bracket",
             f"/api/v1/tournaments/{slug}/matches", f"/api/v1/matches/{m['id']}",
             f"/api/v1/tournaments/{slug}/state"]
    tags = {}
    for p in paths:
        r = server.get(p)
        assert r.status_code == 200 and r.headers.get("ETag"), p
        tags[p] = (r.headers["ETag"], r.content)
        again = server.get(p, headers={"If-None-Match": r.headers["ETag"]})
        assert again.status_code == 304, p
    assert_json(report(server, alice, m["id"], 2, 1), 200)
    for p in paths:
        r = server.get(p, headers={"If-None-Match": tags[p][0]})
        assert r.status_code == 200, f"{p}: stale 304 after a result"
        assert r.headers["ETag"] != tags[p][0] and r.content != tags[p][1], p
