"""GET /api/v1/tournaments: limit, keyset cursor (stable under inserts and deletes),
filters game / status / organizer / q, order, and a constant query count per page."""

import re
import secrets
import time
from types import SimpleNamespace

import pytest

from support import (fresh, SUMMARY_KEYS, assert_error, assert_json, b64url_decode, b64url_encode,
                     describe, iso, parse_iso, uniq)

LIST = "/api/v1/tournaments"
CATALOG_SIZE = 110


def key(item):
    """Sort key of the list: start_at descending, then id descending."""
    return (-parse_iso(item["start_at"]), -item["id"])


def page(server, params, user=None):
    r = server.get(LIST, params=params, user=user)
    body = assert_json(r, 200)
    assert set(body) >= {"items", "next_cursor"}
    assert body["next_cursor"] is None or isinstance(body["next_cursor"], str)
    return body, r


def walk(server, params, limit, user=None, between=None):
    """Pages through the list; `between(last_item)` runs after every non-final page."""
    seen, cursor = [], None
    for _ in range(1000):
        p = dict(params, limit=limit)
        if cursor is not None:
            p["cursor"] = cursor
        body, _ = page(server, p, user)
        assert len(body["items"]) <= limit
        seen += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
        assert body["items"], "an empty page must not carry a next_cursor"
        if between:
            between(body["items"][-1])
    raise AssertionError("walk did not end")


@pytest.fixture(scope="module")
def catalog(server, alice, bob):
    """A fresh game with CATALOG_SIZE published tournaments by alice and bob, with many
    equal start_at values (so the id tie-break matters)."""
    g = server.create_game(name=f"Paging {uniq()}")
    tag = uniq("pg")
    base = int(time.time()) + 200 * 86400
    bodies = [{"name": f"{tag} item {i:03d}", "game": g["slug"],
               "start_at": iso(base + (i % 23) * 3600), "_status": "published"}
              for i in range(CATALOG_SIZE)]
    items = server.create_tournaments(alice, bodies[0::2]) + \
        server.create_tournaments(bob, bodies[1::2])
    return SimpleNamespace(game=g, tag=tag, items=items,
                           ids=[t["id"] for t in sorted(items, key=key)])


# ------------------------------------------------------------------ limit

def test_default_limit_is_20(server, catalog):
    body, _ = page(server, {"game": catalog.game["slug"]})
    assert len(body["items"]) == 20
    assert body["next_cursor"]
    assert [x["id"] for x in body["items"]] == catalog.ids[:20]


@pytest.mark.parametrize("limit", ["100", "101", "1000", "2147483648"])
def test_large_limit_is_clamped_to_100(server, catalog, limit):
    body, _ = page(server, {"game": catalog.game["slug"], "limit": limit})
    assert [x["id"] for x in body["items"]] == catalog.ids[:100]
    assert body["next_cursor"]


@pytest.mark.parametrize("limit", [str(2 ** 63), str(2 ** 64 + 5), "9" * 40])
def test_huge_limit_is_clamped_or_refused(server, catalog, limit):
    r = server.get(LIST, params={"game": catalog.game["slug"], "limit": limit})
    if r.status_code == 200:
        assert len(r.json()["items"]) == 100
    else:
        assert_error(r, 400, "validation_failed", "limit")


@pytest.mark.parametrize("limit", ["0", "-1", "-100", "-0", "abc", "1.5", "1e2", "0x10",
                                   "10abc", "ten", "1,2", "%", "'; DROP TABLE tournaments; --",
                                   str(-2 ** 63), "-" + "9" * 40])
def test_bad_limit_is_400(server, catalog, limit):
    r = server.get(LIST, params={"game": catalog.game["slug"], "limit": limit})
    assert_error(r, 400, "validation_failed", "limit")


def test_small_limits(server, catalog):
    for limit in (1, 2, 7, 99):
        body, _ = page(server, {"game": catalog.game["slug"], "limit": limit})
        assert [x["id"] for x in body["items"]] == catalog.ids[:limit]


# ------------------------------------------------------------------ order and cursor

def test_order_is_newest_start_first_with_id_tie_break(server, catalog):
    items = walk(server, {"game": catalog.game["slug"]}, 100)
    assert [x["id"] for x in items] == catalog.ids
    assert len(set(catalog.ids)) == CATALOG_SIZE
    for x in items:
        assert SUMMARY_KEYS <= set(x)
        assert x["game"]["slug"] == catalog.game["slug"]


