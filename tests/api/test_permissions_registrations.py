"""Who may do what, for every endpoint of the teams / registrations / payments issue:
each endpoint x {anonymous, other user, owner, captain, organizer, admin} -> the exact
status code. Refused requests change nothing; allowed ones have their effect.

The columns:
- anon: no token. other: a user with no part in it.
- owner: the player the object belongs to: the registered player of a solo registration
  (and payer of its payment); for team objects, a plain member of the team (the member
  concerned, for member removal), who does not own the team's registration.
- captain: the team's captain, who registered the team (and pays for it). "-" where no
  team is involved.
- organizer: the organizer of the tournament (of the team's tournament, for team
  endpoints: organizing grants nothing on teams). admin: role admin.
"""

from types import SimpleNamespace

import pytest

from support import (ERROR_CODE_OF_STATUS, assert_error, assert_json, create_team,
                     create_users, describe, list_payments, list_registrations,
                     my_registrations, organizer_dashboard, register, uniq)

ROLES = ["anon", "other", "owner", "captain", "organizer", "admin"]
NA = None  # the role has no meaning for this endpoint


def E(anon, other, owner, captain, organizer, admin):
    return dict(zip(ROLES, (anon, other, owner, captain, organizer, admin)))


# name: (method, path, world, body, expected)
# world: kind solo|team, status of the tournament, fee, check_in, registered, paid
SOLO = dict(kind="solo", status="registration_open", fee=0, check_in=False, registered=True,
            paid=False)
TEAM = dict(SOLO, kind="team")


def W(base, **kw):
    return dict(base, **kw)


CASES = {
    # teams
    "teams-create": ("POST", "/api/v1/teams", TEAM, "NEW_TEAM", E(401, 201, 201, 201, 201, 201)),
    "team-get": ("GET", "/api/v1/teams/{team}", TEAM, None, E(200, 200, 200, 200, 200, 200)),
    "team-add-member": ("POST", "/api/v1/teams/{team}/members", TEAM, "NEWCOMER",
                        E(401, 403, 403, 201, 403, 201)),
    "team-remove-member": ("DELETE", "/api/v1/teams/{team}/members/{member}", TEAM, None,
                           E(401, 403, 204, 204, 403, 204)),
    # register
    "register-solo": ("POST", "/api/v1/tournaments/{slug}/registrations", SOLO, None,
                      E(401, 201, 409, NA, 201, 201)),
    "register-team": ("POST", "/api/v1/tournaments/{slug}/registrations",
                      W(TEAM, registered=False), "TEAM_ID", E(401, 403, 403, 201, 403, 403)),
    "register-draft": ("POST", "/api/v1/tournaments/{slug}/registrations",
                       W(SOLO, status="draft", registered=False), None,
                       E(401, 404, NA, NA, 409, 409)),
    # list
    "list-registrations": ("GET", "/api/v1/tournaments/{slug}/registrations", TEAM, None,
                           E(200, 200, 200, 200, 200, 200)),
    "list-registrations-draft": ("GET", "/api/v1/tournaments/{slug}/registrations",
                                 W(SOLO, status="draft", registered=False), None,
                                 E(404, 404, NA, NA, 200, 200)),
    # one registration
    "get-solo": ("GET", "/api/v1/registrations/{rid}", SOLO, None,
                 E(401, 403, 200, NA, 200, 200)),
    "get-team": ("GET", "/api/v1/registrations/{rid}", TEAM, None,
                 E(401, 403, 403, 200, 200, 200)),
    "cancel-solo": ("DELETE", "/api/v1/registrations/{rid}", SOLO, None,
                    E(401, 403, 200, NA, 200, 200)),
    "cancel-team": ("DELETE", "/api/v1/registrations/{rid}", TEAM, None,
                    E(401, 403, 403, 200, 200, 200)),
    "check-in-solo": ("POST", "/api/v1/registrations/{rid}/check-in",
                      W(SOLO, status="registration_closed", check_in=True), None,
                      E(401, 403, 200, NA, 403, 200)),
    "check-in-team": ("POST", "/api/v1/registrations/{rid}/check-in",
                      W(TEAM, status="registration_closed", check_in=True), None,
                      E(401, 403, 403, 200, 403, 200)),
    # payments
    "pay-solo": ("POST", "/api/v1/registrations/{rid}/payments", W(SOLO, fee=800), "PAYMENT",
                 E(401, 403, 201, NA, 403, 201)),
    "pay-team": ("POST", "/api/v1/registrations/{rid}/payments", W(TEAM, fee=800), "PAYMENT",
                 E(401, 403, 403, 201, 403, 201)),
    "payments-list": ("GET", "/api/v1/tournaments/{slug}/payments",
                      W(TEAM, fee=800, paid=True), None, E(401, 403, 403, 403, 200, 200)),
    "payments-list-solo": ("GET", "/api/v1/tournaments/{slug}/payments",
                           W(SOLO, fee=800, paid=True), None, E(401, 403, 403, NA, 200, 200)),
    "verify-solo": ("POST", "/api/v1/payments/{pid}/verify", W(SOLO, fee=800, paid=True), None,
                    E(401, 403, 403, NA, 200, 200)),
    "verify-team": ("POST", "/api/v1/payments/{pid}/verify", W(TEAM, fee=800, paid=True), None,
                    E(401, 403, 403, 403, 200, 200)),
    "reject-solo": ("POST", "/api/v1/payments/{pid}/reject", W(SOLO, fee=800, paid=True),
                    {"reason": "not received"}, E(401, 403, 403, NA, 200, 200)),
    "reject-team": ("POST", "/api/v1/payments/{pid}/reject", W(TEAM, fee=800, paid=True),
                    {"reason": "not received"}, E(401, 403, 403, 403, 200, 200)),
    # dashboards
    "me-registrations": ("GET", "/api/v1/me/registrations", TEAM, None,
                         E(401, 200, 200, 200, 200, 200)),
    "organizer-dashboard": ("GET", "/api/v1/organizer/dashboard", W(TEAM, fee=800, paid=True),
                            None, E(401, 200, 200, 200, 200, 200)),
}


