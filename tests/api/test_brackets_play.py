"""Starting and playing tournaments end to end through the API (the brackets issue):
who plays when the tournament goes live (pending, cancelled and, with check-in, not
checked-in registrations do not), how they are numbered, the shape of the generated
bracket of every format, and then every format played to completion with random valid
scores (fixed random.Random seeds): after every single result the bracket is checked
(version, completion, current_round, advancement, Swiss pairing) and at the end the
standings are recomputed from the matches and compared.

The engine's exhaustive properties for n = 2..64 are the C unit tests' business; here
each format runs for a few sizes and every option."""

import itertools
import random

import pytest

from support import (BRACKET_KEYS, BRACKET_KINDS, MATCH_KEYS, STANDING_KEYS, STANDINGS_KEYS,
                     assert_error, assert_json, bracket_matches, create_team, get_bracket,
                     get_standings, go_live, in_parallel, list_registrations, my_registrations,
                     play_out, put_seeding, register, tournament_with, user_pool)

REG = "/api/v1/registrations"


@pytest.fixture(scope="module")
def pool(server):
    return user_pool(server, 16)  # one organizer (alice) and up to 16 players


# ------------------------------------------------------------------ oracles

def seed_order(size):
    """Standard bracket order of `size` slots (seeds 1-based): 8 -> 1,8,4,5,2,7,3,6."""
    order = [1]
    while len(order) < size:
        n = 2 * len(order)
        order = [x for s in order for x in (s, n + 1 - s)]
    return order


def ceil_log2(n):
    k = 0
    while (1 << k) < n:
        k += 1
    return k


def side_id(side):
    return None if side is None else side["registration_id"]


def match_ids(m):
    return side_id(m["participant1"]), side_id(m["participant2"])


