"""Operations: /healthz, /readyz, /metrics, X-Request-Id, X-Query-Count, ETag /
If-None-Match, HEAD, and a graceful SIGTERM."""

import json
import math
import re
import secrets
import signal
import socket
import time

import pytest

from support import (ADMIN_PASSWORD, ADMIN_USERNAME, _complete, assert_error, assert_json,
                     describe, media_type, uniq)


# ------------------------------------------------------------------ health

def test_healthz(server):
    r = server.get("/healthz")
    assert assert_json(r, 200) == {"status": "ok"}
    assert r.headers.get("X-Request-Id")


def test_readyz(server):
    r = server.get("/readyz")
    assert r.status_code == 200, describe(r)
    assert r.headers.get("X-Request-Id")
    if media_type(r) == "application/json":
        assert isinstance(r.json(), dict)


# ------------------------------------------------------------------ metrics

SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$')
LABEL_RE = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)')


def parse_metrics(text):
    """Prometheus text format -> (types {family: type}, samples [(name, labels, value)])."""
    types, samples = {}, []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 4 and parts[1] == "TYPE":
                types[parts[2]] = parts[3].strip()
            continue
        m = SAMPLE_RE.match(line)
        assert m, f"not a Prometheus sample line: {line!r}"
        name, labels_text, value = m.groups()
        labels = {}
        if labels_text:
            pos = 0
            while pos < len(labels_text):
                lm = LABEL_RE.match(labels_text, pos)
                assert lm, f"bad labels in {line!r}"
                labels[lm.group(1)] = lm.group(2)
                pos = lm.end()
        v = float(value)  # also accepts +Inf / NaN
        samples.append((name, labels, v))
    return types, samples


def scrape(server):
    r = server.get("/metrics")
    assert r.status_code == 200, describe(r)
    assert media_type(r) == "text/plain", r.headers.get("Content-Type")
    return parse_metrics(r.text), r.text


def family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count", "_total", "_created"):
        if name.endswith(suffix) and name[: -len(suffix)] in types:
            return name[: -len(suffix)]
    return name


def status_label(labels):
    return labels.get("status", labels.get("code"))


def request_counter(types, samples):
    """The counter family with route, method and status labels."""
    fams = {}
    for name, labels, v in samples:
        fam = family_of(name, types)
        if types.get(fam) == "counter" and "route" in labels and "method" in labels \
                and status_label(labels) is not None and "request" in fam:
            fams.setdefault(fam, []).append((name, labels, v))
    assert fams, "no request counter with route, method and status labels"
    return fams


def counter_value(fams, route_part, method, status):
    total = 0
    for rows in fams.values():
        for _, labels, v in rows:
            if route_part in labels["route"] and labels["method"] == method \
                    and status_label(labels) == str(status):
                total += v
        break  # first matching family
    return total


def histograms(types, samples, name_re, need_label=None):
    out = {}
    for fam, typ in types.items():
        if typ != "histogram" or not re.search(name_re, fam):
            continue
        rows = [(n, l, v) for n, l, v in samples if family_of(n, types) == fam]
        if need_label and not any(need_label in l for _, l, _ in rows):
            continue
        out[fam] = rows
    return out


def check_histogram(fam, rows):
    """Buckets are cumulative, end in +Inf, and +Inf equals _count, per label set."""
    series = {}
    for name, labels, v in rows:
        key = tuple(sorted((k, x) for k, x in labels.items() if k != "le"))
        s = series.setdefault(key, {"buckets": [], "count": None, "sum": None})
        if name == fam + "_bucket":
            le = labels["le"]
            s["buckets"].append((math.inf if le == "+Inf" else float(le), v))
        elif name == fam + "_count":
            s["count"] = v
        elif name == fam + "_sum":
            s["sum"] = v
    assert series, f"{fam} has no samples"
    for key, s in series.items():
        b = sorted(s["buckets"])
        assert b and b[-1][0] == math.inf, f"{fam}{key} lacks a +Inf bucket"
        counts = [v for _, v in b]
        assert counts == sorted(counts), f"{fam}{key} buckets are not cumulative"
        assert s["count"] == b[-1][1], f"{fam}{key}: +Inf bucket != _count"
        assert s["sum"] is not None and s["sum"] >= 0
    return series