@pytest.fixture(scope="module")
def cast(server):
    org, owner, captain, other, newcomer = create_users(server, 5, prefix="perm")
    duo = server.create_game(name=f"Perm duo {uniq()}", team_size=2)
    return SimpleNamespace(org=org, owner=owner, captain=captain, other=other,
                           newcomer=newcomer, admin=server.admin, duo=duo)


def build_world(server, cast, w):
    team_kind = w["kind"] == "team"
    over = {"entry_fee_cents": w["fee"], "check_in_required": w["check_in"]}
    if team_kind:
        over.update(game=cast.duo["slug"], participant_type="team")
    first = "registration_open" if w["registered"] else w["status"]
    t = server.create_tournament(cast.org, status=first, **over)
    team = create_team(server, cast.captain, members=[cast.owner]) if team_kind else None
    rid = pid = None
    registrant = cast.captain if team_kind else cast.owner
    if w["registered"]:
        reg = assert_json(register(server, registrant, t["slug"],
                                   team["id"] if team_kind else None), 201)
        rid = reg["id"]
        if w["paid"]:
            pid = assert_json(server.post(f"/api/v1/registrations/{rid}/payments",
                                          user=registrant,
                                          json={"amount_cents": w["fee"], "method": "card"}),
                              201)["id"]
        if w["status"] == "registration_closed":
            server.move(cast.org, t["slug"], "registration_closed")
    return SimpleNamespace(t=t, team=team, rid=rid, pid=pid, registrant=registrant)


def snapshot(server, cast, world):
    slug = world.t["slug"]
    return {
        "detail": server.detail(slug, user=cast.org),
        "registrations": list_registrations(server, slug, user=cast.org),
        "payments": list_payments(server, slug, cast.org) if world.t["entry_fee_cents"] else [],
        "team": (assert_json(server.get(f"/api/v1/teams/{world.team['id']}"), 200)
                 if world.team else None),
    }


