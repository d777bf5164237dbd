"""Bad input of every kind gets a 4xx JSON error, changes nothing, and the server keeps
serving: malformed JSON, non-object JSON, invalid UTF-8, wrong types, oversized bodies,
wrong content types, SQL metacharacters, unknown methods and paths."""

import json
from types import SimpleNamespace
from urllib.parse import quote

import pytest

from support import (SQL_INJECTIONS, allow_set, assert_client_error, assert_error,
                     assert_json, uniq)

ENDPOINTS = ["users", "login", "games", "tournaments", "patch", "status"]


@pytest.fixture(scope="module")
def ctx(server):
    """mallory owns one published tournament (the target of PATCH/status) and never
    manages to create anything else."""
    mallory = server.new_user(prefix="mal")
    victim = server.create_tournament(mallory, name=f"Victim {uniq()}", status="published")
    return SimpleNamespace(mallory=mallory, victim=victim)


@pytest.fixture(autouse=True)
def _still_serving(server):
    yield
    assert server.healthy(), "GET /healthz failed after a bad request"


def target(server, ctx, ep):
    """(method, path, user, a valid body) of an endpoint."""
    slug = ctx.victim["slug"]
    return {
        "users": ("POST", "/api/v1/users", None,
                  {"username": uniq("nobody"), "password": "password-123",
                   "display_name": "Someone"}),
        "login": ("POST", "/api/v1/auth/login", None,
                  {"username": ctx.mallory.username, "password": ctx.mallory.password}),
        "games": ("POST", "/api/v1/games", server.admin,
                  {"slug": uniq("g"), "name": f"Never {uniq()}"}),
        "tournaments": ("POST", "/api/v1/tournaments", ctx.mallory,
                        server.tournament_body(name=f"Never {uniq()}")),
        "patch": ("PATCH", f"/api/v1/tournaments/{slug}", ctx.mallory,
                  {"name": f"Never {uniq()}", "max_participants": 99}),
        "status": ("POST", f"/api/v1/tournaments/{slug}/status", ctx.mallory,
                   {"status": "registration_open"}),
    }[ep]


def snapshot(server, ctx):
    return {
        "games": assert_json(server.get("/api/v1/games"), 200)["items"],
        "mallory": server.list_all({"organizer": ctx.mallory.username}, user=ctx.mallory),
        "victim": server.detail(ctx.victim["slug"], user=ctx.mallory),
    }


def assert_unchanged(server, ctx, before):
    after = snapshot(server, ctx)
    assert after["victim"] == before["victim"], "the tournament changed"
    assert [x["id"] for x in after["mallory"]] == [ctx.victim["id"]], "a tournament was created"
    assert after["games"] == before["games"], "the games changed"


def send(server, method, path, user, data, content_type="application/json"):
    headers = {} if content_type is None else {"Content-Type": content_type}
    return server.request(method, path, user=user, data=data, headers=headers)


# ------------------------------------------------------------------ malformed JSON

MALFORMED = {
    "open-brace": b"{",
    "missing-value": b'{"name": }',
    "not-json": b"not json",
    "trailing-comma": b'{"name": "x",}',
    "empty": b"",
    "single-quotes": b"{'name': 'x'}",
    "trailing-garbage": b'{"name": "x"} trailing',
    "two-objects": b'{"name": "x"}{"name": "y"}',
    "unterminated-string": b'{"name": "x}',
    "nan": b'{"max_participants": NaN}',
    "leading-zero": b'{"max_participants": 016}',
    "comment": b'{"name": "x" /* hi */}',
    "bare-key": b'{name: "x"}',
    "only-whitespace": b"   \n\t ",
    "nul-byte": b'{"name": "x"}\x00',
    "bad-escape": b'{"name": "\\q"}',
    "raw-control-char": b'{"name": "a\x01b"}',
}
NON_OBJECT = {"array": b"[]", "array-of-object": b'[{"name": "x"}]', "string": b'"str"',
              "number": b"123", "null": b"null", "true": b"true"}


def _bad_body_cases():
    cases = []
    for ep in ENDPOINTS:
        for name, body in list(MALFORMED.items()) + list(NON_OBJECT.items()):
            cases.append(pytest.param(ep, body, id=f"{ep}-{name}"))
    return cases