def test_metrics_is_prometheus_text(server):
    server.get("/api/v1/tournaments")
    server.post("/api/v1/tournaments", json={})
    server.request("PUT", "/api/v1/tournaments")
    (types, samples), text = scrape(server)
    assert samples
    seen = {}
    for name, labels, _ in samples:
        k = (name, tuple(sorted(labels.items())))
        seen[k] = seen.get(k, 0) + 1
    dups = [k for k, n in seen.items() if n > 1]
    assert not dups, f"duplicate series (same name and labels): {dups[:5]}"
    for fam, typ in types.items():
        assert typ in ("counter", "gauge", "histogram", "summary", "untyped"), (fam, typ)
    for fam in [f for f, t in types.items() if t == "histogram"]:
        check_histogram(fam, [(n, l, v) for n, l, v in samples if family_of(n, types) == fam])


def test_metrics_count_requests_by_route_method_status(server, alice):
    (types, samples), _ = scrape(server)
    fams = request_counter(types, samples)
    h0 = counter_value(fams, "healthz", "GET", 200)
    nf0 = sum(v for rows in fams.values() for _, l, v in rows if status_label(l) == "404")
    for _ in range(3):
        assert server.get("/healthz").status_code == 200
    secret_path = "/api/v1/zz-" + secrets.token_hex(6)
    assert server.get(secret_path).status_code == 404
    t = server.create_tournament(alice, status="published")
    assert server.get(f"/api/v1/tournaments/{t['slug']}").status_code == 200
    (types, samples), text = scrape(server)
    fams = request_counter(types, samples)
    assert counter_value(fams, "healthz", "GET", 200) == h0 + 3
    nf1 = sum(v for rows in fams.values() for _, l, v in rows if status_label(l) == "404")
    assert nf1 >= nf0 + 1
    # routes are templates, not raw paths: no label cardinality explosion
    assert secret_path.rsplit("/", 1)[1] not in text
    assert t["slug"] not in text
    assert any(l["method"] == "POST" and status_label(l) == "201"
               for rows in fams.values() for _, l, _ in rows)


def test_metrics_latency_and_query_histograms(server):
    for _ in range(2):
        server.get("/api/v1/tournaments")
    (types, samples), _ = scrape(server)
    latency = histograms(types, samples, r"(duration|latency|seconds)", need_label="route")
    assert latency, "no request latency histogram labelled by route"
    for fam, rows in latency.items():
        check_histogram(fam, rows)
    queries = histograms(types, samples, r"quer")
    assert queries, "no histogram of database queries per request"
    for fam, rows in queries.items():
        check_histogram(fam, rows)
    before = {fam: sum(v for n, _, v in rows if n == fam + "_count")
              for fam, rows in queries.items()}
    server.get("/api/v1/tournaments", params={"limit": 3})
    (types, samples), _ = scrape(server)
    after = {fam: sum(v for n, _, v in rows if n == fam + "_count")
             for fam, rows in histograms(types, samples, r"quer").items()}
    assert any(after[f] > before[f] for f in before), "query histogram did not observe a request"


def test_metrics_writer_batches_and_memory(server, alice):
    (types, samples), _ = scrape(server)

    def batch_total(samples_):
        return sum(v for n, _, v in samples_ if "batch" in n and not n.endswith("_bucket"))

    assert any("batch" in n for n, _, _ in samples), "no writer batch metric"
    b0 = batch_total(samples)
    server.create_tournament(alice)
    (types, samples), _ = scrape(server)
    assert batch_total(samples) > b0, "writer batch metrics did not move after a write"
    rss = [v for n, _, v in samples if n == "process_resident_memory_bytes"]
    assert rss and rss[0] > 1 << 20, "process_resident_memory_bytes missing or implausible"


# ------------------------------------------------------------------ request id, query count

