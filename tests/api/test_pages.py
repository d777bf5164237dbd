"""The web pages over HTTP (API.md "Web pages"): status codes and content types, a
well-formed HTML5 document on every page, escaping of hostile text, HTML 404 pages for
what does not exist or is a draft, the hub's filters and next-page links, ETag / 304,
the static files' caching, a constant number of queries per page, and pages that show a
write the moment it is acknowledged (also when they come from the response cache).
What a person sees in a browser is tested by tests/browser/ (make test-browser)."""

import re
import time
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from support import (assert_json, bracket_matches, get_bracket, get_standings, query_count,
                     register, reopen, report, tournament_with, uniq, user_pool)

HTML_TYPE = "text/html; charset=utf-8"
XSS_NAME = "<script>alert(1)</script>"
XSS_DESCRIPTION = "<img src=x onerror=\"alert(2)\"> & 'q' </p><b>bold</b>"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Doc(HTMLParser):
    """Checks that a page is a well-formed HTML5 document (doctype, every element closed
    in order, unique ids) and collects what the tests look at."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.doctype = None
        self.stack = []
        self.errors = []
        self.ids = {}
        self.elements = []  # (tag, attrs dict)
        self.scripts = []
        self.text_of = {}  # id -> text inside it
        self._open_ids = []

    def handle_decl(self, decl):
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, a))
        if "id" in a:
            if a["id"] in self.ids:
                self.errors.append(f"duplicate id {a['id']!r}")
            self.ids[a["id"]] = a
        if tag == "script":
            self.scripts.append(a)
        if tag not in VOID:
            self.stack.append(tag)
            self._open_ids.append(a.get("id"))
            if a.get("id"):
                self.text_of[a["id"]] = ""

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        self._open_ids.pop()

    def handle_data(self, data):
        for i in self._open_ids:
            if i:
                self.text_of[i] += data

    def text(self, id_):
        return " ".join(self.text_of.get(id_, "").split())

    def find(self, tag=None, **attrs):
        return [a for t, a in self.elements if (tag is None or t == tag)
                and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]


def parse(r):
    doc = Doc()
    doc.feed(r.text)
    doc.close()
    assert doc.doctype and doc.doctype.lower() == "doctype html", f"doctype {doc.doctype!r}"
    assert not doc.errors, doc.errors[:5]
    assert not doc.stack, f"unclosed elements {doc.stack}"
    assert doc.find("html", lang="en"), "no <html lang>"
    assert doc.find("meta", charset="utf-8"), "no <meta charset>"
    assert doc.find("meta", name="viewport"), "no viewport meta"
    assert "<title>" in r.text and "</title>" in r.text
    return doc


def page(server, path, status=200, **kw):
    r = server.get(path, **kw)
    assert r.status_code == status, f"GET {path} -> {r.status_code}: {r.text[:500]}"
    assert r.headers.get("Content-Type") == HTML_TYPE, r.headers.get("Content-Type")
    assert r.headers.get("X-Content-Type-Options") == "nosniff"
    assert "script-src 'self'" in r.headers.get("Content-Security-Policy", "")
    return r, parse(r)


def hub_slugs(doc):
    return [a["data-slug"] for a in doc.find("li") if "data-slug" in a]


def next_link(doc):
    links = doc.find("a", id="next-page")
    return unescape(links[0]["href"]) if links else None


@pytest.fixture(scope="module")
def pool(server):
    return user_pool(server, 8)


# ---------------------------------------------------------------- the hub

def test_hub_is_html_listing_published_tournaments(server, alice):
    game = server.create_game()
    pub = server.create_tournament(alice, "registration_open", game=game["slug"],
                                   name="Hub Listed Cup", max_participants=8)
    draft = server.create_tournament(alice, "draft", game=game["slug"])
    gone = server.create_tournament(alice, "published", game=game["slug"])
    assert server.delete(f"/api/v1/tournaments/{gone['slug']}", user=alice).status_code == 204
    # the organizer's token changes nothing: pages are anonymous
    for user in (None, alice):
        r, doc = page(server, f"/?game={game['slug']}", user=user)
        assert hub_slugs(doc) == [pub["slug"]]
    assert draft["slug"] not in r.text and gone["slug"] not in r.text
    assert "Hub Listed Cup" in r.text
    card = re.search(r'<li class="card" data-slug="%s">.*?</li>' % pub["slug"], r.text).group(0)
    assert '<dd class="t-count">0 / 8</dd>' in card
    assert 'data-value="registration_open"' in card and 'data-value="open"' in card
    assert f'<time datetime="{pub["start_at"]}">' in card
    # the filter shows its choice
    assert ["selected" in a for a in doc.find("option", value=game["slug"])] == [True]


def test_hub_filters_by_game_and_status(server, alice):
    game = server.create_game()
    a = server.create_tournament(alice, "published", game=game["slug"])
    b = server.create_tournament(alice, "registration_open", game=game["slug"])
    c = server.create_tournament(alice, "cancelled", game=game["slug"])
    _, doc = page(server, f"/?game={game['slug']}&status=registration_open")
    assert hub_slugs(doc) == [b["slug"]]
    _, doc = page(server, f"/?game={game['slug']}&status=cancelled")
    assert hub_slugs(doc) == [c["slug"]]
    _, doc = page(server, f"/?game={game['slug']}")
    assert sorted(hub_slugs(doc)) == sorted([a["slug"], b["slug"], c["slug"]])
    _, doc = page(server, "/?game=no-such-game-here")
    assert hub_slugs(doc) == [] and "hub-empty" in doc.ids


@pytest.mark.parametrize("query", ["status=draft", "status=bogus", "game=NOT%20A%20SLUG",
                                   "cursor=garbage", "limit=0", "limit=-3", "limit=x"])
def test_hub_bad_filters_are_an_html_400(server, query):
    _, doc = page(server, f"/?{query}", status=400)
    assert doc.ids["error"]["data-status"] == "400"


def test_hub_pages_with_next_links_that_keep_the_filters(server, alice):
    game = server.create_game()
    made = [server.create_tournament(alice, "published", game=game["slug"],
                                     start_at=f"2031-01-0{i + 1}T10:00:00Z") for i in range(5)]
    want = [t["slug"] for t in reversed(made)]  # newest start first
    seen, path, pages = [], f"/?game={game['slug']}&limit=2", 0
    while path:
        _, doc = page(server, path)
        seen += hub_slugs(doc)
        pages += 1
        path = next_link(doc)
        if path:
            q = parse_qs(urlsplit(path).query)
            assert q["game"] == [game["slug"]] and q["limit"] == ["2"] and q["cursor"]
    assert seen == want and pages == 3
    # the cursor is the list API's: both walk the same keyset
    api = assert_json(server.get("/api/v1/tournaments",
                                 params={"game": game["slug"], "limit": 2}), 200)
    _, doc = page(server, f"/?game={game['slug']}&limit=2")
    assert parse_qs(urlsplit(next_link(doc)).query)["cursor"] == [api["next_cursor"]]


def test_hub_costs_the_same_queries_whatever_the_page_size(server, alice):
    counts = {query_count(server.get(f"/?limit={n}")) for n in (1, 20, 100)}
    assert counts == {2}, counts


# ---------------------------------------------------------------- escaping

def test_hostile_text_is_escaped_everywhere(server, alice, pool):
    game = server.create_game(name="<b>Game</b> & co")
    t = server.create_tournament(alice, "registration_open", game=game["slug"], name=XSS_NAME,
                                 description=XSS_DESCRIPTION, max_participants=4)
    for path in (f"/?game={game['slug']}", f"/t/{t['slug']}",
                 f"/games/{game['slug']}/leaderboard"):
        r, doc = page(server, path)
        body = r.text
        assert "<script>alert" not in body and "<img" not in body and "<b>" not in body, path
        assert [s.get("src", "") for s in doc.scripts if not s.get("src", "").startswith(
            "/static/live.js")] == [], f"unexpected script on {path}"
        assert "&lt;b&gt;Game&lt;/b&gt; &amp; co" in body, path
    r, doc = page(server, f"/t/{t['slug']}")
    assert doc.text("t-name") == XSS_NAME
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; · tourneyd</title>" in r.text
    assert unescape(re.search(r'<p class="description" id="t-description">(.*?)</p>',
                              r.text, re.S).group(1)) == XSS_DESCRIPTION
    # display names of players too
    u = server.new_user(prefix="xss", display_name="\"><svg onload=alert(3)>")
    assert register(server, u, t["slug"]).status_code == 201
    r, _ = page(server, f"/t/{t['slug']}")
    assert "<svg" not in r.text and "&quot;&gt;&lt;svg onload=alert(3)&gt;" in r.text


# ---------------------------------------------------------------- the tournament page

@pytest.mark.parametrize("slug", ["no-such-tournament", "AB", "x" * 70])
def test_unknown_tournament_is_an_html_404(server, slug):
    _, doc = page(server, f"/t/{slug}", status=404)
    assert doc.text("error").startswith("Tournament not found")


def test_drafts_and_deleted_tournaments_are_404_even_for_their_organizer(server, alice):
    draft = server.create_tournament(alice, "draft")
    gone = server.create_tournament(alice, "published")
    assert server.delete(f"/api/v1/tournaments/{gone['slug']}", user=alice).status_code == 204
    for slug in (draft["slug"], gone["slug"]):
        for user in (None, alice):
            page(server, f"/t/{slug}", status=404, user=user)


def test_tournament_page_shows_details_state_participants(server, alice, pool):
    t, regs = tournament_with(server, alice, pool[:3], status="registration_open",
                              max_participants=6, name="Details Cup",
                              description="Line one\nline two", entry_fee_cents=0)
    r, doc = page(server, f"/t/{t['slug']}")
    assert doc.find("body", data_page="tournament", data_slug=t["slug"])
    assert doc.text("t-name") == "Details Cup"
    assert doc.text("t-organizer") == "Alice Organizer"
    assert doc.ids["state-status"]["data-value"] == "registration_open"
    assert doc.ids["state-registration"]["data-value"] == "open"
    assert (doc.text("state-count"), doc.text("state-max"), doc.text("state-spots")) == \
        ("3", "6", "3")
    assert doc.ids["state"]["data-version"] == str(server.state(t["slug"])["version"])
    ids = [a["data-registration-id"] for a in doc.find("li") if "data-registration-id" in a]
    assert ids == [str(x["id"]) for x in regs]
    assert doc.text("bracket-empty").startswith("The bracket is drawn")
    assert "hidden" not in doc.ids["standings-empty"]  # "appear once it is live" is shown
    assert doc.text("t-fee") == "Free"
    assert re.search(r'<script src="/static/live\.js\?v=[0-9a-f]{16}" defer></script>', r.text)


def test_page_shows_a_write_as_soon_as_it_is_acknowledged(server, alice, pool):
    game = server.create_game()
    t = server.create_tournament(alice, "registration_open", max_participants=8,
                                 game=game["slug"])
    path = f"/t/{t['slug']}"
    r0, doc = page(server, path)
    etag = r0.headers["ETag"]
    assert doc.text("state-count") == "0"
    # the same page again: 304 with its ETag (from either io thread's cache or not)
    for _ in range(4):
        r = server.get(path, headers={"If-None-Match": etag})
        assert r.status_code == 304 and r.content == b""
    for i, u in enumerate(pool[:3], start=1):
        assert register(server, u, t["slug"]).status_code == 201
        for _ in range(3):  # whichever io thread answers, it shows the new count
            r = server.get(path, headers={"If-None-Match": etag})
            assert r.status_code == 200, "a write was hidden behind an old ETag"
            assert re.search(r'id="state-count">%d<' % i, r.text), r.text[:300]
        hub, _ = page(server, f"/?game={game['slug']}")
        assert f'<dd class="t-count">{i} / 8</dd>' in hub.text
        etag = r.headers["ETag"]


def test_page_shows_results_and_standings_through_the_cache(server, alice, pool):
    t, _ = tournament_with(server, alice, pool[:4], status="live")
    path = f"/t/{t['slug']}"
    for _ in range(4):  # warm both io threads' caches
        page(server, path)
    m = bracket_matches(get_bracket(server, t["slug"]))[0]
    assert_json(report(server, alice, m["id"], 2, 0), 200)
    for _ in range(4):
        r, doc = page(server, path)
        box = re.search(r'<div class="match" id="match-%d".*?</div></div>' % m["id"], r.text)
        assert box and 'data-state="completed"' in box.group(0), "the page shows an old result"
        assert '<div class="side winner" data-slot="1"' in box.group(0)
        assert '<span class="score">2</span>' in box.group(0)
        rows = re.findall(r'<tr data-registration-id="(\d+)"><td class="rank">(\d+)</td>', r.text)
        assert len(rows) == 4
        winner_row = re.search(r'<tr data-registration-id="%d">.*?</tr>'
                               % m["participant1"]["registration_id"], r.text).group(0)
        assert '<td class="wins">1</td>' in winner_row


CHAMPION = re.compile(r'<p class="champion" id="champion" data-registration-id="(\d+)">'
                      r'Champion: <strong>(.*?)</strong></p>')


@pytest.mark.parametrize("fmt", ["single_elimination", "round_robin"])
def test_a_completed_tournament_names_its_champion(server, alice, pool, fmt):
    t, _ = tournament_with(server, alice, pool[:2], status="live", format=fmt)
    path = f"/t/{t['slug']}"
    r, _ = page(server, path)
    assert not CHAMPION.search(r.text) and 'id="champion"' not in r.text, "live: no champion"
    m = bracket_matches(get_bracket(server, t["slug"]))[0]
    assert_json(report(server, alice, m["id"], 1, 3), 200)  # the second side wins
    r, _ = page(server, path)
    found = CHAMPION.search(r.text)
    assert found, "the completed tournament's page names no champion"
    winner = m["participant2"]
    assert int(found.group(1)) == winner["registration_id"]
    assert unescape(found.group(2)) == winner["name"]
    top = get_standings(server, t["slug"])["items"][0]
    assert top["rank"] == 1 and top["participant"]["registration_id"] == winner["registration_id"]
    # reopened, it is live again and has no champion (the cached page is not served stale)
    assert_json(reopen(server, alice, m["id"]), 200)
    r, _ = page(server, path)
    assert 'id="champion"' not in r.text


def test_tournament_page_costs_a_constant_number_of_queries(server, alice):
    counts = []
    for n in (2, 16):
        players = user_pool(server, 16)[:n]
        t, _ = tournament_with(server, alice, players, status="live", format="round_robin")
        r = server.get(f"/t/{t['slug']}")
        assert r.status_code == 200
        counts.append(query_count(r))
    # the tournament, its registrations (2), its matches and their sides' names (2), the
    # bracket (2) and the standings' names: 8, whatever the size
    assert counts[0] == counts[1] and counts[0] <= 8, counts
    r = server.get(f"/t/{t['slug']}")
    assert query_count(r) == 0  # served from the response cache: no query


@pytest.mark.parametrize("fmt,opts,parts", [
    ("single_elimination", {"third_place_match": True}, ["winners", "third_place"]),
    ("double_elimination", {"grand_final": "reset"}, ["winners", "losers", "grand_final"]),
    ("round_robin", {}, ["table", "group"]),
    ("swiss", {"rounds": 2}, ["swiss"]),
])
def test_every_format_is_drawn(server, alice, pool, fmt, opts, parts):
    t, _ = tournament_with(server, alice, pool[:4], status="live", format=fmt,
                           format_options=opts)
    r, doc = page(server, f"/t/{t['slug']}")
    assert [a["data-bracket"] for a in doc.find("div") if "data-bracket" in a] == parts
    ids = {m["id"] for m in bracket_matches(get_bracket(server, t["slug"]))}
    boxes = {int(a["data-match-id"]) for a in doc.find("div") if "data-match-id" in a}
    assert boxes == ids
    assert len(re.findall(r'<tr data-registration-id=', r.text)) == 4
    if fmt == "round_robin":
        cells = [a for a in doc.find("span") if "data-match-id" in a]
        assert len(cells) == 2 * len(ids) and {c["data-side"] for c in cells} == {"1", "2"}


def test_head_answers_like_get_without_a_body(server, alice):
    t = server.create_tournament(alice, "published")
    for path in ("/", f"/t/{t['slug']}", "/static/app.css"):
        g, h = server.get(path), server.head(path)
        assert h.status_code == 200 and h.content == b""
        assert h.headers["ETag"] == g.headers["ETag"]
        assert h.headers["Content-Type"] == g.headers["Content-Type"]


def test_page_methods_other_than_get_are_405(server):
    r = server.post("/", json={})
    assert r.status_code == 405 and "GET" in r.headers.get("Allow", "")


# ---------------------------------------------------------------- the leaderboard

def test_leaderboard_page(server, alice, pool):
    game = server.create_game(name="Board Game")
    _, doc = page(server, f"/games/{game['slug']}/leaderboard")
    assert doc.text("lb-title") == "Board Game leaderboard"
    t, _ = tournament_with(server, alice, pool[:2], status="live", game=game["slug"])
    m = bracket_matches(get_bracket(server, t["slug"]))[0]
    assert_json(report(server, alice, m["id"], 1, 0), 200)
    deadline = time.time() + 20
    while time.time() < deadline:
        lb = assert_json(server.get(f"/api/v1/games/{game['slug']}/leaderboard"), 200)
        if lb["items"]:
            break
        time.sleep(0.1)
    assert lb["items"], "the leaderboard was not refreshed after the tournament completed"
    r, doc = page(server, f"/games/{game['slug']}/leaderboard?limit=1")
    rows = [a["data-user-id"] for a in doc.find("tr") if "data-user-id" in a]
    assert rows == [str(lb["items"][0]["user"]["id"])]
    nxt = next_link(doc)
    assert nxt and nxt.startswith(f"/games/{game['slug']}/leaderboard?limit=1&cursor=")
    _, doc2 = page(server, nxt)
    assert [a["data-user-id"] for a in doc2.find("tr") if "data-user-id" in a] == \
        [str(lb["items"][1]["user"]["id"])]
    assert next_link(doc2) is None
    # a constant number of queries: game, page, snapshot time
    assert query_count(r) == query_count(server.get(f"/games/{game['slug']}/leaderboard")) == 3


def test_leaderboard_page_errors(server):
    page(server, "/games/no-such-game/leaderboard", status=404)
    page(server, "/games/BAD!/leaderboard", status=404)
    game = server.create_game()
    page(server, f"/games/{game['slug']}/leaderboard?cursor=nope", status=400)


# ---------------------------------------------------------------- static files

def test_static_files_are_cached_by_their_content_hash(server):
    r, doc = page(server, "/")
    css = [a["href"] for a in doc.find("link") if a.get("rel") == "stylesheet"][0]
    assert re.fullmatch(r"/static/app\.css\?v=[0-9a-f]{16}", css)
    pinned = server.get(css)
    assert pinned.status_code == 200
    assert pinned.headers["Content-Type"] == "text/css; charset=utf-8"
    assert "immutable" in pinned.headers["Cache-Control"]
    assert "max-age=31536000" in pinned.headers["Cache-Control"]
    bare = server.get("/static/app.css")
    assert bare.headers["Cache-Control"] == "no-cache" and bare.content == pinned.content
    assert server.get("/static/app.css", headers={"If-None-Match": bare.headers["ETag"]}) \
        .status_code == 304
    js = server.get("/static/live.js")
    assert js.status_code == 200 and js.headers["Content-Type"] == \
        "text/javascript; charset=utf-8"
    assert b"/live" in js.content
    stale = server.get("/static/app.css?v=0000000000000000")
    assert stale.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("name", ["layout.html", "nope.css", "..%2Flayout.html", "app.css.bak"])
def test_static_serves_only_embedded_css_and_js(server, name):
    r = server.get(f"/static/{name}")
    assert r.status_code == 404