@pytest.mark.parametrize("ep,body", _bad_body_cases())
def test_malformed_or_non_object_json_is_400_bad_request(server, ctx, ep, body):
    before = snapshot(server, ctx)
    method, path, user, _ = target(server, ctx, ep)
    assert_error(send(server, method, path, user, body), 400, "bad_request")
    assert_unchanged(server, ctx, before)


INVALID_UTF8 = {
    "ff": b"\xff",
    "overlong-slash": b"\xc0\xaf",
    "surrogate": b"\xed\xa0\x80",
    "lone-continuation": b"ab\x80cd",
    "above-10ffff": b"\xf4\x90\x80\x80",
    "truncated": b"\xe2\x82",
    "latin1-e-acute": b"caf\xe9",
}
UTF8_FIELD = {"users": "display_name", "login": "password", "games": "name",
              "tournaments": "name", "patch": "name", "status": "status"}


def _utf8_cases():
    return [pytest.param(ep, bad, id=f"{ep}-{name}")
            for ep in ENDPOINTS for name, bad in INVALID_UTF8.items()] + \
           [pytest.param(ep, None, id=f"{ep}-in-key") for ep in ENDPOINTS]


def corrupt(body, field, bad):
    marker = "@@CORRUPT@@"
    raw = json.dumps(dict(body, **{field: marker})).encode()
    if bad is None:  # invalid bytes inside a key
        return raw.replace(b"{", b'{"\xfe\xff": 1, ', 1)
    return raw.replace(marker.encode(), b"ok" + bad + b"ok")


@pytest.mark.parametrize("ep,bad", _utf8_cases())
def test_invalid_utf8_is_400_bad_request(server, ctx, ep, bad):
    before = snapshot(server, ctx)
    method, path, user, body = target(server, ctx, ep)
    assert_error(send(server, method, path, user, corrupt(body, UTF8_FIELD[ep], bad)),
                 400, "bad_request")
    assert_unchanged(server, ctx, before)


@pytest.mark.parametrize("ep", ENDPOINTS)
def test_lone_surrogate_escape_is_rejected(server, ctx, ep):
    before = snapshot(server, ctx)
    method, path, user, body = target(server, ctx, ep)
    raw = json.dumps(dict(body, **{UTF8_FIELD[ep]: "@@X@@"})).encode().replace(
        b"@@X@@", b"ok\\ud800ok")
    assert_error(send(server, method, path, user, raw), 400, {"bad_request",
                                                              "validation_failed"})
    assert_unchanged(server, ctx, before)


# ------------------------------------------------------------------ wrong types

WRONG_TYPES = {
    "users": {"username": [123, None, [], {}, True], "password": [12345678, None, ["x"], {},
                                                                  True],
              "display_name": [5, [], True], "email": [5, {}, True]},
    "login": {"username": [1, None, []], "password": [1, None, {}, True]},
    "games": {"slug": [1, None, [], True], "name": [1, None, {}],
              "team_size": ["1", 1.5, True, [], {}]},
    "tournaments": {"name": [1, None, [], True], "slug": [1, True, []],
                    "game": [1, None, {}], "format": [1, None, []],
                    "format_options": ["x", 1, True],
                    "participant_type": [1, None, True],
                    "max_participants": ["8", 8.5, True, [], None],
                    "entry_fee_cents": ["0", 0.5, True, []],
                    "currency": [1, True, []], "check_in_required": [1, 0, "true", []],
                    "start_at": [1700000000, True, None, {}],
                    "registration_opens_at": [1, True], "registration_closes_at": [1, []],
                    "description": [1, True, []]},
    "patch": {"name": [1, None], "description": [1, []], "start_at": [1, None],
              "registration_opens_at": [1, True], "registration_closes_at": [[]],
              "entry_fee_cents": ["1", None, 2.5], "currency": [1, None],
              "check_in_required": [1, "yes", None], "format": [1, None],
              "format_options": ["x", 3], "participant_type": [1, None],
              "max_participants": ["8", 8.5, True, None]},
    "status": {"status": [1, True, None, [], {}]},
}