def _params():
    return [pytest.param(name, role, id=f"{name}-{role}")
            for name, case in CASES.items() for role in ROLES if case[4][role] is not NA]


@pytest.mark.parametrize("name,role", _params())
def test_registration_permission_table(server, cast, name, role):
    method, path, wspec, body, expected = CASES[name]
    want = expected[role]
    world = build_world(server, cast, wspec)
    path = (path.replace("{slug}", world.t["slug"]).replace("{rid}", str(world.rid))
            .replace("{pid}", str(world.pid))
            .replace("{team}", str(world.team["id"]) if world.team else "")
            .replace("{member}", str(cast.owner.id)))
    if body == "NEW_TEAM":
        body = {"name": f"Perm team {uniq()}", "tag": "PT"}
    elif body == "NEWCOMER":
        body = {"username": cast.newcomer.username}
    elif body == "TEAM_ID":
        body = {"team_id": world.team["id"]}
    elif body == "PAYMENT":
        body = {"amount_cents": wspec["fee"], "method": "card", "reference": "perm"}
    user = {"anon": None, "other": cast.other, "owner": cast.owner, "captain": cast.captain,
            "organizer": cast.org, "admin": cast.admin}[role]
    before = snapshot(server, cast, world)

    r = server.request(method, path, user=user, **({"json": body} if body is not None else {}))
    assert r.status_code == want, f"{role}: {describe(r)}"

    if want >= 400:
        code = {409: ("already_registered", "registration_closed")}.get(
            want, ERROR_CODE_OF_STATUS[want])
        assert_error(r, want, code)
        after = snapshot(server, cast, world)
        assert after == before, f"a refused request ({role}) changed something"
        return
    effect(server, cast, world, name, role, user, r)


def effect(server, cast, world, name, role, user, r):
    """An allowed request did what it says."""
    org = cast.org
    if name == "teams-create":
        t = assert_json(r, 201)
        assert t["captain"]["id"] == user.id and [m["id"] for m in t["members"]] == [user.id]
    elif name == "team-get":
        assert assert_json(r, 200)["id"] == world.team["id"]
    elif name == "team-add-member":
        assert assert_json(r, 201)["id"] == cast.newcomer.id
        team = assert_json(server.get(f"/api/v1/teams/{world.team['id']}"), 200)
        assert [m["id"] for m in team["members"]] == [cast.captain.id, cast.owner.id,
                                                      cast.newcomer.id]
    elif name == "team-remove-member":
        assert r.content == b""
        team = assert_json(server.get(f"/api/v1/teams/{world.team['id']}"), 200)
        assert [m["id"] for m in team["members"]] == [cast.captain.id]
    elif name.startswith("register-"):
        reg = assert_json(r, 201)
        assert reg["user"]["id"] == user.id
        assert server.detail(world.t["slug"])["registration_count"] == \
            (2 if name == "register-solo" else 1)
    elif name.startswith("list-registrations"):
        items = assert_json(r, 200)["items"]
        assert [x["id"] for x in items] == ([world.rid] if world.rid else [])
    elif name.startswith("get-"):
        assert assert_json(r, 200)["id"] == world.rid
    elif name.startswith("cancel-"):
        assert assert_json(r, 200)["status"] == "cancelled"
        g = assert_json(server.get(f"/api/v1/registrations/{world.rid}", user=org), 200)
        assert g["status"] == "cancelled"
        assert server.detail(world.t["slug"])["registration_count"] == 0
    elif name.startswith("check-in-"):
        assert assert_json(r, 200)["status"] == "checked_in"
        assert server.state(world.t["slug"])["checked_in_count"] == 1
    elif name.startswith("pay-"):
        p = assert_json(r, 201)
        assert p["status"] == "pending" and p["registration_id"] == world.rid
        assert p["user"]["id"] == world.registrant.id
        assert [x["id"] for x in list_payments(server, world.t["slug"], org)] == [p["id"]]
    elif name.startswith("payments-list"):
        assert [x["id"] for x in assert_json(r, 200)["items"]] == [world.pid]
    elif name.startswith("verify-"):
        assert assert_json(r, 200)["status"] == "verified"
        g = assert_json(server.get(f"/api/v1/registrations/{world.rid}", user=org), 200)
        assert g["status"] == "confirmed"
    elif name.startswith("reject-"):
        assert assert_json(r, 200)["status"] == "rejected"
        g = assert_json(server.get(f"/api/v1/registrations/{world.rid}", user=org), 200)
        assert g["status"] == "pending"
    elif name == "me-registrations":
        assert_json(r, 200)
        ids = {x["id"] for x in my_registrations(server, user)}
        # the team's registration is on the dashboard of both its members
        assert (world.rid in ids) == (role in ("owner", "captain"))
    elif name == "organizer-dashboard":
        assert_json(r, 200)
        ids = {x["id"] for x in organizer_dashboard(server, user)}
        assert (world.t["id"] in ids) == (role == "organizer")
    else:
        raise AssertionError(f"no effect check for {name}")


