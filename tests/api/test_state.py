"""GET /api/v1/tournaments/{slug}/state and GET /api/v1/tournament-states: fields,
registration_state, spots_left, starts_in_seconds, version, freshness."""

import secrets
import time

import pytest

from support import (ISO_RE, STATE_KEYS, STATUS_PATH, assert_error, assert_json, iso, iso_in,
                     parse_iso, uniq)


def get_state(server, slug, user=None):
    r = server.get(f"/api/v1/tournaments/{slug}/state", user=user)
    return assert_json(r, 200), r


def check_state_against_detail(st, d, now=None):
    now = time.time() if now is None else now
    assert STATE_KEYS <= set(st), f"state lacks {STATE_KEYS - set(st)}"
    assert st["slug"] == d["slug"]
    assert st["status"] == d["status"]
    assert st["registration_state"] == d["registration_state"]
    assert st["registration_count"] == d["registration_count"]
    assert st["confirmed_count"] == d["counts"]["confirmed"]
    assert st["checked_in_count"] == d["counts"]["checked_in"]
    assert st["max_participants"] == d["max_participants"]
    assert st["spots_left"] == d["max_participants"] - d["registration_count"]
    assert st["start_at"] == d["start_at"]
    assert st["version"] == d["version"]
    assert st["updated_at"] == d["updated_at"]
    assert ISO_RE.match(st["updated_at"])
    expected = max(0, parse_iso(st["start_at"]) - now)
    assert isinstance(st["starts_in_seconds"], int)
    assert abs(st["starts_in_seconds"] - expected) <= 2, (st["starts_in_seconds"], expected)


def test_state_of_fresh_tournament(server, alice):
    t = server.create_tournament(alice, max_participants=12, start_at=iso_in(3 * 86400))
    st, r = get_state(server, t["slug"], alice)
    check_state_against_detail(st, t)
    assert st["status"] == "draft" and st["registration_state"] == "not_open"
    assert st["registration_count"] == 0 and st["confirmed_count"] == 0
    assert st["checked_in_count"] == 0
    assert st["max_participants"] == 12 and st["spots_left"] == 12
    assert st["current_round"] in (0, None)
    assert abs(st["starts_in_seconds"] - 3 * 86400) <= 5
    assert r.headers.get("ETag")


EXPECTED_BY_STATUS = {"draft": "not_open", "published": "not_open",
                      "registration_open": "open", "registration_closed": "closed",
                      "cancelled": "closed"}


@pytest.mark.parametrize("status", list(STATUS_PATH))
def test_registration_state_by_status(server, alice, status):
    t = server.create_tournament(alice, name=f"RS {uniq()}", status=status)
    st, _ = get_state(server, t["slug"], alice)
    assert st["registration_state"] == EXPECTED_BY_STATUS[status]
    d = server.detail(t["slug"], user=alice)
    check_state_against_detail(st, d)
    (item,) = server.list_all({"q": t["name"]}, user=alice)
    assert item["registration_state"] == EXPECTED_BY_STATUS[status]


H = 3600
WINDOWS = [
    (1 * H, 2 * H, "not_open"),
    (-2 * H, -1 * H, "closed"),
    (-1 * H, 1 * H, "open"),
    (None, -1 * H, "closed"),
    (1 * H, None, "not_open"),
    (None, 1 * H, "open"),
    (-1 * H, None, "open"),
]


@pytest.mark.parametrize("opens,closes,expected", WINDOWS,
                         ids=[f"{o}..{c}" for o, c, _ in WINDOWS])
def test_registration_state_by_window(server, alice, opens, closes, expected):
    over = {"start_at": iso_in(2 * 86400)}
    if opens is not None:
        over["registration_opens_at"] = iso_in(opens)
    if closes is not None:
        over["registration_closes_at"] = iso_in(closes)
    t = server.create_tournament(alice, name=f"Win {uniq()}", status="published", **over)
    assert server.state(t["slug"])["registration_state"] == "not_open"
    d = server.move(alice, t["slug"], "registration_open")
    assert d["registration_state"] == expected
    st = server.state(t["slug"])
    assert st["registration_state"] == expected
    check_state_against_detail(st, server.detail(t["slug"]))
    (item,) = server.list_all({"q": t["name"]})
    assert item["registration_state"] == expected


def _sleep_until(ts):
    delay = ts - time.time()
    if delay > 0:
        time.sleep(delay)