def _wrong_type_cases():
    return [pytest.param(ep, f, v, id=f"{ep}-{f}-{json.dumps(v)}")
            for ep, fields in WRONG_TYPES.items() for f, vals in fields.items() for v in vals]


@pytest.mark.parametrize("ep,field,value", _wrong_type_cases())
def test_wrong_type_is_400_with_field(server, ctx, ep, field, value):
    before = snapshot(server, ctx)
    method, path, user, body = target(server, ctx, ep)
    body = dict(body, **{field: value})
    r = server.request(method, path, user=user, json=body)
    assert_error(r, 400, "validation_failed", field)
    assert_unchanged(server, ctx, before)


def test_bad_user_bodies_create_nothing(server):
    """Every refused POST /api/v1/users leaves the username free."""
    name = uniq("ghost")
    valid = {"username": name, "password": "password-123", "display_name": "Ghost"}
    bodies = [b"{", b"[]", b"null", json.dumps(valid)[:-1].encode(),
              corrupt(valid, "display_name", b"\xff"), corrupt(valid, "password", b"\xc0\xaf"),
              corrupt(valid, "display_name", None)]
    for body in bodies:
        assert_error(send(server, "POST", "/api/v1/users", None, body), 400, "bad_request")
    for field, values in WRONG_TYPES["users"].items():
        if field == "username":
            continue
        for v in values:
            r = server.post("/api/v1/users", json=dict(valid, **{field: v}))
            assert_error(r, 400, "validation_failed", field)
    for ctype in (None, "text/plain", "application/x-www-form-urlencoded"):
        r = send(server, "POST", "/api/v1/users", None, json.dumps(valid).encode(), ctype)
        assert_error(r, 415, "unsupported_media_type")
    big = json.dumps(dict(valid, pad="x" * (1 << 20))).encode()
    r = server.raw("POST", "/api/v1/users", headers={"Content-Type": "application/json"},
                   body=big)
    assert_error(r, 413, "payload_too_large")
    # none of that created the user:
    assert_json(server.post("/api/v1/users", json=valid), 201)


# ------------------------------------------------------------------ size and content type

def padded(body, size):
    """The JSON of body plus a "pad" member, exactly `size` bytes long."""
    base = len(json.dumps(dict(body, pad=""), separators=(",", ":")).encode())
    raw = json.dumps(dict(body, pad="x" * (size - base)), separators=(",", ":")).encode()
    assert len(raw) == size
    return raw


@pytest.mark.parametrize("ep", ENDPOINTS)
def test_one_mebibyte_body_is_413(server, ctx, ep):
    before = snapshot(server, ctx)
    method, path, user, body = target(server, ctx, ep)
    headers = {"Content-Type": "application/json"}
    if user is not None:
        headers.update(user.headers)
    r = server.raw(method, path, headers=headers, body=padded(body, 1 << 20))
    assert_error(r, 413, "payload_too_large")
    assert r.headers.get("X-Request-Id")
    assert_unchanged(server, ctx, before)


@pytest.mark.parametrize("ep", ["tournaments", "patch", "users"])
def test_announced_oversize_body_is_413_before_it_is_sent(server, ctx, ep):
    """Content-Length over the limit is refused before the body is read: the answer
    arrives although no body byte was sent."""
    method, path, user, _ = target(server, ctx, ep)
    headers = {"Content-Type": "application/json", "Content-Length": str(1 << 20)}
    if user is not None:
        headers.update(user.headers)
    r = server.raw(method, path, headers=headers, body=b"", timeout=10)
    assert_error(r, 413, "payload_too_large")


def test_chunked_oversize_body_is_413(server, ctx):
    before = snapshot(server, ctx)
    _, path, user, body = target(server, ctx, "tournaments")
    payload = padded(body, 1 << 20)
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(payload[i:i + 8192]), payload[i:i + 8192])
                      for i in range(0, len(payload), 8192)) + b"0\r\n\r\n"
    headers = {"Content-Type": "application/json", "Transfer-Encoding": "chunked",
               **user.headers}
    r = server.raw("POST", path, headers=headers, body=chunks, content_length=False)
    assert_error(r, 413, "payload_too_large")
    assert_unchanged(server, ctx, before)


