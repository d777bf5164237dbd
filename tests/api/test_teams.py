"""Teams: create, show with members, add a member by username (captain or admin), remove a
member (captain, the member themself, or admin); the game's team size enforced when a team
registers; one active registration per (tournament, team) and per player across teams.
Bad input on every team endpoint: 4xx, nothing changed."""

import json
import time
from types import SimpleNamespace

import pytest

from support import (ISO_RE, TEAM_KEYS, USER_REF_KEYS, assert_error, assert_json,
                     create_team, create_users, describe, list_registrations,
                     my_registrations, parse_iso, register, uniq)

TEAMS = "/api/v1/teams"


@pytest.fixture(scope="module")
def people(server):
    """Twelve fresh players (p[0]..p[11]) for the team tests of this module."""
    return create_users(server, 12, prefix="tm")


@pytest.fixture(scope="module")
def duo_game(server):
    """A game played by teams of 2 (cheap teams)."""
    return server.create_game(name=f"Duo {uniq()}", team_size=2)


def team_url(team, *rest):
    return "/".join([f"{TEAMS}/{team['id']}", *[str(x) for x in rest]])


def get_team(server, team_id, user=None):
    return assert_json(server.get(f"{TEAMS}/{team_id}", user=user), 200)


def ref(user):
    return {"id": user.id, "username": user.username, "display_name": user.data["display_name"]}


def check_team_shape(t):
    assert set(t) == TEAM_KEYS, f"team keys {sorted(t)}"
    assert isinstance(t["id"], int) and t["id"] > 0
    assert set(t["captain"]) == USER_REF_KEYS
    for m in t["members"]:
        assert set(m) == USER_REF_KEYS, f"member keys {sorted(m)} (no email, no role)"
    assert ISO_RE.match(t["created_at"])


# ------------------------------------------------------------------ create and show

def test_create_team_caller_is_captain_and_first_member(server, alice):
    name, tag = f"Alice's Team {uniq()}", "ALC"
    r = server.post(TEAMS, user=alice, json={"name": name, "tag": tag})
    t = assert_json(r, 201)
    check_team_shape(t)
    assert t["name"] == name and t["tag"] == tag
    assert t["captain"] == ref(alice)
    assert t["members"] == [ref(alice)]
    assert "private@" not in r.text, "the captain's email leaked"
    assert abs(parse_iso(t["created_at"]) - time.time()) < 120
    # anyone may read it, the same JSON
    for viewer in (None, alice, server.admin):
        assert get_team(server, t["id"], viewer) == t


@pytest.mark.parametrize("name,tag", [("x", "y"), ("n" * 64, "t" * 10),
                                      ("Équipe ünïcode 🎮", "ÄÖ🎮"),
                                      ("'; DROP TABLE teams; --", "' OR 1")])
def test_create_team_boundaries_kept_exactly(server, bob, name, tag):
    t = assert_json(server.post(TEAMS, user=bob, json={"name": name, "tag": tag}), 201)
    assert (t["name"], t["tag"]) == (name, tag)
    assert get_team(server, t["id"]) == t


def test_two_teams_may_share_a_name(server, alice):
    name = f"Same {uniq()}"
    a = create_team(server, alice, name=name, tag="A")
    b = create_team(server, alice, name=name, tag="A")
    assert a["id"] != b["id"]


def test_show_members_in_joining_order(server, people):
    cap, m1, m2, m3 = people[0], people[1], people[2], people[3]
    t = create_team(server, cap)
    for m in (m2, m3, m1):
        r = server.post(team_url(t, "members"), user=cap, json={"username": m.username})
        added = assert_json(r, 201)
        assert added == ref(m), describe(r)
    t2 = get_team(server, t["id"])
    assert t2["members"] == [ref(cap), ref(m2), ref(m3), ref(m1)]
    assert t2["captain"] == ref(cap)
    # leaving and rejoining puts a member at the end
    assert server.delete(team_url(t, "members", m2.id), user=m2).status_code == 204
    assert_json(server.post(team_url(t, "members"), user=cap, json={"username": m2.username}),
                201)
    assert get_team(server, t["id"])["members"] == [ref(cap), ref(m3), ref(m1), ref(m2)]


