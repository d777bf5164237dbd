"""Accounts: POST /api/v1/users, POST /api/v1/auth/login, POST /api/v1/auth/logout,
GET /api/v1/me, and the login rate limit."""

import http.client
import json
import secrets
import time

import pytest

from support import (ADMIN_PASSWORD, ADMIN_USERNAME, ISO_RE, TOKEN_RE, USER_KEYS,
                     assert_error, assert_json, describe, parse_iso, uniq)


def assert_public_user(u, username=None):
    assert USER_KEYS <= set(u), f"user lacks {USER_KEYS - set(u)}: {u}"
    assert isinstance(u["id"], int) and u["id"] > 0
    assert u["role"] in ("player", "admin")
    assert ISO_RE.match(u["created_at"]), u
    for k in u:
        assert "password" not in k.lower() and "hash" not in k.lower(), f"leaks {k}: {u}"
    if username is not None:
        assert u["username"] == username


# ------------------------------------------------------------------ POST /api/v1/users

def test_create_user_returns_public_fields_and_can_log_in(server):
    name = uniq("acc")
    password = "correct horse battery"
    email = f"{name}@example.com"
    before = time.time()
    r = server.post("/api/v1/users", json={"username": name, "password": password,
                                            "display_name": "Ann Example", "email": email})
    u = assert_json(r, 201)
    assert_public_user(u, name)
    assert u["display_name"] == "Ann Example"
    assert u["role"] == "player"
    assert u["email"] == email
    assert before - 120 <= parse_iso(u["created_at"]) <= time.time() + 120
    assert password not in r.text and "argon2" not in r.text

    r = server.post("/api/v1/auth/login", json={"username": name, "password": password})
    body = assert_json(r, 200)
    assert body["user"]["id"] == u["id"]
    me = assert_json(server.get("/api/v1/me", token=body["token"]), 200)
    assert me == u, "GET /me must return the same shape as the created user"


def test_create_user_defaults_and_ignores_role_and_id(server, admin):
    name = uniq("def")
    r = server.post("/api/v1/users", json={"username": name, "password": "password-123",
                                            "role": "admin", "id": admin.id})
    u = assert_json(r, 201)
    assert_public_user(u, name)
    assert u["display_name"] == name, "display_name defaults to the username"
    assert u.get("email") is None
    assert u["role"] == "player", "role in the body must be ignored"
    assert u["id"] != admin.id
    token = server.login(name, "password-123")[0]
    assert assert_json(server.get("/api/v1/me", token=token), 200)["role"] == "player"
    assert_error(server.post("/api/v1/games", token=token,
                             json={"slug": uniq("g"), "name": "Nope"}), 403, "forbidden")


def test_username_and_unicode_password_boundaries(server):
    short = "_" + secrets.token_hex(1)          # 3 characters
    long_ = ("u" + secrets.token_hex(16))[:31] + "-"  # 32 characters
    assert len(short) == 3 and len(long_) == 32
    unicode_pw = "éééééééé"  # 8 code points, 16 bytes
    for name, pw in ((short, "password-1"), (long_, unicode_pw)):
        assert_json(server.post("/api/v1/users", json={"username": name, "password": pw}), 201)
    token, user = server.login(long_, unicode_pw)
    assert user["username"] == long_
    r = server.post("/api/v1/auth/login", json={"username": long_, "password": "eeeeeeee"})
    assert_error(r, 401, "unauthorized")


def test_duplicate_username_is_conflict_and_keeps_the_account(server, alice):
    r = server.post("/api/v1/users", json={"username": alice.username,
                                            "password": "another-password-9"})
    assert_error(r, 409, "conflict", "username")
    assert server.login(alice.username, alice.password)[1]["id"] == alice.id
    r = server.post("/api/v1/auth/login", json={"username": alice.username,
                                                 "password": "another-password-9"})
    assert_error(r, 401, "unauthorized")


@pytest.mark.parametrize("username", [
    "ab", "a" * 33, "Alice", "al ice", "al.ice", "al'ice", "", "ünï", "al\nice", "al@ice",
    "al/ice", " alice",
])
def test_invalid_username_is_400(server, username):
    r = server.post("/api/v1/users", json={"username": username, "password": "password-123"})
    assert_error(r, 400, "validation_failed", "username")


