"""Random requests against a seeded server: no input may crash it, answer 5xx, break the
error shape, or leave the database inconsistent.

The hand-written cases in test_bad_input.py name each rule; this suite throws thousands of
requests that nobody wrote by hand at every route: real and broken identifiers, query
parameters the routes know with values they do not expect, mutated JSON bodies (wrong types,
extreme numbers, huge and odd strings, truncated documents, invalid UTF-8), unusual methods,
and random Authorization, If-None-Match, Accept-Encoding and Content-Type headers, signed in
as the seeded organizer (who owns tournaments, so writes happen), a player, the admin or
nobody. Every answer must be a complete HTTP response below 500; every 4xx must carry the
JSON error shape; a 2xx API answer must be JSON (gunzipped when it says gzip); a 304 only
answers an If-None-Match. A refused write must leave the tournament's version unchanged.
At the end the server still answers, `tourneyd check` passes (integrity, stored standings),
and the fixture's teardown fails the test on any sanitizer report.

The generator is seeded (TOURNEYD_FUZZ_SEED, default 20261123) and the number of requests is
TOURNEYD_FUZZ_N (default 4000), so a failure is reproduced by running the test again with
the seed it prints.
"""

import copy
import gzip
import json
import os
import random
import struct
import time

from support import ADMIN_PASSWORD, ADMIN_USERNAME, assert_error, raw_request
from test_live import OP_CLOSE, OP_PING, OP_PONG, OP_TEXT, RawWS, ws_frame  # raw client

SEED = int(os.environ.get("TOURNEYD_FUZZ_SEED", "20261123"))
N = int(os.environ.get("TOURNEYD_FUZZ_N", "4000"))
TIME_LIMIT_S = 240  # a slow (sanitized) build stops early rather than run for ever

ROUTES = [
    ("POST", "/api/v1/users"), ("POST", "/api/v1/auth/login"), ("POST", "/api/v1/auth/logout"),
    ("GET", "/api/v1/me"), ("GET", "/api/v1/games"), ("POST", "/api/v1/games"),
    ("GET", "/api/v1/games/{game}/leaderboard"), ("GET", "/api/v1/tournaments"),
    ("POST", "/api/v1/tournaments"), ("GET", "/api/v1/tournaments/{slug}"),
    ("PATCH", "/api/v1/tournaments/{slug}"), ("DELETE", "/api/v1/tournaments/{slug}"),
    ("POST", "/api/v1/tournaments/{slug}/status"), ("GET", "/api/v1/tournaments/{slug}/state"),
    ("GET", "/api/v1/tournament-states"), ("GET", "/api/v1/tournaments/{slug}/live"),
    ("POST", "/api/v1/teams"), ("GET", "/api/v1/teams/{team}"),
    ("POST", "/api/v1/teams/{team}/members"), ("DELETE", "/api/v1/teams/{team}/members/{user}"),
    ("POST", "/api/v1/tournaments/{slug}/registrations"),
    ("GET", "/api/v1/tournaments/{slug}/registrations"), ("GET", "/api/v1/registrations/{reg}"),
    ("DELETE", "/api/v1/registrations/{reg}"), ("POST", "/api/v1/registrations/{reg}/check-in"),
    ("GET", "/api/v1/me/registrations"), ("POST", "/api/v1/registrations/{reg}/payments"),
    ("GET", "/api/v1/tournaments/{slug}/payments"), ("POST", "/api/v1/payments/{pay}/verify"),
    ("POST", "/api/v1/payments/{pay}/reject"), ("GET", "/api/v1/organizer/dashboard"),
    ("GET", "/api/v1/tournaments/{slug}/matches"), ("GET", "/api/v1/tournaments/{slug}/bracket"),
    ("GET", "/api/v1/matches/{match}"), ("PUT", "/api/v1/tournaments/{slug}/seeding"),
    ("GET", "/api/v1/tournaments/{slug}/standings"), ("POST", "/api/v1/matches/{match}/result"),
    ("DELETE", "/api/v1/matches/{match}/result"), ("GET", "/healthz"), ("GET", "/readyz"),
    ("GET", "/metrics"), ("GET", "/"), ("GET", "/t/{slug}"),
    ("GET", "/games/{game}/leaderboard"), ("GET", "/static/{name}"),
]

