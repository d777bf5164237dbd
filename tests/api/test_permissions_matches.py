"""Who may do what on the endpoints of the brackets issue: PUT seeding, POST / DELETE a
result, GET standings, matches, bracket and one match, for {anonymous, other user,
registered player, organizer, admin} -> the exact status. Refused requests change
nothing; allowed ones have their effect. Drafts are invisible (404) to all but their
organizer and admins; deleted tournaments to everyone."""

import pytest

from support import (ERROR_CODE_OF_STATUS, assert_error, assert_json, bracket_matches,
                     get_bracket, list_registrations, tournament_with, user_pool)

ROLES = ["anon", "other", "player", "organizer", "admin"]
NA = None


def E(anon, other, player, organizer, admin):
    return dict(zip(ROLES, (anon, other, player, organizer, admin)))


# name: (method, path, world, body, expected)
CASES = {
    "seeding": ("PUT", "/api/v1/tournaments/{slug}/seeding", "closed",
                {"method": "random", "rng_seed": 5}, E(401, 403, 403, 200, 200)),
    "seeding-bad-body": ("PUT", "/api/v1/tournaments/{slug}/seeding", "closed",
                         {"order": "nonsense"}, E(401, 403, 403, 400, 400)),
    "seeding-draft": ("PUT", "/api/v1/tournaments/{slug}/seeding", "draft",
                      {"method": "registration_order"}, E(401, 404, NA, 200, 200)),
    "seeding-live": ("PUT", "/api/v1/tournaments/{slug}/seeding", "live",
                     {"method": "registration_order"}, E(401, 403, 403, 409, 409)),
    "result": ("POST", "/api/v1/matches/{ready}/result", "live", {"score1": 2, "score2": 1},
               E(401, 403, 403, 200, 200)),
    "result-bad-body": ("POST", "/api/v1/matches/{ready}/result", "live",
                        {"score1": -2, "score2": 1}, E(401, 403, 403, 400, 400)),
    "result-completed": ("POST", "/api/v1/matches/{completed}/result", "live",
                         {"score1": 2, "score2": 1}, E(401, 403, 403, 409, 409)),
    "reopen": ("DELETE", "/api/v1/matches/{completed}/result", "live", None,
               E(401, 403, 403, 200, 200)),
    "reopen-ready": ("DELETE", "/api/v1/matches/{ready}/result", "live", None,
                     E(401, 403, 403, 409, 409)),
    "standings": ("GET", "/api/v1/tournaments/{slug}/standings", "live", None,
                  E(200, 200, 200, 200, 200)),
    "matches": ("GET", "/api/v1/tournaments/{slug}/matches", "live", None,
                E(200, 200, 200, 200, 200)),
    "bracket": ("GET", "/api/v1/tournaments/{slug}/bracket", "live", None,
                E(200, 200, 200, 200, 200)),
    "match": ("GET", "/api/v1/matches/{ready}", "live", None, E(200, 200, 200, 200, 200)),
    "standings-draft": ("GET", "/api/v1/tournaments/{slug}/standings", "draft", None,
                        E(404, 404, NA, 200, 200)),
    "matches-draft": ("GET", "/api/v1/tournaments/{slug}/matches", "draft", None,
                      E(404, 404, NA, 200, 200)),
    "bracket-draft": ("GET", "/api/v1/tournaments/{slug}/bracket", "draft", None,
                      E(404, 404, NA, 200, 200)),
    "standings-deleted": ("GET", "/api/v1/tournaments/{slug}/standings", "deleted", None,
                          E(404, 404, 404, 404, 404)),
    "matches-deleted": ("GET", "/api/v1/tournaments/{slug}/matches", "deleted", None,
                        E(404, 404, 404, 404, 404)),
    "bracket-deleted": ("GET", "/api/v1/tournaments/{slug}/bracket", "deleted", None,
                        E(404, 404, 404, 404, 404)),
    "seeding-deleted": ("PUT", "/api/v1/tournaments/{slug}/seeding", "deleted",
                        {"method": "registration_order"}, E(401, 404, 404, 404, 404)),
}

PARAMS = [(name, role) for name, case in CASES.items() for role in ROLES
          if case[4][role] is not NA]


@pytest.fixture(scope="module")
def pool(server):
    return user_pool(server, 16)