def test_body_limit_is_exactly_64_kib(server, ctx):
    _, path, user, body = target(server, ctx, "tournaments")
    ok = padded(body, 65536)
    r = send(server, "POST", path, user, ok)
    t = assert_json(r, 201)
    assert t["name"] == body["name"]
    over = padded(dict(body, name=f"Over {uniq()}"), 65537)
    headers = {"Content-Type": "application/json", **user.headers}
    assert_error(server.raw("POST", path, headers=headers, body=over), 413, "payload_too_large")
    assert server.list_all({"q": json.loads(over)["name"]}, user=user) == []
    # tidy up so mallory keeps owning only the victim
    assert server.delete(f"/api/v1/tournaments/{t['slug']}", user=user).status_code == 204


BAD_CONTENT_TYPES = [None, "text/plain", "application/x-www-form-urlencoded",
                     "multipart/form-data; boundary=xyz", "application/jsonx", "text/json",
                     "application/xml", "json", "application/json-patch+json"]


@pytest.mark.parametrize("ep", ENDPOINTS)
@pytest.mark.parametrize("ctype", BAD_CONTENT_TYPES, ids=lambda c: str(c))
def test_wrong_content_type_is_415(server, ctx, ep, ctype):
    before = snapshot(server, ctx)
    method, path, user, body = target(server, ctx, ep)
    r = send(server, method, path, user, json.dumps(body).encode(), ctype)
    assert_error(r, 415, "unsupported_media_type")
    assert "token" not in r.text
    assert_unchanged(server, ctx, before)


@pytest.mark.parametrize("ctype", ["application/json; charset=utf-8",
                                   "application/json;charset=UTF-8",
                                   "application/json ; charset=utf-8"])
def test_json_content_type_parameters_are_accepted(server, alice, ctype):
    body = server.tournament_body()
    r = send(server, "POST", "/api/v1/tournaments", alice, json.dumps(body).encode(), ctype)
    assert assert_json(r, 201)["name"] == body["name"]


def test_large_request_headers_are_served_and_oversized_ones_refused(server):
    """12 KB of headers (long cookies, big tokens) are served; 40 KB are refused with a
    4xx (libmicrohttpd's 431/413), and the server goes on serving."""
    r = server.get("/healthz", headers={"X-Padding": "a" * 12000})
    assert r.status_code == 200 and r.json()["status"] == "ok"
    r = server.get("/healthz", headers={"X-Padding": "a" * 40000})
    assert r.status_code in (413, 431)
    assert server.get("/healthz").status_code == 200


# ------------------------------------------------------------------ odd but valid JSON

def test_deeply_nested_json_is_refused(server, ctx):
    before = snapshot(server, ctx)
    _, path, user, body = target(server, ctx, "tournaments")
    raw = json.dumps(dict(body, extra="@@")).encode().replace(
        b'"@@"', b"[" * 20000 + b"]" * 20000)
    assert len(raw) < 65536
    assert_client_error(send(server, "POST", path, user, raw))
    assert_unchanged(server, ctx, before)


@pytest.mark.parametrize("field,literal", [
    ("max_participants", b"1e400"), ("max_participants", b"99999999999999999999"),
    ("max_participants", b"-99999999999999999999"), ("entry_fee_cents", b"9223372036854775808"),
    ("entry_fee_cents", b"1e2"), ("max_participants", b"16.0e0"),
])
def test_out_of_range_numbers_are_400(server, ctx, field, literal):
    before = snapshot(server, ctx)
    _, path, user, body = target(server, ctx, "tournaments")
    raw = json.dumps(dict(body, **{field: "@@"})).encode().replace(b'"@@"', literal)
    err = assert_error(send(server, "POST", path, user, raw), 400,
                       {"bad_request", "validation_failed"})
    if err["code"] == "validation_failed":
        assert err.get("field") == field
    assert_unchanged(server, ctx, before)


@pytest.mark.parametrize("text", ["a\u0000b", "tab\there", "bell\u0007", "del\u007f",
                                  "\u202egnp.exe", "emoji 🎮🎮", "zero\u200bwidth"])
