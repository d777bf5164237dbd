"""Tournaments: create, detail, patch, delete, the status machine, draft visibility and
soft delete (gone from every read)."""

import secrets
import time

import pytest

from support import (DETAIL_KEYS, ISO_RE, SLUG_RE, STATUS_PATH, STATUSES, SUMMARY_KEYS,
                     assert_error, assert_json, describe, iso, iso_in, parse_iso, uniq)


def assert_detail(t):
    assert DETAIL_KEYS <= set(t), f"detail lacks {DETAIL_KEYS - set(t)}"
    assert set(t["game"]) >= {"slug", "name"}
    assert set(t["organizer"]) >= {"id", "username", "display_name"}
    for leak in ("email", "password", "password_hash", "role"):
        assert leak not in t["organizer"], f"organizer leaks {leak}: {t['organizer']}"
    assert set(t["counts"]) >= {"pending", "confirmed", "checked_in", "cancelled"}
    assert SLUG_RE.match(t["slug"]), t["slug"]
    for k in ("start_at", "created_at", "updated_at"):
        assert ISO_RE.match(t[k]), (k, t[k])
    assert isinstance(t["version"], int) and t["version"] >= 1
    assert isinstance(t["format_options"], dict)
    return t


def listed(server, user=None, **params):
    return server.list_all(params, user=user)


def normalized_message(err, slug):
    return err["message"].replace(slug, "<slug>")


# ------------------------------------------------------------------ create

def test_create_returns_full_draft_detail(server, alice, team_game):
    game = team_game
    start = iso_in(30 * 86400)
    opens, closes = iso_in(86400), iso_in(20 * 86400)
    tag = secrets.token_hex(4)
    body = {"name": f"Winter Clash {tag}", "game": game["slug"],
            "format": "double_elimination", "format_options": {"grand_final": "single"},
            "participant_type": "team", "max_participants": 64, "entry_fee_cents": 1500,
            "currency": "EUR", "check_in_required": True, "start_at": start,
            "registration_opens_at": opens, "registration_closes_at": closes,
            "description": "Best of three.\nFinals best of five."}
    before = time.time()
    r = server.post("/api/v1/tournaments", user=alice, json=body)
    t = assert_detail(assert_json(r, 201))
    assert t["slug"] == f"winter-clash-{tag}"
    assert isinstance(t["id"], int)
    for k in ("name", "format", "participant_type", "max_participants", "entry_fee_cents",
              "currency", "check_in_required", "start_at", "registration_opens_at",
              "registration_closes_at", "description"):
        assert t[k] == body[k], (k, t[k], body[k])
    assert t["format_options"] == {"grand_final": "single"}
    assert t["game"]["slug"] == game["slug"] and t["game"]["name"] == game["name"]
    assert t["organizer"]["id"] == alice.id
    assert t["organizer"]["username"] == alice.username
    assert t["organizer"]["display_name"] == "Alice Organizer"
    assert t["status"] == "draft"
    assert t["registration_state"] == "not_open"
    assert t["registration_count"] == 0
    assert t["counts"] == {"pending": 0, "confirmed": 0, "checked_in": 0, "cancelled": 0}
    assert before - 120 <= parse_iso(t["created_at"]) <= time.time() + 120
    assert parse_iso(t["updated_at"]) >= parse_iso(t["created_at"])
    assert alice.data["email"] not in r.text
    assert server.detail(t["slug"], user=alice) == t


def test_create_defaults(server, alice):
    t = assert_detail(server.create_tournament(alice))
    assert t["entry_fee_cents"] == 0
    assert t["currency"] == "USD"
    assert t["check_in_required"] is False
    assert t["registration_opens_at"] is None and t["registration_closes_at"] is None
    assert t["description"] in ("", None)
    assert t["format_options"] == {"third_place_match": False}
    assert t["status"] == "draft"


