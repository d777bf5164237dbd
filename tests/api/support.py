"""Shared helpers of the API test suite: the server process, HTTP helpers, assertions.

The fixtures in conftest.py build on this module; test modules import the plain helpers
(`from support import ...`). Only the Python standard library, requests and pytest.
"""

import base64
import calendar
import json
import os
import re
import secrets
import selectors
import signal
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
ADMIN_USERNAME = "root"
ADMIN_PASSWORD = "root-password-1"
HTTP_TIMEOUT = 20
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer")

STATUSES = ["draft", "published", "registration_open", "registration_closed", "live",
            "completed", "cancelled"]
# How to reach a status from a fresh draft (the move to live is not available yet).
STATUS_PATH = {
    "draft": [],
    "published": ["published"],
    "registration_open": ["published", "registration_open"],
    "registration_closed": ["published", "registration_open", "registration_closed"],
    "cancelled": ["published", "cancelled"],
}

ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
SLUG_RE = re.compile(r"^[a-z0-9-]{3,64}$")

USER_KEYS = {"id", "username", "display_name", "role", "created_at"}
SUMMARY_KEYS = {"id", "slug", "name", "game", "organizer", "status", "format",
                "participant_type", "max_participants", "registration_count",
                "entry_fee_cents", "currency", "start_at", "registration_state"}
DETAIL_KEYS = SUMMARY_KEYS | {"description", "check_in_required", "registration_opens_at",
                              "registration_closes_at", "counts", "created_at", "updated_at",
                              "version", "format_options"}
STATE_KEYS = {"slug", "status", "registration_state", "registration_count",
              "confirmed_count", "checked_in_count", "max_participants", "spots_left",
              "start_at", "starts_in_seconds", "current_round", "version", "updated_at"}

SQL_INJECTIONS = [
    "'; DROP TABLE users; --",
    "Robert'); DROP TABLE tournaments;--",
    "' OR '1'='1",
    "\" OR \"\"=\"",
    "%' OR 1=1 --",
    "1; SELECT * FROM tokens",
    "' UNION SELECT password_hash FROM users --",
    "_%\\'\"`;--/*",
]


class Any_:
    """Sentinel: do not check."""

    def __repr__(self):
        return "ANY"


ANY = Any_()


# ---------------------------------------------------------------- small helpers

def uniq(prefix="t"):
    """A short unique lowercase token, usable in usernames, slugs and names."""
    return f"{prefix}{secrets.token_hex(5)}"


def iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(ts)))


def iso_in(seconds):
    return iso(time.time() + seconds)


def parse_iso(s):
    assert isinstance(s, str) and ISO_RE.match(s), f"not a YYYY-MM-DDTHH:MM:SSZ time: {s!r}"
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


def describe(r):
    try:
        req = f"{r.request.method} {r.request.url}"
    except AttributeError:
        req = "request"
    text = r.text if hasattr(r, "text") else repr(r)
    return f"{req} -> {r.status_code}: {text[:800]}"


def media_type(r):
    return (r.headers.get("Content-Type") or "").split(";")[0].strip().lower()


def assert_json(r, status=None):
    """Asserts a JSON response (and its status when given); returns the decoded body."""
    if status is not None:
        assert r.status_code == status, describe(r)
    assert media_type(r) == "application/json", \
        f"Content-Type {r.headers.get('Content-Type')!r} is not JSON: {describe(r)}"
    try:
        return json.loads(r.content.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise AssertionError(f"body is not UTF-8 JSON ({e}): {describe(r)}")


def assert_error(r, status, code=ANY, field=ANY):
    """Asserts an error response: the status (int or collection), a JSON body
    {"error": {"code", "message", "field"?}}, the code, and the field when asked.
    `field` may be a str, a collection of allowed values, or ANY. Returns the error."""
    if isinstance(status, int):
        assert r.status_code == status, describe(r)
    else:
        assert r.status_code in status, describe(r)
    body = assert_json(r)
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), \
        f"no error object: {describe(r)}"
    err = body["error"]
    assert isinstance(err.get("code"), str) and re.match(r"^[a-z][a-z0-9_]*$", err["code"]), \
        f"bad error.code: {describe(r)}"
    assert isinstance(err.get("message"), str) and err["message"].strip(), \
        f"error.message missing or empty: {describe(r)}"
    if code is not ANY:
        allowed = {code} if isinstance(code, str) else set(code)
        assert err["code"] in allowed, f"error.code {err['code']!r} not in {allowed}: {describe(r)}"
    if field is not ANY:
        allowed = {field} if (field is None or isinstance(field, str)) else set(field)
        assert err.get("field") in allowed, \
            f"error.field {err.get('field')!r} not in {allowed}: {describe(r)}"
    return err