def test_request_id_is_echoed_or_generated(server):
    mine = "req-" + secrets.token_hex(8)
    assert server.get("/healthz", headers={"X-Request-Id": mine}).headers["X-Request-Id"] == mine
    gen = {server.get("/healthz").headers.get("X-Request-Id") for _ in range(3)}
    assert None not in gen and "" not in gen and len(gen) == 3
    exactly_128 = "a" * 128
    assert server.get("/healthz", headers={"X-Request-Id": exactly_128}).headers[
        "X-Request-Id"] == exactly_128
    too_long = "b" * 129
    got = server.get("/healthz", headers={"X-Request-Id": too_long}).headers["X-Request-Id"]
    assert got and got != too_long
    r = server.raw("GET", "/healthz", headers={"X-Request-Id": b"bad\x01id\x7f"})
    assert r.status_code == 200
    got = r.headers.get("X-Request-Id")
    assert got and got != "bad\x01id\x7f" and all(32 < ord(c) < 127 for c in got)


def test_request_id_on_every_kind_of_response(server, alice):
    t = server.create_tournament(alice, status="published")
    etag = server.get(f"/api/v1/tournaments/{t['slug']}").headers["ETag"]
    calls = [
        ("GET", "/api/v1/nope", {}),                                   # 404
        ("PUT", "/api/v1/games", {}),                                  # 405
        ("GET", "/api/v1/me", {}),                                     # 401
        ("POST", "/api/v1/tournaments", {"user": alice, "json": {}}),  # 400
        ("POST", "/api/v1/tournaments", {"user": alice, "data": b"x"}),  # 415
        ("GET", f"/api/v1/tournaments/{t['slug']}",
         {"headers": {"If-None-Match": etag}}),                        # 304
        ("HEAD", "/api/v1/games", {}),
        ("POST", "/api/v1/users", {"json": {"username": uniq("rid"), "password": "password-1"}}),
    ]
    for method, path, kw in calls:
        rid = "rid-" + secrets.token_hex(6)
        kw = dict(kw)
        kw["headers"] = dict(kw.get("headers", {}), **{"X-Request-Id": rid})
        r = server.request(method, path, **kw)
        assert r.headers.get("X-Request-Id") == rid, describe(r)
        assert (r.headers.get("X-Query-Count") or "").isdigit(), describe(r)
        if r.status_code >= 400:
            assert_error(r, r.status_code)


def test_query_count_header(server, alice):
    assert server.get("/healthz").headers.get("X-Query-Count", "").isdigit()
    # a list nobody asked for before cannot come from a cache: it runs queries
    r = server.get("/api/v1/tournaments", params={"q": uniq("nomatch")})
    assert int(r.headers["X-Query-Count"]) >= 1
    r = server.post("/api/v1/tournaments", user=alice, json=server.tournament_body())
    assert r.status_code == 201 and r.headers.get("X-Query-Count", "").isdigit()


# ------------------------------------------------------------------ ETag and HEAD

def cacheable_paths(server, alice):
    t = server.create_tournament(alice, status="published", start_at="2020-01-01T00:00:00Z")
    return t, [f"/api/v1/tournaments/{t['slug']}", f"/api/v1/tournaments/{t['slug']}/state",
               f"/api/v1/tournaments?q={t['name'].replace(' ', '%20')}", "/api/v1/games",
               f"/api/v1/tournament-states?slugs={t['slug']}"]


def test_etag_and_if_none_match(server, alice):
    t, paths = cacheable_paths(server, alice)
    for path in paths + ["/api/v1/me"]:
        user = alice if path == "/api/v1/me" else None
        r1 = server.get(path, user=user)
        assert r1.status_code == 200, describe(r1)
        etag = r1.headers.get("ETag")
        assert etag and etag.startswith('"') and etag.endswith('"'), \
            f"{path}: strong quoted ETag expected, got {etag!r}"
        r2 = server.get(path, user=user)
        assert r2.headers.get("ETag") == etag and r2.content == r1.content, path
        r304 = server.get(path, user=user, headers={"If-None-Match": etag})
        assert r304.status_code == 304, describe(r304)
        assert r304.content == b""
        assert r304.headers.get("ETag") == etag
        star = server.get(path, user=user, headers={"If-None-Match": "*"})
        assert star.status_code == 304, describe(star)
        other = server.get(path, user=user, headers={"If-None-Match": '"not-the-etag"'})
        assert other.status_code == 200 and other.content == r1.content, path