@pytest.mark.parametrize("fmt,given,expected", [
    ("single_elimination", None, {"third_place_match": False}),
    ("single_elimination", {"third_place_match": True, "bogus": 1}, {"third_place_match": True}),
    ("double_elimination", None, {"grand_final": "reset"}),
    ("double_elimination", {"grand_final": "single"}, {"grand_final": "single"}),
    ("round_robin", None, {"double": False}),
    ("round_robin", {"double": True}, {"double": True}),
    ("swiss", {"rounds": 5}, {"rounds": 5}),
    ("swiss", {"rounds": 1}, {"rounds": 1}),
    ("swiss", {"rounds": 20}, {"rounds": 20}),
])
def test_format_options_defaults_filled_in(server, alice, fmt, given, expected):
    over = {"format": fmt}
    if given is not None:
        over["format_options"] = given
    t = server.create_tournament(alice, **over)
    assert t["format"] == fmt
    for k, v in expected.items():
        assert t["format_options"].get(k) == v, t["format_options"]
    assert "bogus" not in t["format_options"]


def test_swiss_without_rounds_is_accepted(server, alice):
    t = server.create_tournament(alice, format="swiss")
    assert t["format"] == "swiss" and isinstance(t["format_options"], dict)


@pytest.mark.parametrize("fmt,options", [
    ("single_elimination", {"third_place_match": "yes"}),
    ("single_elimination", {"third_place_match": 1}),
    ("double_elimination", {"grand_final": "triple"}),
    ("double_elimination", {"grand_final": True}),
    ("round_robin", {"double": "true"}),
    ("swiss", {"rounds": 0}),
    ("swiss", {"rounds": 21}),
    ("swiss", {"rounds": "3"}),
    ("swiss", {"rounds": 2.5}),
    ("single_elimination", []),
    ("single_elimination", "third_place_match"),
])
def test_invalid_format_options_are_400(server, alice, fmt, options):
    name = f"Bad Options {uniq()}"
    r = server.post("/api/v1/tournaments", user=alice,
                    json=server.tournament_body(name=name, format=fmt, format_options=options))
    field = {"format_options"}
    if isinstance(options, dict):
        key = next(iter(options))
        field |= {f"format_options.{key}", key}
    assert_error(r, 400, "validation_failed", field)
    assert listed(server, user=alice, q=name) == []


def test_slug_generated_from_name_with_suffixes(server, alice):
    tag = secrets.token_hex(4)
    name = f"Spring Cup {tag}"
    slugs = [server.create_tournament(alice, name=name)["slug"] for _ in range(3)]
    assert slugs == [f"spring-cup-{tag}", f"spring-cup-{tag}-2", f"spring-cup-{tag}-3"]
    custom = f"custom-{tag}"
    t = server.create_tournament(alice, name="Anything", slug=custom)
    assert t["slug"] == custom
    r = server.post("/api/v1/tournaments", user=alice,
                    json=server.tournament_body(name=f"Taken {tag}", slug=custom))
    assert_error(r, 409, "conflict", "slug")
    assert listed(server, user=alice, q=f"Taken {tag}") == []
    # a name that generates an explicitly taken slug gets a suffix
    assert server.create_tournament(alice, name=f"Custom {tag}")["slug"] == f"custom-{tag}-2"


@pytest.mark.parametrize("name", [
    "!!!", "Турнир", "  Lots   of   spaces  ", "x" * 200, "Ünïcödé Cup", "a", "-- Dash --",
    "ÉÉ", "123",
])
def test_generated_slug_is_always_valid(server, alice, name):
    t = server.create_tournament(alice, name=name)
    assert t["name"] == name
    assert SLUG_RE.match(t["slug"]), t["slug"]
    assert not t["slug"].startswith("-") and not t["slug"].endswith("-"), t["slug"]
    assert server.detail(t["slug"], user=alice)["id"] == t["id"]


@pytest.mark.parametrize("slug", ["AB-cd", "ab", "a b c", "x" * 65, "a_b_c", "abc!", "",
                                  "ab/cd", "../etc"])
def test_invalid_explicit_slug_is_400(server, alice, slug):
    assert_error(server.post("/api/v1/tournaments", user=alice,
                             json=server.tournament_body(slug=slug)),
                 400, "validation_failed", "slug")