def test_state_follows_the_clock_not_a_cache(server, alice):
    """registration_state and starts_in_seconds use the clock at request time, even when
    nothing was written in between (a cached body must not be served stale)."""
    t = server.create_tournament(alice, name=f"Clock {uniq()}", status="registration_open")
    slug = t["slug"]
    T = int(time.time()) + 2
    server.patch(f"/api/v1/tournaments/{slug}", user=alice,
                 json={"start_at": iso(T + 2), "registration_opens_at": iso(T),
                       "registration_closes_at": iso(T + 1)})

    def expected_at(ts):
        sec = int(ts)  # the server works in whole seconds
        return "not_open" if sec < T else "open" if sec < T + 1 else "closed"

    def timed(fn):
        """(result, set of states the clock allowed while the request ran)"""
        a = time.time()
        res = fn()
        b = time.time()
        return res, {expected_at(a), expected_at(b)}, (a, b)

    seen = []
    for at in (None, T + 0.3, T + 1.3, T + 2.3):
        if at is not None:
            _sleep_until(at)
        (st, r), ok_st, (a, b) = timed(lambda: get_state(server, slug))
        d, ok_d, _ = timed(lambda: server.detail(slug))
        items, ok_l, _ = timed(lambda: server.list_all({"q": t["name"]}))
        assert st["registration_state"] in ok_st, (a - T, st)
        assert d["registration_state"] in ok_d, (a - T, d)
        assert [x["registration_state"] for x in items][0] in ok_l, (a - T, items)
        assert max(0, T + 2 - int(b)) <= st["starts_in_seconds"] <= max(0, T + 2 - int(a)), \
            (a - T, b - T, st)
        seen.append((st["registration_state"], st["starts_in_seconds"], r.headers.get("ETag")))
    assert [x[0] for x in seen] == ["not_open", "open", "closed", "closed"], seen
    assert seen[-1][1] == 0
    assert [x[1] for x in seen] == sorted((x[1] for x in seen), reverse=True)
    assert len({x[2] for x in seen}) == len(seen), "ETag must change when the body changes"


def test_starts_in_seconds_never_negative(server, alice):
    t = server.create_tournament(alice, start_at=iso_in(-3600), status="published")
    st = server.state(t["slug"])
    assert st["starts_in_seconds"] == 0
    assert st["start_at"] == t["start_at"]


def test_version_rises_on_every_change(server, alice, team_game):
    t = server.create_tournament(alice, status="draft", start_at=iso_in(10 * 86400),
                                 game=team_game["slug"])
    slug = t["slug"]
    st, r = get_state(server, slug, alice)
    assert st["version"] == t["version"]
    prev_v, prev_upd, prev_etag = st["version"], parse_iso(st["updated_at"]), r.headers["ETag"]
    changes = [
        ("patch", {"name": f"Renamed {uniq()}"}),
        ("patch", {"description": "now with rules"}),
        ("patch", {"start_at": iso_in(11 * 86400)}),
        ("patch", {"registration_opens_at": iso_in(86400)}),
        ("patch", {"registration_closes_at": iso_in(2 * 86400)}),
        ("patch", {"entry_fee_cents": 100}),
        ("patch", {"currency": "EUR"}),
        ("patch", {"check_in_required": True}),
        ("patch", {"format": "swiss"}),
        ("patch", {"format_options": {"rounds": 7}}),
        ("patch", {"participant_type": "team"}),
        ("patch", {"max_participants": 8}),
        ("patch", {"registration_opens_at": None}),
        ("status", "published"),
        ("status", "registration_open"),
        ("status", "registration_closed"),
        ("status", "cancelled"),
    ]
    for kind, arg in changes:
        if kind == "patch":
            r = server.patch(f"/api/v1/tournaments/{slug}", user=alice, json=arg)
        else:
            r = server.post(f"/api/v1/tournaments/{slug}/status", user=alice,
                            json={"status": arg})
        d = assert_json(r, 200)
        st, sr = get_state(server, slug, alice)
        assert st["version"] > prev_v, f"version did not rise after {kind} {arg}"
        assert d["version"] == st["version"], (kind, arg)
        assert parse_iso(st["updated_at"]) >= prev_upd
        assert sr.headers["ETag"] != prev_etag
        check_state_against_detail(st, server.detail(slug, user=alice))
        prev_v, prev_upd, prev_etag = st["version"], parse_iso(st["updated_at"]), \
            sr.headers["ETag"]