def test_etag_changes_after_a_write(server, alice):
    t, paths = cacheable_paths(server, alice)
    etags = {p: server.get(p).headers["ETag"] for p in paths[:3]}
    server.patch(f"/api/v1/tournaments/{t['slug']}", user=alice, json={"max_participants": 5})
    for p, old in etags.items():
        r = server.get(p, headers={"If-None-Match": old})
        assert r.status_code == 200, describe(r)
        assert r.headers["ETag"] != old
        assert b'"max_participants":5' in r.content.replace(b" ", b"")


def test_etag_does_not_leak_drafts(server, alice, bob):
    t = server.create_tournament(alice)
    path = f"/api/v1/tournaments/{t['slug']}"
    etag = server.get(path, user=alice).headers["ETag"]
    for viewer in (None, bob):
        for inm in (etag, "*"):
            r = server.get(path, user=viewer, headers={"If-None-Match": inm})
            assert_error(r, 404, "not_found")
    # alice's list holds her draft, the anonymous list does not: same URL, other body
    url = f"/api/v1/tournaments?q={t['name'].replace(' ', '%20')}"
    mine = server.get(url, user=alice)
    assert len(mine.json()["items"]) == 1
    anon = server.get(url, headers={"If-None-Match": mine.headers["ETag"]})
    assert anon.status_code == 200 and anon.json()["items"] == []


HEAD_PATHS = ["/healthz", "/readyz", "/metrics", "/api/v1/games", "/api/v1/tournaments",
              "/api/v1/tournaments/{slug}", "/api/v1/tournaments/{slug}/state",
              "/api/v1/tournament-states?slugs={slug}", "/api/v1/me"]


@pytest.mark.parametrize("path", HEAD_PATHS)
def test_head_is_answered_like_get(server, alice, path):
    t = server.create_tournament(alice, status="published", start_at="2020-01-01T00:00:00Z")
    path = path.replace("{slug}", t["slug"])
    user = alice if path == "/api/v1/me" else None
    g = server.get(path, user=user)
    # the same representation as the GET (requests asks for gzip)
    h = server.raw("HEAD", path, headers={**(user.headers if user else {}),
                                         "Accept-Encoding": "gzip, deflate"})
    assert g.status_code == 200 and h.status_code == 200, (describe(g), h)
    assert h.content == b""
    assert (h.headers.get("Content-Type") or "").split(";")[0] == media_type(g)
    assert h.headers.get("X-Request-Id")
    if path not in ("/metrics", "/healthz", "/readyz"):
        assert h.headers.get("ETag") == g.headers.get("ETag")


def test_head_on_missing_and_draft_is_404(server, alice):
    t = server.create_tournament(alice)
    for path in ("/api/v1/nope", f"/api/v1/tournaments/{t['slug']}",
                 "/api/v1/tournaments/no-such-" + secrets.token_hex(3)):
        r = server.raw("HEAD", path)
        assert r.status_code == 404, (path, r)
        assert r.content == b""
    r = server.raw("HEAD", f"/api/v1/tournaments/{t['slug']}", headers=alice.headers)
    assert r.status_code == 200


# ------------------------------------------------------------------ shutdown

def _read_response(sock):
    buf = b""
    while True:
        done = _complete(buf, False)
        if done is not None:
            return done
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed mid-response: {buf[:300]!r}")
        buf += chunk


def test_sigterm_finishes_in_flight_request_and_exits_0(server_factory):
    """A login (argon2 verification, tens of milliseconds) is in flight on an established
    keep-alive connection when SIGTERM arrives: it still gets its answer, then the
    process exits 0."""
    srv = server_factory()
    login = json.dumps({"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}).encode()
    req = (f"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
           f"Content-Type: application/json\r\nContent-Length: {len(login)}\r\n\r\n"
           ).encode() + login
    with socket.create_connection(("127.0.0.1", srv.port), timeout=20) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert _read_response(sock).status_code == 200  # the connection is established
        t0 = time.monotonic()
        sock.sendall(req)
        assert _read_response(sock).status_code == 200
        login_seconds = time.monotonic() - t0
        sock.sendall(req)
        time.sleep(min(0.005, login_seconds / 4))
        srv.proc.send_signal(signal.SIGTERM)
        r = _read_response(sock)
    problems = srv.wait_exit(15)  # exit code 0, no sanitizer report
    assert not problems, "\n".join(problems)
    assert r.status_code == 200, r
    assert "token" in r.json()