def test_table_covers_every_endpoint_of_the_issue():
    endpoints = {(m, p) for m, p, *_ in CASES.values()}
    assert endpoints == {
        ("POST", "/api/v1/teams"), ("GET", "/api/v1/teams/{team}"),
        ("POST", "/api/v1/teams/{team}/members"),
        ("DELETE", "/api/v1/teams/{team}/members/{member}"),
        ("POST", "/api/v1/tournaments/{slug}/registrations"),
        ("GET", "/api/v1/tournaments/{slug}/registrations"),
        ("GET", "/api/v1/registrations/{rid}"), ("DELETE", "/api/v1/registrations/{rid}"),
        ("POST", "/api/v1/registrations/{rid}/check-in"),
        ("GET", "/api/v1/me/registrations"),
        ("POST", "/api/v1/registrations/{rid}/payments"),
        ("GET", "/api/v1/tournaments/{slug}/payments"),
        ("POST", "/api/v1/payments/{pid}/verify"), ("POST", "/api/v1/payments/{pid}/reject"),
        ("GET", "/api/v1/organizer/dashboard"),
    }


def test_organizer_of_another_tournament_is_a_stranger(server, cast, alice):
    """Organizing one tournament grants nothing on another's registrations or payments."""
    world = build_world(server, cast, W(SOLO, fee=800, paid=True))
    before = snapshot(server, cast, world)
    rid, pid = world.rid, world.pid
    assert_error(server.get(f"/api/v1/registrations/{rid}", user=alice), 403, "forbidden")
    assert_error(server.delete(f"/api/v1/registrations/{rid}", user=alice), 403, "forbidden")
    assert_error(server.get(f"/api/v1/tournaments/{world.t['slug']}/payments", user=alice),
                 403, "forbidden")
    assert_error(server.post(f"/api/v1/payments/{pid}/verify", user=alice), 403, "forbidden")
    assert_error(server.post(f"/api/v1/payments/{pid}/reject", user=alice,
                             json={"reason": "x"}), 403, "forbidden")
    assert snapshot(server, cast, world) == before


def test_logged_out_token_is_refused_everywhere(server, cast):
    world = build_world(server, cast, W(SOLO, fee=800, paid=True))
    token, _ = server.login(cast.owner.username, cast.owner.password)
    assert server.post("/api/v1/auth/logout", token=token).status_code == 204
    before = snapshot(server, cast, world)
    for method, path, body in [
            ("GET", f"/api/v1/registrations/{world.rid}", None),
            ("DELETE", f"/api/v1/registrations/{world.rid}", None),
            ("POST", f"/api/v1/registrations/{world.rid}/check-in", None),
            ("POST", f"/api/v1/payments/{world.pid}/verify", None),
            ("GET", "/api/v1/me/registrations", None),
            ("GET", "/api/v1/organizer/dashboard", None),
            ("POST", "/api/v1/teams", {"name": "x", "tag": "x"}),
            ("POST", f"/api/v1/tournaments/{world.t['slug']}/registrations", None)]:
        r = server.request(method, path, token=token,
                           **({"json": body} if body is not None else {}))
        assert_error(r, 401, "unauthorized")
    assert snapshot(server, cast, world) == before