@pytest.mark.parametrize("password", ["", "short", "1234567", "ééééééé"])
def test_short_password_is_400(server, password):
    r = server.post("/api/v1/users", json={"username": uniq("pw"), "password": password})
    assert_error(r, 400, "validation_failed", "password")


@pytest.mark.parametrize("body,field", [
    ({"password": "password-123"}, "username"),
    ({"username": "REPLACE"}, "password"),
    ({}, ("username", "password")),
])
def test_missing_user_fields_are_400(server, body, field):
    body = {k: (uniq("m") if v == "REPLACE" else v) for k, v in body.items()}
    assert_error(server.post("/api/v1/users", json=body), 400, "validation_failed", field)


@pytest.mark.parametrize("extra,field", [
    ({"display_name": ""}, "display_name"),
    ({"display_name": "x" * 65}, "display_name"),
    ({"display_name": "é" * 65}, "display_name"),
    ({"email": "not-an-email"}, "email"),
    ({"email": "a@b"}, "email"),
    ({"email": "a b@example.com"}, "email"),
    ({"email": "@example.com"}, "email"),
    ({"email": "a@@example.com"}, "email"),
    ({"email": "a@example.com" + "m" * 260}, "email"),
])
def test_invalid_optional_user_fields_are_400(server, extra, field):
    body = {"username": uniq("opt"), "password": "password-123", **extra}
    assert_error(server.post("/api/v1/users", json=body), 400, "validation_failed", field)


def test_display_name_counts_code_points(server):
    name = uniq("dn")
    display = "Zoë 🎮" + "é" * 59  # 64 code points
    u = assert_json(server.post("/api/v1/users", json={
        "username": name, "password": "password-123", "display_name": display}), 201)
    assert u["display_name"] == display


# ------------------------------------------------------------------ login

def test_login_returns_token_and_user(server, alice):
    r1 = server.post("/api/v1/auth/login", json={"username": alice.username,
                                                  "password": alice.password})
    b1 = assert_json(r1, 200)
    assert set(b1) >= {"token", "user"}
    assert TOKEN_RE.match(b1["token"]), b1["token"]
    assert_public_user(b1["user"], alice.username)
    assert b1["user"]["id"] == alice.id
    assert alice.password not in r1.text
    b2 = assert_json(server.post("/api/v1/auth/login", json={
        "username": alice.username, "password": alice.password}), 200)
    assert b2["token"] != b1["token"], "every login issues a new token"
    for tok in (b1["token"], b2["token"]):
        assert assert_json(server.get("/api/v1/me", token=tok), 200)["id"] == alice.id


def test_bad_credentials_are_401_with_the_same_message(server, alice):
    wrong_pw = server.post("/api/v1/auth/login", json={"username": alice.username,
                                                        "password": "wrong-password"})
    e1 = assert_error(wrong_pw, 401, "unauthorized")
    unknown = server.post("/api/v1/auth/login", json={"username": uniq("nobody"),
                                                       "password": "wrong-password"})
    e2 = assert_error(unknown, 401, "unauthorized")
    assert e1["message"] == e2["message"], "must not reveal whether the username exists"
    assert "token" not in wrong_pw.text
    case = server.post("/api/v1/auth/login", json={"username": alice.username.upper(),
                                                    "password": alice.password})
    assert case.status_code in (400, 401), describe(case)
    assert_error(case, case.status_code)


@pytest.mark.parametrize("body,field", [
    ({"password": "password-123"}, "username"),
    ({"username": "someone"}, "password"),
    ({}, ("username", "password")),
])
def test_login_missing_fields_are_400(server, body, field):
    r = server.post("/api/v1/auth/login", json=body)
    assert_error(r, 400, "validation_failed", field)


def test_admin_from_cli_logs_in_as_admin(server):
    token, user = server.login(ADMIN_USERNAME, ADMIN_PASSWORD)
    assert user["role"] == "admin"
    assert assert_json(server.get("/api/v1/me", token=token), 200)["role"] == "admin"