@pytest.mark.parametrize("limit", [1, 3, 20, 23, 100])
def test_walk_returns_every_item_once(server, catalog, limit):
    items = walk(server, {"game": catalog.game["slug"]}, limit)
    assert [x["id"] for x in items] == catalog.ids


def test_cursor_walk_with_inserts_between_pages(server, alice, bob):
    """Rows inserted while a client pages are never repeated and never make it skip one:
    the client sees exactly the rows that existed plus those inserted behind its cursor."""
    g = server.create_game(name=f"Inserts {uniq()}")
    base = int(time.time()) + 300 * 86400
    bodies = [{"name": f"ins {i}", "game": g["slug"], "start_at": iso(base + (i % 9) * 600),
               "_status": "published" if i % 3 == 0 else "draft"} for i in range(45)]
    existing = server.create_tournaments(alice, bodies)
    # bob's drafts are not visible to alice: they must neither show up nor disturb paging
    server.create_tournaments(bob, [{"game": g["slug"], "start_at": iso(base + i * 600)}
                                    for i in range(5)])
    expected_extra = []
    counter = [0]

    def insert_around(last):
        counter[0] += 1
        k = counter[0]
        c = parse_iso(last["start_at"])
        plan = [(base + 30 * 86400 + k, False),   # far before the cursor: not seen
                (c, False),                       # same start_at, higher id: before it
                (c + 1, False),                   # just before the cursor
                (c - 1, True),                    # just after the cursor
                (base - 86400 - k * 60, True)]    # far behind the cursor: seen
        for start, behind in plan:
            t = server.create_tournament(alice, name=f"ins new {k}", game=g["slug"],
                                         start_at=iso(start))
            assert (key(t) > key(last)) == behind
            if behind:
                expected_extra.append(t)

    seen = walk(server, {"game": g["slug"]}, 7, user=alice, between=insert_around)
    ids = [x["id"] for x in seen]
    assert len(ids) == len(set(ids)), "an item was repeated"
    expected = sorted(existing + expected_extra, key=key)
    assert ids == [t["id"] for t in expected]
    assert counter[0] >= 6


def test_unfiltered_walk_with_inserts(server, alice, catalog):
    baseline = [x["id"] for x in walk(server, {}, 100)]
    assert len(baseline) == len(set(baseline)) >= CATALOG_SIZE
    extra = []

    def insert(last):
        if last["id"] in extra:
            # the walk reached the far-past rows it inserted: a newer one would sort before
            # the cursor (rightly unseen), so stop adding (how many pages the catalog
            # takes depends on what other tests created)
            return
        far_future = server.create_tournament(alice, status="published",
                                              start_at=iso(time.time() + 3000 * 86400))
        far_past = server.create_tournament(alice, status="published",
                                            start_at=iso(978307200 + len(extra) * 60))
        assert key(far_future) < key(last) < key(far_past)
        extra.append(far_past["id"])

    seen = [x["id"] for x in walk(server, {}, 50, between=insert)]
    assert len(seen) == len(set(seen)), "an item was repeated"
    # the far-past rows sort last, newest first
    assert seen == baseline + list(reversed(extra))


def test_cursor_survives_deleted_rows(server, alice):
    g = server.create_game(name=f"Deletes {uniq()}")
    base = int(time.time()) + 400 * 86400
    existing = sorted(server.create_tournaments(
        alice, [{"game": g["slug"], "start_at": iso(base + (i % 4) * 60),
                 "_status": "published"} for i in range(15)]), key=key)
    deleted_unseen = set()

    def delete_around(last):
        """Deletes the cursor row itself (already seen) and the row after it (not yet)."""
        idx = [t["id"] for t in existing].index(last["id"])
        for j, t in enumerate(existing[idx:idx + 2]):
            r = server.delete(f"/api/v1/tournaments/{t['slug']}", user=alice)
            assert r.status_code == 204, describe(r)
            if j == 1:
                deleted_unseen.add(t["id"])

    seen = [x["id"] for x in walk(server, {"game": g["slug"]}, 4, between=delete_around)]
    assert len(seen) == len(set(seen)), "an item was repeated"
    assert deleted_unseen
    assert seen == [t["id"] for t in existing if t["id"] not in deleted_unseen]


