"""Games: GET /api/v1/games (anyone), POST /api/v1/games (admin)."""

import secrets

import pytest

from support import assert_error, assert_json, describe, uniq


def list_games(server, **kw):
    body = assert_json(server.get("/api/v1/games", **kw), 200)
    assert set(body) >= {"items", "next_cursor"}
    assert body["next_cursor"] is None
    return body["items"]


def test_create_game_as_admin(server, admin):
    slug = uniq("g")
    r = server.post("/api/v1/games", user=admin, json={"slug": slug, "name": "Rocket Arena",
                                                       "team_size": 3})
    g = assert_json(r, 201)
    assert set(g) >= {"id", "slug", "name", "team_size"}
    assert isinstance(g["id"], int)
    assert (g["slug"], g["name"], g["team_size"]) == (slug, "Rocket Arena", 3)
    keys = ("id", "slug", "name", "team_size")
    listed = [x for x in list_games(server) if x["slug"] == slug]
    assert len(listed) == 1
    assert {k: listed[0][k] for k in keys} == {k: g[k] for k in keys}


def test_team_size_defaults_to_1(server, admin):
    g = assert_json(server.post("/api/v1/games", user=admin,
                                json={"slug": uniq("g"), "name": "Solo Game"}), 201)
    assert g["team_size"] == 1


def test_list_games_is_public_and_ordered_by_name(server, admin):
    tag = secrets.token_hex(3)
    for name in (f"Zeta {tag}", f"Alpha {tag}", f"Mid {tag}"):
        server.create_game(name=name)
    anon = list_games(server)
    assert list_games(server, user=admin) == anon
    for g in anon:
        assert set(g) >= {"id", "slug", "name", "team_size"}, g
    names = [g["name"] for g in anon]
    assert names == sorted(names) or names == sorted(names, key=str.lower), \
        f"games not ordered by name: {names}"
    mine = [n for n in names if n.endswith(tag)]
    assert mine == [f"Alpha {tag}", f"Mid {tag}", f"Zeta {tag}"]


def test_create_game_requires_admin(server, alice):
    slug = uniq("g")
    body = {"slug": slug, "name": "Not Allowed"}
    assert_error(server.post("/api/v1/games", json=body), 401, "unauthorized")
    assert_error(server.post("/api/v1/games", user=alice, json=body), 403, "forbidden")
    assert slug not in {g["slug"] for g in list_games(server)}


def test_duplicate_game_slug_is_conflict(server, admin):
    g = server.create_game(name="Original Name")
    r = server.post("/api/v1/games", user=admin, json={"slug": g["slug"], "name": "Impostor"})
    assert_error(r, 409, "conflict")
    same = [x for x in list_games(server) if x["slug"] == g["slug"]]
    assert len(same) == 1 and same[0]["name"] == "Original Name"


def test_game_boundaries_are_accepted(server, admin):
    two = secrets.token_hex(1)
    long_slug = ("g" + secrets.token_hex(32))[:64]
    for body in ({"slug": two, "name": "x"},
                 {"slug": long_slug, "name": "é" * 100, "team_size": 64},
                 {"slug": uniq("g-"), "name": "Team Of One", "team_size": 1}):
        r = server.post("/api/v1/games", user=admin, json=body)
        g = assert_json(r, 201)
        assert g["slug"] == body["slug"] and g["name"] == body["name"], describe(r)


@pytest.mark.parametrize("body,field", [
    ({"slug": "a"}, "slug"),
    ({"slug": "Upper-Case"}, "slug"),
    ({"slug": "under_score"}, "slug"),
    ({"slug": "with space"}, "slug"),
    ({"slug": "x" * 65}, "slug"),
    ({"slug": ""}, "slug"),
    ({"slug": "dot.ted"}, "slug"),
    ({"name": ""}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"name": "é" * 101}, "name"),
    ({"team_size": 0}, "team_size"),
    ({"team_size": 65}, "team_size"),
    ({"team_size": -1}, "team_size"),
    ({"slug": None}, "slug"),
    ({"name": None}, "name"),
])
def test_invalid_game_is_400(server, admin, body, field):
    full = {"slug": uniq("g"), "name": "Valid Name", **body}
    full = {k: v for k, v in full.items() if v is not None}
    r = server.post("/api/v1/games", user=admin, json=full)
    assert_error(r, 400, "validation_failed", field)
    if isinstance(full.get("slug"), str):
        assert full["slug"] not in {g["slug"] for g in list_games(server)}