# ------------------------------------------------------------------ logout

def test_logout_revokes_only_that_token(server):
    u = server.new_user(prefix="lo")
    other_token = server.login(u.username, u.password)[0]
    r = server.post("/api/v1/auth/logout", user=u)
    assert r.status_code == 204, describe(r)
    assert r.content == b""
    assert r.headers.get("X-Request-Id")
    assert_error(server.get("/api/v1/me", user=u), 401, "unauthorized")
    assert_error(server.post("/api/v1/auth/logout", user=u), 401, "unauthorized")
    assert_error(server.post("/api/v1/tournaments", user=u, json=server.tournament_body()),
                 401, "unauthorized")
    assert assert_json(server.get("/api/v1/me", token=other_token), 200)["id"] == u.id
    assert server.post("/api/v1/auth/logout", token=other_token).status_code == 204
    assert_error(server.get("/api/v1/me", token=other_token), 401, "unauthorized")


def test_logout_without_valid_token_is_401(server):
    assert_error(server.post("/api/v1/auth/logout"), 401, "unauthorized")
    assert_error(server.post("/api/v1/auth/logout", token="x" * 43), 401, "unauthorized")


# ------------------------------------------------------------------ /me

def test_me_shows_own_email(server, alice):
    me = assert_json(server.get("/api/v1/me", user=alice), 200)
    assert_public_user(me, alice.username)
    assert me["id"] == alice.id
    assert me["email"] == alice.data["email"]
    assert me["display_name"] == "Alice Organizer"


@pytest.mark.parametrize("header", [
    None,
    "Bearer",
    "Bearer ",
    "Basic dXNlcjpwYXNzd29yZA==",
    "Token abc",
    "Bearer " + "A" * 43,
    "Bearer " + "A" * 2000,
    "Bearer ' OR '1'='1",
    "Bearer %s%s",
])
def test_me_without_a_valid_token_is_401(server, header):
    headers = {} if header is None else {"Authorization": header}
    assert_error(server.get("/api/v1/me", headers=headers), 401, "unauthorized")


def test_token_with_extra_characters_is_401(server, alice):
    for bad in (alice.token + "x", alice.token[:-1], alice.token[::-1]):
        assert_error(server.get("/api/v1/me", token=bad), 401, "unauthorized")
    assert server.get("/api/v1/me", user=alice).status_code == 200


# ------------------------------------------------------------------ rate limit

def _login_from(port, source_ip, username, password):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20,
                                      source_address=(source_ip, 0))
    try:
        conn.request("POST", "/api/v1/auth/login",
                     body=json.dumps({"username": username, "password": password}),
                     headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type"), resp.read()
    finally:
        conn.close()


def test_login_rate_limit_per_client_address(server_factory):
    srv = server_factory(flags={"--login-rate": "3"})
    good = {"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
    bad = {"username": ADMIN_USERNAME, "password": "not-the-password"}
    assert_error(srv.post("/api/v1/auth/login", json=bad), 401, "unauthorized")
    assert_error(srv.post("/api/v1/auth/login", json=bad), 401, "unauthorized")
    token = assert_json(srv.post("/api/v1/auth/login", json=good), 200)["token"]
    for body in (good, bad):
        r = srv.post("/api/v1/auth/login", json=body)
        assert_error(r, 429, "rate_limited")
        retry = r.headers.get("Retry-After")
        assert retry is not None and retry.strip().isdigit() and int(retry) >= 1, \
            f"Retry-After {retry!r}"
        assert "token" not in r.json()
    # only logins are limited; the token obtained before still works
    assert assert_json(srv.get("/api/v1/me", token=token), 200)["username"] == ADMIN_USERNAME
    assert srv.healthy()
    # another client address has its own bucket
    status, ctype, body = _login_from(srv.port, "127.0.0.2", **good)
    assert status == 200, body
    assert "token" in json.loads(body)
    # and the limited address is still limited
    assert_error(srv.post("/api/v1/auth/login", json=good), 429, "rate_limited")