def _structural_tampers(real):
    """Cursors that are not what the server produces, derived from a real one when its
    text has the documented shape "<kind>1:<v1>:<v2>..."."""
    out = []
    try:
        text = b64url_decode(real).decode("ascii")
    except Exception:
        return out
    m = re.match(r"^([a-z])1((?::-?\d+)+)$", text)
    if not m:
        return out
    kind, vals = m.group(1), m.group(2)[1:].split(":")
    other = "x" if kind != "x" else "y"
    variants = [
        f"{other}1:{':'.join(vals)}",
        f"{kind}2:{':'.join(vals)}",
        f"{kind}1:{':'.join(vals[:-1])}" if len(vals) > 1 else f"{kind}1:",
        f"{kind}1:{':'.join(vals)}:7",
        f"{kind}1:{':'.join(vals[:-1] + ['abc'])}",
        f"{kind}1:{':'.join(vals[:-1] + ['99999999999999999999999'])}",
        f"{kind}1:{':'.join(vals)}'; DROP TABLE tournaments; --",
        f"{kind}1:{':'.join(vals)}\x00",
    ]
    return [b64url_encode(v.encode()) for v in variants]


def test_garbage_and_tampered_cursors_are_400(server, catalog):
    params = {"game": catalog.game["slug"], "limit": 5}
    body, _ = page(server, params)
    real = body["next_cursor"]
    assert real and len(real) <= 128
    nxt, _ = page(server, dict(params, cursor=real))
    assert [x["id"] for x in nxt["items"]] == catalog.ids[5:10]
    garbage = ["abc", "!!!", "' OR 1=1 --", "A" * 1000, "null", "0", "-1", " ", "%",
               b64url_encode(b"hello"), b64url_encode(b'{"id": 1}'),
               b64url_encode(b"t1:abc:def"), real + "!", "@@" + real[2:], real[:-1] + "*",
               real + real, "\u00e9\u00e9\u00e9", real.upper() if real.upper() != real else "Z"]
    tampered = _structural_tampers(real)
    for cursor in garbage + tampered:
        r = server.get(LIST, params=dict(params, cursor=cursor))
        assert_error(r, 400, "validation_failed", "cursor")
    # the genuine cursor still works after all that
    again, _ = page(server, dict(params, cursor=real))
    assert again["items"] == nxt["items"]


def test_last_page_has_null_cursor(server, catalog):
    params = {"game": catalog.game["slug"], "limit": 100}
    first, _ = page(server, params)
    last, _ = page(server, dict(params, cursor=first["next_cursor"]))
    assert [x["id"] for x in last["items"]] == catalog.ids[100:]
    assert last["next_cursor"] is None


# ------------------------------------------------------------------ filters

def test_filter_game(server, catalog, alice):
    items = server.list_all({"game": catalog.game["slug"]})
    assert {x["id"] for x in items} == set(catalog.ids)
    empty_game = server.create_game(name=f"Empty {uniq()}")
    assert server.list_all({"game": empty_game["slug"]}) == []
    r = server.get(LIST, params={"game": "no-such-game-" + secrets.token_hex(3)})
    if r.status_code == 200:
        assert r.json()["items"] == []
    else:
        assert_error(r, 400, "validation_failed", "game")


def test_filter_organizer(server, catalog, alice, bob):
    for user in (alice, bob):
        items = server.list_all({"game": catalog.game["slug"], "organizer": user.username})
        expected = [t["id"] for t in sorted(catalog.items, key=key)
                    if t["organizer"]["id"] == user.id]
        assert [x["id"] for x in items] == expected
        assert len(expected) == CATALOG_SIZE // 2
        assert all(x["organizer"]["username"] == user.username for x in items)
    r = server.get(LIST, params={"organizer": "nobody-" + secrets.token_hex(3)})
    if r.status_code == 200:
        assert r.json()["items"] == []
    else:
        assert_error(r, 400, "validation_failed", "organizer")


