"""The response cache (issue 5): exact under concurrent writes, HTTP caching, metrics.

The central check (`run_exactness`) has writers and readers work at the same time on one
tournament; every read that starts after a write was acknowledged must show it, and no
read may go back behind a read that ended before it started. It runs against a server
with the cache on, one with the cache off, and one started with the test-only fault
`TOURNEYD_TEST_FREEZE_CACHE_VERSIONS=1` (the cache is never invalidated): there the
checker must report stale reads, which shows the check can fail.
"""

import random
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from support import (assert_json, bracket_matches, create_users, get_bracket, go_live,
                     register, tournament_with, uniq)

STALE_ENV = {"TOURNEYD_TEST_FREEZE_CACHE_VERSIONS": "1"}


def metric(server, name, **labels):
    text = server.get("/metrics").text
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    m = re.search(rf"^{re.escape(name)}\{{{re.escape(want)}\}} ([0-9.e+]+)$", text, re.M)
    assert m, f"{name}{{{want}}} not in /metrics"
    return float(m.group(1))


# ------------------------------------------------------------------ exactness

class Log:
    """Reads and acknowledged writes with their monotonic start / end times."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acks = []   # (t_ack, n registrations acknowledged so far)
        self.reads = []  # (what, t_start, t_end, version, count)
        self.acked = 0

    def ack(self):
        with self.lock:
            self.acked += 1
            self.acks.append((time.monotonic(), self.acked))

    def read(self, what, t0, t1, version, count):
        with self.lock:
            self.reads.append((what, t0, t1, version, count))


def violations(log):
    """Reads that miss an acknowledged write or go behind an earlier finished read."""
    bad = []
    acks = sorted(log.acks)
    by_kind = {}
    for r in log.reads:
        by_kind.setdefault(r[0], []).append(r)
    for what, reads in by_kind.items():
        ends = sorted((t1, v) for _, _, t1, v, _ in reads if v is not None)
        for _, t0, _, version, count in reads:
            # registrations acknowledged before this read started
            done = 0
            for t_ack, n in acks:
                if t_ack >= t0:
                    break
                done = n
            if count < done:
                bad.append(f"{what}: shows {count} registrations, {done} were acknowledged "
                           f"before it started")
            if version is not None:
                seen = max((v for t1, v in ends if t1 < t0), default=0)
                if version < seen:
                    bad.append(f"{what}: version {version} after a read that ended with {seen}")
    return bad


def run_exactness(server, n_players=48, writers=6, readers=6):
    """Registrations by `writers` threads while `readers` threads poll every cached view
    of the tournament; returns (log, violations)."""
    org = server.new_user(prefix="cacheorg")
    players = create_users(server, n_players, prefix="cachep", workers=8)
    t = server.create_tournament(org, status="registration_open", max_participants=n_players)
    slug, name = t["slug"], t["name"]
    views = {
        "state": (f"/api/v1/tournaments/{slug}/state", {},
                  lambda b: (b["version"], b["registration_count"])),
        "detail": (f"/api/v1/tournaments/{slug}", {},
                   lambda b: (b["version"], b["registration_count"])),
        "states": ("/api/v1/tournament-states", {"slugs": slug},
                   lambda b: (b["states"][slug]["version"],
                              b["states"][slug]["registration_count"])),
        "list": ("/api/v1/tournaments", {"q": name, "limit": 5},
                 lambda b: (None, [x for x in b["items"] if x["slug"] == slug][0]
                            ["registration_count"])),
        "registrations": (f"/api/v1/tournaments/{slug}/registrations", {"limit": 100},
                          lambda b: (None, len(b["items"]))),
    }
    log = Log()
    # every view is read (and cached) before the first write
    for what, (path, params, pick) in views.items():
        t0 = time.monotonic()
        v, c = pick(assert_json(server.get(path, params=params), 200))
        log.read(what, t0, time.monotonic(), v, c)
    stop = threading.Event()

    def reader(seed):
        rng = random.Random(seed)
        names = list(views)
        while not stop.is_set():
            what = rng.choice(names)
            path, params, pick = views[what]
            t0 = time.monotonic()
            r = server.get(path, params=params)
            t1 = time.monotonic()
            v, c = pick(assert_json(r, 200))
            log.read(what, t0, t1, v, c)

    def writer(chunk):
        for u in chunk:
            assert_json(register(server, u, slug), 201)
            log.ack()

    chunks = [players[i::writers] for i in range(writers)]
    with ThreadPoolExecutor(readers + writers) as ex:
        rfut = [ex.submit(reader, i) for i in range(readers)]
        wfut = [ex.submit(writer, c) for c in chunks]
        for f in wfut:
            f.result()
        time.sleep(0.2)
        # after the last acknowledgement, every view must show all of them
        for what, (path, params, pick) in views.items():
            t0 = time.monotonic()
            v, c = pick(assert_json(server.get(path, params=params), 200))
            log.read(what, t0, time.monotonic(), v, c)
        stop.set()
        for f in rfut:
            f.result()
    assert log.acked == n_players
    return log, violations(log)


def test_reads_see_every_acknowledged_write_with_the_cache(server):
    log, bad = run_exactness(server)
    assert not bad, "\n".join(bad[:20])
    assert len(log.reads) > 200
    assert metric(server, "tourneyd_cache_requests_total", cache="state", result="hit") > 0


def test_the_same_check_passes_with_the_cache_off(server_factory):
    srv = server_factory(flags={"--cache-mb": "0"})
    log, bad = run_exactness(srv, n_players=24)
    assert not bad, "\n".join(bad[:20])
    assert metric(srv, "tourneyd_cache_entries", cache="state") == 0


def test_the_check_catches_a_cache_that_is_never_invalidated(server_factory):
    """Fault injection: with invalidation removed, the same checker must fail."""
    srv = server_factory(env=STALE_ENV)
    log, bad = run_exactness(srv, n_players=24)
    assert bad, "the checker did not notice stale answers: it could not fail"


def test_results_and_status_changes_are_seen_at_once(server):
    org = server.new_user(prefix="cres")
    players = create_users(server, 8, prefix="cresp", workers=8)
    t, _ = tournament_with(server, org, players, format="round_robin")
    slug = t["slug"]
    assert_json(go_live(server, org, slug), 200)
    paths = [f"/api/v1/tournaments/{slug}/{p}" for p in ("bracket", "standings", "matches",
                                                         "state")] + [
        f"/api/v1/tournaments/{slug}"]
    stop = threading.Event()
    errors = []

    def poll():
        while not stop.is_set():
            for p in paths:
                server.get(p)

    with ThreadPoolExecutor(4) as ex:
        futs = [ex.submit(poll) for _ in range(3)]
        for _ in range(6):
            b = get_bracket(server, slug)
            m = [x for x in bracket_matches(b) if x["state"] == "ready"][0]
            done = assert_json(server.post(f"/api/v1/matches/{m['id']}/result", user=org,
                                           json={"score1": 2, "score2": 0}), 200)
            after = get_bracket(server, slug)
            mine = [x for x in bracket_matches(after) if x["id"] == m["id"]][0]
            if mine["state"] != "completed" or after["version"] < done.get("version", 0):
                errors.append(f"bracket behind the result of match {m['id']}")
            one = assert_json(server.get(f"/api/v1/matches/{m['id']}"), 200)
            if one["state"] != "completed":
                errors.append(f"match {m['id']} still {one['state']}")
            ms = assert_json(server.get(f"/api/v1/tournaments/{slug}/matches",
                                        params={"state": "completed", "limit": 100}), 200)
            if m["id"] not in {x["id"] for x in ms["items"]}:
                errors.append(f"completed matches list misses {m['id']}")
            st = assert_json(server.get(f"/api/v1/tournaments/{slug}/standings"), 200)
            if sum(x["played"] for x in st["items"]) != 2 * len(ms["items"]):
                errors.append("standings behind the results")
        stop.set()
        for f in futs:
            f.result()
    assert not errors, errors
    assert_json(server.post(f"/api/v1/tournaments/{slug}/status", user=org,
                            json={"status": "cancelled"}), 200)
    assert server.state(slug)["status"] == "cancelled"
    assert server.detail(slug)["status"] == "cancelled"


# ------------------------------------------------------------------ stampede

def test_a_changed_hot_key_is_built_once(server):
    org = server.new_user(prefix="stamp")
    players = create_users(server, 16, prefix="stampp", workers=8)
    t, _ = tournament_with(server, org, players, format="double_elimination")
    slug = t["slug"]
    assert_json(go_live(server, org, slug), 200)
    path = f"/api/v1/tournaments/{slug}/bracket"
    assert_json(server.get(path), 200)
    b = get_bracket(server, slug)
    m = [x for x in bracket_matches(b) if x["state"] == "ready"][0]
    assert_json(server.post(f"/api/v1/matches/{m['id']}/result", user=org,
                            json={"score1": 1, "score2": 0}), 200)
    before = metric(server, "tourneyd_cache_builds_total", cache="bracket")
    barrier = threading.Barrier(32)

    def hit(_):
        barrier.wait()
        return server.get(path)

    with ThreadPoolExecutor(32) as ex:
        answers = list(ex.map(hit, range(32)))
    assert all(a.status_code == 200 for a in answers)
    assert len({a.content for a in answers}) == 1
    built = metric(server, "tourneyd_cache_builds_total", cache="bracket") - before
    assert built == 1, f"{built} builds of one changed body by 32 concurrent requests"


# ------------------------------------------------------------------ HTTP caching

def test_etag_304_without_the_database_and_cache_control(server, alice):
    t = server.create_tournament(alice, status="registration_open")
    path = f"/api/v1/tournaments/{t['slug']}"
    first = server.get(path)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=0, s-maxage=1"
    assert "Accept-Encoding" in first.headers["Vary"]
    again = server.get(path, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == tag
    assert again.headers["X-Query-Count"] == "0"
    hit = server.get(path)
    assert hit.headers["X-Query-Count"] == "0" and hit.content == first.content
    server.request("PATCH", path, user=alice, json={"description": "changed " + uniq()})
    changed = server.get(path, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag


def test_gzip_for_large_bodies_only(server, alice):
    players = create_users(server, 16, prefix="gz", workers=8)
    t, _ = tournament_with(server, alice, players, format="single_elimination")
    slug = t["slug"]
    assert_json(go_live(server, alice, slug), 200)
    path = f"/api/v1/tournaments/{slug}/bracket"
    plain = server.raw("GET", path, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    assert len(plain.content) > 1024
    for _ in range(2):  # a miss that compresses, then a hit of the stored copy
        gz = server.get(path, headers={"Accept-Encoding": "gzip"}, stream=True)
        assert gz.headers["Content-Encoding"] == "gzip"
        assert gz.headers["ETag"].endswith('-gz"')
        import gzip
        assert gzip.decompress(gz.raw.read()) == plain.content
    nm = server.get(path, headers={"Accept-Encoding": "gzip",
                                   "If-None-Match": gz.headers["ETag"]})
    assert nm.status_code == 304
    small = server.get(f"/api/v1/tournaments/{slug}/state",
                       headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in small.headers


def test_per_user_answers_are_not_shared(server, alice, bob):
    draft = server.create_tournament(alice)  # drafts: only their organizer sees them
    mine = server.get("/api/v1/tournaments", params={"q": draft["name"]}, user=alice)
    assert [x["slug"] for x in mine.json()["items"]] == [draft["slug"]]
    assert mine.headers["Cache-Control"] == "private, no-cache"
    for who in (None, bob):
        other = server.get("/api/v1/tournaments", params={"q": draft["name"]}, user=who)
        assert other.json()["items"] == []
    seen = server.get(f"/api/v1/tournaments/{draft['slug']}", user=alice)
    assert seen.status_code == 200
    assert server.get(f"/api/v1/tournaments/{draft['slug']}").status_code == 404
    assert server.get(f"/api/v1/tournaments/{draft['slug']}", user=bob).status_code == 404
    a = server.get("/api/v1/me/registrations", user=alice)
    b = server.get("/api/v1/me/registrations", user=bob)
    assert a.headers["Cache-Control"] == "private, no-cache"
    t = server.create_tournament(alice, status="registration_open")
    assert_json(register(server, bob, t["slug"]), 201)
    b2 = server.get("/api/v1/me/registrations", user=bob)
    assert t["slug"] in b2.text and b2.text != b.text
    assert server.get("/api/v1/me/registrations", user=alice).text == a.text


def test_errors_are_not_cached(server, alice):
    slug = "later-" + uniq()
    assert server.get(f"/api/v1/tournaments/{slug}/state").status_code == 404
    server.create_tournament(alice, status="published", slug=slug)
    assert server.get(f"/api/v1/tournaments/{slug}/state").status_code == 200


def test_an_answer_that_shows_time_expires_with_it(server, alice):
    opens = time.time() + 2
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(opens))
    t = server.create_tournament(alice, status="registration_open",
                                 registration_opens_at=stamp)
    assert server.state(t["slug"])["registration_state"] == "not_open"
    time.sleep(max(0.0, opens - time.time()) + 1.1)
    assert server.state(t["slug"])["registration_state"] == "open"


def test_metrics_show_each_cache_and_the_hit_ratio(server, alice):
    t = server.create_tournament(alice, status="published")
    for _ in range(3):
        server.get(f"/api/v1/tournaments/{t['slug']}")
    text = server.get("/metrics").text
    for kind in ("state", "states", "list", "detail", "registrations", "matches", "bracket",
                 "standings", "leaderboard", "player_dashboard"):
        for result in ("hit", "miss", "stale", "not_modified"):
            assert f'tourneyd_cache_requests_total{{cache="{kind}",result="{result}"}}' in text
        assert f'tourneyd_cache_hit_ratio{{cache="{kind}"}}' in text
        assert f'tourneyd_cache_evictions_total{{cache="{kind}"}}' in text
        assert f'tourneyd_cache_bytes{{cache="{kind}"}}' in text
    assert metric(server, "tourneyd_cache_hit_ratio", cache="detail") > 0


def test_a_small_cache_evicts_and_stays_exact(server_factory):
    srv = server_factory(flags={"--cache-mb": "1"})
    org = srv.new_user(prefix="evict")
    ts = srv.create_tournaments(org, [{"_status": "published",
                                       "description": "x" * 10000} for _ in range(150)])
    for _ in range(2):
        for t in ts:
            assert_json(srv.get(f"/api/v1/tournaments/{t['slug']}"), 200)
    assert metric(srv, "tourneyd_cache_evictions_total", cache="detail") > 0
    assert metric(srv, "tourneyd_cache_bytes", cache="detail") <= 1 << 20


def test_warm_up_fills_live_states_before_ready(server_factory):
    srv = server_factory(seed=True)
    deadline = time.monotonic() + 20
    while srv.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline, "never ready"
        time.sleep(0.05)
    live = srv.get("/api/v1/tournaments", params={"status": "live", "limit": 5}).json()["items"]
    assert live, "the seed has live tournaments"
    warmed = metric(srv, "tourneyd_cache_entries", cache="state")
    assert warmed >= len(live)
    r = srv.get(f"/api/v1/tournaments/{live[0]['slug']}/state")
    assert r.status_code == 200 and r.headers["X-Query-Count"] == "0"


def test_query_order_and_repeats_in_the_key(server, alice):
    """Arguments in another order share an entry; a repeated argument is read by its first
    value, so its order is part of the key."""
    a = server.create_tournament(alice, status="published")
    b = server.create_tournament(alice, status="registration_open")
    path = "/api/v1/tournaments"
    first = server.get(f"{path}?status=published&status=registration_open&q={a['name']}")
    second = server.get(f"{path}?status=registration_open&status=published&q={a['name']}")
    assert [x["slug"] for x in first.json()["items"]] == [a["slug"]]
    assert second.json()["items"] == []
    one = server.get(f"{path}?q={b['name']}&limit=5")
    two = server.get(f"{path}?limit=5&q={b['name']}")
    assert one.content == two.content and two.headers["X-Query-Count"] == "0"