# A valid-looking body per writing route, which the mutations start from.
BODIES = {
    "/api/v1/users": lambda g: {"username": f"fz{g.rng.randrange(10**9)}", "password": "fuzz-password",
                                "display_name": "Fuzz", "email": "f@example.com"},
    "/api/v1/auth/login": lambda g: {"username": "organizer", "password": "demo-password"},
    "/api/v1/games": lambda g: {"slug": f"fz-{g.rng.randrange(10**6)}", "name": "Fuzz game",
                                "team_size": g.rng.choice([1, 2, 5])},
    "/api/v1/tournaments": lambda g: {
        "name": "Fuzz cup", "game": g.pick("game"),
        "format": g.rng.choice(["single_elimination", "double_elimination", "round_robin",
                                "swiss"]),
        "max_participants": g.rng.choice([2, 4, 8, 16, 64]), "entry_fee_cents": 0,
        "start_at": "2027-01-01T10:00:00Z", "registration_opens_at": "2026-11-01T00:00:00Z",
        "registration_closes_at": "2026-12-31T00:00:00Z"},
    "/api/v1/tournaments/{slug}": lambda g: {"name": "Renamed by fuzz", "max_participants": 32},
    "/api/v1/tournaments/{slug}/status": lambda g: {"status": g.rng.choice(
        ["published", "registration_open", "registration_closed", "live", "completed",
         "cancelled", "draft"])},
    "/api/v1/teams": lambda g: {"name": f"Fuzz {g.rng.randrange(10**6)}", "tag": "FZ",
                                "game": g.pick("game")},
    "/api/v1/teams/{team}/members": lambda g: {"user_id": g.pick("user")},
    "/api/v1/tournaments/{slug}/registrations": lambda g: {},
    "/api/v1/registrations/{reg}/payments": lambda g: {"amount_cents": 1000, "method": "card",
                                                      "reference": "FZ-1"},
    "/api/v1/payments/{pay}/reject": lambda g: {"reason": "fuzz"},
    "/api/v1/tournaments/{slug}/seeding": lambda g: g.rng.choice(
        [{"method": "random", "rng_seed": 42}, {"method": "registration_order"},
         {"order": [g.pick("reg") for _ in range(3)]}]),
    "/api/v1/matches/{match}/result": lambda g: {"score1": g.rng.randrange(4),
                                                 "score2": g.rng.randrange(4)},
}

QUERY_KEYS = ["limit", "cursor", "status", "game", "slugs", "round", "bracket", "state", "q",
              "offset", "page", "registration_state", "sort", "format", ""]
ODD_TEXT = ["", " ", "0", "-1", "1", "99999999999999999999", "9223372036854775807",
            "9223372036854775808", "-9223372036854775808", "1e308", "1.5", "0x10", "null",
            "true", "[]", "{}", "%00", "%", "%zz", "%ff%fe", "%C3%A9", "%E2%80%AE", "a%2Cb",
            ",,,", "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "x" * 300,
            "\u00e9t\u00e9", "\U0001F3AE", "a+b", "a b", "%20", "%0d%0aX-Injected: 1", "+",
            "live", "completed", "winners", "losers", "grand_final", "pending", "open"]
ODD_JSON = [None, True, False, 0, -1, 1, 2**31, 2**63, -2**63 - 1, 10**30, 1.5, -0.0, 1e308,
            "", " ", "x" * 5000, "<b>bold</b>", "\u0000", "\ud7ff", "\U0001F3AE", [], {}, [1, 2],
            {"a": {"b": {"c": [None]}}}, "2026-02-30T00:00:00Z", "not a date",
            "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z"]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND",
           "get", "CONNECT"]