def test_unusual_characters_are_refused_or_kept_exactly(server, alice, text):
    name = f"{text} {uniq()}"
    r = server.post("/api/v1/tournaments", user=alice, json=server.tournament_body(name=name))
    if r.status_code == 201:
        t = r.json()
        assert t["name"] == name
        assert server.detail(t["slug"], user=alice)["name"] == name
    else:
        assert_error(r, 400, {"bad_request", "validation_failed"})


def test_unknown_fields_are_ignored(server, alice):
    body = server.tournament_body(unknown_field={"nested": [1, 2, {"x": None}]},
                                  another=12.5, _private=True)
    t = assert_json(server.post("/api/v1/tournaments", user=alice, json=body), 201)
    assert "unknown_field" not in t and "another" not in t


# ------------------------------------------------------------------ SQL metacharacters

@pytest.mark.parametrize("evil", SQL_INJECTIONS)
def test_sql_metacharacters_in_free_text_are_stored_literally(server, alice, admin, evil):
    name = f"{evil} {uniq()}"
    t = assert_json(server.post("/api/v1/tournaments", user=alice,
                                json=server.tournament_body(name=name, description=evil)), 201)
    assert t["name"] == name and t["description"] == evil
    assert server.detail(t["slug"], user=alice)["name"] == name
    assert [x["id"] for x in server.list_all({"q": name}, user=alice)] == [t["id"]]
    p = assert_json(server.patch(f"/api/v1/tournaments/{t['slug']}", user=alice,
                                 json={"name": name + " v2", "description": evil * 2}), 200)
    assert p["name"] == name + " v2" and p["description"] == evil * 2
    g = server.create_game(name=evil)
    assert g["name"] == evil
    games = assert_json(server.get("/api/v1/games"), 200)["items"]
    assert [x["name"] for x in games if x["slug"] == g["slug"]] == [evil]


def test_sql_metacharacters_in_account_fields(server, alice):
    name = uniq("sq")
    password = "Robert'); DROP TABLE users;--"
    u = assert_json(server.post("/api/v1/users", json={
        "username": name, "password": password, "display_name": "'; DROP TABLE users; --",
        "email": "o'reilly@example.com"}), 201)
    assert u["display_name"] == "'; DROP TABLE users; --"
    assert u["email"] == "o'reilly@example.com"
    token, user = server.login(name, password)
    assert assert_json(server.get("/api/v1/me", token=token), 200)["display_name"] == \
        "'; DROP TABLE users; --"
    for creds in ({"username": name, "password": "' OR '1'='1"},
                  {"username": f"{name}' --", "password": "anything"},
                  {"username": "' OR 1=1 --", "password": "' OR 1=1 --"},
                  {"username": alice.username, "password": "' OR ''='"}):
        r = server.post("/api/v1/auth/login", json=creds)
        assert_error(r, (400, 401))
        assert "token" not in r.json()
    assert assert_json(server.get("/api/v1/me", user=alice), 200)["id"] == alice.id


VALIDATED = [("users", "username"), ("games", "slug"), ("tournaments", "slug"),
             ("tournaments", "game"), ("tournaments", "format"),
             ("tournaments", "participant_type"), ("tournaments", "currency"),
             ("tournaments", "start_at"), ("tournaments", "registration_opens_at"),
             ("patch", "registration_closes_at"), ("patch", "currency"), ("patch", "start_at"),
             ("patch", "format"), ("patch", "participant_type"), ("status", "status")]


@pytest.mark.parametrize("ep,field", VALIDATED, ids=[f"{e}-{f}" for e, f in VALIDATED])
@pytest.mark.parametrize("evil", SQL_INJECTIONS[:4])
def test_sql_metacharacters_in_validated_fields_are_400(server, ctx, ep, field, evil):
    before = snapshot(server, ctx)
    method, path, user, body = target(server, ctx, ep)
    r = server.request(method, path, user=user, json=dict(body, **{field: evil}))
    assert_error(r, 400, "validation_failed", field)
    assert_unchanged(server, ctx, before)