def test_valid_explicit_slug_boundaries(server, alice):
    three = "a" + secrets.token_hex(1)
    long_ = ("s" + secrets.token_hex(32))[:64]
    assert server.create_tournament(alice, slug=three)["slug"] == three
    assert server.create_tournament(alice, slug=long_)["slug"] == long_


@pytest.mark.parametrize("field", ["name", "game", "format", "participant_type",
                                   "max_participants", "start_at"])
def test_missing_required_field_is_400(server, alice, field):
    body = server.tournament_body()
    del body[field]
    assert_error(server.post("/api/v1/tournaments", user=alice, json=body),
                 400, "validation_failed", field)
    if field != "name":
        assert listed(server, user=alice, q=body["name"]) == []


INVALID_CREATE = [
    ("name", ""),
    ("name", "x" * 201),
    ("name", "é" * 201),
    ("description", "x" * 10001),
    ("game", "no-such-game-xyz"),
    ("format", "king_of_the_hill"),
    ("format", "Single_Elimination"),
    ("participant_type", "duo"),
    ("max_participants", 1),
    ("max_participants", 0),
    ("max_participants", -5),
    ("max_participants", 1025),
    ("entry_fee_cents", -1),
    ("entry_fee_cents", 100000001),
    ("currency", "usd"),
    ("currency", "US"),
    ("currency", "USDD"),
    ("currency", "U$D"),
    ("currency", ""),
    ("start_at", "tomorrow"),
    ("start_at", ""),
    ("start_at", "2031-02-29T00:00:00Z"),
    ("start_at", "2031-13-01T00:00:00Z"),
    ("start_at", "2031-05-01T24:00:00Z"),
    ("start_at", "2031-05-01 12:00:00"),
    ("start_at", "2031-05-01"),
    ("start_at", "2031-05-01T12:00:00"),
    ("registration_opens_at", "soon"),
    ("registration_closes_at", "2031-05-01T12:60:00Z"),
]


@pytest.mark.parametrize("field,value", INVALID_CREATE,
                         ids=[f"{f}={str(v)[:20]}" for f, v in INVALID_CREATE])
def test_invalid_create_value_is_400(server, alice, field, value):
    name = f"Invalid {uniq()}"
    body = server.tournament_body(name=name)
    body[field] = value
    assert_error(server.post("/api/v1/tournaments", user=alice, json=body),
                 400, "validation_failed", field)
    assert listed(server, user=alice, q=name) == []


@pytest.mark.parametrize("opens,closes,start", [
    (10, 10, 100),   # opens == closes
    (20, 10, 100),   # opens > closes
    (10, 101, 100),  # closes after start
])
def test_invalid_registration_window_is_400(server, alice, opens, closes, start):
    base = time.time() + 86400
    name = f"Window {uniq()}"
    body = server.tournament_body(name=name, registration_opens_at=iso(base + opens * 60),
                                  registration_closes_at=iso(base + closes * 60),
                                  start_at=iso(base + start * 60))
    assert_error(server.post("/api/v1/tournaments", user=alice, json=body), 400,
                 "validation_failed",
                 {"registration_opens_at", "registration_closes_at", "start_at"})
    assert listed(server, user=alice, q=name) == []


def test_value_boundaries_are_accepted(server, alice):
    base = time.time() + 86400
    t = server.create_tournament(
        alice, name="é" * 200, description="é" * 10000, max_participants=1024,
        entry_fee_cents=100000000, registration_opens_at=iso(base),
        registration_closes_at=iso(base + 3600), start_at=iso(base + 3600))
    assert t["name"] == "é" * 200 and t["description"] == "é" * 10000
    assert t["max_participants"] == 1024 and t["entry_fee_cents"] == 100000000
    assert t["registration_closes_at"] == t["start_at"]
    assert server.create_tournament(alice, max_participants=2)["max_participants"] == 2