@pytest.mark.parametrize("bad_id", ["0", "-1", "abc", "1.5", "1e3", "99999999999999999999",
                                    "%20", "1%00"])
def test_team_ids_that_are_not_positive_integers_are_404(server, alice, bad_id):
    assert_error(server.get(f"{TEAMS}/{bad_id}"), 404, "not_found")
    assert_error(server.post(f"{TEAMS}/{bad_id}/members", user=alice,
                             json={"username": alice.username}), 404, "not_found")
    assert_error(server.delete(f"{TEAMS}/{bad_id}/members/{alice.id}", user=alice),
                 404, "not_found")


def test_unknown_team_is_404(server, alice, bob):
    missing = 10 ** 12
    assert_error(server.get(f"{TEAMS}/{missing}"), 404, "not_found")
    assert_error(server.post(f"{TEAMS}/{missing}/members", user=alice,
                             json={"username": bob.username}), 404, "not_found")
    assert_error(server.delete(f"{TEAMS}/{missing}/members/{bob.id}", user=alice),
                 404, "not_found")


def test_create_team_needs_a_user(server):
    assert_error(server.post(TEAMS, json={"name": "Anon", "tag": "AN"}), 401, "unauthorized")
    assert_error(server.post(TEAMS, token="x" * 43, json={"name": "Anon", "tag": "AN"}),
                 401, "unauthorized")


# ------------------------------------------------------------------ members

def test_add_member_by_username(server, people):
    cap, m = people[4], people[5]
    t = create_team(server, cap)
    r = server.post(team_url(t, "members"), user=cap, json={"username": m.username})
    added = assert_json(r, 201)
    assert added == ref(m)
    assert get_team(server, t["id"])["members"] == [ref(cap), ref(m)]


def test_add_member_twice_is_409_conflict(server, people):
    cap, m = people[4], people[5]
    t = create_team(server, cap, members=[m])
    before = get_team(server, t["id"])
    assert_error(server.post(team_url(t, "members"), user=cap, json={"username": m.username}),
                 409, "conflict")
    # the captain is a member already too
    assert_error(server.post(team_url(t, "members"), user=cap,
                             json={"username": cap.username}), 409, "conflict")
    assert get_team(server, t["id"]) == before


@pytest.mark.parametrize("username", ["nosuchuser_zz9", "ab", "A-Capital", "x" * 33,
                                      "'; DROP TABLE users; --", "root'--"])
def test_add_unknown_user_is_400_username(server, people, username):
    cap = people[4]
    t = create_team(server, cap)
    r = server.post(team_url(t, "members"), user=cap, json={"username": username})
    assert_error(r, 400, "validation_failed", "username")
    assert get_team(server, t["id"])["members"] == [ref(cap)]


def test_only_captain_or_admin_adds_members(server, people, admin):
    cap, member, stranger, newcomer = people[6], people[7], people[8], people[9]
    t = create_team(server, cap, members=[member])
    before = get_team(server, t["id"])
    for who in (member, stranger):
        assert_error(server.post(team_url(t, "members"), user=who,
                                 json={"username": newcomer.username}), 403, "forbidden")
    assert_error(server.post(team_url(t, "members"), json={"username": newcomer.username}),
                 401, "unauthorized")
    assert get_team(server, t["id"]) == before
    assert_json(server.post(team_url(t, "members"), user=admin,
                            json={"username": newcomer.username}), 201)
    assert get_team(server, t["id"])["members"] == [ref(cap), ref(member), ref(newcomer)]


