"""What may not change once a tournament is live: its format options (they decide the
rest of the bracket), and its end (it completes with its last result; it can be
cancelled)."""
import random

from support import (assert_error, assert_json, get_bracket, play_out, tournament_with,
                     user_pool)


def live_tournament(server, alice, fmt, options, n=4):
    players = user_pool(server, 16)[:n]
    t, _ = tournament_with(server, alice, players, status="live", format=fmt,
                           format_options=options)
    return t


def test_format_options_are_frozen_once_live(server, alice):
    cases = [("swiss", {"rounds": 3}), ("double_elimination", {"grand_final": "single"}),
             ("single_elimination", {"third_place_match": True}),
             ("round_robin", {"double": True})]
    for fmt, change in cases:
        t = live_tournament(server, alice, fmt, None)
        before = server.detail(t["slug"], user=alice)
        bracket = get_bracket(server, t["slug"])
        r = server.patch(f"/api/v1/tournaments/{t['slug']}", user=alice,
                         json={"format_options": change})
        assert_error(r, 409, "conflict", "format_options")
        assert server.detail(t["slug"], user=alice) == before
        assert get_bracket(server, t["slug"]) == bracket
        # other fields still change (name, description)
        r = server.patch(f"/api/v1/tournaments/{t['slug']}", user=alice,
                         json={"description": "now live"})
        assert assert_json(r, 200)["description"] == "now live"


def test_a_live_tournament_is_not_completed_by_hand(server, alice):
    t = live_tournament(server, alice, "single_elimination", None)
    before = server.state(t["slug"])
    r = server.post(f"/api/v1/tournaments/{t['slug']}/status", user=alice,
                    json={"status": "completed"})
    err = assert_error(r, 409, "invalid_transition", "status")
    assert "cancel" in err["message"]
    after = server.state(t["slug"])
    # the countdown follows the clock (a second may pass between the reads); the rest not
    assert 0 <= before.pop("starts_in_seconds") - after.pop("starts_in_seconds") <= 2
    assert after == before
    # it completes with its last result
    play_out(server, alice, t["slug"], random.Random(3))
    assert server.state(t["slug"])["status"] == "completed"


def test_a_live_tournament_can_be_cancelled(server, alice):
    t = live_tournament(server, alice, "round_robin", None)
    r = server.post(f"/api/v1/tournaments/{t['slug']}/status", user=alice,
                    json={"status": "cancelled"})
    assert assert_json(r, 200)["status"] == "cancelled"
    ready = [m for m in server.get(f"/api/v1/tournaments/{t['slug']}/matches",
                                   params={"state": "ready"}).json()["items"]]
    assert ready
    r = server.post(f"/api/v1/matches/{ready[0]['id']}/result", user=alice,
                    json={"score1": 1, "score2": 0})
    assert_error(r, 409, "match_not_ready")