def test_filter_status(server, alice, bob):
    g = server.create_game(name=f"Statuses {uniq()}")
    made = {s: server.create_tournament(alice, game=g["slug"], status=s)
            for s in ("draft", "published", "registration_open", "registration_closed",
                      "cancelled")}
    bobs_draft = server.create_tournament(bob, game=g["slug"])
    for s, t in made.items():
        for who, viewer in (("anon", None), ("bob", bob), ("alice", alice)):
            items = server.list_all({"game": g["slug"], "status": s}, user=viewer)
            ids = [x["id"] for x in items]
            if s == "draft":
                expected = {"anon": [], "bob": [bobs_draft["id"]], "alice": [t["id"]]}[who]
            else:
                expected = [t["id"]]
            assert ids == expected, (s, who)
            assert all(x["status"] == s for x in items)
    for s in ("live", "completed"):
        assert server.list_all({"game": g["slug"], "status": s}) == []
    everything = server.list_all({"game": g["slug"]})
    assert {x["id"] for x in everything} == {t["id"] for s, t in made.items() if s != "draft"}


@pytest.mark.parametrize("status", ["bogus", "LIVE", "Draft", "'; DROP TABLE tournaments; --",
                                    "published,draft", "%", " "])
def test_filter_bad_status_is_400(server, status):
    assert_error(server.get(LIST, params={"status": status}), 400, "validation_failed",
                 "status")


@pytest.fixture(scope="module")
def q_catalog(server, alice):
    g = server.create_game(name=f"Query {uniq()}")
    tag = secrets.token_hex(3)
    names = {
        "pct": f"100% Pure {tag}",
        "x100": f"100X Pure {tag}",
        "under": f"Under_Score {tag}",
        "underx": f"UnderXScore {tag}",
        "back": f"Back\\slash {tag}",
        "backx": f"Backslash {tag}",
        "quote": f"O'Brien Cup {tag}",
        "sql": f"Robert'); DROP TABLE tournaments;-- {tag}",
        "mixed": f"MiXeD CaSe {tag}",
        "uni": f"Ünïcode Cup {tag}",
        "dq": f"Say \"hi\" {tag}",
    }
    made = {k: server.create_tournament(alice, name=n, game=g["slug"], status="published")
            for k, n in names.items()}
    return SimpleNamespace(game=g, tag=tag, made=made)


Q_CASES = [
    ("100%", {"pct"}),
    ("%", {"pct"}),
    ("0%", {"pct"}),
    ("_", {"under"}),
    ("r_s", {"under"}),
    ("\\", {"back"}),
    ("k\\s", {"back"}),
    ("'", {"quote", "sql"}),
    ("o'brien", {"quote"}),
    ("'); DROP TABLE tournaments;--", {"sql"}),
    ("mixed case", {"mixed"}),
    ("MIXED CASE", {"mixed"}),
    ("pure", {"pct", "x100"}),
    ("Ünïcode", {"uni"}),
    ("\"hi\"", {"dq"}),
    ("%%", set()),
    ("*", set()),
    ("100_", set()),
    ("u%e", set()),
    ("' OR '1'='1", set()),
    ("\\%", set()),
]


@pytest.mark.parametrize("q,expected", Q_CASES, ids=[repr(q) for q, _ in Q_CASES])
def test_filter_q_is_literal_and_case_insensitive(server, q_catalog, q, expected):
    items = server.list_all({"game": q_catalog.game["slug"], "q": q})
    assert {x["id"] for x in items} == {q_catalog.made[k]["id"] for k in expected}, \
        [x["name"] for x in items]


def test_filter_q_whole_tag_and_combined_filters(server, q_catalog, alice, bob):
    all_ids = {t["id"] for t in q_catalog.made.values()}
    assert {x["id"] for x in server.list_all({"q": q_catalog.tag})} == all_ids
    assert {x["id"] for x in server.list_all({"q": q_catalog.tag.upper(),
                                              "organizer": alice.username,
                                              "status": "published",
                                              "game": q_catalog.game["slug"]})} == all_ids
    assert server.list_all({"q": q_catalog.tag, "organizer": bob.username}) == []
    assert server.list_all({"q": q_catalog.tag, "status": "registration_open"}) == []


def test_filtered_walk_with_limit_1(server, q_catalog):
    params = {"game": q_catalog.game["slug"], "q": "pure"}
    items = walk(server, params, 1)
    expected = sorted([q_catalog.made["pct"], q_catalog.made["x100"]], key=key)
    assert [x["id"] for x in items] == [t["id"] for t in expected]