def test_remove_member_by_captain_self_and_admin(server, people, admin):
    cap, a, b, c = people[0], people[9], people[10], people[11]
    t = create_team(server, cap, members=[a, b, c])
    r = server.delete(team_url(t, "members", a.id), user=cap)
    assert r.status_code == 204, describe(r)
    assert r.content == b""
    r = server.delete(team_url(t, "members", b.id), user=b)
    assert r.status_code == 204, describe(r)
    r = server.delete(team_url(t, "members", c.id), user=admin)
    assert r.status_code == 204, describe(r)
    assert get_team(server, t["id"])["members"] == [ref(cap)]


def test_member_cannot_remove_another_member(server, people):
    cap, a, b, stranger = people[1], people[2], people[3], people[8]
    t = create_team(server, cap, members=[a, b])
    before = get_team(server, t["id"])
    assert_error(server.delete(team_url(t, "members", b.id), user=a), 403, "forbidden")
    assert_error(server.delete(team_url(t, "members", b.id), user=stranger), 403, "forbidden")
    assert_error(server.delete(team_url(t, "members", b.id)), 401, "unauthorized")
    assert get_team(server, t["id"]) == before


def test_remove_non_member_is_404(server, people, admin):
    cap, a, outsider = people[1], people[2], people[5]
    t = create_team(server, cap, members=[a])
    before = get_team(server, t["id"])
    for who in (cap, admin):
        assert_error(server.delete(team_url(t, "members", outsider.id), user=who),
                     404, "not_found")
    assert_error(server.delete(team_url(t, "members", 10 ** 12), user=cap), 404, "not_found")
    # a member already removed is not a member any more
    assert server.delete(team_url(t, "members", a.id), user=a).status_code == 204
    assert_error(server.delete(team_url(t, "members", a.id), user=a), 404, "not_found")
    assert_error(server.delete(team_url(t, "members", a.id), user=cap), 404, "not_found")
    assert get_team(server, t["id"])["members"] == [m for m in before["members"]
                                                    if m["id"] != a.id]


def test_captain_cannot_be_removed(server, people, admin):
    cap, a = people[3], people[4]
    t = create_team(server, cap, members=[a])
    before = get_team(server, t["id"])
    for who in (cap, admin):
        assert_error(server.delete(team_url(t, "members", cap.id), user=who), 409, "conflict")
    assert_error(server.delete(team_url(t, "members", cap.id), user=a), 403, "forbidden")
    assert get_team(server, t["id"]) == before


# ------------------------------------------------------------------ team size and registration

def test_team_size_is_enforced_when_the_team_registers(server, alice, team_game, people):
    """team_game plays 5 a side: a team of 4 is refused (400, field team_id), a team of 5
    is accepted, and removing a member later does not matter to that registration."""
    t = server.create_tournament(alice, status="registration_open", game=team_game["slug"],
                                 participant_type="team", max_participants=8)
    cap = people[0]
    team = create_team(server, cap, members=people[1:4])
    assert len(team["members"]) == 4
    before = server.detail(t["slug"])
    assert_error(register(server, cap, t["slug"], team["id"]), 400, "validation_failed",
                 "team_id")
    assert server.detail(t["slug"]) == before
    assert list_registrations(server, t["slug"]) == []
    assert_json(server.post(team_url(team, "members"), user=cap,
                            json={"username": people[4].username}), 201)
    reg = assert_json(register(server, cap, t["slug"], team["id"]), 201)
    assert reg["team"] == {"id": team["id"], "name": team["name"], "tag": team["tag"]}
    assert reg["user"]["id"] == cap.id
    assert reg["status"] == "confirmed"
    st = server.state(t["slug"])
    assert st["registration_count"] == 1 and st["confirmed_count"] == 1


def test_bigger_team_than_team_size_may_register(server, alice, duo_game, people):
    t = server.create_tournament(alice, status="registration_open", game=duo_game["slug"],
                                 participant_type="team", max_participants=4)
    team = create_team(server, people[5], members=people[6:9])
    assert_json(register(server, people[5], t["slug"], team["id"]), 201)