def test_sql_metacharacters_in_format_options(server, ctx):
    before = snapshot(server, ctx)
    _, path, user, body = target(server, ctx, "tournaments")
    for opts in ({"grand_final": "'; DROP TABLE matches; --"}, {"'; DROP": True}):
        r = server.post(path, user=user, json=dict(body, format="double_elimination",
                                                    format_options=opts))
        if "grand_final" in opts:
            assert_error(r, 400, "validation_failed")
        else:  # unknown keys are ignored
            t = assert_json(r, 201)
            assert "'; DROP" not in t["format_options"]
            assert server.delete(f"/api/v1/tournaments/{t['slug']}",
                                 user=user).status_code == 204
    assert_unchanged(server, ctx, before)


@pytest.mark.parametrize("evil", SQL_INJECTIONS)
def test_sql_metacharacters_in_filters(server, ctx, alice, evil):
    before = snapshot(server, ctx)
    lst = "/api/v1/tournaments"
    r = server.get(lst, params={"q": evil})
    items = assert_json(r, 200)["items"]
    assert all(evil.lower() in x["name"].lower() for x in items), "q must match literally"
    for p in ("status", "limit", "cursor"):
        assert_error(server.get(lst, params={p: evil}), 400, "validation_failed", p)
    for p in ("game", "organizer"):
        r = server.get(lst, params={p: evil}, user=alice)
        if r.status_code == 200:
            assert r.json()["items"] == []
        else:
            assert_error(r, 400, "validation_failed", p)
    r = server.get("/api/v1/tournament-states", params={"slugs": evil})
    if r.status_code == 200:
        assert r.json()["states"] == {}
    else:
        assert_error(r, 400, "validation_failed", "slugs")
    r = server.get("/api/v1/tournament-states",
                   params={"slugs": f"{ctx.victim['slug']},{evil}"})
    if r.status_code == 200:
        assert list(r.json()["states"]) == [ctx.victim["slug"]]
    else:
        assert_error(r, 400, "validation_failed", "slugs")
    for suffix in ("", "/state"):
        assert_error(server.get(f"{lst}/{quote(evil, safe='')}{suffix}"), 404, "not_found")
    assert_error(server.patch(f"{lst}/{quote(evil, safe='')}", user=alice,
                              json={"name": "x"}), 404, "not_found")
    assert_unchanged(server, ctx, before)
    # every table is still there
    assert assert_json(server.get("/api/v1/me", user=alice), 200)["id"] == alice.id
    assert assert_json(server.get("/api/v1/games"), 200)["items"]
    assert server.detail(ctx.victim["slug"])["id"] == ctx.victim["id"]


@pytest.mark.parametrize("param", ["q", "cursor"])
def test_invalid_utf8_in_query_is_400(server, param):
    r = server.raw("GET", f"/api/v1/tournaments?{param}=ok%FF%FEok")
    assert_error(r, 400, "validation_failed", param)


@pytest.mark.parametrize("param", ["game", "organizer", "slugs"])
def test_invalid_utf8_in_identifier_filters_is_harmless(server, param):
    path = "/api/v1/tournament-states" if param == "slugs" else "/api/v1/tournaments"
    r = server.raw("GET", f"{path}?{param}=ok%FF%C0ok")
    if r.status_code == 200:
        body = r.json()
        assert body.get("items", []) == [] and body.get("states", {}) == {}
    else:
        assert_error(r, 400, "validation_failed", param)


def test_garbage_authorization_header_is_401(server):
    for value in (b"Bearer \xff\xfe\xfd", b"\xff\xff", b"Bearer " + b"A" * 4000,
                  b"Bearer a b c", b"Bearer\t" + b"A" * 43):
        r = server.raw("GET", "/api/v1/me", headers={"Authorization": value})
        assert_error(r, 401, "unauthorized")


# ------------------------------------------------------------------ methods and paths

