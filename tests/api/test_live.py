"""GET /api/v1/tournaments/{slug}/live: WebSocket live updates (API.md "Live updates",
docs/API-DECISIONS.md "Live updates").

Protocol: the handshake (101 with the right Sec-WebSocket-Accept, 400/426/404/503 JSON
otherwise), the state sent at once, pings both ways, the closing handshake, bad frames
closed with the right code (raw sockets write them), a client that never reads closed
(1008) with its memory bounded, the connection cap. End to end: results, registrations,
Swiss resets and deletions reach every subscriber as `match` and `state` messages equal to
the HTTP bodies, in commit order, each exactly once.

The `websockets` package (python3-websockets, asyncio API of 10.x) is the normal client;
`RawWS` below speaks the protocol byte by byte for what a correct client never sends.
"""

import asyncio
import base64
import hashlib
import json
import os
import random
import re
import select
import socket
import struct
import time

import pytest
import websockets

from support import (assert_error, assert_json, bracket_matches, get_bracket, register,
                     reopen, report, tournament_with, uniq, user_pool)

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONT, OP_TEXT, OP_BIN, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10
QUIET = 0.4  # seconds of silence that count as "no more messages"


# ------------------------------------------------------------------ helpers

def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 60))


def live_path(slug):
    return f"/api/v1/tournaments/{slug}/live"


def ws_url(srv, slug):
    return f"ws://127.0.0.1:{srv.port}{live_path(slug)}"


def connect(srv, slug, **kw):
    kw.setdefault("ping_interval", None)
    kw.setdefault("close_timeout", 5)
    return websockets.connect(ws_url(srv, slug), **kw)


async def recv_json(ws, timeout=5):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def recv_all(ws, quiet=QUIET):
    """Every message until `quiet` seconds pass without one."""
    out = []
    while True:
        try:
            out.append(json.loads(await asyncio.wait_for(ws.recv(), quiet)))
        except asyncio.TimeoutError:
            return out


async def recv_until_state(ws, version, timeout=10):
    """Messages up to and including the state message of `version`."""
    out = []
    deadline = time.monotonic() + timeout
    while True:
        m = await recv_json(ws, max(0.1, deadline - time.monotonic()))
        out.append(m)
        if m["type"] == "state" and m["data"]["version"] >= version:
            return out


def metric(srv, name, labels=""):
    text = srv.get("/metrics").text
    m = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.M)
    assert m, f"metric {name}{labels} not found"
    return float(m.group(1))


def same_state(ws_state, http_state):
    """A state message's data equals the HTTP state (starts_in_seconds counts down)."""
    a, b = dict(ws_state), dict(http_state)
    assert abs(a.pop("starts_in_seconds") - b.pop("starts_in_seconds")) <= 2
    assert a == b


def open_tournament(srv, user, **kw):
    return srv.create_tournament(user, status="registration_open", **kw)


def ws_frame(opcode, payload=b"", fin=True, mask=True, rsv=0, length=None, key=None):
    """The bytes of one client frame. `length` announces another payload length than the
    payload's (a lying frame); `key` is the 4-byte mask key (random when not given)."""
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    if n < 126:
        head = struct.pack("!BB", b0, (0x80 if mask else 0) | n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, (0x80 if mask else 0) | 126, n)
    else:
        head = struct.pack("!BBQ", b0, (0x80 if mask else 0) | 127, n)
    if mask:
        key = os.urandom(4) if key is None else key
        payload = bytes(c ^ key[i % 4] for i, c in enumerate(payload))
        head += key
    return head + payload