def test_team_registration_needs_team_id_and_the_captain(server, alice, duo_game, people):
    t = server.create_tournament(alice, status="registration_open", game=duo_game["slug"],
                                 participant_type="team", max_participants=4)
    cap, mate, stranger = people[9], people[10], people[11]
    team = create_team(server, cap, members=[mate])
    before = server.detail(t["slug"])
    assert_error(register(server, cap, t["slug"]), 400, "validation_failed", "team_id")
    assert_error(server.post(f"/api/v1/tournaments/{t['slug']}/registrations", user=cap,
                             json={}), 400, "validation_failed", "team_id")
    assert_error(register(server, cap, t["slug"], 10 ** 12), 400, "validation_failed",
                 "team_id")
    for who in (mate, stranger):
        assert_error(register(server, who, t["slug"], team["id"]), 403, "forbidden", "team_id")
    assert server.detail(t["slug"]) == before
    assert list_registrations(server, t["slug"]) == []


def test_team_id_in_solo_tournament_is_400(server, alice, people):
    t = server.create_tournament(alice, status="registration_open")
    team = create_team(server, people[0])
    assert_error(register(server, people[0], t["slug"], team["id"]), 400,
                 "validation_failed", "team_id")
    assert server.state(t["slug"])["registration_count"] == 0


def test_same_team_twice_is_already_registered(server, alice, duo_game, people):
    t = server.create_tournament(alice, status="registration_open", game=duo_game["slug"],
                                 participant_type="team", max_participants=4)
    cap = people[2]
    team = create_team(server, cap, members=[people[3]])
    first = assert_json(register(server, cap, t["slug"], team["id"]), 201)
    before = server.detail(t["slug"])
    assert_error(register(server, cap, t["slug"], team["id"]), 409, "already_registered")
    assert server.detail(t["slug"]) == before
    assert [x["id"] for x in list_registrations(server, t["slug"])] == [first["id"]]


def test_player_in_two_teams_cannot_play_twice(server, alice, duo_game, people):
    """x plays for team A and team B: once A is in, B is refused (already_registered),
    whoever captains B; after A cancels, B may register."""
    t = server.create_tournament(alice, status="registration_open", game=duo_game["slug"],
                                 participant_type="team", max_participants=8)
    cap_a, cap_b, x = people[4], people[5], people[6]
    a = create_team(server, cap_a, members=[x])
    b = create_team(server, cap_b, members=[x])
    ra = assert_json(register(server, cap_a, t["slug"], a["id"]), 201)
    before = server.detail(t["slug"])
    assert_error(register(server, cap_b, t["slug"], b["id"]), 409, "already_registered")
    assert server.detail(t["slug"]) == before
    # x captains a third team: refused too
    c = create_team(server, x, members=[people[7]])
    assert_error(register(server, x, t["slug"], c["id"]), 409, "already_registered")
    # the captain of A captains D with others: A's captain plays already
    d = create_team(server, cap_a, members=[people[8]])
    assert_error(register(server, cap_a, t["slug"], d["id"]), 409, "already_registered")
    assert server.detail(t["slug"]) == before
    # A cancels: B may play now
    assert assert_json(server.delete(f"/api/v1/registrations/{ra['id']}", user=cap_a),
                       200)["status"] == "cancelled"
    rb = assert_json(register(server, cap_b, t["slug"], b["id"]), 201)
    active = list_registrations(server, t["slug"], status="confirmed")
    assert [x_["id"] for x_ in active] == [rb["id"]]


def test_solo_player_of_a_team_tournament_member_check(server, alice, duo_game, people):
    """A member who joins a second team after their first team registered makes that
    second team ineligible."""
    t = server.create_tournament(alice, status="registration_open", game=duo_game["slug"],
                                 participant_type="team", max_participants=8)
    a = create_team(server, people[9], members=[people[10]])
    assert_json(register(server, people[9], t["slug"], a["id"]), 201)
    b = create_team(server, people[11], members=[people[0]])
    assert_json(server.post(team_url(b, "members"), user=people[11],
                            json={"username": people[10].username}), 201)
    assert_error(register(server, people[11], t["slug"], b["id"]), 409, "already_registered")
    assert server.state(t["slug"])["registration_count"] == 1