class Gen:
    def __init__(self, rng, ids, tokens):
        self.rng = rng
        self.ids = ids
        self.tokens = tokens

    def pick(self, kind):
        vals = self.ids.get(kind) or [1]
        return self.rng.choice(vals)

    def odd_json(self):
        return copy.deepcopy(self.rng.choice(ODD_JSON))  # the body may be mutated further

    def ident(self, kind):
        if self.rng.random() < 0.8:
            return str(self.pick(kind))
        return self.rng.choice(ODD_TEXT).replace(" ", "%20").replace("\r", "").replace("\n", "")

    def path(self, template):
        out = template
        for name, kind in (("{slug}", "slug"), ("{game}", "game"), ("{team}", "team"),
                           ("{user}", "user"), ("{reg}", "reg"), ("{pay}", "pay"),
                           ("{match}", "match"), ("{name}", "static")):
            if name in out:
                out = out.replace(name, self.ident(kind))
        if self.rng.random() < 0.5:
            params = []
            for _ in range(self.rng.randrange(1, 4)):
                k = self.rng.choice(QUERY_KEYS)
                if k == "slugs" and self.rng.random() < 0.7:
                    v = ",".join(str(self.pick("slug")) for _ in range(self.rng.randrange(0, 12)))
                elif k == "game" and self.rng.random() < 0.6:
                    v = str(self.pick("game"))
                else:
                    v = self.rng.choice(ODD_TEXT)
                v = v.replace(" ", "%20").replace("\r", "").replace("\n", "")
                params.append(k if self.rng.random() < 0.05 else f"{k}={v}")
            out += "?" + "&".join(params)
        return out

    def body(self, template):
        make = BODIES.get(template)
        r = self.rng.random()
        if make is None or r < 0.1:
            return self.rng.choice([b"", b"{", b"[]", b"null", b"42", b'"x"', b"{}",
                                    b'{"a":', b"\xff\xfe{}", b'{"name":"\xc3\x28"}',
                                    b"{" * 200 + b"}" * 200, b'{"a":1,"a":2}',
                                    b'{"score1":1e999,"score2":0}'])
        doc = make(self)
        if isinstance(doc, dict):
            for _ in range(self.rng.randrange(0, 3)):
                op = self.rng.random()
                keys = list(doc.keys())
                if op < 0.45 and keys:
                    doc[self.rng.choice(keys)] = self.odd_json()
                elif op < 0.65 and keys:
                    del doc[self.rng.choice(keys)]
                elif op < 0.8:
                    doc[self.rng.choice(["unknown", "id", "version", "organizer_id", "status",
                                         "format_options", "seed"])] = self.odd_json()
                else:
                    doc = self.odd_json() if self.rng.random() < 0.3 else doc
                    if not isinstance(doc, dict):
                        break
        data = json.dumps(doc).encode()
        if self.rng.random() < 0.05 and len(data) > 2:
            data = data[: self.rng.randrange(1, len(data))]  # truncated
        return data

    def headers(self, method):
        h = {}
        who = self.rng.random()
        if who < 0.45:
            h["Authorization"] = f"Bearer {self.tokens['organizer']}"
        elif who < 0.6:
            h["Authorization"] = f"Bearer {self.tokens['player']}"
        elif who < 0.7:
            h["Authorization"] = f"Bearer {self.tokens['admin']}"
        elif who < 0.8:
            h["Authorization"] = self.rng.choice(
                ["Bearer", "Bearer ", "Bearer x", "Basic YWRtaW46YWRtaW4=", "bearer " + "A" * 500,
                 "Bearer " + self.tokens["organizer"][:-1], "Token abc", "Bearer %00"])
        if self.rng.random() < 0.3:
            h["If-None-Match"] = self.rng.choice(['"abc"', "*", "W/\"x\"", '"', "", "x" * 400,
                                                  '"a", "b", W/"c"', ",,,,"])
        if self.rng.random() < 0.4:
            h["Accept-Encoding"] = self.rng.choice(["gzip", "gzip;q=0", "*", "identity", "br",
                                                    "gzip;q=abc", "GZIP", ", ,gzip", "*;q=0",
                                                    "deflate, gzip;q=0.5"])
        if method in ("POST", "PUT", "PATCH") and self.rng.random() < 0.9:
            h["Content-Type"] = ("application/json" if self.rng.random() < 0.85 else
                                 self.rng.choice(["text/plain", "application/json; charset=latin1",
                                                  "multipart/form-data; boundary=x",
                                                  "application/x-www-form-urlencoded",
                                                  "application/jsonx", ""]))
        return h


def _login(server):
    return {"organizer": server.login("organizer", "demo-password")[0],
            "player": server.login("player00001", "demo-password")[0],
            "admin": server.login(ADMIN_USERNAME, ADMIN_PASSWORD)[0]}