def test_times_are_normalized_to_utc(server, alice):
    t = server.create_tournament(alice, start_at="2031-05-01T12:00:00+02:00",
                                 registration_opens_at="2031-04-01T08:30:00.789Z",
                                 registration_closes_at="2031-04-30T23:00:00-03:30")
    assert t["start_at"] == "2031-05-01T10:00:00Z"
    assert t["registration_opens_at"] == "2031-04-01T08:30:00Z"
    assert t["registration_closes_at"] == "2031-05-01T02:30:00Z"
    leap = server.create_tournament(alice, start_at="2032-02-29T00:00:00Z")
    assert leap["start_at"] == "2032-02-29T00:00:00Z"


def test_create_requires_login(server, alice):
    name = f"Anon {uniq()}"
    assert_error(server.post("/api/v1/tournaments", json=server.tournament_body(name=name)),
                 401, "unauthorized")
    assert listed(server, user=alice, q=name) == []


def test_create_ignores_server_owned_fields(server, alice, bob):
    body = server.tournament_body(status="live", version=999, registration_count=5,
                                  organizer={"id": bob.id, "username": bob.username},
                                  counts={"confirmed": 3}, is_deleted=1, current_round=4)
    t = assert_json(server.post("/api/v1/tournaments", user=alice, json=body), 201)
    assert t["status"] == "draft"
    assert t["organizer"]["id"] == alice.id
    assert t["registration_count"] == 0
    assert t["counts"]["confirmed"] == 0
    assert t["version"] != 999
    assert server.detail(t["slug"], user=alice) == t
    assert server.state(t["slug"], user=alice)["current_round"] in (0, None)


# ------------------------------------------------------------------ detail

def test_detail_of_published_tournament_is_public(server, alice, bob):
    t = server.create_tournament(alice, status="published")
    for viewer in (None, bob, alice, server.admin):
        r = server.get(f"/api/v1/tournaments/{t['slug']}", user=viewer)
        d = assert_detail(assert_json(r, 200))
        assert d == t
        assert alice.data["email"] not in r.text


def test_unknown_slug_is_404(server):
    for slug in ("no-such-tournament-" + secrets.token_hex(4), "UPPER-CASE", "ab",
                 "x" * 65):
        assert_error(server.get(f"/api/v1/tournaments/{slug}"), 404, "not_found")


def test_drafts_are_visible_only_to_organizer_and_admin(server, alice, bob, admin):
    t = server.create_tournament(alice, name=f"Secret Draft {uniq()}")
    slug = t["slug"]
    missing = "missing-" + secrets.token_hex(5)
    assert server.detail(slug, user=alice)["id"] == t["id"]
    assert server.detail(slug, user=admin)["id"] == t["id"]
    assert server.state(slug, user=alice)["status"] == "draft"
    assert server.state(slug, user=admin)["status"] == "draft"
    for viewer in (None, bob):
        for suffix in ("", "/state"):
            e_draft = assert_error(server.get(f"/api/v1/tournaments/{slug}{suffix}",
                                              user=viewer), 404, "not_found")
            e_missing = assert_error(server.get(f"/api/v1/tournaments/{missing}{suffix}",
                                                user=viewer), 404, "not_found")
            assert normalized_message(e_draft, slug) == normalized_message(e_missing, missing)
            assert e_draft.get("field") == e_missing.get("field")
        assert listed(server, user=viewer, q=t["name"]) == []
        states = assert_json(server.get("/api/v1/tournament-states",
                                        params={"slugs": slug}, user=viewer), 200)
        assert states["states"] == {}
    assert [x["id"] for x in listed(server, user=alice, q=t["name"])] == [t["id"]]
    # the list shows only the caller's own drafts (API.md), even to admins
    assert listed(server, user=admin, q=t["name"]) == []
    states = assert_json(server.get("/api/v1/tournament-states",
                                    params={"slugs": slug}, user=alice), 200)
    assert list(states["states"]) == [slug]
    # bulk states, like the list, leave out other people's drafts, even for admins
    states = assert_json(server.get("/api/v1/tournament-states",
                                    params={"slugs": slug}, user=admin), 200)
    assert states["states"] == {}
    # once published, everyone sees it
    server.move(alice, slug, "published")
    for viewer in (None, bob):
        assert server.detail(slug, user=viewer)["status"] == "published"
        assert [x["id"] for x in listed(server, user=viewer, q=t["name"])] == [t["id"]]