# ------------------------------------------------------------------ bad input

@pytest.fixture
def victim(server, people):
    cap, m = people[0], people[1]
    team = create_team(server, cap, members=[m])
    return SimpleNamespace(cap=cap, member=m, team=team)


def team_ep(victim, people, ep):
    """(method, path, user, valid body) of a team endpoint."""
    return {
        "create": ("POST", TEAMS, victim.cap, {"name": f"Never {uniq()}", "tag": "NV"}),
        "add": ("POST", team_url(victim.team, "members"), victim.cap,
                {"username": people[11].username}),
    }[ep]


def assert_team_unchanged(server, victim, before_teams_of_cap):
    assert get_team(server, victim.team["id"]) == victim.team
    # no new team: the next team id is the one right after the last one made
    probe = create_team(server, victim.cap)
    assert probe["id"] == before_teams_of_cap + 1, "a refused request created a team"


def last_team_id(server, user):
    return create_team(server, user)["id"]


BAD_BODIES = {"open-brace": b"{", "not-json": b"nope", "array": b"[]", "string": b'"x"',
              "null": b"null", "empty": b"", "trailing": b'{"name": "x"} x',
              "bad-utf8": b'{"name": "ok\xffok", "tag": "T", "username": "ok\xff"}',
              "dup-key": b'{"name": "a", "name": "b", "tag": "T"}'}


@pytest.mark.parametrize("ep", ["create", "add"])
@pytest.mark.parametrize("body", list(BAD_BODIES), ids=list(BAD_BODIES))
def test_malformed_bodies_are_400(server, victim, people, ep, body):
    method, path, user, _ = team_ep(victim, people, ep)
    last = last_team_id(server, victim.cap)
    r = server.request(method, path, user=user, data=BAD_BODIES[body],
                       headers={"Content-Type": "application/json"})
    if body == "dup-key":
        assert_error(r, 400, {"bad_request", "validation_failed"})
    else:
        assert_error(r, 400, "bad_request")
    assert_team_unchanged(server, victim, last)


TEAM_WRONG = {
    "create": {"name": [None, 1, True, [], {}, "", "n" * 65],
               "tag": [None, 1, False, ["T"], {}, "", "t" * 11]},
    "add": {"username": [None, 1, True, [], {}, ""]},
}


def _wrong_cases():
    return [pytest.param(ep, f, v, id=f"{ep}-{f}-{json.dumps(v)[:20]}")
            for ep, fields in TEAM_WRONG.items() for f, vals in fields.items() for v in vals]


@pytest.mark.parametrize("ep,field,value", _wrong_cases())
def test_wrong_or_out_of_range_fields_are_400_with_field(server, victim, people, ep, field,
                                                         value):
    method, path, user, body = team_ep(victim, people, ep)
    last = last_team_id(server, victim.cap)
    r = server.request(method, path, user=user, json=dict(body, **{field: value}))
    assert_error(r, 400, "validation_failed", field)
    assert_team_unchanged(server, victim, last)


@pytest.mark.parametrize("ep", ["create", "add"])
def test_missing_fields_are_400(server, victim, people, ep):
    method, path, user, body = team_ep(victim, people, ep)
    last = last_team_id(server, victim.cap)
    for f in body:
        r = server.request(method, path, user=user, json={k: v for k, v in body.items()
                                                         if k != f})
        assert_error(r, 400, "validation_failed", f)
    assert_team_unchanged(server, victim, last)