METHOD_CASES = [
    ("PUT", "/api/v1/tournaments", {"GET", "POST"}),
    ("DELETE", "/api/v1/tournaments", {"GET", "POST"}),
    ("PATCH", "/api/v1/tournaments", {"GET", "POST"}),
    ("PUT", "/api/v1/games", {"GET", "POST"}),
    ("DELETE", "/api/v1/games", {"GET", "POST"}),
    ("PATCH", "/api/v1/games", {"GET", "POST"}),
    ("GET", "/api/v1/users", {"POST"}),
    ("DELETE", "/api/v1/users", {"POST"}),
    ("GET", "/api/v1/auth/login", {"POST"}),
    ("PUT", "/api/v1/auth/login", {"POST"}),
    ("GET", "/api/v1/auth/logout", {"POST"}),
    ("POST", "/api/v1/me", {"GET"}),
    ("DELETE", "/api/v1/me", {"GET"}),
    ("PATCH", "/api/v1/me", {"GET"}),
    ("PUT", "/api/v1/tournaments/{slug}", {"GET", "PATCH", "DELETE"}),
    ("POST", "/api/v1/tournaments/{slug}", {"GET", "PATCH", "DELETE"}),
    ("GET", "/api/v1/tournaments/{slug}/status", {"POST"}),
    ("DELETE", "/api/v1/tournaments/{slug}/status", {"POST"}),
    ("PATCH", "/api/v1/tournaments/{slug}/status", {"POST"}),
    ("POST", "/api/v1/tournaments/{slug}/state", {"GET"}),
    ("DELETE", "/api/v1/tournaments/{slug}/state", {"GET"}),
    ("POST", "/api/v1/tournament-states", {"GET"}),
    ("DELETE", "/api/v1/tournament-states", {"GET"}),
    ("POST", "/healthz", {"GET"}),
    ("DELETE", "/readyz", {"GET"}),
    ("POST", "/metrics", {"GET"}),
    ("PROPFIND", "/api/v1/tournaments", {"GET", "POST"}),
    ("BREW", "/api/v1/games", {"GET", "POST"}),
    ("TRACE", "/api/v1/tournaments/{slug}", {"GET", "PATCH", "DELETE"}),
]


@pytest.mark.parametrize("method,path,allowed", METHOD_CASES,
                         ids=[f"{m}-{p}" for m, p, _ in METHOD_CASES])
def test_other_method_on_known_path_is_405_with_allow(server, ctx, method, path, allowed):
    before = snapshot(server, ctx)
    path = path.replace("{slug}", ctx.victim["slug"])
    kw = {}
    if method in ("POST", "PUT", "PATCH"):
        kw["json"] = {"name": "hijacked", "status": "cancelled", "slug": "hijacked"}
    r = server.request(method, path, user=ctx.mallory, **kw)
    assert_error(r, 405, "method_not_allowed")
    allow = allow_set(r)
    assert allowed <= allow, f"Allow: {r.headers.get('Allow')!r}"
    assert method not in allow
    assert allow <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
    assert_unchanged(server, ctx, before)


UNKNOWN_PATHS = ["/api/v1/nonexistent", "/api/v2/games", "/nonexistent", "/api/v1",
                 "/api", "/api/v1/tournaments/{slug}/nonexistent", "/api/v1/games/x/y/z",
                 "/api/v1/tournaments/{slug}/state/extra", "/api/v1/users/1/2/3",
                 "/healthz/extra", "/API/V1/GAMES", "/api/v1/tournament-states/x",
                 "/api/v1/auth", "/api/v1/auth/login/x"]


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
@pytest.mark.parametrize("path", UNKNOWN_PATHS)
def test_unknown_path_is_404_json(server, ctx, method, path):
    path = path.replace("{slug}", ctx.victim["slug"])
    kw = {"json": {"name": "x"}} if method == "POST" else {}
    assert_error(server.request(method, path, user=ctx.mallory, **kw), 404, "not_found")


@pytest.mark.parametrize("path", [
    "/api/v1/tournaments/%00", "/api/v1/tournaments/..%2F..%2Fetc%2Fpasswd",
    "/api/v1/tournaments/%2e%2e/%2e%2e/etc/passwd", "/api/v1/%ff%fe",
    "/api/v1/tournaments/" + "a" * 3000, "/api/v1/tournaments/{slug}%00",
    "/api/v1/tournaments/{slug}%20", "/api/v1/tournaments/%", "/api/v1/tournaments/%zz",
    "/api/v1/tournaments/{slug}/../../../../etc/passwd",
])
def test_odd_raw_paths_are_404(server, ctx, path):
    path = path.replace("{slug}", ctx.victim["slug"])
    r = server.raw("GET", path)
    assert_error(r, (400, 404), {"not_found", "bad_request", "validation_failed"})