def assert_client_error(r):
    """Any 4xx with the JSON error shape (never 5xx, never success)."""
    assert 400 <= r.status_code < 500, describe(r)
    return assert_error(r, r.status_code)


ERROR_CODE_OF_STATUS = {400: "validation_failed", 401: "unauthorized", 403: "forbidden",
                        404: "not_found", 405: "method_not_allowed", 409: "conflict",
                        413: "payload_too_large", 415: "unsupported_media_type",
                        429: "rate_limited"}


def allow_set(r):
    return {m.strip().upper() for m in (r.headers.get("Allow") or "").split(",") if m.strip()}


def b64url_decode(s):
    pad = "=" * (-len(s) % 4)
    return base64.urlsafe_b64decode(s + pad)


def b64url_encode(b):
    return base64.urlsafe_b64encode(b).decode("ascii").rstrip("=")


# ---------------------------------------------------------------- raw HTTP

class RawResponse:
    def __init__(self, status, reason, headers, body):
        self.status_code = status
        self.reason = reason
        self._headers = headers
        self.content = body
        self.headers = _HeaderView(headers)

    @property
    def text(self):
        return self.content.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.content.decode("utf-8"))

    def __repr__(self):
        return f"<RawResponse {self.status_code} {self.text[:200]!r}>"


class _HeaderView:
    def __init__(self, pairs):
        self._pairs = pairs

    def get(self, name, default=None):
        for k, v in self._pairs:
            if k.lower() == name.lower():
                return v
        return default

    def __contains__(self, name):
        return self.get(name) is not None


def _parse_head(buf):
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = bytes(buf[:end]).decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    status = int(parts[1])
    reason = parts[2] if len(parts) > 2 else ""
    headers = []
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers.append((k.strip(), v.strip()))
    return status, reason, headers, end + 4