def test_refused_writes_keep_version(server, alice, bob):
    t = server.create_tournament(alice, status="published")
    slug = t["slug"]
    before, _ = get_state(server, slug)
    path = f"/api/v1/tournaments/{slug}"
    assert_error(server.patch(path, user=alice, json={"max_participants": 1}), 400)
    assert_error(server.patch(path, user=bob, json={"name": "mine now"}), 403)
    assert_error(server.patch(path, json={"name": "anon"}), 401)
    assert_error(server.post(path + "/status", user=alice, json={"status": "draft"}), 409)
    assert_error(server.post(path + "/status", user=alice, json={"status": "nope"}), 400)
    assert_error(server.post(path + "/status", user=bob, json={"status": "cancelled"}), 403)
    assert_error(server.delete(path, user=bob), 403)
    after, _ = get_state(server, slug)
    assert after["version"] == before["version"]
    assert after["updated_at"] == before["updated_at"]
    assert server.detail(slug) == t


def test_state_is_never_older_than_the_last_write(server, alice):
    t = server.create_tournament(alice, status="published", max_participants=64)
    slug = t["slug"]
    etags = set()
    for k in range(2, 22):
        assert_json(server.patch(f"/api/v1/tournaments/{slug}", user=alice,
                                 json={"max_participants": k}), 200)
        st, r = get_state(server, slug)
        assert st["max_participants"] == k and st["spots_left"] == k, (k, st)
        assert server.detail(slug)["max_participants"] == k
        (item,) = [x for x in server.list_all({"organizer": alice.username, "q": t["name"]})]
        assert item["max_participants"] == k
        etags.add(r.headers.get("ETag"))
    assert len(etags) == 20


# ------------------------------------------------------------------ bulk states

def test_bulk_states(server, alice, bob):
    pub = [server.create_tournament(alice, status=s)
           for s in ("published", "registration_open", "cancelled")]
    alice_draft = server.create_tournament(alice)
    bob_draft = server.create_tournament(bob)
    gone = server.create_tournament(alice, status="published")
    assert server.delete(f"/api/v1/tournaments/{gone['slug']}", user=alice).status_code == 204
    unknown = "unknown-" + secrets.token_hex(4)
    order = [pub[0]["slug"], unknown, alice_draft["slug"], pub[1]["slug"], gone["slug"],
             pub[0]["slug"], bob_draft["slug"], pub[2]["slug"], pub[1]["slug"]]
    public = {t["slug"] for t in pub}
    drafts = {alice_draft["slug"], bob_draft["slug"]}
    for viewer, expected in ((None, public), (bob, public | {bob_draft["slug"]}),
                             (alice, public | {alice_draft["slug"]}),
                             (server.admin, None)):
        r = server.get("/api/v1/tournament-states", params={"slugs": ",".join(order)},
                       user=viewer)
        body = assert_json(r, 200)
        assert set(body) >= {"states"}
        if expected is None:  # admins: others' drafts may or may not be listed
            assert public <= set(body["states"]) <= public | drafts
        else:
            assert set(body["states"]) == expected, (viewer and viewer.username)
        for slug, st in body["states"].items():
            single, _ = get_state(server, slug, viewer)
            assert STATE_KEYS <= set(st)
            assert abs(st["starts_in_seconds"] - single["starts_in_seconds"]) <= 2
            st = dict(st, starts_in_seconds=0)
            single = dict(single, starts_in_seconds=0)
            assert st == single
        assert r.headers.get("ETag")


def test_bulk_states_reflect_writes(server, alice):
    t = server.create_tournament(alice, status="published", max_participants=10)
    q = {"slugs": t["slug"]}
    assert assert_json(server.get("/api/v1/tournament-states", params=q), 200)[
        "states"][t["slug"]]["max_participants"] == 10
    server.patch(f"/api/v1/tournaments/{t['slug']}", user=alice, json={"max_participants": 9})
    st = assert_json(server.get("/api/v1/tournament-states", params=q), 200)["states"]
    assert st[t["slug"]]["max_participants"] == 9
    server.move(alice, t["slug"], "registration_open")
    st = assert_json(server.get("/api/v1/tournament-states", params=q), 200)["states"]
    assert st[t["slug"]]["status"] == "registration_open"
    assert st[t["slug"]]["registration_state"] == "open"


def test_bulk_states_limits(server, alice):
    t = server.create_tournament(alice, status="published")
    filler = [f"none-{i}-{secrets.token_hex(3)}" for i in range(99)]
    r = server.get("/api/v1/tournament-states", params={"slugs": ",".join(filler + [t["slug"]])})
    assert list(assert_json(r, 200)["states"]) == [t["slug"]]
    r = server.get("/api/v1/tournament-states",
                   params={"slugs": ",".join(filler + [t["slug"], "one-too-many"])})
    assert_error(r, 400, "validation_failed", "slugs")
    assert_error(server.get("/api/v1/tournament-states"), 400, "validation_failed", "slugs")
    r = server.get("/api/v1/tournament-states", params={"slugs": "none-" + secrets.token_hex(4)})
    assert assert_json(r, 200)["states"] == {}