# ------------------------------------------------------------------ patch

def test_patch_changes_every_accepted_field(server, alice, team_game):
    t = server.create_tournament(alice, status="published", game=team_game["slug"])
    base = time.time() + 40 * 86400
    change = {"name": f"Renamed {uniq()}", "description": "new rules",
              "start_at": iso(base), "registration_opens_at": iso(base - 10 * 86400),
              "registration_closes_at": iso(base - 86400), "entry_fee_cents": 2500,
              "currency": "GBP", "check_in_required": True, "format": "round_robin",
              "format_options": {"double": True}, "participant_type": "team",
              "max_participants": 32}
    r = server.patch(f"/api/v1/tournaments/{t['slug']}", user=alice, json=change)
    p = assert_detail(assert_json(r, 200))
    for k, v in change.items():
        assert p[k] == v, (k, p[k], v)
    assert p["slug"] == t["slug"] and p["status"] == "published" and p["id"] == t["id"]
    assert p["version"] > t["version"]
    assert parse_iso(p["updated_at"]) >= parse_iso(t["updated_at"])
    assert p["created_at"] == t["created_at"]
    assert server.detail(t["slug"]) == p
    assert [x["name"] for x in listed(server, q=change["name"])] == [change["name"]]


def test_patch_partial_keeps_other_fields(server, alice):
    t = server.create_tournament(alice, description="keep me", entry_fee_cents=700)
    p = assert_json(server.patch(f"/api/v1/tournaments/{t['slug']}", user=alice,
                                 json={"max_participants": 8}), 200)
    assert p["max_participants"] == 8
    for k in ("name", "description", "entry_fee_cents", "currency", "start_at", "format",
              "format_options", "participant_type", "check_in_required", "game", "organizer"):
        assert p[k] == t[k], k


def test_patch_null_clears_optional_times(server, alice):
    t = server.create_tournament(alice, registration_opens_at=iso_in(3600),
                                 registration_closes_at=iso_in(7200))
    p = assert_json(server.patch(f"/api/v1/tournaments/{t['slug']}", user=alice,
                                 json={"registration_opens_at": None,
                                       "registration_closes_at": None}), 200)
    assert p["registration_opens_at"] is None and p["registration_closes_at"] is None
    assert p["start_at"] == t["start_at"]


def test_patch_does_not_change_slug_or_status(server, alice):
    t = server.create_tournament(alice)
    new_slug = "moved-" + secrets.token_hex(4)
    r = server.patch(f"/api/v1/tournaments/{t['slug']}", user=alice,
                     json={"slug": new_slug, "status": "published", "name": "Still Draft"})
    p = assert_json(r, 200)
    assert p["slug"] == t["slug"] and p["status"] == "draft" and p["name"] == "Still Draft"
    assert_error(server.get(f"/api/v1/tournaments/{new_slug}", user=alice), 404, "not_found")
    assert_error(server.get(f"/api/v1/tournaments/{t['slug']}"), 404, "not_found")


def test_patch_format_fills_defaults_of_new_format(server, alice):
    t = server.create_tournament(alice, format="single_elimination",
                                 format_options={"third_place_match": True})
    p = assert_json(server.patch(f"/api/v1/tournaments/{t['slug']}", user=alice,
                                 json={"format": "double_elimination"}), 200)
    assert p["format"] == "double_elimination"
    assert p["format_options"].get("grand_final") == "reset", p["format_options"]


INVALID_PATCH = [
    ("name", ""), ("name", None), ("name", "x" * 201), ("description", "x" * 10001),
    ("max_participants", 1), ("max_participants", 1025), ("max_participants", None),
    ("entry_fee_cents", -1), ("entry_fee_cents", 100000001), ("currency", "eur"),
    ("currency", None), ("start_at", "nope"), ("start_at", None), ("format", "bogus"),
    ("format", None), ("participant_type", "duo"), ("check_in_required", "yes"),
    ("check_in_required", None), ("registration_opens_at", "later"),
]


@pytest.mark.parametrize("field,value", INVALID_PATCH,
                         ids=[f"{f}={str(v)[:20]}" for f, v in INVALID_PATCH])