def _dechunk(data):
    out = bytearray()
    i = 0
    while True:
        j = data.find(b"\r\n", i)
        if j < 0:
            return None
        size = int(data[i:j].split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        if len(data) < j + 2 + size + 2:
            return None
        out += data[j + 2:j + 2 + size]
        i = j + 2 + size + 2


def _complete(buf, head_request):
    head = _parse_head(buf)
    if head is None:
        return None
    status, reason, headers, start = head
    hv = _HeaderView(headers)
    body = bytes(buf[start:])
    if head_request or status in (204, 304) or 100 <= status < 200:
        return RawResponse(status, reason, headers, b"")
    if (hv.get("Transfer-Encoding") or "").lower() == "chunked":
        d = _dechunk(body)
        return None if d is None else RawResponse(status, reason, headers, d)
    cl = hv.get("Content-Length")
    if cl is not None and len(body) >= int(cl):
        return RawResponse(status, reason, headers, body[:int(cl)])
    return None


def raw_http(port, head, body=b"", *, timeout=15.0, head_request=False):
    """Sends raw bytes (head + body) and reads one response. Keeps reading while sending,
    so an early answer (413 before the body is read) is seen, and tolerates the peer
    closing or resetting the connection once it has answered."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.setblocking(False)
    out = bytes(head) + bytes(body)
    sent = 0
    buf = bytearray()
    eof = False
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
    deadline = time.monotonic() + timeout
    try:
        while True:
            want = selectors.EVENT_READ | (selectors.EVENT_WRITE if sent < len(out) else 0)
            sel.modify(sock, want)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            for _key, mask in sel.select(remaining):
                if mask & selectors.EVENT_READ:
                    try:
                        chunk = sock.recv(65536)
                    except BlockingIOError:
                        chunk = None
                    except (ConnectionResetError, ConnectionAbortedError):
                        chunk = b""
                    if chunk == b"":
                        eof = True
                    elif chunk:
                        buf += chunk
                if mask & selectors.EVENT_WRITE and sent < len(out):
                    try:
                        sent += sock.send(out[sent:sent + 65536])
                    except BlockingIOError:
                        pass
                    except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
                        sent = len(out)
            done = _complete(buf, head_request)
            if done is not None:
                return done
            if eof:
                break
    finally:
        sel.close()
        sock.close()
    done = _complete(buf, head_request)
    if done is not None:
        return done
    head_parsed = _parse_head(buf)
    if head_parsed is not None:  # closed without a length: the body runs to EOF
        status, reason, headers, start = head_parsed
        return RawResponse(status, reason, headers, bytes(buf[start:]))
    raise AssertionError(f"no complete HTTP response (eof={eof}, sent {sent}/{len(out)} bytes,"
                         f" got {bytes(buf[:300])!r})")


def raw_request(port, method, path, *, headers=None, body=b"", content_length=True,
                timeout=15.0):
    """Builds a request by hand: any method, any path bytes, any header values."""
    lines = [f"{method} {path} HTTP/1.1".encode("latin-1") if isinstance(path, str)
             else method.encode() + b" " + path + b" HTTP/1.1",
             f"Host: 127.0.0.1:{port}".encode(), b"Connection: close"]
    hdrs = dict(headers or {})
    for k, v in hdrs.items():
        vb = v if isinstance(v, bytes) else str(v).encode("latin-1")
        lines.append(k.encode("latin-1") + b": " + vb)
    if content_length and body and not any(k.lower() == "content-length" for k in hdrs):
        lines.append(f"Content-Length: {len(body)}".encode())
    head = b"\r\n".join(lines) + b"\r\n\r\n"
    return raw_http(port, head, body, timeout=timeout, head_request=(method == "HEAD"))


# ---------------------------------------------------------------- users and the server

@dataclass
class User:
    username: str
    password: str
    token: str
    data: dict = field(default_factory=dict)

    @property
    def id(self):
        return self.data["id"]

    @property
    def headers(self):
        return {"Authorization": f"Bearer {self.token}"}


class ServerError(Exception):
    pass


def binary_path():
    p = os.environ.get("TOURNEYD_BIN")
    path = Path(p) if p else Path("build") / "tourneyd"
    if not path.is_absolute():
        path = REPO_ROOT / path
    return path


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOURNEYD_")}
    env.update(extra or {})
    return env


class TourneyServer:
    """One tourneyd process on a free port with its own database in `workdir`."""

    def __init__(self, binary, workdir, flags=None, seed=False, env=None):
        self.binary = Path(binary)
        self.workdir = Path(workdir)
        self.db = self.workdir / "tourneyd.db"
        self.stderr_path = self.workdir / "serve.stderr"
        self.stdout_path = self.workdir / "serve.stdout"
        # TOURNEYD_TEST_THREADS: the io threads of every test server (make test also runs
        # the suite at 1, libmicrohttpd's single-thread loop)
        self.flags = {"--threads": os.environ.get("TOURNEYD_TEST_THREADS", "2"),
                      "--login-rate": "100000", "--log-level": "warn"}
        self.flags.update(flags or {})
        self.seed = seed
        self.env = child_env(env)
        self.proc = None
        self.port = None
        self.base_url = None
        self.stopped = False
        self.http = requests.Session()
        self._local = threading.local()
        self._admin = None
        self._game = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------ process
    def cli(self, *args, input_text=None, timeout=120):
        cmd = [str(self.binary), *args]
        try:
            cp = subprocess.run(cmd, input=input_text, capture_output=True, text=True,
                                timeout=timeout, env=self.env)
        except subprocess.TimeoutExpired:
            raise ServerError(f"`{' '.join(cmd)}` did not finish within {timeout} s")
        bad = [m for m in SANITIZER_MARKERS if m in cp.stderr]
        if cp.returncode != 0 or bad:
            raise ServerError(f"`{' '.join(cmd)}` exited {cp.returncode}"
                              f"{' with sanitizer report' if bad else ''}\n"
                              f"stdout:\n{cp.stdout[-3000:]}\nstderr:\n{cp.stderr[-6000:]}")
        return cp

    def start(self):
        if not self.binary.exists():
            raise ServerError(f"tourneyd binary not found at {self.binary} "
                              "(build it, or set TOURNEYD_BIN)")
        self.cli("migrate", "up", "--db", str(self.db))
        if self.seed:
            self.cli("seed", "--scale", "0.01", "--rng-seed", "1", "--db", str(self.db),
                     timeout=300)
        self.cli("user", "create", "--admin", ADMIN_USERNAME, "--db", str(self.db),
                 input_text=ADMIN_PASSWORD + "\n")
        last = ""
        for _attempt in range(3):
            self.port = free_port()
            self.base_url = f"http://127.0.0.1:{self.port}"
            cmd = [str(self.binary), "serve", "--db", str(self.db),
                   "--listen", f"127.0.0.1:{self.port}"]
            for k, v in self.flags.items():
                if v is not None:
                    cmd += [k, str(v)]
            self.cmd = cmd
            self.stderr_file = open(self.stderr_path, "ab")
            self.stdout_file = open(self.stdout_path, "ab")
            self.proc = subprocess.Popen(cmd, stdout=self.stdout_file, stderr=self.stderr_file,
                                         stdin=subprocess.DEVNULL, env=self.env)
            deadline = time.monotonic() + 10
            while True:
                rc = self.proc.poll()
                if rc is not None:
                    last = self.read_stderr()
                    break
                try:
                    r = requests.get(self.base_url + "/healthz", timeout=0.5)
                    if r.status_code == 200:
                        return self
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    self.proc.kill()
                    self.proc.wait()
                    raise ServerError(f"`{' '.join(cmd)}` did not answer GET /healthz within"
                                      f" 10 s\nstderr:\n{self.read_stderr()[-6000:]}")
                time.sleep(0.05)
            if "in use" not in last.lower():
                break
        raise ServerError(f"`{' '.join(self.cmd)}` exited {self.proc.returncode} before serving"
                          f"\nstderr:\n{last[-6000:]}")

    def read_stderr(self, since=0):
        try:
            with open(self.stderr_path, "rb") as f:
                f.seek(since)
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def stderr_size(self):
        try:
            return self.stderr_path.stat().st_size
        except FileNotFoundError:
            return 0

    def problems_since(self, offset):
        problems = []
        text = self.read_stderr(offset)
        for m in SANITIZER_MARKERS:
            if m in text:
                problems.append(f"sanitizer report ({m!r}) in server stderr:\n{text[-6000:]}")
        if self.proc is not None and not self.stopped and self.proc.poll() is not None:
            problems.append(f"server process exited with {self.proc.returncode}; stderr:\n"
                            f"{self.read_stderr()[-6000:]}")
        return problems

    def stop(self, timeout=15):
        """SIGTERM, wait, and return a list of problems (empty when all is well)."""
        if self.proc is None or self.stopped:
            return []
        if self.proc.poll() is not None:
            return [f"server had exited with {self.proc.returncode} before SIGTERM"] + \
                self.wait_exit(timeout)
        self.proc.send_signal(signal.SIGTERM)
        return self.wait_exit(timeout)

    def wait_exit(self, timeout=15):
        """Waits for a server that was sent SIGTERM; returns problems: a nonzero exit code,
        no exit within `timeout` seconds, sanitizer reports on stderr."""
        if self.stopped:
            return []
        self.stopped = True
        self.http.close()
        problems = []
        try:
            rc = self.proc.wait(timeout)
            if rc != 0:
                problems.append(f"server exited with {rc} after SIGTERM (expected 0)")
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            problems.append(f"server did not exit within {timeout} s of SIGTERM")
        self.stderr_file.close()
        self.stdout_file.close()
        text = self.read_stderr()
        for m in SANITIZER_MARKERS:
            if m in text:
                problems.append(f"sanitizer report ({m!r}) in server stderr")
        if not problems:
            # what the server left must verify: integrity, and every stored standings
            # document equal to a fresh computation from the matches
            chk = subprocess.run([str(self.binary), "check", "--db", str(self.db)],
                                 capture_output=True, text=True, timeout=120,
                                 env=child_env())
            if chk.returncode != 0:
                problems.append(f"tourneyd check failed:\n{chk.stdout}{chk.stderr}")
        if problems:
            problems.append(f"command: {' '.join(self.cmd)}\nstderr (tail):\n{text[-8000:]}")
        return problems

    # ------------------------------------------------------------ HTTP
    def _session(self):
        if threading.current_thread() is threading.main_thread():
            return self.http
        s = getattr(self._local, "session", None)
        if s is None:
            s = self._local.session = requests.Session()
        return s

    def request(self, method, path, *, user=None, token=None, headers=None, **kw):
        h = {}
        if user is not None:
            h["Authorization"] = f"Bearer {user.token}"
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        h.update(headers or {})
        kw.setdefault("timeout", HTTP_TIMEOUT)
        return self._session().request(method, self.base_url + path, headers=h, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def head(self, path, **kw):
        return self.request("HEAD", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def raw(self, method, path, **kw):
        return raw_request(self.port, method, path, **kw)

    # ------------------------------------------------------------ accounts
    def login(self, username, password):
        r = self.post("/api/v1/auth/login", json={"username": username, "password": password})
        body = assert_json(r, 200)
        return body["token"], body["user"]

    def new_user(self, prefix="u", password=None, **extra):
        username = uniq(prefix)[:32]
        password = password or f"pw-{secrets.token_hex(6)}"
        r = self.post("/api/v1/users", json={"username": username, "password": password, **extra})
        data = assert_json(r, 201)
        token, _ = self.login(username, password)
        return User(username, password, token, data)

    @property
    def admin(self):
        with self._lock:
            if self._admin is None:
                token, data = self.login(ADMIN_USERNAME, ADMIN_PASSWORD)
                self._admin = User(ADMIN_USERNAME, ADMIN_PASSWORD, token, data)
            return self._admin

    # ------------------------------------------------------------ games
    def create_game(self, slug=None, name=None, team_size=None):
        body = {"slug": slug or uniq("g"), "name": name or f"Game {uniq()}"}
        if team_size is not None:
            body["team_size"] = team_size
        return assert_json(self.post("/api/v1/games", user=self.admin, json=body), 201)

    @property
    def game(self):
        """A solo game (team_size 1)."""
        if self._game is None:
            self._game = self.create_game(name="Default Test Game")
        return self._game

    @property
    def team_game(self):
        """A game played in teams (team_size 5), for participant_type "team"."""
        if getattr(self, "_team_game", None) is None:
            self._team_game = self.create_game(name="Default Team Game", team_size=5)
        return self._team_game

    # ------------------------------------------------------------ tournaments
    def tournament_body(self, **overrides):
        body = {"name": f"Cup {uniq()}", "game": self.game["slug"],
                "format": "single_elimination", "participant_type": "solo",
                "max_participants": 16, "start_at": iso_in(7 * 86400)}
        body.update(overrides)
        return {k: v for k, v in body.items() if v is not ANY}

    def create_tournament(self, user, status="draft", **overrides):
        r = self.post("/api/v1/tournaments", user=user, json=self.tournament_body(**overrides))
        t = assert_json(r, 201)
        if STATUS_PATH[status]:
            t = self.move(user, t["slug"], *STATUS_PATH[status])
        return t

    def create_tournaments(self, user, bodies, workers=6):
        """Creates many tournaments concurrently (the writer batches them)."""
        self.game  # created once, here, not racing in the workers
        self.admin
        def one(body):
            s = body.pop("_status", "draft")
            return self.create_tournament(user, status=s, **body)
        with ThreadPoolExecutor(max_workers=workers) as ex:
            return list(ex.map(one, [dict(b) for b in bodies]))

    def move(self, user, slug, *statuses):
        t = None
        for s in statuses:
            r = self.post(f"/api/v1/tournaments/{slug}/status", user=user, json={"status": s})
            t = assert_json(r, 200)
            assert t["status"] == s, describe(r)
        return t

    def detail(self, slug, user=None):
        return assert_json(self.get(f"/api/v1/tournaments/{slug}", user=user), 200)

    def state(self, slug, user=None):
        return assert_json(self.get(f"/api/v1/tournaments/{slug}/state", user=user), 200)

    def list_all(self, params, user=None, limit=100):
        """Walks every page of the tournament list; returns the items in order."""
        items, cursor = [], None
        for _ in range(10000):
            p = dict(params, limit=limit)
            if cursor:
                p["cursor"] = cursor
            page = assert_json(self.get("/api/v1/tournaments", params=p, user=user), 200)
            items += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                return items
        raise AssertionError("the list never ended")

    def healthy(self):
        r = self.get("/healthz")
        return r.status_code == 200 and r.json() == {"status": "ok"}


# ---------------------------------------------------------------- teams, registrations, payments
# Helpers of the registrations issue's tests (test_teams, test_registrations, test_payments,
# test_dashboards, test_concurrency, test_durability, test_permissions_registrations).

import sqlite3  # noqa: E402  (stdlib; read-only looks into a server's database)

TEAM_KEYS = {"id", "name", "tag", "captain", "members", "created_at"}
USER_REF_KEYS = {"id", "username", "display_name"}
REGISTRATION_KEYS = {"id", "tournament", "user", "team", "status", "seed", "payment",
                     "created_at", "checked_in_at"}
MY_REGISTRATION_KEYS = REGISTRATION_KEYS | {"next_match"}
PAYMENT_KEYS = {"id", "registration_id", "amount_cents", "currency", "method", "reference",
                "status", "reason", "verified_by", "verified_at", "created_at", "user", "team"}
DASHBOARD_KEYS = {"id", "slug", "name", "status", "start_at", "max_participants",
                  "entry_fee_cents", "currency", "registrations", "pending_payments",
                  "verified_revenue_cents"}
REG_STATUSES = ["pending", "confirmed", "checked_in", "cancelled"]
PAY_STATUSES = ["pending", "verified", "rejected"]


def fresh(params=None):
    """Query parameters plus one the server ignores but the response cache keys on, so
    the request is answered by building it (for tests of what a build costs)."""
    out = dict(params or {})
    out["_fresh"] = uniq("f")
    return out


def query_count(r):
    """The X-Query-Count of a response, as an int."""
    v = r.headers.get("X-Query-Count")
    assert v is not None and str(v).isdigit(), f"X-Query-Count {v!r}: {describe(r)}"
    return int(v)


def create_users(server, n, prefix="u", workers=8):
    """n new users, created concurrently (each costs an argon2id hash and a login)."""
    with ThreadPoolExecutor(max_workers=max(1, min(workers, n))) as ex:
        return list(ex.map(lambda _i: server.new_user(prefix=prefix), range(n)))


_POOLS = {}
_POOLS_LOCK = threading.Lock()


def user_pool(server, n=200):
    """A pool of at least n users of `server`, made once per server process and shared by
    the tests that need many distinct players (fresh tournaments per test)."""
    with _POOLS_LOCK:
        pool = _POOLS.setdefault(id(server), [])
        if len(pool) < n:
            pool += create_users(server, n - len(pool), prefix="pool", workers=12)
        return pool[:n]


def db_connect_ro(srv):
    """A read-only sqlite3 connection to the database of a server started by the suite."""
    con = sqlite3.connect(f"file:{srv.db}?mode=ro", uri=True, timeout=10)
    con.row_factory = sqlite3.Row
    return con


def db_rows(srv, sql, params=()):
    """Runs one read-only query on srv's database; returns a list of tuples."""
    con = db_connect_ro(srv)
    try:
        return [tuple(row) for row in con.execute(sql, params).fetchall()]
    finally:
        con.close()


def kill_server(srv):
    """SIGKILL the server (a crash on purpose) and wait for it. The fixtures then expect
    nothing more of it: no SIGTERM, no exit code 0. Returns the sanitizer problems its
    stderr showed before the kill (a list, empty when none)."""
    if srv.proc is None or srv.stopped:
        return []
    try:
        os.kill(srv.proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    srv.proc.wait(30)
    srv.stopped = True
    srv.http.close()
    srv.stderr_file.close()
    srv.stdout_file.close()
    text = srv.read_stderr()
    return [f"sanitizer report ({m!r}) in server stderr before SIGKILL:\n{text[-6000:]}"
            for m in SANITIZER_MARKERS if m in text]


class _ReopenedServer(TourneyServer):
    """A server serving an existing database: `migrate up` runs (it must be a no-op on a
    migrated database), the admin already exists, no seeding."""

    def cli(self, *args, **kw):
        if args[:2] == ("user", "create"):
            return None
        return super().cli(*args, **kw)


def reopen_server(srv, flags=None):
    """Starts a new server process on the database (and work directory) of `srv`, which
    must have stopped. The caller stops it (`stop()` returns its problems)."""
    assert srv.stopped, "the first server still runs"
    fl = dict(srv.flags)
    fl.update(flags or {})
    again = _ReopenedServer(srv.binary, srv.workdir, flags=fl)
    again.env = srv.env
    again.start()
    return again


def create_team(server, captain, members=(), name=None, tag=None):
    """A team of `captain` with the given members added (by username); returns its JSON."""
    r = server.post("/api/v1/teams", user=captain,
                    json={"name": name or f"Team {uniq()}", "tag": tag or uniq("T")[:10]})
    team = assert_json(r, 201)
    for m in members:
        r = server.post(f"/api/v1/teams/{team['id']}/members", user=captain,
                        json={"username": m.username})
        assert_json(r, 201)
    if members:
        team = assert_json(server.get(f"/api/v1/teams/{team['id']}"), 200)
    return team


def register(server, user, slug, team_id=None):
    """POST /api/v1/tournaments/{slug}/registrations (solo: no body); returns the response."""
    kw = {"json": {"team_id": team_id}} if team_id is not None else {}
    return server.post(f"/api/v1/tournaments/{slug}/registrations", user=user, **kw)


def list_registrations(server, slug, user=None, status=None, limit=100):
    """Every registration of a tournament (all pages), in list order."""
    return _walk(server, f"/api/v1/tournaments/{slug}/registrations", user,
                 {"status": status} if status else {}, limit)


def list_payments(server, slug, user, status=None, limit=100):
    return _walk(server, f"/api/v1/tournaments/{slug}/payments", user,
                 {"status": status} if status else {}, limit)


def my_registrations(server, user, limit=100):
    return _walk(server, "/api/v1/me/registrations", user, {}, limit)


def organizer_dashboard(server, user, limit=100):
    return _walk(server, "/api/v1/organizer/dashboard", user, {}, limit)


def _walk(server, path, user, params, limit):
    items, cursor = [], None
    for _ in range(10000):
        p = dict(params, limit=limit)
        if cursor:
            p["cursor"] = cursor
        page = assert_json(server.get(path, params=p, user=user), 200)
        assert set(page) >= {"items", "next_cursor"}, page
        assert len(page["items"]) <= limit
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
        assert page["items"], f"an empty page of {path} carries a next_cursor"
    raise AssertionError(f"{path} never ended")


def in_parallel(fn, args, workers=None):
    """Runs fn(arg) for every arg in threads; with one thread per arg (the default) all
    are released at once by a barrier. Returns the results in the order of args
    (exceptions are returned, not raised, so one failure does not hide the others)."""
    args = list(args)
    n = max(1, workers or len(args))
    barrier = threading.Barrier(len(args)) if args and n >= len(args) else None

    def one(a):
        if barrier is not None:
            try:
                barrier.wait(60)
            except threading.BrokenBarrierError:
                pass
        try:
            return fn(a)
        except Exception as e:  # noqa: BLE001 - reported by the caller
            return e

    with ThreadPoolExecutor(max_workers=n) as ex:
        return list(ex.map(one, args))


# ---------------------------------------------------------------- brackets, matches, standings
# Helpers of the brackets issue's tests (test_brackets_play, test_results, test_seeding,
# test_standings, test_permissions_matches).

MATCH_KEYS = {"id", "tournament", "bracket", "round", "position", "state", "participant1",
              "participant2", "score1", "score2", "winner", "next_match", "loser_next_match",
              "scheduled_at", "completed_at"}
BRACKET_KEYS = {"tournament", "format", "status", "current_round", "version", "brackets"}
STANDINGS_KEYS = {"tournament", "format", "complete", "items"}
STANDING_KEYS = {"rank", "participant", "played", "wins", "draws", "losses", "points",
                 "score_for", "score_against", "tiebreaks", "reached_round"}
BRACKET_KINDS = ["winners", "losers", "grand_final", "third_place", "group", "swiss"]


def tournament_with(server, organizer, players, status="registration_closed", **overrides):
    """A free tournament of `organizer` that `players` entered one after the other (so in
    that registration order), then moved to `status` ("registration_open",
    "registration_closed" or "live"). Returns (detail, registrations in order)."""
    overrides.setdefault("max_participants", max(2, len(players)))
    t = server.create_tournament(organizer, status="registration_open", **overrides)
    regs = [assert_json(register(server, u, t["slug"]), 201) for u in players]
    if status in ("registration_closed", "live"):
        t = server.move(organizer, t["slug"], "registration_closed")
    if status == "live":
        t = server.move(organizer, t["slug"], "live")
    return t, regs


def go_live(server, user, slug):
    """POST .../status {"status": "live"}; returns the response."""
    return server.post(f"/api/v1/tournaments/{slug}/status", user=user, json={"status": "live"})


def put_seeding(server, user, slug, body):
    return server.request("PUT", f"/api/v1/tournaments/{slug}/seeding", user=user, json=body)


def get_bracket(server, slug, user=None):
    return assert_json(server.get(f"/api/v1/tournaments/{slug}/bracket", user=user), 200)


def bracket_matches(b):
    """Every match of a bracket answer, in drawing order."""
    return [m for br in b["brackets"] for rd in br["rounds"] for m in rd["matches"]]


def report(server, user, match_id, score1, score2):
    return server.post(f"/api/v1/matches/{match_id}/result", user=user,
                       json={"score1": score1, "score2": score2})


def reopen(server, user, match_id):
    return server.delete(f"/api/v1/matches/{match_id}/result", user=user)


def get_standings(server, slug, user=None):
    return assert_json(server.get(f"/api/v1/tournaments/{slug}/standings", user=user), 200)


def random_scores(rng, draws=False):
    """A valid (score1, score2): never equal unless `draws` (then about one in five)."""
    if draws and rng.random() < 0.2:
        s = rng.randint(0, 4)
        return s, s
    a, b = rng.sample(range(0, 6), 2)
    return a, b


def play_out(server, user, slug, rng, draws=False, after=None, max_results=5000):
    """Reports random results (rng: a random.Random) on ready matches, picked at random,
    until the tournament is completed. after(before, match, answer, bracket) is called
    after every result (before/bracket: the bracket answers around it, answer: the
    reported match). Returns the final bracket answer and the number of results."""
    b = get_bracket(server, slug, user=user)
    count = 0
    while b["status"] != "completed":
        assert count < max_results, "the tournament never completes"
        ready = [m for m in bracket_matches(b) if m["state"] in ("ready", "live")]
        assert ready, f"live tournament {slug} has no ready match: {b}"
        m = rng.choice(ready)
        s1, s2 = random_scores(rng, draws)
        answer = assert_json(report(server, user, m["id"], s1, s2), 200)
        count += 1
        nb = get_bracket(server, slug, user=user)
        if after is not None:
            after(b, m, answer, nb)
        b = nb
    return b, count
