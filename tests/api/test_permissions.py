"""Who may do what: every endpoint of the issue x {anonymous, other user, organizer/owner,
admin} -> the exact status code. Refused requests change nothing."""

import pytest

from support import ERROR_CODE_OF_STATUS, assert_error, assert_json, describe, uniq

ROLES = ["anon", "other", "owner", "admin"]


def E(anon, other, owner, admin):
    return dict(zip(ROLES, (anon, other, owner, admin)))


# name: (method, path, target tournament status or None, body, expected statuses)
CASES = {
    "users-create": ("POST", "/api/v1/users", None, "NEW_USER", E(201, 201, 201, 201)),
    "login": ("POST", "/api/v1/auth/login", None, "BOB_CREDENTIALS", E(200, 200, 200, 200)),
    "logout": ("POST", "/api/v1/auth/logout", None, None, E(401, 204, 204, 204)),
    "me": ("GET", "/api/v1/me", None, None, E(401, 200, 200, 200)),
    "games-list": ("GET", "/api/v1/games", None, None, E(200, 200, 200, 200)),
    "games-create": ("POST", "/api/v1/games", None, "NEW_GAME", E(401, 403, 403, 201)),
    "tournaments-list": ("GET", "/api/v1/tournaments", None, None, E(200, 200, 200, 200)),
    "tournaments-create": ("POST", "/api/v1/tournaments", None, "NEW_TOURNAMENT",
                           E(401, 201, 201, 201)),
    "detail-published": ("GET", "/api/v1/tournaments/{slug}", "published", None,
                         E(200, 200, 200, 200)),
    "detail-draft": ("GET", "/api/v1/tournaments/{slug}", "draft", None,
                     E(404, 404, 200, 200)),
    "patch-published": ("PATCH", "/api/v1/tournaments/{slug}", "published",
                        {"name": "Patched"}, E(401, 403, 200, 200)),
    "patch-draft": ("PATCH", "/api/v1/tournaments/{slug}", "draft", {"name": "Patched"},
                    E(401, 404, 200, 200)),
    "delete-published": ("DELETE", "/api/v1/tournaments/{slug}", "published", None,
                         E(401, 403, 204, 204)),
    "delete-draft": ("DELETE", "/api/v1/tournaments/{slug}", "draft", None,
                     E(401, 404, 204, 204)),
    "status-published": ("POST", "/api/v1/tournaments/{slug}/status", "published",
                         {"status": "registration_open"}, E(401, 403, 200, 200)),
    "status-draft": ("POST", "/api/v1/tournaments/{slug}/status", "draft",
                     {"status": "published"}, E(401, 404, 200, 200)),
    "status-open-cancel": ("POST", "/api/v1/tournaments/{slug}/status", "registration_open",
                           {"status": "cancelled"}, E(401, 403, 200, 200)),
    "state-published": ("GET", "/api/v1/tournaments/{slug}/state", "published", None,
                        E(200, 200, 200, 200)),
    "state-draft": ("GET", "/api/v1/tournaments/{slug}/state", "draft", None,
                    E(404, 404, 200, 200)),
    "bulk-states": ("GET", "/api/v1/tournament-states?slugs={slug}", "draft", None,
                    E(200, 200, 200, 200)),
    "healthz": ("GET", "/healthz", None, None, E(200, 200, 200, 200)),
    "readyz": ("GET", "/readyz", None, None, E(200, 200, 200, 200)),
    "metrics": ("GET", "/metrics", None, None, E(200, 200, 200, 200)),
}


def _params():
    return [pytest.param(name, role, id=f"{name}-{role}") for name in CASES for role in ROLES]


@pytest.mark.parametrize("name,role", _params())
def test_permission_table(server, alice, bob, admin, name, role):
    method, path, target_status, body, expected = CASES[name]
    want = expected[role]
    t = None
    if target_status is not None:
        t = server.create_tournament(alice, name=f"Perm {uniq()}", status=target_status)
        path = path.replace("{slug}", t["slug"])
    before = server.detail(t["slug"], user=alice) if t else None

    user = {"anon": None, "other": bob, "owner": alice, "admin": admin}[role]
    if name == "logout" and user is not None:
        # log out a fresh token of that user, not the shared one
        token, _ = server.login(user.username, user.password)
        user = type(user)(user.username, user.password, token, user.data)
    if body == "NEW_USER":
        body = {"username": uniq("perm"), "password": "password-123"}
    elif body == "BOB_CREDENTIALS":
        body = {"username": bob.username, "password": bob.password}
    elif body == "NEW_GAME":
        body = {"slug": uniq("g"), "name": f"Perm Game {uniq()}"}
    elif body == "NEW_TOURNAMENT":
        body = server.tournament_body(name=f"Perm New {uniq()}")

    r = server.request(method, path, user=user, **({"json": body} if body is not None else {}))
    assert r.status_code == want, f"{role}: {describe(r)}"
    if want >= 400:
        assert_error(r, want, ERROR_CODE_OF_STATUS[want])
        if t is not None:
            assert server.detail(t["slug"], user=alice) == before, "a refused request changed it"
        if name == "games-create":
            slugs = {g["slug"] for g in assert_json(server.get("/api/v1/games"), 200)["items"]}
            assert body["slug"] not in slugs
        if name == "tournaments-create":
            assert server.list_all({"q": body["name"]}, user=alice) == []
        return

    # allowed: check the effect
    if want == 204:
        assert r.content == b""
        if name == "logout":
            assert_error(server.get("/api/v1/me", user=user), 401, "unauthorized")
        else:  # delete
            for viewer in (alice, admin, None):
                assert_error(server.get(path, user=viewer), 404, "not_found")
        return
    if name in ("readyz", "metrics"):
        return
    data = assert_json(r, want)
    if name == "me":
        assert data["id"] == user.id
    elif name == "login":
        assert data["user"]["id"] == bob.id
    elif name == "tournaments-create":
        assert data["organizer"]["id"] == user.id
    elif name in ("patch-published", "patch-draft"):
        assert server.detail(t["slug"], user=alice)["name"] == "Patched"
    elif name.startswith("status-"):
        assert data["status"] == body["status"]
    elif name in ("detail-published", "detail-draft"):
        assert data["id"] == t["id"]
    elif name in ("state-published", "state-draft"):
        assert data["slug"] == t["slug"]
    elif name == "bulk-states":
        # the target is alice's draft: she sees it, strangers do not (admins: either way,
        # API-DECISIONS leaves "others' drafts" out of the bulk states)
        if role != "admin":
            assert (t["slug"] in data["states"]) == (role == "owner")


def test_organizer_of_one_tournament_is_a_stranger_to_another(server, alice, bob):
    """Organizing a tournament grants nothing on other organizers' tournaments."""
    mine = server.create_tournament(bob, status="published")
    theirs = server.create_tournament(alice, status="published")
    path = f"/api/v1/tournaments/{theirs['slug']}"
    assert_error(server.patch(path, user=bob, json={"name": "x"}), 403, "forbidden")
    assert_error(server.post(path + "/status", user=bob, json={"status": "cancelled"}),
                 403, "forbidden")
    assert_error(server.delete(path, user=bob), 403, "forbidden")
    assert server.detail(theirs["slug"]) == theirs
    assert assert_json(server.patch(f"/api/v1/tournaments/{mine['slug']}", user=bob,
                                    json={"name": "Bob's own"}), 200)["name"] == "Bob's own"