def test_invalid_patch_is_400_and_changes_nothing(server, alice, field, value):
    t = server.create_tournament(alice, status="published")
    r = server.patch(f"/api/v1/tournaments/{t['slug']}", user=alice, json={field: value})
    assert_error(r, 400, "validation_failed", field)
    assert server.detail(t["slug"]) == t


def test_invalid_patch_format_options_is_400(server, alice):
    t = server.create_tournament(alice, format="swiss", format_options={"rounds": 4})
    r = server.patch(f"/api/v1/tournaments/{t['slug']}", user=alice,
                     json={"format_options": {"rounds": 99}})
    assert_error(r, 400, "validation_failed", {"format_options", "format_options.rounds",
                                                "rounds"})
    assert server.detail(t["slug"], user=alice) == t


def test_patch_window_is_checked_against_stored_values(server, alice):
    start = time.time() + 10 * 86400
    t = server.create_tournament(alice, start_at=iso(start),
                                 registration_opens_at=iso(start - 5 * 86400),
                                 registration_closes_at=iso(start - 86400))
    fields = {"registration_opens_at", "registration_closes_at", "start_at"}
    path = f"/api/v1/tournaments/{t['slug']}"
    for change in ({"registration_closes_at": iso(start + 60)},
                   {"start_at": iso(start - 2 * 86400)},
                   {"registration_opens_at": iso(start - 86400)},
                   {"registration_opens_at": iso(start - 12 * 3600)}):
        assert_error(server.patch(path, user=alice, json=change), 400, "validation_failed",
                     fields)
    assert server.detail(t["slug"], user=alice) == t


def test_patch_unknown_slug_is_404(server, alice):
    assert_error(server.patch("/api/v1/tournaments/no-such-" + secrets.token_hex(4),
                              user=alice, json={"name": "x"}), 404, "not_found")


# ------------------------------------------------------------------ delete

def test_soft_delete_is_gone_from_every_read(server, alice, bob, admin, game):
    name = f"Doomed {uniq()}"
    t = server.create_tournament(alice, name=name, status="registration_open")
    keep = server.create_tournament(alice, status="published")
    slug = t["slug"]
    assert [x["id"] for x in listed(server, q=name)] == [t["id"]]
    r = server.delete(f"/api/v1/tournaments/{slug}", user=alice)
    assert r.status_code == 204, describe(r)
    assert r.content == b""
    for viewer in (None, bob, alice, admin):
        for path in (f"/api/v1/tournaments/{slug}", f"/api/v1/tournaments/{slug}/state"):
            assert_error(server.get(path, user=viewer), 404, "not_found")
        for params in ({"q": name}, {"organizer": alice.username, "q": name},
                       {"game": game["slug"], "q": name},
                       {"status": "registration_open", "q": name}):
            assert listed(server, user=viewer, **params) == [], params
        ids = {x["id"] for x in listed(server, user=viewer, organizer=alice.username)}
        assert t["id"] not in ids and keep["id"] in ids
        st = assert_json(server.get("/api/v1/tournament-states",
                                    params={"slugs": f"{slug},{keep['slug']}"}, user=viewer), 200)
        assert list(st["states"]) == [keep["slug"]]
    path = f"/api/v1/tournaments/{slug}"
    assert_error(server.patch(path, user=alice, json={"name": "zombie"}), 404, "not_found")
    assert_error(server.post(path + "/status", user=alice, json={"status": "cancelled"}),
                 404, "not_found")
    assert_error(server.delete(path, user=alice), 404, "not_found")
    assert_error(server.delete(path, user=admin), 404, "not_found")


def test_admin_deletes_someone_elses_draft(server, alice, admin):
    t = server.create_tournament(alice)
    r = server.delete(f"/api/v1/tournaments/{t['slug']}", user=admin)
    assert r.status_code == 204, describe(r)
    assert_error(server.get(f"/api/v1/tournaments/{t['slug']}", user=alice), 404, "not_found")
    assert listed(server, user=alice, q=t["name"]) == []


# ------------------------------------------------------------------ status machine