def _ids(server, tokens):
    """Real identifiers of the seeded database, so that many requests reach deep code."""
    auth = {"Authorization": f"Bearer {tokens['organizer']}"}
    ids = {"slug": [], "game": [], "team": [], "user": [1, 2, 3], "reg": [], "pay": [],
           "match": [], "static": ["app.css", "live.js", "nope.js", "..%2fapp.css"]}
    for g in server.get("/api/v1/games").json()["items"]:
        ids["game"].append(g["slug"])
    # the organizer's own tournaments first (their writes go deep), then public ones
    mine = server.get("/api/v1/organizer/dashboard", headers=auth).json()["items"]
    pub = server.get("/api/v1/tournaments?limit=100").json()["items"]
    for t in mine + pub:
        if t["slug"] not in ids["slug"]:
            ids["slug"].append(t["slug"])
    for slug in ids["slug"][:60]:
        for reg in server.get(f"/api/v1/tournaments/{slug}/registrations?limit=20").json() \
                .get("items", []):
            ids["reg"].append(reg["id"])
            if reg.get("team"):
                ids["team"].append(reg["team"]["id"] if isinstance(reg["team"], dict)
                                   else reg["team"])
        for m in server.get(f"/api/v1/tournaments/{slug}/matches?limit=20").json() \
                .get("items", []):
            ids["match"].append(m["id"])
        pays = server.get(f"/api/v1/tournaments/{slug}/payments?limit=20", headers=auth)
        if pays.status_code == 200:
            ids["pay"] += [p["id"] for p in pays.json().get("items", [])]
    return ids


CREATES = {"/api/v1/tournaments": ("slug", "slug"), "/api/v1/teams": ("team", "id"),
           "/api/v1/tournaments/{slug}/registrations": ("reg", "id"),
           "/api/v1/registrations/{reg}/payments": ("pay", "id"), "/api/v1/games": ("game", "slug")}


def _harvest(gen, template, resp):
    """Adds what a 201 created to the identifiers, so later requests act on it too."""
    kind_field = CREATES.get(template)
    if kind_field:
        kind, field = kind_field
        value = resp.json().get(field)
        if value is not None:
            gen.ids.setdefault(kind, []).append(value)


def _version(server, path):
    """The tournament version a write on `path` could change, or None."""
    parts = path.split("?")[0].split("/")
    if len(parts) >= 5 and parts[3] == "tournaments":
        r = server.get(f"/api/v1/tournaments/{parts[4]}/state")
        if r.status_code == 200:
            return r.json().get("version")
    return None


def _check(resp, method, path, headers):
    """The rules every answer keeps; returns the problem, or None."""
    if resp.status_code >= 500:
        return f"{resp.status_code}"
    if resp.status_code == 304 and "If-None-Match" not in headers:
        return "304 without If-None-Match"
    api = path.startswith("/api/")
    if resp.status_code >= 400 and method != "HEAD":
        if api:
            try:
                assert_error(resp, resp.status_code)
            except AssertionError as e:
                return f"bad error shape: {str(e)[:300]}"
        elif not (resp.headers.get("Content-Type") or "").startswith(("text/html",
                                                                      "application/json")):
            return f"a page's error is {resp.headers.get('Content-Type')!r}"
    if 200 <= resp.status_code < 300 and method == "GET" and api:
        body = resp.content
        if (resp.headers.get("Content-Encoding") or "").lower() == "gzip":
            try:
                body = gzip.decompress(body)
            except OSError as e:
                return f"bad gzip body: {e}"
        try:
            json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            return f"2xx body is not JSON: {e}"
    return None


def test_random_requests_never_crash_or_corrupt(server_factory):
    srv = server_factory(seed=True)
    tokens = _login(srv)
    rng = random.Random(SEED)
    gen = Gen(rng, _ids(srv, tokens), tokens)
    assert gen.ids["slug"] and gen.ids["match"] and gen.ids["reg"], gen.ids
    failures, statuses, writes_refused = [], {}, 0
    started = time.monotonic()
    for i in range(N):
        if time.monotonic() - started > TIME_LIMIT_S:
            break
        method, template = rng.choice(ROUTES)
        if rng.random() < 0.1:
            method = rng.choice(METHODS)
        path = gen.path(template)
        headers = gen.headers(method.upper())
        body = gen.body(template) if method.upper() in ("POST", "PUT", "PATCH") else b""
        writes = method.upper() in ("POST", "PUT", "PATCH", "DELETE")
        before = _version(srv, path) if writes else None
        try:
            resp = raw_request(srv.port, method, path.encode("utf-8"), headers=headers, body=body)
        except AssertionError as e:
            failures.append(f"#{i} {method} {path}: {e}")
            break
        statuses[resp.status_code] = statuses.get(resp.status_code, 0) + 1
        if resp.status_code == 201:
            _harvest(gen, template, resp)
        if template == "/api/v1/auth/logout" and resp.status_code < 300:
            gen.tokens = _login(srv)  # one of the tokens may have just been revoked
        problem = _check(resp, method.upper(), path, headers)
        if problem is None and writes and before is not None and 400 <= resp.status_code < 500:
            writes_refused += 1
            after = _version(srv, path)
            if after is not None and after != before:
                problem = f"refused write changed version {before} -> {after}"
        if problem:
            failures.append(f"#{i} {method} {path} headers={headers} body={body[:200]!r} -> "
                            f"{resp.status_code}: {problem}; {resp.content[:300]!r}")
            if len(failures) >= 10:
                break
    print(f"fuzz: seed {SEED}, {i + 1} requests, statuses {sorted(statuses.items())}, "
          f"{writes_refused} refused writes checked")
    assert not failures, f"seed {SEED}:\n" + "\n".join(failures)
    assert srv.get("/healthz").status_code == 200
    # the run reached the handlers, not only the router's refusals
    assert sum(v for k, v in statuses.items() if 200 <= k < 300) > N // 20, statuses
    assert writes_refused > 0, statuses
    srv.cli("check", "--db", str(srv.db))