@pytest.mark.parametrize("ep", ["create", "add"])
@pytest.mark.parametrize("ctype", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_wrong_content_type_is_415(server, victim, people, ep, ctype):
    method, path, user, body = team_ep(victim, people, ep)
    last = last_team_id(server, victim.cap)
    headers = {} if ctype is None else {"Content-Type": ctype}
    r = server.request(method, path, user=user, data=json.dumps(body).encode(),
                       headers=headers)
    assert_error(r, 415, "unsupported_media_type")
    assert_team_unchanged(server, victim, last)


@pytest.mark.parametrize("ep", ["create", "add"])
def test_oversized_body_is_413(server, victim, people, ep):
    method, path, user, body = team_ep(victim, people, ep)
    last = last_team_id(server, victim.cap)
    raw = json.dumps(dict(body, pad="x" * (1 << 17))).encode()
    r = server.raw(method, path, headers={"Content-Type": "application/json", **user.headers},
                   body=raw)
    assert_error(r, 413, "payload_too_large")
    assert_team_unchanged(server, victim, last)


@pytest.mark.parametrize("method,path,allowed", [
    ("GET", TEAMS, {"POST"}), ("DELETE", TEAMS, {"POST"}),
    ("POST", TEAMS + "/{id}", {"GET"}), ("DELETE", TEAMS + "/{id}", {"GET"}),
    ("PATCH", TEAMS + "/{id}", {"GET"}),
    ("GET", TEAMS + "/{id}/members", {"POST"}), ("DELETE", TEAMS + "/{id}/members", {"POST"}),
    ("GET", TEAMS + "/{id}/members/{uid}", {"DELETE"}),
    ("POST", TEAMS + "/{id}/members/{uid}", {"DELETE"}),
])
def test_other_methods_are_405(server, victim, method, path, allowed):
    path = path.replace("{id}", str(victim.team["id"])).replace("{uid}", str(victim.member.id))
    kw = {"json": {"username": "x", "name": "x", "tag": "x"}} if method in ("POST", "PATCH") \
        else {}
    r = server.request(method, path, user=victim.cap, **kw)
    assert_error(r, 405, "method_not_allowed")
    allow = {m.strip().upper() for m in (r.headers.get("Allow") or "").split(",")}
    assert allowed <= allow and method not in allow, r.headers.get("Allow")
    assert get_team(server, victim.team["id"]) == victim.team


@pytest.mark.parametrize("bad_uid", ["0", "-3", "abc", "1.0", "99999999999999999999"])
def test_bad_member_ids_are_404(server, victim, bad_uid):
    r = server.delete(f"{TEAMS}/{victim.team['id']}/members/{bad_uid}", user=victim.cap)
    assert_error(r, 404, "not_found")
    assert get_team(server, victim.team["id"]) == victim.team


def test_joining_a_team_cannot_make_a_player_play_twice(server, alice, duo_game, people):
    """x plays for A, B is registered without x; the captain of B adds x: x would then
    play the same tournament twice (the issue: "a user in two teams cannot play the same
    tournament twice"). The add is refused with a 409; x still plays once."""
    t = server.create_tournament(alice, status="registration_open", game=duo_game["slug"],
                                 participant_type="team", max_participants=8)
    cap_a, x, cap_b, y = people[0], people[1], people[2], people[3]
    a = create_team(server, cap_a, members=[x])
    b = create_team(server, cap_b, members=[y])
    assert_json(register(server, cap_a, t["slug"], a["id"]), 201)
    assert_json(register(server, cap_b, t["slug"], b["id"]), 201)
    before = get_team(server, b["id"])
    r = server.post(team_url(b, "members"), user=cap_b, json={"username": x.username})
    assert_error(r, 409, {"conflict", "already_registered"})
    assert get_team(server, b["id"]) == before
    playing = [i for i in my_registrations(server, x)
               if i["tournament"]["slug"] == t["slug"] and i["status"] != "cancelled"]
    assert len(playing) == 1, f"x plays {len(playing)} times in {t['slug']}"
