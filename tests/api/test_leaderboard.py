"""Game leaderboards: the background snapshot equals a recount from the database, pages
walk it by rank, and completing a tournament refreshes it without waiting for the
interval."""
import sqlite3
import time

import pytest

from support import ServerError, TourneyServer, assert_error, assert_json, binary_path


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    # a long interval: only the start-up snapshot and kicks may refresh it during the tests
    srv = TourneyServer(binary_path(), tmp_path_factory.mktemp("lb"), seed=True,
                        flags={"--leaderboard-interval": "3600"})
    try:
        srv.start()
    except ServerError as e:
        pytest.fail(str(e), pytrace=False)
    yield srv
    problems = srv.stop()
    assert not problems, problems


def ro(srv):
    c = sqlite3.connect(f"file:{srv.db}?mode=ro", uri=True)
    c.row_factory = sqlite3.Row
    return c


def wait_computed(srv, slug, timeout=20):
    """The start-up snapshot is computed in the background: wait for it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        b = assert_json(srv.get(f"/api/v1/games/{slug}/leaderboard"), 200)
        if b["computed_at"]:
            return b
        time.sleep(0.1)
    pytest.fail(f"leaderboard of {slug} not computed in {timeout} s")


def recount(srv, game_slug):
    """Per player: tournaments, wins, losses, points (3 per win, 1 per draw), from the
    completed matches with two sides; team entries credit every member."""
    q = """
    WITH sides AS (
      SELECT m.tournament_id AS tid, m.p1_registration_id AS reg,
             m.winner_registration_id = m.p1_registration_id AS won,
             m.winner_registration_id = m.p2_registration_id AS lost,
             m.winner_registration_id IS NULL AS drew
      FROM matches m JOIN tournaments t ON t.id = m.tournament_id JOIN games g ON g.id = t.game_id
      WHERE g.slug = ?1 AND m.state = 'completed' AND m.p1_registration_id IS NOT NULL
        AND m.p2_registration_id IS NOT NULL AND t.is_deleted = 0
      UNION ALL
      SELECT m.tournament_id, m.p2_registration_id,
             m.winner_registration_id = m.p2_registration_id,
             m.winner_registration_id = m.p1_registration_id,
             m.winner_registration_id IS NULL
      FROM matches m JOIN tournaments t ON t.id = m.tournament_id JOIN games g ON g.id = t.game_id
      WHERE g.slug = ?1 AND m.state = 'completed' AND m.p1_registration_id IS NOT NULL
        AND m.p2_registration_id IS NOT NULL AND t.is_deleted = 0)
    SELECT coalesce(tm.user_id, r.user_id) AS uid, count(DISTINCT s.tid) AS tournaments,
           sum(s.won) AS won, sum(s.lost) AS lost, 3 * sum(s.won) + sum(s.drew) AS points
    FROM sides s JOIN registrations r ON r.id = s.reg
    LEFT JOIN team_members tm ON tm.team_id = r.team_id GROUP BY uid"""
    with ro(srv) as c:
        return {r["uid"]: (r["tournaments"], r["won"], r["lost"], r["points"])
                for r in c.execute(q, (game_slug,))}


def walk(srv, slug, limit):
    items, cursor = [], None
    while True:
        params = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        page = assert_json(srv.get(f"/api/v1/games/{slug}/leaderboard", params=params), 200)
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items, page


def game_slugs(srv):
    with ro(srv) as c:
        return [r["slug"] for r in c.execute("SELECT slug FROM games ORDER BY id")]


def test_snapshot_equals_a_recount(seeded):
    checked = 0
    for slug in game_slugs(seeded):
        wait_computed(seeded, slug)
        items, last = walk(seeded, slug, 7)
        want = recount(seeded, slug)
        assert {i["user"]["id"] for i in items} == set(want)
        for i in items:
            assert (i["tournaments"], i["matches_won"], i["matches_lost"], i["points"]) == \
                want[i["user"]["id"]]
        # competition ranks by points then wins; rows listed by rank
        keys = [(-i["points"], -i["matches_won"]) for i in items]
        assert keys == sorted(keys)
        for k, i in enumerate(items):
            if k and keys[k] == keys[k - 1]:
                assert i["rank"] == items[k - 1]["rank"]
            else:
                assert i["rank"] == k + 1
        assert last["game"]["slug"] == slug and last["computed_at"]
        checked += len(items)
    assert checked > 0


def test_pages_walk_without_repeats(seeded):
    slug = max(game_slugs(seeded), key=lambda s: len(recount(seeded, s)))
    wait_computed(seeded, slug)
    a, _ = walk(seeded, slug, 3)
    b, _ = walk(seeded, slug, 100)
    assert [i["user"]["id"] for i in a] == [i["user"]["id"] for i in b]
    assert len({i["user"]["id"] for i in a}) == len(a)


def test_bad_requests(seeded):
    assert_error(seeded.get("/api/v1/games/no-such-game/leaderboard"), 404, "not_found")
    slug = game_slugs(seeded)[0]
    for params, field in (({"limit": "0"}, "limit"), ({"cursor": "nope"}, "cursor"),
                          ({"limit": "x"}, "limit")):
        assert_error(seeded.get(f"/api/v1/games/{slug}/leaderboard", params=params), 400,
                     "validation_failed", field)
    assert_error(seeded.post(f"/api/v1/games/{slug}/leaderboard", json={}), 405,
                 "method_not_allowed")


def test_completing_a_tournament_refreshes_the_leaderboard(seeded):
    """With a one-hour interval, only the kick of a completed tournament can refresh the
    snapshot: play a whole tournament and watch its players appear."""
    admin = seeded.admin
    slug_game = "kick-" + str(int(time.time() * 1000) % 10 ** 8)
    assert seeded.post("/api/v1/games", user=admin,
                       json={"slug": slug_game, "name": "Kick Game"}).status_code == 201
    t = assert_json(seeded.post("/api/v1/tournaments", user=admin, json={
        "name": "Kick Cup", "game": slug_game, "format": "single_elimination",
        "participant_type": "solo", "max_participants": 8,
        "start_at": "2030-01-01T00:00:00Z"}), 201)
    for st in ("published", "registration_open"):
        seeded.post(f"/api/v1/tournaments/{t['slug']}/status", user=admin, json={"status": st})
    players = [seeded.new_user("kick") for _ in range(4)]
    for p in players:
        assert seeded.post(f"/api/v1/tournaments/{t['slug']}/registrations",
                           user=p).status_code == 201
    for st in ("registration_closed", "live"):
        r = seeded.post(f"/api/v1/tournaments/{t['slug']}/status", user=admin,
                        json={"status": st})
        assert r.status_code == 200, r.text
    before = assert_json(seeded.get(f"/api/v1/games/{slug_game}/leaderboard"), 200)
    assert before["items"] == []
    while True:
        ready = assert_json(seeded.get(f"/api/v1/tournaments/{t['slug']}/matches",
                                       params={"state": "ready"}), 200)["items"]
        if not ready:
            break
        for m in ready:
            r = seeded.post(f"/api/v1/matches/{m['id']}/result", user=admin,
                            json={"score1": 2, "score2": 1})
            assert r.status_code == 200, r.text
    assert seeded.state(t["slug"])["status"] == "completed"
    deadline = time.time() + 15
    while time.time() < deadline:
        lb = assert_json(seeded.get(f"/api/v1/games/{slug_game}/leaderboard"), 200)
        if lb["items"]:
            break
        time.sleep(0.1)
    assert {i["user"]["id"] for i in lb["items"]} == {p.id for p in players}
    top = lb["items"][0]
    assert top["rank"] == 1 and top["matches_won"] == 2 and top["points"] == 6
    assert sum(i["matches_won"] for i in lb["items"]) == 3
    assert sum(i["matches_lost"] for i in lb["items"]) == 3


def test_idle_server_keeps_its_snapshot(tmp_path):
    """Every interval recomputes only when something was written since the last snapshot:
    an idle server does not scan every match each interval (its snapshot is still exact),
    and any write brings the recomputation back at the next interval."""
    srv = TourneyServer(binary_path(), tmp_path, seed=True,
                        flags={"--leaderboard-interval": "1"})
    try:
        srv.start()
    except ServerError as e:
        pytest.fail(str(e), pytrace=False)
    try:
        slug = game_slugs(srv)[0]
        first = wait_computed(srv, slug)["computed_at"]
        time.sleep(3.5)  # three intervals without a write
        assert assert_json(srv.get(f"/api/v1/games/{slug}/leaderboard"), 200)["computed_at"] \
            == first
        srv.login("admin", "demo-password")  # a write: the session's token
        deadline = time.time() + 15
        while time.time() < deadline:
            now = assert_json(srv.get(f"/api/v1/games/{slug}/leaderboard"), 200)["computed_at"]
            if now != first:
                break
            time.sleep(0.2)
        else:
            pytest.fail("no new snapshot after a write")
    finally:
        problems = srv.stop()
        assert not problems, problems