ALLOWED = {("draft", "published"), ("draft", "cancelled"),
           ("published", "registration_open"), ("published", "cancelled"),
           ("registration_open", "registration_closed"), ("registration_open", "cancelled"),
           ("registration_closed", "cancelled")}
MOVES = [(f, to) for f in STATUS_PATH for to in STATUSES
         if (f, to) != ("registration_closed", "live")]  # see test_live_transition_...


@pytest.mark.parametrize("frm,to", MOVES, ids=[f"{f}->{t}" for f, t in MOVES])
def test_status_machine(server, alice, frm, to):
    t = server.create_tournament(alice, status=frm)
    assert t["status"] == frm
    before = server.detail(t["slug"], user=alice)
    r = server.post(f"/api/v1/tournaments/{t['slug']}/status", user=alice, json={"status": to})
    if (frm, to) in ALLOWED:
        d = assert_detail(assert_json(r, 200))
        assert d["status"] == to
        assert d["version"] > before["version"]
        assert server.detail(t["slug"], user=alice) == d
        assert server.state(t["slug"], user=alice)["status"] == to
    else:
        assert_error(r, 409, "invalid_transition")
        assert server.detail(t["slug"], user=alice) == before


def test_going_live_needs_two_participants(server, alice):
    """registration_closed -> live starts the tournament; with fewer than 2 confirmed
    participants it is refused (409 invalid_transition) and nothing changes."""
    t = server.create_tournament(alice, status="registration_closed")
    before = server.detail(t["slug"], user=alice)
    r = server.post(f"/api/v1/tournaments/{t['slug']}/status", user=alice,
                    json={"status": "live"})
    err = assert_error(r, 409, "invalid_transition")
    assert "2" in err["message"] and "participant" in err["message"]
    assert server.detail(t["slug"], user=alice) == before
    assert server.get(f"/api/v1/tournaments/{t['slug']}/matches").json()["items"] == []


@pytest.mark.parametrize("body", [
    {"status": "bogus"}, {"status": "LIVE"}, {"status": "Published"}, {"status": ""},
    {"status": " published"}, {"status": 1}, {"status": None}, {"status": ["published"]},
    {"status": {"name": "published"}}, {}, {"state": "published"},
])
def test_invalid_status_value_is_400(server, alice, body):
    t = server.create_tournament(alice)
    r = server.post(f"/api/v1/tournaments/{t['slug']}/status", user=alice, json=body)
    assert_error(r, 400, "validation_failed", "status")
    assert server.detail(t["slug"], user=alice) == t


def test_status_of_unknown_slug_is_404(server, alice):
    r = server.post("/api/v1/tournaments/no-such-" + secrets.token_hex(4) + "/status",
                    user=alice, json={"status": "published"})
    assert_error(r, 404, "not_found")


def test_cancelled_tournament_stays_visible(server, alice, bob):
    t = server.create_tournament(alice, name=f"Called Off {uniq()}", status="registration_open")
    server.move(alice, t["slug"], "cancelled")
    assert server.detail(t["slug"], user=bob)["status"] == "cancelled"
    items = listed(server, user=bob, q=t["name"])
    assert [x["status"] for x in items] == ["cancelled"]
    assert [x["id"] for x in listed(server, status="cancelled", q=t["name"])] == [t["id"]]
    assert server.state(t["slug"])["registration_state"] == "closed"


def test_list_summary_shape(server, alice):
    t = server.create_tournament(alice, name=f"Summary {uniq()}", status="published",
                                 entry_fee_cents=300)
    (item,) = listed(server, q=t["name"])
    assert SUMMARY_KEYS <= set(item), f"summary lacks {SUMMARY_KEYS - set(item)}"
    for k in SUMMARY_KEYS - {"game", "organizer"}:
        assert item[k] == t[k], k
    assert item["game"]["slug"] == t["game"]["slug"] and item["game"]["name"] == t["game"]["name"]
    assert {k: item["organizer"][k] for k in ("id", "username", "display_name")} == \
        {k: t["organizer"][k] for k in ("id", "username", "display_name")}
    assert "email" not in item["organizer"]