class RawWS:
    """A WebSocket client over a plain socket: every byte is ours."""

    def __init__(self, port, path, headers=None, rcvbuf=None, after_head=b""):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(10)
        self.sock.connect(("127.0.0.1", port))
        self.key = base64.b64encode(os.urandom(16)).decode()
        h = {"Host": f"127.0.0.1:{port}", "Upgrade": "websocket", "Connection": "Upgrade",
             "Sec-WebSocket-Key": self.key, "Sec-WebSocket-Version": "13"}
        h.update(headers or {})
        head = f"GET {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()
                                                     if v is not None) + "\r\n"
        self.sock.sendall(head.encode() + after_head)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(65536)
            assert chunk, f"connection closed during the handshake: {data!r}"
            data += chunk
        head, _, self.buf = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        self.body = None
        if self.status != 101:  # an error answer: its JSON body
            n = int(self.headers.get("content-length", "0"))
            while len(self.buf) < n:
                chunk = self.sock.recv(65536)
                assert chunk, "connection closed in the body"
                self.buf += chunk
            self.body = json.loads(self.buf[:n]) if n else None

    def assert_error(self, status, code):
        assert self.status == status, (self.status, self.body)
        assert self.headers.get("content-type", "").startswith("application/json")
        assert set(self.body) == {"error"} and self.body["error"]["code"] == code, self.body
        assert self.body["error"]["message"]

    def send_frame(self, opcode, payload=b"", fin=True, mask=True, rsv=0, length=None):
        self.sock.sendall(ws_frame(opcode, payload, fin, mask, rsv, length))

    def send_text(self, text):
        self.send_frame(OP_TEXT, text.encode() if isinstance(text, str) else text)

    def _fill(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                raise TimeoutError
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionResetError, BrokenPipeError):
                chunk = b""
            if not chunk:
                raise EOFError
            self.buf += chunk

    def recv_frame(self, timeout=5):
        """(fin, opcode, payload); EOFError when the server closed, TimeoutError."""
        deadline = time.monotonic() + timeout
        self._fill(2, deadline)
        b0, b1 = self.buf[0], self.buf[1]
        n, off = b1 & 0x7F, 2
        assert not b1 & 0x80, "a server frame must not be masked"
        if n == 126:
            self._fill(4, deadline)
            n, off = struct.unpack("!H", self.buf[2:4])[0], 4
        elif n == 127:
            self._fill(10, deadline)
            n, off = struct.unpack("!Q", self.buf[2:10])[0], 10
        self._fill(off + n, deadline)
        payload = self.buf[off:off + n]
        self.buf = self.buf[off + n:]
        return bool(b0 & 0x80), b0 & 0x0F, payload

    def recv_json(self, timeout=5):
        while True:
            fin, op, payload = self.recv_frame(timeout)
            if op == OP_TEXT:
                return json.loads(payload)
            assert op in (OP_PING, OP_PONG), f"unexpected opcode {op}"

    def expect_close(self, timeout=5):
        """Reads up to the server's close frame; returns (code, reason)."""
        deadline = time.monotonic() + timeout
        while True:
            fin, op, payload = self.recv_frame(max(0.05, deadline - time.monotonic()))
            if op == OP_CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                return code, payload[2:].decode("utf-8", "replace")

    def expect_eof(self, timeout=5):
        """After the closing handshake, the server closes the TCP connection."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                self.recv_frame(max(0.05, deadline - time.monotonic()))
        except EOFError:
            return True

    def close(self):
        self.sock.close()


def accept_of(key):
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


# ------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def pool(server):
    return user_pool(server, 16)


@pytest.fixture(scope="module")
def open_t(server, alice):
    return open_tournament(server, alice)


# ------------------------------------------------------------------ handshake

def test_handshake_accept_key_and_state_at_once(server, open_t):
    ws = RawWS(server.port, live_path(open_t["slug"]))
    try:
        assert ws.status == 101
        assert ws.headers["upgrade"].lower() == "websocket"
        assert "upgrade" in [t.strip().lower() for t in ws.headers["connection"].split(",")]
        assert ws.headers["sec-websocket-accept"] == accept_of(ws.key)
        first = ws.recv_json()
        assert first["type"] == "state" and set(first) == {"type", "data"}
        same_state(first["data"], server.state(open_t["slug"]))
    finally:
        ws.close()


def test_state_at_once_with_websockets(server, open_t):
    async def go():
        async with connect(server, open_t["slug"]) as ws:
            first = await recv_json(ws)
            assert await recv_all(ws) == []  # nothing else until something changes
            return first
    first = run(go())
    assert first["type"] == "state"
    same_state(first["data"], server.state(open_t["slug"]))


def test_plain_get_is_426(server, open_t):
    r = server.get(live_path(open_t["slug"]))
    assert_error(r, 426, "upgrade_required")
    assert r.headers["Upgrade"].lower() == "websocket"
    assert r.headers["Sec-WebSocket-Version"] == "13"


@pytest.mark.parametrize("headers,status", [
    ({"Sec-WebSocket-Version": "8"}, 426),
    ({"Sec-WebSocket-Version": None}, 426),
    ({"Connection": "keep-alive"}, 400),
    ({"Sec-WebSocket-Key": None}, 400),
    ({"Sec-WebSocket-Key": "c2hvcnQ="}, 400),
    ({"Sec-WebSocket-Key": "not base64 at all!!!!!!!"}, 400),
    ({"Upgrade": "h2c"}, 426),
])
def test_bad_handshakes(server, open_t, headers, status):
    ws = RawWS(server.port, live_path(open_t["slug"]), headers=headers)
    try:
        ws.assert_error(status, "upgrade_required" if status == 426 else "bad_request")
        if status == 426:
            assert ws.headers.get("sec-websocket-version") == "13"
            assert ws.headers.get("upgrade", "").lower() == "websocket"
        assert "sec-websocket-accept" not in ws.headers
    finally:
        ws.close()


def test_unknown_draft_and_deleted_are_404(server, alice):
    draft = server.create_tournament(alice)
    gone = open_tournament(server, alice)
    assert server.delete(f"/api/v1/tournaments/{gone['slug']}", user=alice).status_code == 204
    for slug in ("no-such-cup", draft["slug"], gone["slug"]):
        ws = RawWS(server.port, live_path(slug))
        try:
            ws.assert_error(404, "not_found")
        finally:
            ws.close()
    # a draft is not followed live even by its organizer (docs/API-DECISIONS.md)
    ws = RawWS(server.port, live_path(draft["slug"]),
               headers={"Authorization": f"Bearer {alice.token}"})
    try:
        ws.assert_error(404, "not_found")
    finally:
        ws.close()


# ------------------------------------------------------------------ pings and closing

def test_server_pings_and_silent_clients_are_dropped(server_factory):
    srv = server_factory(flags={"--ws-ping": "1"})
    org = srv.new_user(prefix="org")
    t = open_tournament(srv, org)
    before = metric(srv, "tourneyd_ws_clients_dropped_total", '{reason="ping_timeout"}')
    # one client answers pings (websockets does it by itself), one never does
    polite_ws = None

    async def polite():
        async with connect(srv, t["slug"]) as ws:
            await recv_json(ws)
            await asyncio.sleep(2.5)  # two pings, both answered
            assert ws.open
            return "open"

    silent = RawWS(srv.port, live_path(t["slug"]))
    try:
        assert silent.recv_json()["type"] == "state"
        fin, op, payload = silent.recv_frame(timeout=2.5)
        assert op == OP_PING, "no ping within the --ws-ping interval"
        polite_ws = run(polite())
        code, reason = silent.expect_close(timeout=3)
        assert code == 1011 and "ping" in reason
        silent.send_frame(OP_CLOSE, struct.pack("!H", 1011))
        assert silent.expect_eof()
    finally:
        silent.close()
    assert polite_ws == "open"
    after = metric(srv, "tourneyd_ws_clients_dropped_total", '{reason="ping_timeout"}')
    assert after == before + 1


def test_client_ping_gets_pong(server, open_t):
    async def go():
        async with connect(server, open_t["slug"]) as ws:
            await recv_json(ws)
            waiter = await ws.ping(b"are you there")
            await asyncio.wait_for(waiter, 3)
            await ws.send(json.dumps({"type": "ping"}))  # the application-level ping
            assert await recv_json(ws) == {"type": "pong"}
    run(go())
    ws = RawWS(server.port, live_path(open_t["slug"]))
    try:
        ws.recv_json()
        ws.send_frame(OP_PING, b"abc")
        fin, op, payload = ws.recv_frame()
        assert (op, payload) == (OP_PONG, b"abc")
    finally:
        ws.close()


@pytest.mark.parametrize("code", [1000, 4321])
def test_client_close_is_echoed(server, open_t, code):
    ws = RawWS(server.port, live_path(open_t["slug"]))
    try:
        ws.recv_json()
        ws.send_frame(OP_CLOSE, struct.pack("!H", code) + b"bye")
        assert ws.expect_close()[0] == code
        assert ws.expect_eof()
    finally:
        ws.close()

    async def go():
        async with connect(server, open_t["slug"]) as ws2:
            await recv_json(ws2)
            await ws2.close(code)
            return ws2.close_code
    assert run(go()) == code


# ------------------------------------------------------------------ bad frames

BAD_FRAMES = {
    "unmasked": (lambda ws: ws.send_frame(OP_TEXT, b'{"type":"ping"}', mask=False), 1002),
    "reserved_opcode": (lambda ws: ws.send_frame(0x3, b"x"), 1002),
    "reserved_control_opcode": (lambda ws: ws.send_frame(0xB, b""), 1002),
    "rsv_bit": (lambda ws: ws.send_frame(OP_TEXT, b"{}", rsv=4), 1002),
    "long_control_frame": (lambda ws: ws.send_frame(OP_PING, b"p" * 126), 1002),
    "fragmented_ping": (lambda ws: ws.send_frame(OP_PING, b"p", fin=False), 1002),
    "continuation_first": (lambda ws: ws.send_frame(OP_CONT, b"x"), 1002),
    "oversized": (lambda ws: ws.send_frame(OP_TEXT, b"x" * 5000), 1009),
    "oversized_fragments": (lambda ws: (ws.send_frame(OP_TEXT, b"x" * 3000, fin=False),
                                        ws.send_frame(OP_CONT, b"x" * 3000)), 1009),
    "invalid_utf8": (lambda ws: ws.send_frame(OP_TEXT, b'{"type":"\xff\xfe"}'), 1007),
    "bad_close_code": (lambda ws: ws.send_frame(OP_CLOSE, struct.pack("!H", 1005)), 1002),
    "binary": (lambda ws: ws.send_frame(OP_BIN, b"\x00\x01"), 1003),
    "unknown_message": (lambda ws: ws.send_text('{"type":"subscribe","slug":"x"}'), 1003),
    "not_json": (lambda ws: ws.send_text("hello"), 1003),
}


@pytest.mark.parametrize("name", sorted(BAD_FRAMES))
def test_bad_frames_close_with_the_right_code(server, open_t, name):
    send, code = BAD_FRAMES[name]
    before = metric(server, "tourneyd_ws_clients_dropped_total", '{reason="protocol"}')
    ws = RawWS(server.port, live_path(open_t["slug"]))
    try:
        assert ws.recv_json()["type"] == "state"
        send(ws)
        got, _reason = ws.expect_close()
        assert got == code
        ws.send_frame(OP_CLOSE, struct.pack("!H", code))
        assert ws.expect_eof()
    finally:
        ws.close()
    assert metric(server, "tourneyd_ws_clients_dropped_total",
                  '{reason="protocol"}') == before + 1


def test_first_frame_in_the_handshake_packet(server, open_t):
    """Bytes sent right behind the request (read by libmicrohttpd) are frames too."""
    key = os.urandom(4)
    body = b"abc"
    ping = bytes([0x80 | OP_PING, 0x80 | len(body)]) + key + \
        bytes(c ^ key[i % 4] for i, c in enumerate(body))
    ws = RawWS(server.port, live_path(open_t["slug"]), after_head=ping)
    try:
        frames = [ws.recv_frame() for _ in range(2)]
        ops = sorted(op for _f, op, _p in frames)
        assert ops == [OP_TEXT, OP_PONG]
        assert [p for _f, op, p in frames if op == OP_PONG] == [b"abc"]
    finally:
        ws.close()


# ------------------------------------------------------------------ limits

def rss(srv):
    return metric(srv, "process_resident_memory_bytes")


def sanitized(srv):
    """AddressSanitizer keeps freed memory in quarantine: RSS says nothing there."""
    with open(f"/proc/{srv.proc.pid}/maps") as f:
        return "libasan" in f.read()


def test_slow_client_is_dropped_and_memory_stays_bounded(server_factory):
    srv = server_factory(flags={"--ws-send-limit": "64", "--ws-close-wait": "500"})
    org = srv.new_user(prefix="org")
    t = open_tournament(srv, org, description="x" * 2000)
    slow = RawWS(srv.port, live_path(t["slug"]), rcvbuf=4096)  # never reads again
    fast_msgs = []

    async def fast_reader(stop):
        async with connect(srv, t["slug"]) as ws:
            while not stop.is_set():
                try:
                    fast_msgs.append(json.loads(await asyncio.wait_for(ws.recv(), 0.2)))
                except asyncio.TimeoutError:
                    pass

    rss0 = rss(srv)

    async def go():
        stop = asyncio.Event()
        reader = asyncio.ensure_future(fast_reader(stop))
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + 40
        n = 0
        while time.monotonic() < deadline:
            # each change sends a state message to both subscribers
            await loop.run_in_executor(None, lambda: srv.patch(
                f"/api/v1/tournaments/{t['slug']}", user=org, json={"name": f"Cup {n}"}))
            n += 1
            if n % 50 == 0 and metric(srv, "tourneyd_ws_clients_dropped_total",
                                      '{reason="slow"}') >= 1:
                break
        await asyncio.sleep(0.5)
        stop.set()
        await reader
        return n

    try:
        writes = run(go())
        assert metric(srv, "tourneyd_ws_clients_dropped_total", '{reason="slow"}') == 1, \
            f"no slow client dropped after {writes} writes"
        # the reader kept up and got every change
        versions = [m["data"]["version"] for m in fast_msgs if m["type"] == "state"]
        assert versions == sorted(set(versions)) and len(versions) >= writes
        grown = rss(srv) - rss0
        if not sanitized(srv):
            assert grown < 16 * 2**20, f"RSS grew by {grown / 2**20:.1f} MiB"
        # the slow socket is closed by the server: reading it to the end ends
        slow.sock.settimeout(10)
        end = time.monotonic() + 10
        while time.monotonic() < end:
            try:
                if not slow.sock.recv(65536):
                    break
            except ConnectionResetError:
                break
        else:
            pytest.fail("the server did not close the slow connection")
        assert metric(srv, "tourneyd_ws_clients") == 0
    finally:
        slow.close()


def test_connection_cap(server_factory):
    srv = server_factory(flags={"--ws-max": "2"})
    org = srv.new_user(prefix="org")
    t = open_tournament(srv, org)
    a = RawWS(srv.port, live_path(t["slug"]))
    b = RawWS(srv.port, live_path(t["slug"]))
    try:
        assert (a.status, b.status) == (101, 101)
        refused = RawWS(srv.port, live_path(t["slug"]))
        refused.assert_error(503, "unavailable")
        refused.close()
        assert metric(srv, "tourneyd_ws_clients_dropped_total", '{reason="capacity"}') == 1
        assert metric(srv, "tourneyd_ws_clients") == 2
        a.recv_json()
        a.send_frame(OP_CLOSE, struct.pack("!H", 1000))
        assert a.expect_close()[0] == 1000
        a.expect_eof()
        deadline = time.monotonic() + 5
        while metric(srv, "tourneyd_ws_clients") != 1:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        c = RawWS(srv.port, live_path(t["slug"]))
        assert c.status == 101
        c.close()
    finally:
        a.close()
        b.close()


def test_sigterm_closes_with_1001(server_factory):
    srv = server_factory()
    org = srv.new_user(prefix="org")
    t = open_tournament(srv, org)
    ws = RawWS(srv.port, live_path(t["slug"]))
    try:
        ws.recv_json()
        srv.proc.send_signal(15)
        code, reason = ws.expect_close()
        assert code == 1001
        ws.send_frame(OP_CLOSE, struct.pack("!H", 1001))
        assert ws.expect_eof()
        assert srv.wait_exit() == []
    finally:
        ws.close()


# ------------------------------------------------------------------ end to end

def test_result_sends_match_then_state_exactly_once(server, alice, pool):
    t, regs = tournament_with(server, alice, pool[:4], status="live")
    slug = t["slug"]
    b = get_bracket(server, slug)
    m = next(x for x in bracket_matches(b) if x["state"] == "ready")

    async def go():
        async with connect(server, slug) as ws:
            first = await recv_json(ws)
            loop = asyncio.get_running_loop()
            answer = await loop.run_in_executor(None, lambda: report(server, alice, m["id"], 3, 1))
            assert answer.status_code == 200, answer.text
            return first, await recv_all(ws)

    first, msgs = run(go())
    state = server.state(slug)
    assert first["data"]["version"] < state["version"]
    kinds = [x["type"] for x in msgs]
    assert kinds[-1] == "state" and kinds.count("state") == 1, kinds
    same_state(msgs[-1]["data"], state)
    matches = [x["data"] for x in msgs if x["type"] == "match"]
    ids = [x["id"] for x in matches]
    assert len(ids) == len(set(ids)), "a match was sent twice"
    assert m["id"] in ids
    for data in matches:  # each equals GET /matches/{id} right after the commit
        assert data == assert_json(server.get(f"/api/v1/matches/{data['id']}"), 200)
    reported = next(x for x in matches if x["id"] == m["id"])
    assert reported["state"] == "completed" and (reported["score1"], reported["score2"]) == (3, 1)
    # the winner moved on: its next match is among the changes
    nxt = m["next_match"]["id"]
    assert nxt in ids


def test_many_subscribers_get_every_message_once_in_order(server, alice, pool):
    t, regs = tournament_with(server, alice, pool[:8], status="live")
    slug = t["slug"]
    rng = random.Random("live-many")
    nsubs = 25

    async def go():
        subs = [await connect(server, slug).__aenter__() for _ in range(nsubs)]
        try:
            firsts = [await recv_json(ws) for ws in subs]
            loop = asyncio.get_running_loop()
            posted = []
            for _ in range(5):
                b = await loop.run_in_executor(None, lambda: get_bracket(server, slug))
                m = rng.choice([x for x in bracket_matches(b) if x["state"] == "ready"])
                r = await loop.run_in_executor(None, lambda: report(server, alice, m["id"], 2, 0))
                assert r.status_code == 200, r.text
                posted.append(m["id"])
            final = server.state(slug)["version"]
            got = await asyncio.gather(*(recv_until_state(ws, final) for ws in subs))
            extra = await asyncio.gather(*(recv_all(ws) for ws in subs))
            return firsts, got, extra, posted, final
        finally:
            for ws in subs:
                await ws.close()

    firsts, got, extra, posted, final = run(go())
    assert all(e == [] for e in extra), "messages after the last state"
    assert len({f["data"]["version"] for f in firsts}) == 1
    reference = got[0]
    for seq in got[1:]:
        assert seq == reference, "subscribers saw different streams"
    states = [x["data"]["version"] for x in reference if x["type"] == "state"]
    assert len(states) == 5 and states == sorted(set(states)) and states[-1] == final
    # each result: its matches, then its state; the reported match completed in its batch
    batch, batches = [], []
    for x in reference:
        batch.append(x)
        if x["type"] == "state":
            batches.append(batch)
            batch = []
    for mid, bt in zip(posted, batches):
        ids = [x["data"]["id"] for x in bt if x["type"] == "match"]
        assert len(ids) == len(set(ids))
        done = [x["data"] for x in bt if x["type"] == "match" and x["data"]["id"] == mid]
        assert done and done[0]["state"] == "completed"


def test_registrations_send_state_messages(server, alice, pool):
    t = open_tournament(server, alice, max_participants=8)
    slug = t["slug"]

    async def go():
        async with connect(server, slug) as ws:
            first = await recv_json(ws)
            loop = asyncio.get_running_loop()
            regs = []
            for u in pool[:3]:
                r = await loop.run_in_executor(None, lambda u=u: register(server, u, slug))
                regs.append(assert_json(r, 201))
            r = await loop.run_in_executor(
                None, lambda: server.delete(f"/api/v1/registrations/{regs[0]['id']}", user=pool[0]))
            assert r.status_code == 200
            return first, await recv_all(ws)

    first, msgs = run(go())
    assert [m["type"] for m in msgs] == ["state"] * 4
    counts = [m["data"]["registration_count"] for m in msgs]
    assert counts == [1, 2, 3, 2]
    versions = [first["data"]["version"]] + [m["data"]["version"] for m in msgs]
    assert versions == sorted(set(versions))
    same_state(msgs[-1]["data"], server.state(slug))


def test_swiss_reset_sends_deleted_matches(server, alice, pool):
    t, regs = tournament_with(server, alice, pool[:4], status="live", format="swiss",
                              format_options={"rounds": 2})
    slug = t["slug"]
    r1 = [m for m in bracket_matches(get_bracket(server, slug)) if m["round"] == 1]

    async def go():
        async with connect(server, slug) as ws:
            await recv_json(ws)
            loop = asyncio.get_running_loop()
            for m in r1:
                r = await loop.run_in_executor(None, lambda m=m: report(server, alice, m["id"], 1, 0))
                assert r.status_code == 200
            paired = await recv_all(ws)
            r = await loop.run_in_executor(None, lambda: reopen(server, alice, r1[0]["id"]))
            assert r.status_code == 200
            return paired, await recv_all(ws)

    paired, after = run(go())
    round2 = {x["data"]["id"] for x in paired if x["type"] == "match" and x["data"]["round"] == 2}
    assert len(round2) == 2, "round 2 was paired when round 1 completed"
    deleted = [x["data"] for x in after if x["type"] == "match" and x["data"]["state"] == "deleted"]
    assert {d["id"] for d in deleted} == round2
    assert all(d == {"id": d["id"], "tournament": slug, "state": "deleted"} for d in deleted)
    reopened = [x["data"] for x in after if x["type"] == "match" and x["data"]["id"] == r1[0]["id"]]
    assert reopened and reopened[0]["state"] == "ready"
    assert after[-1]["type"] == "state" and after[-1]["data"]["current_round"] == 1


def test_deleted_tournament_closes_subscribers(server, alice):
    t = open_tournament(server, alice)

    async def go():
        async with connect(server, t["slug"]) as ws:
            await recv_json(ws)
            loop = asyncio.get_running_loop()
            r = await loop.run_in_executor(
                None, lambda: server.delete(f"/api/v1/tournaments/{t['slug']}", user=alice))
            assert r.status_code == 204
            try:
                extra = await recv_json(ws)
                pytest.fail(f"a message after the deletion: {extra}")
            except websockets.ConnectionClosed as e:
                return e.code, e.reason

    code, reason = run(go())
    assert code == 1001 and reason == "tournament deleted"


def test_writes_elsewhere_send_nothing(server, alice, open_t):
    other = open_tournament(server, alice)

    async def go():
        async with connect(server, open_t["slug"]) as ws:
            await recv_json(ws)
            loop = asyncio.get_running_loop()
            r = await loop.run_in_executor(None, lambda: server.patch(
                f"/api/v1/tournaments/{other['slug']}", user=alice, json={"name": uniq("Cup ")}))
            assert r.status_code == 200
            return await recv_all(ws)

    assert run(go()) == []