def build_world(server, organizer, players, kind):
    """A tournament of `organizer` in the given state; players[0] is the registered
    player. Returns a dict of path parameters."""
    if kind == "draft":
        t = server.create_tournament(organizer, format="round_robin")
        return {"slug": t["slug"]}
    t, regs = tournament_with(server, organizer, players[:4], format="round_robin",
                              status="registration_closed" if kind == "closed" else "live")
    out = {"slug": t["slug"]}
    if kind in ("live", "deleted"):
        mine = [m for m in bracket_matches(get_bracket(server, t["slug"]))
                if regs[0]["id"] in (m["participant1"]["registration_id"],
                                     m["participant2"]["registration_id"])]
        ready, done = mine[0], mine[1]
        r = server.post(f"/api/v1/matches/{done['id']}/result", user=organizer,
                        json={"score1": 1, "score2": 0})
        assert_json(r, 200)
        out.update(ready=ready["id"], completed=done["id"])
    if kind == "deleted":
        assert server.delete(f"/api/v1/tournaments/{t['slug']}", user=organizer).status_code \
            == 204
    return out


def snapshot(server, organizer, slug):
    r = server.get(f"/api/v1/tournaments/{slug}/bracket", user=organizer)
    if r.status_code == 404:
        return None
    return (assert_json(r, 200), list_registrations(server, slug, user=organizer),
            server.detail(slug, user=organizer))


@pytest.mark.parametrize("name,role", PARAMS, ids=[f"{n}-{r}" for n, r in PARAMS])
def test_permission(server, alice, bob, admin, pool, name, role):
    method, path, kind, body, expected = CASES[name]
    world = build_world(server, alice, pool, kind)
    who = {"anon": None, "other": bob, "player": pool[0], "organizer": alice,
           "admin": admin}[role]
    url = path.format(**world)
    before = snapshot(server, alice, world["slug"])
    kw = {"json": body} if body is not None else {}
    r = server.request(method, url, user=who, **kw)
    want = expected[role]
    if want >= 400:
        code = ERROR_CODE_OF_STATUS[want]
        if name.startswith(("result", "reopen")) and want == 409:
            code = "match_not_ready"
        if name == "seeding-live" and want == 409:
            code = "invalid_transition"
        assert_error(r, want, code)
    else:
        assert r.status_code == want, f"{role}: {r.status_code} {r.text[:300]}"
        assert_json(r)
    after = snapshot(server, alice, world["slug"])
    if method == "GET" or want >= 400:
        assert after == before, f"{method} {url} as {role} ({r.status_code}) changed things"
        return
    # the allowed writes did what they say
    bracket_before, regs_before, detail_before = before
    bracket_after, regs_after, detail_after = after
    assert detail_after["version"] > detail_before["version"]
    if name.startswith("seeding"):
        seeds = [(x["registration_id"], x["seed"]) for x in r.json()["seeds"]]
        assert {x["id"]: x["seed"] for x in regs_after} == dict(seeds) or not seeds
    elif name == "result":
        m = {x["id"]: x for x in bracket_matches(bracket_after)}[world["ready"]]
        assert (m["state"], m["score1"], m["score2"]) == ("completed", 2, 1)
    elif name == "reopen":
        m = {x["id"]: x for x in bracket_matches(bracket_after)}[world["completed"]]
        assert (m["state"], m["score1"], m["winner"]) == ("ready", None, None)


def test_a_bad_token_is_401_everywhere(server, alice, pool):
    world = build_world(server, alice, pool, "live")
    before = snapshot(server, alice, world["slug"])
    for method, path, body in (
            ("PUT", f"/api/v1/tournaments/{world['slug']}/seeding", {"method": "random",
                                                                    "rng_seed": 1}),
            ("POST", f"/api/v1/matches/{world['ready']}/result", {"score1": 1, "score2": 0}),
            ("DELETE", f"/api/v1/matches/{world['completed']}/result", None)):
        r = server.request(method, path, token="x" * 43, **({"json": body} if body else {}))
        assert_error(r, 401, "unauthorized")
    assert snapshot(server, alice, world["slug"]) == before


def test_unknown_match_for_anyone(server, bob):
    for who, status in ((None, {401, 404}), (bob, {404})):
        r = server.post("/api/v1/matches/987654321/result", user=who,
                        json={"score1": 1, "score2": 0})
        assert_error(r, status)
    assert_error(server.get("/api/v1/matches/987654321"), 404, "not_found")
    assert_error(server.get("/api/v1/tournaments/no-such-slug-xyz/standings"), 404, "not_found")
    assert_error(server.get("/api/v1/tournaments/no-such-slug-xyz/bracket"), 404, "not_found")