# ------------------------------------------------------------------ query count

def query_count(r):
    v = r.headers.get("X-Query-Count")
    assert v is not None and v.isdigit(), f"X-Query-Count {v!r}: {describe(r)}"
    return int(v)


QC_CASES = [
    ("anon", {}),
    ("anon", {"game": "CATALOG"}),
    ("alice", {"game": "CATALOG"}),
    ("anon", {"q": "TAG"}),
    ("anon", {"status": "published"}),
    ("bob", {"game": "CATALOG", "status": "published", "q": "TAG"}),
    ("anon", {"game": "CATALOG", "cursor": "PAGE2"}),
]


@pytest.mark.parametrize("viewer,params", QC_CASES,
                         ids=[f"{v}-{'-'.join(p) or 'all'}" for v, p in QC_CASES])
def test_query_count_same_for_limit_1_and_100(server, catalog, alice, bob, viewer, params):
    user = {"anon": None, "alice": alice, "bob": bob}[viewer]
    params = {k: {"CATALOG": catalog.game["slug"], "TAG": catalog.tag}.get(v, v)
              for k, v in params.items()}
    if params.get("cursor") == "PAGE2":
        base = {k: v for k, v in params.items() if k != "cursor"}
        first, _ = page(server, dict(base, limit=5), user)
        params = dict(base, cursor=first["next_cursor"])
    # a visible write makes every cached list stale, so both requests below really run
    server.create_tournament(alice, status="published")
    b1, r1 = page(server, dict(params, limit=1), user)
    b100, r100 = page(server, dict(params, limit=100), user)
    assert len(b1["items"]) == 1
    assert len(b100["items"]) == 100
    assert b100["items"][0] == b1["items"][0]
    q1, q100 = query_count(r1), query_count(r100)
    assert q1 >= 1, "a list that is not cached must query the database"
    assert q1 == q100, f"limit=1 ran {q1} queries, limit=100 ran {q100}"


def test_bulk_states_query_count_does_not_grow_with_slugs(server, catalog):
    slugs = [t["slug"] for t in catalog.items]
    r1 = server.get("/api/v1/tournament-states", params={"slugs": slugs[0]})
    r100 = server.get("/api/v1/tournament-states", params={"slugs": ",".join(slugs[1:101])})
    assert len(assert_json(r1, 200)["states"]) == 1
    assert len(assert_json(r100, 200)["states"]) == 100
    q1, q100 = query_count(r1), query_count(r100)
    assert q100 >= 1
    assert q100 <= q1, f"1 slug ran {q1} queries, 100 slugs ran {q100}"


def test_query_count_on_seeded_data(server_factory):
    srv = server_factory(seed=True)
    items = srv.list_all({})
    assert len(items) >= 2, "the seed at scale 0.01 should hold published tournaments"
    assert len(items) == len({x["id"] for x in items})
    assert [key(x) for x in items] == sorted(key(x) for x in items)
    n = min(100, len(items))
    _, r1 = page(srv, fresh({"limit": 1}))
    b100, r100 = page(srv, fresh({"limit": 100}))
    assert len(b100["items"]) == n
    assert query_count(r1) == query_count(r100)
    slugs = [x["slug"] for x in items[:100]]
    states = assert_json(srv.get("/api/v1/tournament-states",
                                 params={"slugs": ",".join(slugs)}), 200)["states"]
    assert set(states) == set(slugs)
    for x in items[:100]:
        st = states[x["slug"]]
        assert st["registration_count"] == x["registration_count"]
        assert st["spots_left"] == x["max_participants"] - x["registration_count"]
        assert st["status"] == x["status"] and st["registration_state"] == x["registration_state"]
        assert x["status"] != "draft"
    for x in items[:5]:
        d = srv.detail(x["slug"])
        c = d["counts"]
        assert d["registration_count"] == c["pending"] + c["confirmed"] + c["checked_in"]
    token, user = srv.login("organizer", "demo-password")
    assert user["username"] == "organizer"
    own = srv.list_all({"organizer": "organizer"}, user=SimpleNamespace(token=token))
    assert all(x["organizer"]["username"] == "organizer" for x in own)