def expected_match_count(fmt, n, opts):
    if fmt == "round_robin":
        return n * (n - 1) // 2 * (2 if opts.get("double") else 1)
    if fmt == "swiss":  # round 1 only, the bye is a match
        return (n + 1) // 2
    k = ceil_log2(n)
    size = 1 << k
    if fmt == "single_elimination":
        return size - 1 + (1 if opts.get("third_place_match") and n >= 4 else 0)
    if k == 1:
        return 2  # the final and the grand final
    order = seed_order(size)
    wb1_bye = [order[2 * j + 1] > n for j in range(size // 2)]
    lb1 = sum(1 for i in range(size // 4) if not (wb1_bye[2 * i] and wb1_bye[2 * i + 1]))
    later = sum(size >> ((j + 1) // 2 + 1) for j in range(2, 2 * (k - 1) + 1))
    return size - 1 + lb1 + later + 1


def expected_current_round(matches):
    main = [m for m in matches if m["bracket"] in ("winners", "group", "swiss")]
    if not main:
        return 0
    unfinished = [m["round"] for m in main if m["state"] != "completed"]
    return min(unfinished) if unfinished else max(m["round"] for m in main)


def check_bracket_answer(b, slug, fmt, status):
    """Shape of GET .../bracket and of every match; returns the matches by id."""
    assert set(b) == BRACKET_KEYS
    assert (b["tournament"], b["format"], b["status"]) == (slug, fmt, status)
    kinds = [x["bracket"] for x in b["brackets"]]
    assert kinds == sorted(set(kinds), key=BRACKET_KINDS.index), kinds
    by_id = {}
    for br in b["brackets"]:
        rounds = [rd["round"] for rd in br["rounds"]]
        assert rounds == list(range(1, len(rounds) + 1)) or br["bracket"] == "third_place", rounds
        for rd in br["rounds"]:
            assert [m["position"] for m in rd["matches"]] == sorted(m["position"] for m in
                                                                    rd["matches"])
            for m in rd["matches"]:
                assert set(m) == MATCH_KEYS, sorted(m)
                assert (m["tournament"], m["bracket"], m["round"]) == \
                    (slug, br["bracket"], rd["round"])
                assert m["id"] not in by_id
                by_id[m["id"]] = m
    matches = list(by_id.values())
    for m in matches:
        p1, p2 = match_ids(m)
        for link in (m["next_match"], m["loser_next_match"]):
            if link is not None:
                assert link["id"] in by_id and link["slot"] in (1, 2), m
        if m["state"] == "ready":
            assert p1 is not None and p2 is not None and p1 != p2, m
        if m["state"] == "pending":
            assert p1 is None or p2 is None, m
        if m["state"] in ("pending", "ready"):
            assert (m["score1"], m["score2"], m["winner"], m["completed_at"]) == \
                (None, None, None, None), m
        if m["state"] == "completed":
            assert m["completed_at"] is not None, m
            if m["score1"] is None:  # a bye
                assert (p1 is None) != (p2 is None) and m["score2"] is None, m
                assert m["winner"] == (m["participant1"] or m["participant2"]), m
            else:
                assert p1 is not None and p2 is not None, m
                s1, s2 = m["score1"], m["score2"]
                want = m["participant1"] if s1 > s2 else m["participant2"] if s2 > s1 else None
                assert m["winner"] == want, m
                if s1 == s2:
                    assert fmt in ("round_robin", "swiss"), m
    assert b["current_round"] == expected_current_round(matches), \
        (b["current_round"], expected_current_round(matches))
    return by_id


def check_elimination_start(b, fmt, n, opts, reg_by_seed):
    """The bracket of a just-started elimination tournament, from first principles."""
    k = ceil_log2(n)
    size = 1 << k
    order = seed_order(size)
    ms = bracket_matches(b)
    by_id = {m["id"]: m for m in ms}
    winners = [m for m in ms if m["bracket"] == "winners"]
    for r in range(1, k + 1):
        rnd = sorted((m for m in winners if m["round"] == r), key=lambda m: m["position"])
        assert [m["position"] for m in rnd] == list(range(size >> r)), (r, rnd)
        for m in rnd:
            if r < k:
                assert m["next_match"] is not None
                nxt = by_id[m["next_match"]["id"]]
                assert (nxt["bracket"], nxt["round"], nxt["position"]) == \
                    ("winners", r + 1, m["position"] // 2), m
                assert m["next_match"]["slot"] == m["position"] % 2 + 1, m
    assert max(m["round"] for m in winners) == k
    # round 1: the standard order, byes for the missing seeds, completed and advanced
    for m in sorted((m for m in winners if m["round"] == 1), key=lambda m: m["position"]):
        j = m["position"]
        hi, lo = order[2 * j], order[2 * j + 1]
        assert m["participant1"]["seed"] == hi
        assert m["participant1"]["registration_id"] == reg_by_seed[hi]
        if lo <= n:
            assert m["participant2"]["seed"] == lo
            assert m["participant2"]["registration_id"] == reg_by_seed[lo]
            assert m["state"] == "ready", m
        else:
            assert m["participant2"] is None and m["state"] == "completed", m
            assert m["winner"] == m["participant1"] and m["score1"] is None, m
            if k > 1:
                nxt = by_id[m["next_match"]["id"]]
                side = "participant1" if m["next_match"]["slot"] == 1 else "participant2"
                assert nxt[side] == m["participant1"], (m, nxt)
    # later winners' rounds: only byes have moved anyone yet
    for m in winners:
        if m["round"] >= 3:
            assert m["participant1"] is None and m["participant2"] is None, m
        if m["round"] >= 2:
            p1, p2 = match_ids(m)
            assert m["state"] == ("ready" if p1 and p2 else "pending"), m
    # nobody twice, everybody once in round 1
    seen = [s["registration_id"] for m in winners if m["round"] == 1
            for s in (m["participant1"], m["participant2"]) if s]
    assert sorted(seen) == sorted(reg_by_seed.values())
    assert len(ms) == expected_match_count(fmt, n, opts), (len(ms), fmt, n, opts)
    third = [m for m in ms if m["bracket"] == "third_place"]
    losers = [m for m in ms if m["bracket"] == "losers"]
    gf = [m for m in ms if m["bracket"] == "grand_final"]
    if fmt == "single_elimination":
        assert not losers and not gf
        if opts.get("third_place_match") and n >= 4:
            assert len(third) == 1 and third[0]["round"] == k
            semis = sorted((m for m in winners if m["round"] == k - 1),
                           key=lambda m: m["position"])
            assert [s["loser_next_match"] for s in semis] == \
                [{"id": third[0]["id"], "slot": 1}, {"id": third[0]["id"], "slot": 2}]
        else:
            assert not third
            assert all(m["loser_next_match"] is None for m in ms)
    else:
        assert not third
        assert len(gf) == 1 and gf[0]["round"] == 1 and gf[0]["next_match"] is None
        final = [m for m in winners if m["round"] == k][0]
        assert final["next_match"] == {"id": gf[0]["id"], "slot": 1}
        assert max((m["round"] for m in losers), default=0) == 2 * (k - 1)
        if k > 1:
            lfinal = [m for m in losers if m["round"] == 2 * (k - 1)]
            assert len(lfinal) == 1 and lfinal[0]["next_match"] == {"id": gf[0]["id"], "slot": 2}
            assert final["loser_next_match"]["id"] == lfinal[0]["id"]
        for m in winners:  # every real winners' match sends its loser to the losers' side
            if not (m["round"] == 1 and m["participant2"] is None):
                tgt = by_id[m["loser_next_match"]["id"]] if m["loser_next_match"] else None
                assert tgt is not None and tgt["bracket"] in ("losers", "grand_final"), m
        assert all(m["state"] == "pending" for m in losers + gf)


def check_round_robin_start(b, n, double, regs):
    ms = bracket_matches(b)
    assert [x["bracket"] for x in b["brackets"]] == ["group"]
    per_cycle = n - 1 if n % 2 == 0 else n
    rounds = per_cycle * (2 if double else 1)
    assert sorted({m["round"] for m in ms}) == list(range(1, rounds + 1))
    for r in range(1, rounds + 1):
        ids = [i for m in ms if m["round"] == r for i in match_ids(m)]
        assert len(ids) == len(set(ids)) == 2 * (n // 2), (r, ids)
    pairs = {}
    for m in ms:
        assert m["state"] == "ready" and m["next_match"] is None and \
            m["loser_next_match"] is None, m
        pairs.setdefault(frozenset(match_ids(m)), []).append(m)
    want = {frozenset(p) for p in itertools.combinations([r["id"] for r in regs], 2)}
    assert set(pairs) == want
    assert all(len(v) == (2 if double else 1) for v in pairs.values())
    if double:  # the second meeting has the sides swapped
        for v in pairs.values():
            assert match_ids(v[0]) == tuple(reversed(match_ids(v[1])))


def check_swiss_start(b, n, regs):
    ms = bracket_matches(b)
    assert [x["bracket"] for x in b["brackets"]] == ["swiss"]
    assert {m["round"] for m in ms} == {1}
    ids = [i for m in ms for i in match_ids(m) if i is not None]
    assert sorted(ids) == sorted(r["id"] for r in regs)
    byes = [m for m in ms if m["participant2"] is None]
    assert len(byes) == n % 2
    for m in byes:
        assert m["state"] == "completed" and m["winner"] == m["participant1"], m
    assert all(m["state"] == "ready" for m in ms if m not in byes)


# ------------------------------------------------------------------ Swiss pairing

def swiss_history(matches, below_round):
    met, byes = set(), set()
    for m in matches:
        if m["bracket"] != "swiss" or m["round"] >= below_round:
            continue
        p1, p2 = match_ids(m)
        if p2 is None:
            byes.add(p1)
        else:
            met.add(frozenset((p1, p2)))
    return met, byes


def rematch_free_pairing_exists(players, met, byes):
    players = sorted(players)

    def perfect(rest):
        if not rest:
            return True
        a = rest[0]
        for i in range(1, len(rest)):
            if frozenset((a, rest[i])) not in met and perfect(rest[1:i] + rest[i + 1:]):
                return True
        return False

    if len(players) % 2 == 0:
        return perfect(players)
    eligible = [p for p in players if p not in byes] or players
    return any(perfect([q for q in players if q != p]) for p in eligible)


def check_swiss_round(matches, rnd, players):
    met, byes = swiss_history(matches, rnd)
    cur = [m for m in matches if m["bracket"] == "swiss" and m["round"] == rnd]
    ids = [i for m in cur for i in match_ids(m) if i is not None]
    assert sorted(ids) == sorted(players), f"round {rnd} does not pair everyone once"
    rematches = [match_ids(m) for m in cur if m["participant2"] is not None
                 and frozenset(match_ids(m)) in met]
    if rematches:
        assert not rematch_free_pairing_exists(players, met, byes), \
            f"round {rnd} has avoidable rematches {rematches}"
    for m in cur:
        if m["participant2"] is None and len(byes) < len(players):
            assert m["participant1"]["registration_id"] not in byes, \
                f"round {rnd}: a second bye while others had none"


# ------------------------------------------------------------------ standings oracle

def recompute_points_table(matches, fmt, participants):
    rows = {p: dict(played=0, wins=0, draws=0, losses=0, score_for=0, score_against=0)
            for p in participants}
    real = []
    for m in matches:
        if m["state"] != "completed":
            continue
        p1, p2 = match_ids(m)
        if p1 is None or p2 is None:
            if fmt == "swiss":  # a Swiss bye is a win
                rows[p1 or p2]["played"] += 1
                rows[p1 or p2]["wins"] += 1
            continue
        real.append(m)
        for me, s_me, s_op in ((p1, m["score1"], m["score2"]), (p2, m["score2"], m["score1"])):
            r = rows[me]
            r["played"] += 1
            r["score_for"] += s_me
            r["score_against"] += s_op
            r["wins" if s_me > s_op else "losses" if s_me < s_op else "draws"] += 1
    for r in rows.values():
        if fmt == "round_robin":
            r["points"] = 3 * r["wins"] + r["draws"]
        elif fmt == "swiss":
            r["points"] = r["wins"] + 0.5 * r["draws"]
        r.update(buchholz=0.0, sonneborn_berger=0.0, head_to_head=0)
    if fmt in ("round_robin", "swiss"):
        for m in real:
            p1, p2 = match_ids(m)
            for me, op, s_me, s_op in ((p1, p2, m["score1"], m["score2"]),
                                       (p2, p1, m["score2"], m["score1"])):
                rows[me]["buchholz"] += rows[op]["points"]
                if s_me > s_op:
                    rows[me]["sonneborn_berger"] += rows[op]["points"]
                elif s_me == s_op:
                    rows[me]["sonneborn_berger"] += rows[op]["points"] / 2
                if rows[me]["points"] == rows[op]["points"]:
                    rows[me]["head_to_head"] += 3 if s_me > s_op else 1 if s_me == s_op else 0
    return rows


def check_standings(server, slug, fmt, b, seeds, complete):
    """GET standings against a recomputation from the bracket `b`. seeds: reg id -> seed."""
    r = server.get(f"/api/v1/tournaments/{slug}/standings")
    st = assert_json(r, 200)
    assert set(st) == STANDINGS_KEYS
    assert (st["tournament"], st["format"], st["complete"]) == (slug, fmt, complete)
    items = st["items"]
    assert len(items) == len(seeds)
    for it in items:
        assert set(it) == STANDING_KEYS, sorted(it)
        assert set(it["tiebreaks"]) == {"buchholz", "sonneborn_berger", "head_to_head"}
        p = it["participant"]
        assert set(p) == {"registration_id", "name", "seed"}
        assert seeds[p["registration_id"]] == p["seed"]
    assert sorted(it["participant"]["registration_id"] for it in items) == sorted(seeds)
    ranks = [it["rank"] for it in items]
    assert ranks[0] == 1 and ranks == sorted(ranks)
    for i, rk in enumerate(ranks):  # competition ranking: 1, 2, 2, 4
        assert rk == i + 1 or (i > 0 and rk == ranks[i - 1]), ranks
    for i in range(1, len(items)):  # rows sharing a rank are listed by seed
        if ranks[i] == ranks[i - 1]:
            assert items[i]["participant"]["seed"] > items[i - 1]["participant"]["seed"]
    matches = bracket_matches(b)
    table = recompute_points_table(matches, fmt, seeds)
    for it in items:
        want = table[it["participant"]["registration_id"]]
        got = {k: it[k] for k in ("played", "wins", "draws", "losses", "score_for",
                                  "score_against")}
        assert got == {k: want[k] for k in got}, (it, want)
        assert it["played"] == it["wins"] + it["draws"] + it["losses"]
    swiss_byes = sum(1 for m in matches if m["bracket"] == "swiss" and
                     m["state"] == "completed" and m["participant2"] is None)
    assert sum(it["wins"] for it in items) == sum(it["losses"] for it in items) + swiss_byes
    assert sum(it["draws"] for it in items) % 2 == 0
    if fmt in ("round_robin", "swiss"):
        check_points_ranking(items, table, complete)
    else:
        check_elimination_ranking(items, matches, fmt, complete)
    if complete:
        assert ranks.count(1) == 1, ranks
    return st


def check_points_ranking(items, table, complete):
    def key(it):
        w = table[it["participant"]["registration_id"]]
        return (w["points"], w["buchholz"], w["sonneborn_berger"], w["head_to_head"],
                w["score_for"] - w["score_against"])

    for it in items:
        w = table[it["participant"]["registration_id"]]
        assert it["points"] == w["points"], (it, w)
        tb = it["tiebreaks"]
        assert tb["buchholz"] == pytest.approx(w["buchholz"]), (it, w)
        assert tb["sonneborn_berger"] == pytest.approx(w["sonneborn_berger"]), (it, w)
        assert tb["head_to_head"] == w["head_to_head"], (it, w)
    keys = [key(it) for it in items]
    assert keys == sorted(keys, reverse=True), "standings not ordered by points, tie-breaks"
    for i in range(1, len(items)):
        same = keys[i] == keys[i - 1]
        if complete and items[i - 1]["rank"] == 1:
            assert items[i]["rank"] == 2, "a complete table has one champion"
        else:
            assert (items[i]["rank"] == items[i - 1]["rank"]) == same, (items[i - 1], items[i])


def check_elimination_ranking(items, matches, fmt, complete):
    k = max(m["round"] for m in matches if m["bracket"] == "winners")
    reached = {}
    for m in matches:
        base = {"winners": 0, "losers": k, "grand_final": 3 * k - 2}.get(m["bracket"])
        if base is None:
            continue
        for p in match_ids(m):
            if p is not None:
                reached[p] = max(reached.get(p, 0), base + m["round"])
    real = [m for m in matches if m["state"] == "completed" and None not in match_ids(m)]
    assert sum(it["wins"] for it in items) == sum(it["losses"] for it in items) == len(real)
    if fmt == "single_elimination":
        for it in items:
            assert it["reached_round"] == reached[it["participant"]["registration_id"]], it
    if not complete:
        return
    if fmt == "single_elimination":
        final = [m for m in matches if m["bracket"] == "winners" and m["round"] == k][0]
    else:
        final = max((m for m in matches if m["bracket"] == "grand_final"),
                    key=lambda m: m["round"])
    champion = final["winner"]["registration_id"]
    runner_up = [p for p in match_ids(final) if p != champion][0]
    value = {p: (1000 if p == champion else 2 * r) for p, r in reached.items()}
    for m in matches:
        if m["bracket"] == "third_place":
            value[m["winner"]["registration_id"]] += 1
    want = {}
    for p, v in value.items():
        want[p] = 1 + sum(1 for q in value.values() if q > v)
    got = {it["participant"]["registration_id"]: it["rank"] for it in items}
    assert got == want, (got, want)
    assert got[runner_up] == 2
    by_rank = sorted(got.values())
    n = len(items)
    if fmt == "single_elimination" and n >= 4:
        third = [m for m in matches if m["bracket"] == "third_place"]
        assert by_rank[:4] == ([1, 2, 3, 4] if third else [1, 2, 3, 3]), by_rank
    if fmt == "double_elimination" and n >= 3:
        assert by_rank[:3] == [1, 2, 3], by_rank


# ------------------------------------------------------------------ play

def player_checks(server, slug, fmt, players, seeds):
    """The `after` callback of play_out: everything one result must and must not do,
    and the standings recomputed after every result."""
    state = {"results": 0}

    def after(before, m, answer, nb):
        state["results"] += 1
        assert set(answer) == MATCH_KEYS
        assert answer["id"] == m["id"] and answer["state"] == "completed"
        assert answer["completed_at"] is not None
        assert (answer["participant1"], answer["participant2"]) == \
            (m["participant1"], m["participant2"])
        s1, s2 = answer["score1"], answer["score2"]
        assert answer["winner"] == (m["participant1"] if s1 > s2 else
                                    m["participant2"] if s2 > s1 else None)
        assert nb["version"] > before["version"], "a result did not raise the version"
        status = "completed" if nb["status"] == "completed" else "live"
        by_id = check_bracket_answer(nb, slug, fmt, status)
        assert by_id[m["id"]] == answer, "the result answer differs from the bracket"
        everything_done = all(x["state"] == "completed" for x in by_id.values())
        assert (nb["status"] == "completed") == everything_done, \
            f"status {nb['status']} with every match completed: {everything_done}"
        # the winner (and the loser) moved on
        if answer["winner"] is not None:
            loser = answer["participant2"] if answer["winner"] == answer["participant1"] \
                else answer["participant1"]
            for link, who in ((answer["next_match"], answer["winner"]),
                              (answer["loser_next_match"], loser)):
                if link is not None:
                    side = "participant1" if link["slot"] == 1 else "participant2"
                    assert by_id[link["id"]][side] == who, (answer, by_id[link["id"]])
        # only the reported match and what it fed changed (byes it completed, and what
        # those fed); new matches only as the next Swiss round or the grand-final reset
        old = {x["id"]: x for x in bracket_matches(before)}
        assert set(old) <= set(by_id), "a result removed matches"
        changed = {i for i in old if old[i] != by_id[i]}
        reach, frontier = {m["id"]}, [m["id"]]
        while frontier:
            x = by_id[frontier.pop()]
            if x["state"] != "completed":
                continue
            for link in (x["next_match"], x["loser_next_match"]):
                if link and link["id"] in changed and link["id"] not in reach:
                    reach.add(link["id"])
                    frontier.append(link["id"])
        assert changed <= reach, f"unrelated matches changed: {sorted(changed - reach)}"
        new = [x for x in by_id.values() if x["id"] not in old]
        if fmt == "swiss":
            last = max(x["round"] for x in by_id.values())
            for x in by_id.values():
                if x["round"] < last:
                    assert x["state"] == "completed", "a Swiss round opened too early"
            prev_last = max(x["round"] for x in old.values())
            prev_done = all(x["state"] == "completed" for x in by_id.values()
                            if x["round"] == prev_last)
            if new:
                assert prev_done and {x["round"] for x in new} == {prev_last + 1}
                assert all(x["state"] in ("ready", "completed") for x in new)
                check_swiss_round(list(by_id.values()), prev_last + 1, players)
            else:
                assert not prev_done or nb["status"] == "completed", \
                    "a Swiss round completed and the next one was not paired"
        elif new:
            assert fmt == "double_elimination" and len(new) == 1, new
            reset = new[0]
            assert (reset["bracket"], reset["round"], reset["state"]) == \
                ("grand_final", 2, "ready")
            assert m["bracket"] == "grand_final" and answer["winner"] == m["participant2"]
            assert (reset["participant1"], reset["participant2"]) == \
                (m["participant1"], m["participant2"])
        check_standings(server, slug, fmt, nb, seeds, complete=nb["status"] == "completed")

    return after, state


def start_and_play(server, org, users, fmt, opts, rng_seed, check_start):
    t, regs = tournament_with(server, org, users, format=fmt, format_options=opts)
    slug = t["slug"]
    v0 = server.state(slug)["version"]
    d = assert_json(go_live(server, org, slug), 200)
    assert d["status"] == "live" and d["version"] > v0
    st = server.state(slug)
    assert (st["status"], st["current_round"], st["version"]) == ("live", 1, d["version"])
    listed = list_registrations(server, slug)
    seeds = {x["id"]: x["seed"] for x in listed}
    assert seeds == {r["id"]: i + 1 for i, r in enumerate(regs)}, "seeds by registration order"
    b = get_bracket(server, slug)
    assert (b["version"], b["current_round"]) == (d["version"], 1)
    check_bracket_answer(b, slug, fmt, "live")
    check_start(b, regs)
    check_standings(server, slug, fmt, b, seeds, complete=False)
    players = [r["id"] for r in regs]
    after, counter = player_checks(server, slug, fmt, players, seeds)
    rng = random.Random(rng_seed)
    final, results = play_out(server, org, slug, rng, draws=fmt in ("round_robin", "swiss"),
                              after=after)
    assert results == counter["results"] > 0
    st = server.state(slug)
    assert st["status"] == "completed" and st["version"] == final["version"]
    assert server.detail(slug)["status"] == "completed"
    check_bracket_answer(final, slug, fmt, "completed")
    check_standings(server, slug, fmt, final, seeds, complete=True)
    # nothing is left to report
    for m in bracket_matches(final)[:3]:
        assert_error(server.post(f"/api/v1/matches/{m['id']}/result", user=org,
                                 json={"score1": 1, "score2": 0}), 409, "match_not_ready")
    return slug, final, regs


# ------------------------------------------------------------------ every format, played

@pytest.mark.parametrize("n,third", [(2, False), (3, True), (4, True), (5, False), (5, True),
                                     (6, False), (8, True), (13, False), (13, True),
                                     (16, True)])
def test_single_elimination_played_to_completion(server, alice, pool, n, third):
    opts = {"third_place_match": third}

    def check_start(b, regs):
        check_elimination_start(b, "single_elimination", n, opts,
                                {i + 1: r["id"] for i, r in enumerate(regs)})

    _slug, final, _ = start_and_play(server, alice, pool[:n], "single_elimination", opts,
                                     f"se-{n}-{third}", check_start)
    ms = bracket_matches(final)
    assert len(ms) == expected_match_count("single_elimination", n, opts)


@pytest.mark.parametrize("n,gf", [(2, "reset"), (2, "single"), (3, "single"), (4, "reset"),
                                  (5, "reset"), (6, "single"), (7, "reset"), (8, "reset"),
                                  (8, "single"), (11, "single"), (13, "reset"),
                                  (16, "reset")])
def test_double_elimination_played_to_completion(server, alice, pool, n, gf):
    opts = {"grand_final": gf}

    def check_start(b, regs):
        check_elimination_start(b, "double_elimination", n, opts,
                                {i + 1: r["id"] for i, r in enumerate(regs)})

    _slug, final, regs = start_and_play(server, alice, pool[:n], "double_elimination", opts,
                                        f"de-{n}-{gf}", check_start)
    ms = bracket_matches(final)
    finals = sorted((m for m in ms if m["bracket"] == "grand_final"), key=lambda m: m["round"])
    g1 = finals[0]
    lb_champion_won = g1["winner"] == g1["participant2"]
    if gf == "reset" and lb_champion_won:
        assert [m["round"] for m in finals] == [1, 2], "the reset final is missing"
        assert (finals[1]["participant1"], finals[1]["participant2"]) == \
            (g1["participant1"], g1["participant2"])
    else:
        assert [m["round"] for m in finals] == [1]
    # every participant but the champion lost exactly twice, except a single final's
    # runner-up who may have lost once
    losses = {r["id"]: 0 for r in regs}
    for m in ms:
        if m["score1"] is not None:
            a, b = match_ids(m)
            losses[b if m["winner"]["registration_id"] == a else a] += 1
    champion = finals[-1]["winner"]["registration_id"]
    runner_up = [p for p in match_ids(finals[-1]) if p != champion][0]
    for p, cnt in losses.items():
        if p == champion:
            assert cnt <= 1
        elif p == runner_up and gf == "single":
            assert cnt in (1, 2)
        else:
            assert cnt == 2, (p, cnt)


@pytest.mark.parametrize("n,double", [(2, False), (3, True), (4, False), (5, False),
                                      (6, True), (7, False), (8, False)])
def test_round_robin_played_to_completion(server, alice, pool, n, double):
    opts = {"double": double}

    def check_start(b, regs):
        check_round_robin_start(b, n, double, regs)
        assert len(bracket_matches(b)) == expected_match_count("round_robin", n, opts)

    _slug, final, regs = start_and_play(server, alice, pool[:n], "round_robin", opts,
                                        f"rr-{n}-{double}", check_start)
    meetings = {}
    for m in bracket_matches(final):
        pair = frozenset(match_ids(m))
        meetings[pair] = meetings.get(pair, 0) + 1
    assert len(meetings) == n * (n - 1) // 2
    assert set(meetings.values()) == {2 if double else 1}, "every pair meets once (twice)"


@pytest.mark.parametrize("n,rounds", [(2, None), (3, None), (4, None), (5, None), (6, None),
                                      (7, None), (6, 4), (5, 5), (7, 2), (9, None),
                                      (16, None)])
def test_swiss_played_to_completion(server, alice, pool, n, rounds):
    opts = {"rounds": rounds}

    def check_start(b, regs):
        check_swiss_start(b, n, regs)
        assert len(bracket_matches(b)) == expected_match_count("swiss", n, opts)

    _slug, final, regs = start_and_play(server, alice, pool[:n], "swiss", opts,
                                        f"sw-{n}-{rounds}", check_start)
    ms = bracket_matches(final)
    want_rounds = rounds if rounds is not None else ceil_log2(n)
    assert sorted({m["round"] for m in ms}) == list(range(1, want_rounds + 1))
    for r in range(1, want_rounds + 1):
        assert len([m for m in ms if m["round"] == r]) == (n + 1) // 2
        check_swiss_round(ms, r, [x["id"] for x in regs])


# ------------------------------------------------------------------ who plays

def pay_and_verify(server, organizer, user, reg, fee):
    p = assert_json(server.post(f"{REG}/{reg['id']}/payments", user=user,
                                json={"amount_cents": fee, "method": "card"}), 201)
    assert_json(server.post(f"/api/v1/payments/{p['id']}/verify", user=organizer), 200)


def test_start_plays_confirmed_only_and_numbers_explicit_seeds_first(server, alice, pool):
    """Paid tournament: pending (unpaid) and cancelled registrations do not play, even
    when seeded; explicit seeds first (by seed), then registration order; seeds 1..n."""
    fee = 700
    u = pool[:7]
    t = server.create_tournament(alice, status="registration_open", entry_fee_cents=fee,
                                 max_participants=8)
    slug = t["slug"]
    regs = [assert_json(register(server, x, slug), 201) for x in u]
    for i in (0, 1, 3, 4, 5, 6):
        pay_and_verify(server, alice, u[i], regs[i], fee)
    # regs[2] stays pending; regs[4] is cancelled after paying
    assert_json(server.delete(f"{REG}/{regs[4]['id']}", user=u[4]), 200)
    ids = [r["id"] for r in regs]
    # seeds: pending 1, regs[5] 2, regs[3] 3 (the rest unseeded)
    assert_json(put_seeding(server, alice, slug, {"order": [ids[2], ids[5], ids[3]]}), 200)
    server.move(alice, slug, "registration_closed")
    v0 = server.state(slug)["version"]
    d = assert_json(go_live(server, alice, slug), 200)
    assert d["status"] == "live" and d["version"] > v0
    seeds = {x["id"]: x["seed"] for x in list_registrations(server, slug)}
    want_order = [ids[5], ids[3], ids[0], ids[1], ids[6]]
    assert seeds == {**{i: None for i in ids}, **{rid: k + 1 for k, rid in
                                                   enumerate(want_order)}}
    b = get_bracket(server, slug)
    playing = {i for m in bracket_matches(b) for i in match_ids(m) if i is not None}
    assert playing == set(want_order)
    check_elimination_start(b, "single_elimination", 5, {},
                            {k + 1: rid for k, rid in enumerate(want_order)})
    names = {s["registration_id"]: s for m in bracket_matches(b)
             for s in (m["participant1"], m["participant2"]) if s}
    for k, rid in enumerate(want_order):
        assert names[rid]["seed"] == k + 1
        assert names[rid]["name"] == u[ids.index(rid)].data["display_name"]


def test_start_with_check_in_plays_only_checked_in(server, alice, pool):
    t, regs = tournament_with(server, alice, pool[:6], check_in_required=True)
    slug = t["slug"]
    for i in (4, 1, 3):  # check-in order does not matter, registration order does
        r = server.post(f"{REG}/{regs[i]['id']}/check-in", user=pool[i])
        assert assert_json(r, 200)["status"] == "checked_in"
    assert_json(go_live(server, alice, slug), 200)
    seeds = {x["id"]: x["seed"] for x in list_registrations(server, slug)}
    want = [regs[1]["id"], regs[3]["id"], regs[4]["id"]]
    assert seeds == {**{r["id"]: None for r in regs}, **{rid: k + 1 for k, rid in
                                                          enumerate(want)}}
    b = get_bracket(server, slug)
    playing = {i for m in bracket_matches(b) for i in match_ids(m) if i is not None}
    assert playing == set(want)
    assert len(bracket_matches(b)) == 3  # 4 slots: 1 v bye, 2 v 3, the final


@pytest.mark.parametrize("case", ["none", "one", "one-plus-cancelled", "one-checked-in",
                                  "one-confirmed-one-pending"])
def test_start_needs_two_players(server, alice, pool, case):
    over = {}
    if case == "one-checked-in":
        over["check_in_required"] = True
    if case == "one-confirmed-one-pending":
        over["entry_fee_cents"] = 300
    users = {"none": [], "one": pool[:1]}.get(case, pool[:3])
    t, regs = tournament_with(server, alice, users, **over, max_participants=4)
    slug = t["slug"]
    if case == "one-plus-cancelled":
        assert_json(server.delete(f"{REG}/{regs[1]['id']}", user=pool[1]), 200)
        assert_json(server.delete(f"{REG}/{regs[2]['id']}", user=pool[2]), 200)
    if case == "one-checked-in":
        assert_json(server.post(f"{REG}/{regs[0]['id']}/check-in", user=pool[0]), 200)
    if case == "one-confirmed-one-pending":
        # pay only for the first one; the others stay pending
        p = assert_json(server.post(f"{REG}/{regs[0]['id']}/payments", user=pool[0],
                                    json={"amount_cents": 300, "method": "card"}), 201)
        assert_json(server.post(f"/api/v1/payments/{p['id']}/verify", user=alice), 200)
    before = server.detail(slug)
    regs_before = list_registrations(server, slug)
    assert_error(go_live(server, alice, slug), 409, "invalid_transition")
    assert server.detail(slug) == before
    assert list_registrations(server, slug) == regs_before
    b = get_bracket(server, slug)
    assert b["brackets"] == [] and b["status"] == "registration_closed"
    assert server.state(slug)["current_round"] == 0


@pytest.mark.parametrize("status", ["draft", "published", "registration_open", "cancelled",
                                    "live", "completed"])
def test_start_refused_from_other_statuses(server, alice, pool, status):
    if status in ("draft", "published", "cancelled"):
        t = server.create_tournament(alice, status=status)
        slug = t["slug"]
    else:
        t, regs = tournament_with(server, alice, pool[:2], status="registration_open")
        slug = t["slug"]
        if status in ("live", "completed"):
            server.move(alice, slug, "registration_closed", "live")
        if status == "completed":
            (m,) = [m for m in bracket_matches(get_bracket(server, slug))]
            assert_json(server.post(f"/api/v1/matches/{m['id']}/result", user=alice,
                                    json={"score1": 2, "score2": 1}), 200)
            assert server.state(slug)["status"] == "completed"
    before = server.detail(slug, user=alice)
    bracket_before = get_bracket(server, slug, user=alice)
    assert_error(go_live(server, alice, slug), 409, "invalid_transition")
    assert server.detail(slug, user=alice) == before
    assert get_bracket(server, slug, user=alice) == bracket_before


def test_live_and_completed_show_current_round_everywhere(server, alice, pool):
    t, regs = tournament_with(server, alice, pool[:4], format="single_elimination")
    slug = t["slug"]
    st = server.state(slug)
    assert st["current_round"] == 0
    assert get_bracket(server, slug)["current_round"] == 0
    assert_json(go_live(server, alice, slug), 200)
    for expected_round in (1, 1, 2):
        b = get_bracket(server, slug)
        st = server.state(slug)
        states = assert_json(server.get("/api/v1/tournament-states",
                                        params={"slugs": slug}), 200)["states"]
        assert b["current_round"] == st["current_round"] == \
            states[slug]["current_round"] == expected_round
        assert b["version"] == st["version"] == states[slug]["version"]
        m = [x for x in bracket_matches(b) if x["state"] == "ready"][0]
        assert_json(server.post(f"/api/v1/matches/{m['id']}/result", user=alice,
                                json={"score1": 3, "score2": 1}), 200)
    st = server.state(slug)
    assert st["status"] == "completed" and st["current_round"] == 2


def test_five_players_in_eight_slots(server, alice, pool):
    """Single elimination, n = 5: seeds 1-3 get byes (completed at once, already in round
    2), 4 v 5 is the only first-round match, 2 v 3 is ready at once, 1 waits."""
    t, regs = tournament_with(server, alice, pool[:5], status="live")
    b = get_bracket(server, t["slug"])
    ms = bracket_matches(b)
    assert [(br["bracket"], [len(rd["matches"]) for rd in br["rounds"]])
            for br in b["brackets"]] == [("winners", [4, 2, 1])]

    def seeds(m):
        return tuple(s and s["seed"] for s in (m["participant1"], m["participant2"]))

    r1 = [m for m in ms if m["round"] == 1]
    assert [(seeds(m), m["state"]) for m in r1] == [
        ((1, None), "completed"), ((4, 5), "ready"), ((2, None), "completed"),
        ((3, None), "completed")]
    r2 = [m for m in ms if m["round"] == 2]
    assert [(seeds(m), m["state"]) for m in r2] == [((1, None), "pending"), ((2, 3), "ready")]
    assert [(seeds(m), m["state"]) for m in ms if m["round"] == 3] == [((None, None),
                                                                         "pending")]
    ready = assert_json(server.get(f"/api/v1/tournaments/{t['slug']}/matches",
                                   params={"state": "ready"}), 200)["items"]
    assert [seeds(m) for m in ready] == [(4, 5), (2, 3)]


def test_concurrent_starts_generate_one_bracket(server, alice, pool):
    t, regs = tournament_with(server, alice, pool[:6], format="double_elimination")
    slug = t["slug"]
    res = in_parallel(lambda _i: go_live(server, alice, slug), range(5))
    assert not [r for r in res if isinstance(r, Exception)], res
    assert sorted(r.status_code for r in res) == [200, 409, 409, 409, 409]
    for r in res:
        if r.status_code == 409:
            assert_error(r, 409, "invalid_transition")
    b = get_bracket(server, slug)
    assert len(bracket_matches(b)) == expected_match_count("double_elimination", 6, {})
    assert sorted(x["seed"] for x in list_registrations(server, slug)) == [1, 2, 3, 4, 5, 6]


def test_team_tournament_plays_under_team_names(server, alice, team_game, pool):
    teams = [create_team(server, pool[0], pool[1:5]), create_team(server, pool[5], pool[6:10]),
             create_team(server, pool[10], pool[11:15])]
    t = server.create_tournament(alice, status="registration_open", game=team_game["slug"],
                                 participant_type="team", max_participants=4,
                                 format="round_robin")
    slug = t["slug"]
    regs = [assert_json(register(server, pool[i * 5], slug, team_id=team["id"]), 201)
            for i, team in enumerate(teams)]
    server.move(alice, slug, "registration_closed", "live")
    name_of = {r["id"]: teams[i]["name"] for i, r in enumerate(regs)}
    b = get_bracket(server, slug)
    for m in bracket_matches(b):
        for s in (m["participant1"], m["participant2"]):
            assert s["name"] == name_of[s["registration_id"]]
    final, _ = play_out(server, alice, slug, random.Random("teams"), draws=True)
    st = get_standings(server, slug)
    assert {it["participant"]["registration_id"]: it["participant"]["name"]
            for it in st["items"]} == name_of
    assert st["complete"] is True


def test_match_list_filters_and_single_match_agree_with_the_bracket(server, alice, pool):
    t, regs = tournament_with(server, alice, pool[:8], status="live",
                              format="double_elimination")
    slug = t["slug"]
    rng = random.Random("filters")
    for _ in range(7):
        b = get_bracket(server, slug)
        m = rng.choice([x for x in bracket_matches(b) if x["state"] == "ready"])
        assert_json(server.post(f"/api/v1/matches/{m['id']}/result", user=alice,
                                json={"score1": 1, "score2": 2}), 200)
    b = get_bracket(server, slug)
    ms = sorted(bracket_matches(b), key=lambda m: m["id"])
    url = f"/api/v1/tournaments/{slug}/matches"
    for key, values in (("state", ["pending", "ready", "live", "completed"]),
                        ("bracket", BRACKET_KINDS), ("round", [1, 2, 3, 4, 5])):
        for v in values:
            got = assert_json(server.get(url, params={key: v, "limit": 100}), 200)
            assert got["next_cursor"] is None
            assert got["items"] == [m for m in ms if m[key] == v], (key, v)
    got = assert_json(server.get(url, params={"bracket": "losers", "round": 2,
                                              "state": "completed", "limit": 100}), 200)
    assert got["items"] == [m for m in ms if (m["bracket"], m["round"], m["state"]) ==
                            ("losers", 2, "completed")]
    for m in ms:
        assert assert_json(server.get(f"/api/v1/matches/{m['id']}"), 200) == m


def test_next_match_on_the_players_dashboard(server, alice, pool):
    t, regs = tournament_with(server, alice, pool[:2], status="live")
    (m,) = bracket_matches(get_bracket(server, t["slug"]))
    for u in pool[:2]:
        mine = [x for x in my_registrations(server, u) if x["tournament"]["slug"] == t["slug"]]
        assert mine[0]["next_match"] == {"id": m["id"], "bracket": "winners", "round": 1,
                                         "state": "ready"}
    assert_json(server.post(f"/api/v1/matches/{m['id']}/result", user=alice,
                            json={"score1": 1, "score2": 0}), 200)
    for u in pool[:2]:
        mine = [x for x in my_registrations(server, u) if x["tournament"]["slug"] == t["slug"]]
        assert mine[0]["next_match"] is None
        assert mine[0]["tournament"]["status"] == "completed"