# ------------------------------------------------------------------ live (WebSocket) frames

WS_CLOSE_CODES = {1000, 1001, 1002, 1003, 1007, 1008, 1009}


def _ws_frame(rng):
    """One client frame: valid, malformed or plain garbage."""
    r = rng.random()
    if r < 0.1:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
    opcode = rng.choice([0, 1, 1, 1, 2, 3, 8, 9, 9, 10, 11, 15])
    payload = rng.choice([b'{"type":"ping"}', b"{}", b"", b"x" * rng.randrange(0, 6000),
                          b'{"type":"subscribe"}', b"\xff\xfe", b"\x03\xe8bye", b"\x03\xed",
                          json.dumps({"type": "ping", "pad": "y" * rng.randrange(300)}).encode()])
    fin = rng.random() < 0.85
    rsv = rng.choice([0, 0, 0, 0, 1, 2, 4])
    mask = rng.random() < 0.95
    length = None
    if rng.random() < 0.05:  # an announced length that differs from what follows
        length = rng.choice([0, 1, 125, 126, 65535, 65536, 2**31, 2**63 - 1])
    # the mask key from the seed too, so a seed repeats its run
    key = bytes(rng.randrange(256) for _ in range(4)) if mask else None
    return ws_frame(opcode, payload, fin, mask, rsv, length, key)


def _ws_session(port, path, rng):
    """Handshake, then random frames (sometimes a byte at a time); returns the close code the
    server sent, None when it sent none before closing or going quiet, or a problem string."""
    ws = RawWS(port, path)
    try:
        if ws.status != 101:
            return f"handshake answered {ws.status}"
        data = b"".join(_ws_frame(rng) for _ in range(rng.randrange(1, 8)))
        try:
            if rng.random() < 0.2:
                for i in range(0, len(data), 7):
                    ws.sock.sendall(data[i:i + 7])
            else:
                ws.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        deadline = time.monotonic() + 1
        while time.monotonic() < deadline:
            try:
                _fin, op, payload = ws.recv_frame(max(0.05, deadline - time.monotonic()))
            except (EOFError, TimeoutError):
                return None
            if op == OP_CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                if code is not None and code not in WS_CLOSE_CODES:
                    return f"close code {code}"
                return code
            if op not in (OP_TEXT, OP_PING, OP_PONG):
                return f"server sent opcode {op}"
        return None
    finally:
        ws.close()


def test_random_websocket_frames_never_crash(server_factory):
    srv = server_factory(seed=True)
    slugs = [t["slug"] for t in srv.get("/api/v1/tournaments?status=live&limit=20").json()["items"]]
    assert slugs
    rng = random.Random(SEED)
    problems, codes = [], {}
    n = max(50, N // 20)
    for i in range(n):
        got = _ws_session(srv.port, f"/api/v1/tournaments/{rng.choice(slugs)}/live", rng)
        if isinstance(got, str):
            problems.append(f"#{i}: {got}")
        else:
            codes[got] = codes.get(got, 0) + 1
    print(f"fuzz: seed {SEED}, {n} live sessions, close codes {codes}")
    assert not problems, f"seed {SEED}:\n" + "\n".join(problems[:10])
    assert srv.get("/healthz").status_code == 200
    assert set(codes) - {None} , codes  # the frames reached the protocol checks
