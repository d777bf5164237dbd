/* pages.c: the server-rendered pages and static files (see pages.h).
 *
 * Owns the HTML of every page: web/layout.html gives the shell (head, header, footer)
 * with {{slots}}; the functions here write each page's content into the response
 * buffer. Every user-provided string goes through html_escape; URLs built from data
 * carry only slugs (checked [a-z0-9-]) or percent-encoded values. Elements the live
 * script and the browser test look for have stable ids and data attributes
 * (id="state-status", data-match-id, data-slug...): web/live.js depends on them.
 *
 * Queries: the hub 2 (the list page, the games for the filter), the tournament page 1
 * when cached and 7 otherwise (tournament, registrations, matches, the bracket as the
 * engine sees it (3), names by seed), the leaderboard 3 (game, page, snapshot time):
 * never one per row. */
#include "web/pages.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/bracket.h"
#include "core/cursor.h"
#include "core/slug.h"
#include "core/tournament_rules.h"
#include "core/validate.h"
#include "store/store_brackets.h"
#include "store/store_games.h"
#include "store/store_leaderboard.h"
#include "store/store_matches.h"
#include "store/store_registrations.h"
#include "store/store_tournaments.h"
#include "util/html.h"
#include "web/assets.h"

#define PAGES_HTML "text/html; charset=utf-8"
/* Scripts and styles come only from /static: no inline code runs on a page. */
#define PAGES_CSP                                                                                  \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "              \
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
/* Registrations shown on a tournament page: every active one fits (max 1,024), and the
 * cancelled ones skipped while reading stay bounded too. */
#define PAGES_MAX_REGISTRATIONS 4096
/* A round robin up to this size also gets a cross table (n x n cells). */
#define PAGES_CROSS_TABLE_MAX 24

/* ---- the page shell ---- */

typedef struct page {
    buf *b;
    const struct web_asset *layout;
    size_t pos; /* where the layout continues after {{main}} */
} page;

void pages_headers(req *r)
{
    /* Cache-Control comes from the response cache's layer (api.c) on 200s */
    req_add_header(r, "X-Content-Type-Options", "nosniff");
    req_add_header(r, "Content-Security-Policy", PAGES_CSP);
}

static void pages_asset_url(buf *b, const char *name)
{
    const struct web_asset *a = web_asset_find(name);
    buf_puts(b, "/static/");
    buf_puts(b, name);
    if (a) {
        buf_puts(b, "?v=");
        buf_puts(b, a->hash);
    }
}

/* Starts an HTML answer and writes the layout up to its {{main}} slot. `slug` (may be
 * NULL) marks a tournament page for the live script. */
static buf *page_begin(page *p, req *r, int status, const char *title, const char *slug)
{
    p->b = req_body_out(r, status, PAGES_HTML);
    p->layout = web_asset_find("layout.html");
    p->pos = 0;
    pages_headers(r);
    if (!p->layout) {
        buf_puts(p->b, "<!DOCTYPE html><html lang=\"en\"><meta charset=\"utf-8\"><title>tourneyd"
                       "</title><main>");
        return p->b;
    }
    const char *slot;
    size_t sl;
    while (html_tpl_next(p->layout->data, p->layout->size, &p->pos, p->b, &slot, &sl)) {
        if (html_slot_is(slot, sl, "main")) break;
        if (html_slot_is(slot, sl, "title")) {
            html_escape(p->b, title);
        } else if (html_slot_is(slot, sl, "css_version")) {
            const struct web_asset *css = web_asset_find("app.css");
            if (css) buf_puts(p->b, css->hash);
        } else if (html_slot_is(slot, sl, "body_attrs") && slug) {
            buf_puts(p->b, " data-page=\"tournament\" data-slug=\"");
            html_escape(p->b, slug);
            buf_putc(p->b, '"');
        }
    }
    return p->b;
}

/* Writes the rest of the layout; `live` adds the live-update script. */
static void page_end(page *p, bool live)
{
    if (!p->layout) {
        buf_puts(p->b, "</main></html>\n");
        return;
    }
    const char *slot;
    size_t sl;
    while (html_tpl_next(p->layout->data, p->layout->size, &p->pos, p->b, &slot, &sl)) {
        if (html_slot_is(slot, sl, "scripts") && live) {
            buf_puts(p->b, "<script src=\"");
            pages_asset_url(p->b, "live.js");
            buf_puts(p->b, "\" defer></script>");
        }
    }
}

/* An error page (404 for what does not exist or may not be seen, 400 for a bad filter,
 * 503 / 500 when the store fails). */
static void pages_error(req *r, int status, const char *title, const char *message)
{
    page p;
    buf *b = page_begin(&p, r, status, title, NULL);
    buf_puts(b, "<section class=\"error\" id=\"error\" data-status=\"");
    buf_put_i64(b, status);
    buf_puts(b, "\"><h1>");
    html_escape(b, title);
    buf_puts(b, "</h1><p>");
    html_escape(b, message);
    buf_puts(b, "</p><p><a href=\"/\">All tournaments</a></p></section>");
    page_end(&p, false);
}

static void pages_store_failed(req *r, int rc)
{
    if (rc == STORE_NOT_FOUND)
        pages_error(r, 404, "Not found", "There is nothing here.");
    else if (rc == STORE_UNAVAILABLE)
        pages_error(r, 503, "Unavailable", "The server is busy or shutting down; try again.");
    else
        pages_error(r, 500, "Server error", "The page could not be read from the database.");
}

static db_conn *pages_db(req *r)
{
    db_conn *c = db_reader();
    if (!c) pages_error(r, 503, "Unavailable", "The database is not available; try again.");
    return c;
}

/* ---- words ---- */

static const char *pages_status_label(tstatus s)
{
    switch (s) {
    case TSTATUS_DRAFT:
        return "Draft";
    case TSTATUS_PUBLISHED:
        return "Published";
    case TSTATUS_REGISTRATION_OPEN:
        return "Registration open";
    case TSTATUS_REGISTRATION_CLOSED:
        return "Registration closed";
    case TSTATUS_LIVE:
        return "Live";
    case TSTATUS_COMPLETED:
        return "Completed";
    case TSTATUS_CANCELLED:
        return "Cancelled";
    default:
        return "Unknown";
    }
}

static const char *pages_regstate_label(regstate s)
{
    switch (s) {
    case REGSTATE_NOT_OPEN:
        return "Not open yet";
    case REGSTATE_OPEN:
        return "Open";
    case REGSTATE_FULL:
        return "Full";
    default:
        return "Closed";
    }
}

static const char *pages_format_label(const char *format)
{
    switch (tformat_parse(format)) {
    case TFORMAT_SINGLE_ELIMINATION:
        return "Single elimination";
    case TFORMAT_DOUBLE_ELIMINATION:
        return "Double elimination";
    case TFORMAT_ROUND_ROBIN:
        return "Round robin";
    case TFORMAT_SWISS:
        return "Swiss";
    default:
        return "Unknown format";
    }
}

static void pages_money(buf *b, int64_t cents, const char *currency)
{
    if (cents == 0) {
        buf_puts(b, "Free");
        return;
    }
    buf_printf(b, "%lld.%02lld ", (long long)(cents / 100), (long long)(cents % 100));
    html_escape(b, currency);
}

/* A status or registration-state badge: <span class="badge ..." data-value="live">. */
static void pages_badge(buf *b, const char *id, const char *kind, const char *value,
                        const char *label)
{
    buf_puts(b, "<span class=\"badge ");
    buf_puts(b, kind);
    buf_putc(b, '-');
    buf_puts(b, value);
    buf_putc(b, '"');
    if (id) {
        buf_puts(b, " id=\"");
        buf_puts(b, id);
        buf_putc(b, '"');
    }
    buf_puts(b, " data-value=\"");
    buf_puts(b, value);
    buf_puts(b, "\">");
    buf_puts(b, label);
    buf_puts(b, "</span>");
}

/* ---- query parameters (HTML answers for bad ones) ---- */

static bool pages_limit(req *r, int *out)
{
    const char *s = req_query(r, "limit");
    *out = 20;
    if (!s || !s[0]) return true;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || errno || v <= 0) {
        pages_error(r, 400, "Bad request", "limit must be a positive integer.");
        return false;
    }
    *out = v > 100 ? 100 : (int)v;
    return true;
}

static bool pages_cursor(req *r, char kind, int64_t *key, int n, bool *has)
{
    const char *s = req_query(r, "cursor");
    *has = false;
    if (!s || !s[0]) return true;
    if (!cursor_decode(s, kind, key, n)) {
        pages_error(r, 400, "Bad request", "This page link is not one the site gave out.");
        return false;
    }
    *has = true;
    return true;
}

/* ---- the hub ---- */

static void pages_hub_card(req *r, buf *b, const st_tournament *t)
{
    regstate rs = api_regstate(r, t);
    buf_puts(b, "<li class=\"card\" data-slug=\"");
    html_escape(b, t->slug);
    buf_puts(b, "\"><h2><a class=\"t-name\" href=\"/t/");
    html_escape(b, t->slug);
    buf_puts(b, "\">");
    html_escape(b, t->name);
    buf_puts(b, "</a></h2><p class=\"meta\"><a class=\"t-game\" href=\"/games/");
    html_escape(b, t->game_slug);
    buf_puts(b, "/leaderboard\">");
    html_escape(b, t->game_name);
    buf_puts(b, "</a> · ");
    buf_puts(b, pages_format_label(t->format));
    buf_puts(b, t->participant_type && strcmp(t->participant_type, "team") == 0 ? " · teams"
                                                                                : " · solo");
    buf_puts(b, "</p><p class=\"badges\">");
    pages_badge(b, NULL, "status", tstatus_name(t->status), pages_status_label(t->status));
    buf_putc(b, ' ');
    pages_badge(b, NULL, "reg", regstate_name(rs), pages_regstate_label(rs));
    buf_puts(b, "</p><dl class=\"facts\"><div><dt>Registered</dt><dd class=\"t-count\">");
    buf_put_i64(b, st_tournament_active(t));
    buf_puts(b, " / ");
    buf_put_i64(b, t->max_participants);
    buf_puts(b, "</dd></div><div><dt>Starts</dt><dd class=\"t-start\">");
    html_time(b, t->start_at);
    buf_puts(b, "</dd></div><div><dt>Entry</dt><dd>");
    pages_money(b, t->entry_fee_cents, t->currency);
    buf_puts(b, "</dd></div></dl></li>\n");
}

/* A link to the hub with the current filters and the next page's cursor. */
static void pages_hub_next(buf *b, const char *game, const char *status, int limit, bool keep_limit,
                           const char *cursor)
{
    buf_puts(b, "<nav class=\"pager\"><a id=\"next-page\" rel=\"next\" href=\"/?");
    if (game) {
        buf_puts(b, "game=");
        html_urlencode(b, game);
        buf_puts(b, "&amp;");
    }
    if (status) {
        buf_puts(b, "status=");
        html_urlencode(b, status);
        buf_puts(b, "&amp;");
    }
    if (keep_limit) buf_printf(b, "limit=%d&amp;", limit);
    buf_puts(b, "cursor=");
    html_urlencode(b, cursor);
    buf_puts(b, "\">Next page</a></nav>\n");
}

void pages_hub(req *r)
{
    store_tlist f = {0};
    int limit;
    int64_t key[2];
    if (!pages_limit(r, &limit) || !pages_cursor(r, 't', key, 2, &f.has_cursor)) return;
    if (f.has_cursor) {
        f.after_start = key[0];
        f.after_id = key[1];
    }
    const char *game = req_query(r, "game");
    const char *status = req_query(r, "status");
    if (game && !game[0]) game = NULL;
    if (status && !status[0]) status = NULL;
    if (game && !validate_game_slug(game)) {
        pages_error(r, 400, "Bad request", "game must be a game's slug.");
        return;
    }
    tstatus st = status ? tstatus_parse(status) : TSTATUS_INVALID;
    if (status && (st == TSTATUS_INVALID || st == TSTATUS_DRAFT)) {
        pages_error(r, 400, "Bad request", "status must be a published tournament's status.");
        return;
    }
    f.game = game;
    f.status = status;
    f.limit = limit + 1;
    db_conn *c = pages_db(r);
    if (!c) return;
    st_tournament *items;
    int n;
    int rc = store_tournament_list(c, req_arena(r), &f, &items, &n);
    st_game *games = NULL;
    int ngames = 0;
    if (rc == STORE_OK) rc = store_games_list(c, req_arena(r), &games, &ngames);
    if (rc != STORE_OK) {
        pages_store_failed(r, rc);
        return;
    }
    api_cache_dep(r, DEP_CATALOG, 0); /* the list and the games both change with it */
    page p;
    buf *b = page_begin(&p, r, 200, "Tournaments", NULL);
    buf_puts(b, "<h1>Tournaments</h1>\n<form class=\"filters\" id=\"filters\" method=\"get\" "
                "action=\"/\"><label>Game <select name=\"game\" id=\"filter-game\">"
                "<option value=\"\">All games</option>");
    for (int i = 0; i < ngames; i++) {
        buf_puts(b, "<option value=\"");
        html_escape(b, games[i].slug);
        buf_putc(b, '"');
        if (game && strcmp(game, games[i].slug) == 0) buf_puts(b, " selected");
        buf_putc(b, '>');
        html_escape(b, games[i].name);
        buf_puts(b, "</option>");
    }
    buf_puts(b, "</select></label> <label>Status <select name=\"status\" id=\"filter-status\">"
                "<option value=\"\">Any status</option>");
    for (int s = TSTATUS_PUBLISHED; s < TSTATUS__COUNT; s++) {
        buf_puts(b, "<option value=\"");
        buf_puts(b, tstatus_name((tstatus)s));
        buf_putc(b, '"');
        if (st == (tstatus)s) buf_puts(b, " selected");
        buf_putc(b, '>');
        buf_puts(b, pages_status_label((tstatus)s));
        buf_puts(b, "</option>");
    }
    buf_puts(b, "</select></label> <button type=\"submit\">Show</button></form>\n");
    int shown = n > limit ? limit : n;
    if (shown == 0) {
        buf_puts(b, "<p class=\"empty\" id=\"hub-empty\">No tournaments to show.</p>\n");
    } else {
        buf_puts(b, "<ul class=\"cards\" id=\"hub-list\">\n");
        for (int i = 0; i < shown; i++) pages_hub_card(r, b, &items[i]);
        buf_puts(b, "</ul>\n");
    }
    if (n > limit) {
        char next[CURSOR_MAX_LEN + 1];
        int64_t k[2] = {items[shown - 1].start_at, items[shown - 1].id};
        cursor_encode('t', k, 2, next);
        const char *given = req_query(r, "limit");
        pages_hub_next(b, game, status, limit, given && given[0], next);
    }
    if (ngames > 0) {
        buf_puts(b, "<section class=\"games\" id=\"leaderboards\"><h2>Leaderboards</h2><ul>");
        for (int i = 0; i < ngames; i++) {
            buf_puts(b, "<li><a href=\"/games/");
            html_escape(b, games[i].slug);
            buf_puts(b, "/leaderboard\">");
            html_escape(b, games[i].name);
            buf_puts(b, "</a></li>");
        }
        buf_puts(b, "</ul></section>\n");
    }
    page_end(&p, false);
}

/* ---- the tournament page ---- */

/* Everything the tournament page shows, read before any HTML is written. */
typedef struct tpage {
    st_tournament t;
    regstate rs;
    st_registration *regs;
    int nregs;
    st_match *m;
    int nm;
    st_bracket *sb;
    standing *rows;
    const char **names; /* by participant index (seed - 1) */
} tpage;

static void pages_bracket_cleanup(void *p)
{
    store_bracket_free(p);
}

static int pages_tournament_read(req *r, db_conn *c, tpage *tp)
{
    arena *a = req_arena(r);
    store_rlist rl = {.tournament_id = tp->t.id, .limit = PAGES_MAX_REGISTRATIONS};
    int rc = store_registrations_list(c, a, &rl, &tp->regs, &tp->nregs);
    if (rc != STORE_OK) return rc;
    rc = store_matches_all(c, a, &tp->t, &tp->m, &tp->nm);
    if (rc != STORE_OK || tp->nm == 0) return rc;
    tp->sb = arena_calloc(a, 1, sizeof *tp->sb);
    if (!tp->sb || !req_on_cleanup(r, pages_bracket_cleanup, tp->sb)) return STORE_ERROR;
    rc = store_bracket_load(c, a, tp->t.id, tp->sb);
    if (rc != STORE_OK) return rc;
    int n = tp->sb->b.n;
    if (n == 0) return STORE_OK;
    tp->rows = arena_alloc(a, sizeof(standing) * (size_t)n);
    tp->names = arena_alloc(a, sizeof(char *) * (size_t)n);
    if (!tp->rows || !tp->names || standings_compute(&tp->sb->b, tp->rows) != 0) return STORE_ERROR;
    return store_bracket_names(c, a, tp->t.id, tp->names, n);
}

static void pages_state_item(buf *b, const char *label, const char *id)
{
    buf_puts(b, "<div><dt>");
    buf_puts(b, label);
    buf_puts(b, "</dt><dd id=\"");
    buf_puts(b, id);
    buf_puts(b, "\">");
}

static void pages_state_int(buf *b, const char *label, const char *id, int64_t v)
{
    pages_state_item(b, label, id);
    buf_put_i64(b, v);
    buf_puts(b, "</dd></div>");
}

static void pages_t_state(buf *b, const tpage *tp)
{
    const st_tournament *t = &tp->t;
    int64_t active = st_tournament_active(t);
    int64_t left = t->max_participants - active;
    buf_puts(b, "<section class=\"state\" id=\"state\" aria-live=\"polite\" data-version=\"");
    buf_put_i64(b, t->version);
    buf_puts(b, "\"><dl class=\"facts\">");
    pages_state_item(b, "Status", "state-status-item");
    pages_badge(b, "state-status", "status", tstatus_name(t->status),
                pages_status_label(t->status));
    buf_puts(b, "</dd></div>");
    pages_state_item(b, "Registration", "state-registration-item");
    pages_badge(b, "state-registration", "reg", regstate_name(tp->rs),
                pages_regstate_label(tp->rs));
    buf_puts(b, "</dd></div>");
    pages_state_item(b, "Registered", "state-registered");
    buf_puts(b, "<span id=\"state-count\">");
    buf_put_i64(b, active);
    buf_puts(b, "</span> / <span id=\"state-max\">");
    buf_put_i64(b, t->max_participants);
    buf_puts(b, "</span></dd></div>");
    pages_state_int(b, "Spots left", "state-spots", left > 0 ? left : 0);
    pages_state_int(b, "Confirmed", "state-confirmed", t->n_confirmed);
    pages_state_int(b, "Checked in", "state-checked-in", t->n_checked_in);
    pages_state_int(b, "Round", "state-round", t->current_round);
    pages_state_item(b, "Starts", "state-start");
    html_time(b, t->start_at);
    buf_puts(b, "</dd></div>");
    pages_state_int(b, "Version", "state-version", t->version);
    buf_puts(b,
             "</dl><p class=\"live-note\" id=\"live-status\" data-live=\"off\"></p></section>\n");
}

static void pages_t_details(buf *b, const tpage *tp)
{
    const st_tournament *t = &tp->t;
    buf_puts(b, "<section class=\"details\" id=\"details\"><h2>Details</h2>");
    if (t->description && t->description[0]) {
        buf_puts(b, "<p class=\"description\" id=\"t-description\">");
        html_escape(b, t->description);
        buf_puts(b, "</p>");
    }
    buf_puts(b, "<dl class=\"facts\"><div><dt>Format</dt><dd id=\"t-format\">");
    buf_puts(b, pages_format_label(t->format));
    tformat f = tformat_parse(t->format);
    const char *opts = t->format_options ? t->format_options : "";
    if (f == TFORMAT_SINGLE_ELIMINATION && strstr(opts, "\"third_place_match\":true"))
        buf_puts(b, ", third-place match");
    if (f == TFORMAT_DOUBLE_ELIMINATION)
        buf_puts(b,
                 strstr(opts, "\"single\"") ? ", single grand final" : ", grand final with reset");
    if (f == TFORMAT_ROUND_ROBIN && strstr(opts, "\"double\":true")) buf_puts(b, ", double");
    buf_puts(b, "</dd></div><div><dt>Entries</dt><dd>");
    buf_puts(b, t->participant_type && strcmp(t->participant_type, "team") == 0 ? "Teams"
                                                                                : "Solo players");
    buf_puts(b, "</dd></div><div><dt>Entry fee</dt><dd id=\"t-fee\">");
    pages_money(b, t->entry_fee_cents, t->currency);
    buf_puts(b, "</dd></div><div><dt>Check-in</dt><dd>");
    buf_puts(b, t->check_in_required ? "Required" : "Not required");
    buf_puts(b, "</dd></div>");
    if (t->registration_opens_at) {
        buf_puts(b, "<div><dt>Registration opens</dt><dd>");
        html_time(b, t->registration_opens_at);
        buf_puts(b, "</dd></div>");
    }
    if (t->registration_closes_at) {
        buf_puts(b, "<div><dt>Registration closes</dt><dd>");
        html_time(b, t->registration_closes_at);
        buf_puts(b, "</dd></div>");
    }
    buf_puts(b, "<div><dt>Organizer</dt><dd id=\"t-organizer\">");
    html_escape(b, t->organizer_display_name);
    buf_puts(b, "</dd></div></dl></section>\n");
}

static void pages_side(buf *b, const st_match *m, const st_side *s, int slot, int64_t score)
{
    bool done = strcmp(m->state, "completed") == 0;
    bool won = s->registration_id && m->winner.registration_id == s->registration_id;
    bool lost = done && s->registration_id && m->winner.registration_id &&
                m->winner.registration_id != s->registration_id;
    buf_puts(b, "<div class=\"side");
    if (won) buf_puts(b, " winner");
    if (lost) buf_puts(b, " loser");
    if (!s->registration_id) buf_puts(b, " empty");
    buf_printf(b, "\" data-slot=\"%d\" data-registration-id=\"%lld\"><span class=\"seed\">", slot,
               (long long)s->registration_id);
    if (s->seed) buf_put_i64(b, s->seed);
    buf_puts(b, "</span><span class=\"name\">");
    if (s->registration_id)
        html_escape(b, s->name);
    else
        buf_puts(b, done ? "bye" : "TBD");
    buf_puts(b, "</span><span class=\"score\">");
    if (m->has_score) buf_put_i64(b, score);
    buf_puts(b, "</span></div>");
}

static void pages_match(buf *b, const st_match *m)
{
    buf_printf(b, "<div class=\"match\" id=\"match-%lld\" data-match-id=\"%lld\" data-state=\"",
               (long long)m->id, (long long)m->id);
    html_escape(b, m->state);
    buf_puts(b, "\">");
    pages_side(b, m, &m->p1, 1, m->score1);
    pages_side(b, m, &m->p2, 2, m->score2);
    buf_puts(b, "</div>");
}

static const char *pages_bracket_title(const char *bk)
{
    switch (bracket_kind_parse(bk)) {
    case BK_WINNERS:
        return "Winners bracket";
    case BK_LOSERS:
        return "Losers bracket";
    case BK_GRAND_FINAL:
        return "Grand final";
    case BK_THIRD_PLACE:
        return "Third place";
    case BK_GROUP:
        return "Rounds";
    case BK_SWISS:
        return "Swiss rounds";
    default:
        return "Matches";
    }
}

/* The heading of round `round` of a bracket part whose last round is `last`. */
static void pages_round_title(buf *b, tformat f, bracket_kind k, int64_t round, int64_t last)
{
    if (k == BK_GRAND_FINAL) {
        buf_puts(b, round == 1 ? "Grand final" : "Reset");
        return;
    }
    if (k == BK_THIRD_PLACE) {
        buf_puts(b, "Third-place match");
        return;
    }
    if (k == BK_WINNERS) {
        const char *prefix = f == TFORMAT_DOUBLE_ELIMINATION ? "Winners " : "";
        if (round == last) {
            buf_printf(b, "%s%s", prefix, f == TFORMAT_DOUBLE_ELIMINATION ? "final" : "Final");
            return;
        }
        if (round == last - 1 && f != TFORMAT_DOUBLE_ELIMINATION) {
            buf_puts(b, "Semifinals");
            return;
        }
        if (round == last - 2 && f != TFORMAT_DOUBLE_ELIMINATION) {
            buf_puts(b, "Quarterfinals");
            return;
        }
    }
    if (k == BK_LOSERS && round == last) {
        buf_puts(b, "Losers final");
        return;
    }
    buf_printf(b, "Round %lld", (long long)round);
}

/* The round robin's cross table: row player's score first; each cell names its match
 * (data-match-id) and the row player's side in it (data-side) for the live script. */
static void pages_cross_table(req *r, buf *b, const tpage *tp)
{
    int n = tp->sb->b.n;
    /* up to two matches per ordered pair (double round robin) */
    int *cell = arena_alloc(req_arena(r), sizeof(int) * (size_t)(n * n * 2));
    if (!cell) {
        b->oom = true;
        return;
    }
    for (int i = 0; i < n * n * 2; i++) cell[i] = -1;
    for (int k = 0; k < tp->nm; k++) {
        int64_t s1 = tp->m[k].p1.seed, s2 = tp->m[k].p2.seed;
        if (s1 < 1 || s2 < 1 || s1 > n || s2 > n) continue;
        int a = (int)s1 - 1, c = (int)s2 - 1;
        int *ac = &cell[(a * n + c) * 2], *ca = &cell[(c * n + a) * 2];
        if (ac[0] < 0)
            ac[0] = k;
        else if (ac[1] < 0)
            ac[1] = k;
        if (ca[0] < 0)
            ca[0] = k;
        else if (ca[1] < 0)
            ca[1] = k;
    }
    buf_puts(b, "<div class=\"scroll\"><table class=\"cross\" id=\"cross-table\"><thead><tr>"
                "<th scope=\"col\"></th>");
    for (int j = 0; j < n; j++)
        buf_printf(b, "<th scope=\"col\" title=\"seed %d\">%d</th>", j + 1, j + 1);
    buf_puts(b, "</tr></thead><tbody>");
    for (int i = 0; i < n; i++) {
        buf_printf(b, "<tr><th scope=\"row\"><span class=\"seed\">%d</span> ", i + 1);
        html_escape(b, tp->names[i] ? tp->names[i] : "?");
        buf_puts(b, "</th>");
        for (int j = 0; j < n; j++) {
            if (i == j) {
                buf_puts(b, "<td class=\"self\"></td>");
                continue;
            }
            buf_puts(b, "<td>");
            for (int x = 0; x < 2; x++) {
                int k = cell[(i * n + j) * 2 + x];
                if (k < 0) continue;
                const st_match *m = &tp->m[k];
                int side = m->p1.seed == i + 1 ? 1 : 2;
                const char *cls = "";
                if (strcmp(m->state, "completed") == 0 && m->has_score) {
                    int64_t mine = side == 1 ? m->score1 : m->score2;
                    int64_t theirs = side == 1 ? m->score2 : m->score1;
                    cls = mine > theirs ? " win" : mine < theirs ? " loss" : " draw";
                }
                buf_printf(b, "<span class=\"rr%s\" data-match-id=\"%lld\" data-side=\"%d\">", cls,
                           (long long)m->id, side);
                if (m->has_score)
                    buf_printf(b, "%lld-%lld", (long long)(side == 1 ? m->score1 : m->score2),
                               (long long)(side == 1 ? m->score2 : m->score1));
                else
                    buf_puts(b, "&middot;");
                buf_puts(b, "</span>");
            }
            buf_puts(b, "</td>");
        }
        buf_puts(b, "</tr>");
    }
    buf_puts(b, "</tbody></table></div>");
}

static void pages_t_bracket(req *r, buf *b, const tpage *tp)
{
    tformat f = tformat_parse(tp->t.format);
    buf_puts(b, "<section class=\"bracket\" id=\"bracket\" data-format=\"");
    html_escape(b, tp->t.format);
    buf_printf(b, "\" data-matches=\"%d\"><h2>Bracket</h2>", tp->nm);
    if (tp->nm == 0) {
        buf_puts(b, "<p class=\"empty\" id=\"bracket-empty\">The bracket is drawn when the "
                    "tournament goes live.</p></section>\n");
        return;
    }
    if (f == TFORMAT_ROUND_ROBIN && tp->sb && tp->sb->b.n > 0 &&
        tp->sb->b.n <= PAGES_CROSS_TABLE_MAX) {
        buf_puts(b, "<div class=\"part\" data-bracket=\"table\"><h3>Results table</h3>");
        pages_cross_table(r, b, tp);
        buf_puts(b, "</div>");
    }
    /* matches come in bracket, round, position order: group them as they stream by */
    for (int i = 0; i < tp->nm;) {
        const char *bk = tp->m[i].bracket;
        bracket_kind kind = bracket_kind_parse(bk);
        int64_t last = 0;
        for (int k = i; k < tp->nm && strcmp(tp->m[k].bracket, bk) == 0; k++) last = tp->m[k].round;
        buf_puts(b, "<div class=\"part\" data-bracket=\"");
        html_escape(b, bk);
        buf_puts(b, "\"><h3>");
        buf_puts(b, pages_bracket_title(bk));
        buf_puts(b, "</h3><div class=\"rounds");
        if (kind == BK_GROUP || kind == BK_SWISS) buf_puts(b, " list");
        buf_puts(b, "\">");
        while (i < tp->nm && strcmp(tp->m[i].bracket, bk) == 0) {
            int64_t round = tp->m[i].round;
            buf_printf(b, "<div class=\"round\" data-round=\"%lld\"><h4>", (long long)round);
            pages_round_title(b, f, kind, round, last);
            buf_puts(b, "</h4><div class=\"round-matches\">");
            while (i < tp->nm && strcmp(tp->m[i].bracket, bk) == 0 && tp->m[i].round == round)
                pages_match(b, &tp->m[i++]);
            buf_puts(b, "</div></div>");
        }
        buf_puts(b, "</div></div>");
    }
    buf_puts(b, "</section>\n");
}

static void pages_points(buf *b, double v)
{
    /* points are whole or halves (Swiss draws) */
    long long twice = (long long)(v * 2 + (v >= 0 ? 0.5 : -0.5));
    if (twice % 2 == 0)
        buf_printf(b, "%lld", twice / 2);
    else
        buf_printf(b, "%lld.5", (twice - 1) / 2);
}

static void pages_t_standings(buf *b, const tpage *tp)
{
    int n = tp->sb ? tp->sb->b.n : 0;
    buf_puts(b, "<section class=\"standings\" id=\"standings\"><h2>Standings</h2>");
    /* a completed tournament names its winner first: the one rank 1 of its final standings
     * (ties at the top are broken for a champion). Part of this section, so the status
     * change that completes or reopens it, which refreshes the section live, shows it. */
    if (tp->t.status == TSTATUS_COMPLETED && n > 0 && tp->rows[0].rank == 1) {
        const standing *w = &tp->rows[0];
        buf_printf(b,
                   "<p class=\"champion\" id=\"champion\" data-registration-id=\"%lld\">"
                   "Champion: <strong>",
                   (long long)tp->sb->reg_ids[w->participant]);
        html_escape(b, tp->names[w->participant] ? tp->names[w->participant] : "?");
        buf_puts(b, "</strong></p>");
    }
    buf_puts(b, "<p class=\"empty\" id=\"standings-empty\"");
    if (n > 0) buf_puts(b, " hidden");
    buf_puts(b, ">Standings appear once the tournament is live.</p>"
                "<div class=\"scroll\"><table id=\"standings-table\"><thead><tr>"
                "<th scope=\"col\">#</th><th scope=\"col\">Participant</th>"
                "<th scope=\"col\" title=\"played\">P</th><th scope=\"col\" title=\"wins\">W</th>"
                "<th scope=\"col\" title=\"draws\">D</th><th scope=\"col\" title=\"losses\">L</th>"
                "<th scope=\"col\">Pts</th><th scope=\"col\" title=\"score for and against\">+/-"
                "</th></tr></thead><tbody id=\"standings-body\">");
    for (int i = 0; i < n; i++) {
        const standing *s = &tp->rows[i];
        buf_printf(b,
                   "<tr data-registration-id=\"%lld\"><td class=\"rank\">%d</td>"
                   "<td class=\"name\">",
                   (long long)tp->sb->reg_ids[s->participant], s->rank);
        html_escape(b, tp->names[s->participant] ? tp->names[s->participant] : "?");
        buf_printf(b,
                   "</td><td>%d</td><td class=\"wins\">%d</td><td>%d</td><td>%d</td>"
                   "<td class=\"points\">",
                   s->played, s->wins, s->draws, s->losses);
        pages_points(b, s->points);
        buf_printf(b, "</td><td>%d:%d</td></tr>", s->score_for, s->score_against);
    }
    buf_puts(b, "</tbody></table></div></section>\n");
}

static void pages_t_participants(buf *b, const tpage *tp)
{
    int64_t active = st_tournament_active(&tp->t);
    buf_puts(b, "<section class=\"participants\" id=\"participants\"><h2>Participants "
                "<span class=\"count\">(");
    buf_put_i64(b, active);
    buf_puts(b, ")</span></h2>");
    if (active == 0) buf_puts(b, "<p class=\"empty\">Nobody has registered yet.</p>");
    buf_puts(b, "<ol class=\"people\" id=\"participant-list\">");
    for (int i = 0; i < tp->nregs; i++) {
        const st_registration *g = &tp->regs[i];
        if (strcmp(g->status, "cancelled") == 0) continue;
        buf_printf(b, "<li data-registration-id=\"%lld\"><span class=\"seed\">", (long long)g->id);
        if (g->seed) buf_printf(b, "%lld", (long long)g->seed);
        buf_puts(b, "</span><span class=\"name\">");
        html_escape(b, g->team_id ? g->team_name : g->user.display_name);
        buf_puts(b, "</span> <span class=\"user\">@");
        html_escape(b, g->user.username);
        buf_puts(b, "</span> <span class=\"badge reg-");
        html_escape(b, g->status);
        buf_puts(b, "\">");
        html_escape(b, g->status);
        buf_puts(b, "</span></li>");
    }
    buf_puts(b, "</ol></section>\n");
}

void pages_tournament(req *r)
{
    db_conn *c = pages_db(r);
    if (!c) return;
    tpage *tp = arena_calloc(req_arena(r), 1, sizeof *tp);
    if (!tp) {
        pages_error(r, 500, "Server error", "Out of memory.");
        return;
    }
    const char *slug = req_param(r, 0);
    int rc = slug_valid(slug) ? store_tournament_by_slug(c, req_arena(r), slug, &tp->t)
                              : STORE_NOT_FOUND;
    /* pages are anonymous: a draft is not there */
    if (rc == STORE_OK && tp->t.status == TSTATUS_DRAFT) rc = STORE_NOT_FOUND;
    if (rc == STORE_NOT_FOUND) {
        pages_error(r, 404, "Tournament not found", "There is no tournament at this address.");
        return;
    }
    if (rc != STORE_OK) {
        pages_store_failed(r, rc);
        return;
    }
    /* everything the page shows changes with the tournament's counter; the registration
     * state also with the clock (api_regstate sets the expiry) */
    api_cache_dep(r, DEP_TOURNAMENT, tp->t.id);
    tp->rs = api_regstate(r, &tp->t);
    rc = pages_tournament_read(r, c, tp);
    if (rc != STORE_OK) {
        pages_store_failed(r, rc == STORE_NOT_FOUND ? STORE_ERROR : rc);
        return;
    }
    page p;
    buf *b = page_begin(&p, r, 200, tp->t.name, tp->t.slug);
    buf_puts(b, "<article class=\"tournament\" id=\"tournament\"><h1 id=\"t-name\">");
    html_escape(b, tp->t.name);
    buf_puts(b, "</h1><p class=\"meta\"><a id=\"t-game\" href=\"/games/");
    html_escape(b, tp->t.game_slug);
    buf_puts(b, "/leaderboard\">");
    html_escape(b, tp->t.game_name);
    buf_puts(b, "</a> · ");
    buf_puts(b, pages_format_label(tp->t.format));
    buf_puts(b, "</p>\n");
    pages_t_state(b, tp);
    pages_t_bracket(r, b, tp);
    pages_t_standings(b, tp);
    pages_t_participants(b, tp);
    pages_t_details(b, tp);
    buf_puts(b, "</article>\n");
    page_end(&p, true);
}

/* ---- the game leaderboard ---- */

void pages_leaderboard(req *r)
{
    db_conn *c = pages_db(r);
    if (!c) return;
    const char *slug = req_param(r, 0);
    st_game g;
    int rc = store_game_by_slug(c, req_arena(r), slug, &g);
    if (rc == STORE_NOT_FOUND) {
        pages_error(r, 404, "Game not found", "There is no game at this address.");
        return;
    }
    if (rc != STORE_OK) {
        pages_store_failed(r, rc);
        return;
    }
    int limit;
    int64_t key[2] = {0, 0};
    bool has_cursor;
    if (!pages_limit(r, &limit) || !pages_cursor(r, 'l', key, 2, &has_cursor)) return;
    st_lb_entry *items;
    int n;
    int64_t computed_at;
    rc = store_leaderboard_page(c, req_arena(r), g.id, key[0], key[1], limit + 1, &items, &n,
                                &computed_at);
    if (rc != STORE_OK) {
        pages_store_failed(r, rc);
        return;
    }
    api_cache_dep(r, DEP_GAME, g.id); /* the game's snapshot and the stamp it shows */
    api_cache_dep(r, DEP_GAME, 0);
    char *title = arena_sprintf(req_arena(r), "%s leaderboard", g.name);
    page p;
    buf *b = page_begin(&p, r, 200, title ? title : "Leaderboard", NULL);
    buf_puts(b, "<h1 id=\"lb-title\">");
    html_escape(b, g.name);
    buf_puts(b, " leaderboard</h1><p class=\"meta\" id=\"lb-computed\">");
    if (computed_at) {
        buf_puts(b, "Computed ");
        html_time(b, computed_at);
        buf_puts(b, " from every completed match.");
    } else {
        buf_puts(b, "Not computed yet.");
    }
    buf_puts(b, "</p>\n");
    int shown = n > limit ? limit : n;
    if (shown == 0) {
        buf_puts(b, "<p class=\"empty\" id=\"lb-empty\">No results yet.</p>\n");
    } else {
        buf_puts(b, "<div class=\"scroll\"><table id=\"leaderboard\"><thead><tr>"
                    "<th scope=\"col\">#</th><th scope=\"col\">Player</th>"
                    "<th scope=\"col\" title=\"tournaments\">T</th>"
                    "<th scope=\"col\" title=\"matches won\">W</th>"
                    "<th scope=\"col\" title=\"matches lost\">L</th>"
                    "<th scope=\"col\">Pts</th></tr></thead><tbody>");
        for (int i = 0; i < shown; i++) {
            const st_lb_entry *e = &items[i];
            buf_printf(b,
                       "<tr data-user-id=\"%lld\"><td class=\"rank\">%lld</td><td class=\"name\">",
                       (long long)e->user.id, (long long)e->rank);
            html_escape(b, e->user.display_name);
            buf_puts(b, " <span class=\"user\">@");
            html_escape(b, e->user.username);
            buf_printf(b,
                       "</span></td><td>%lld</td><td>%lld</td><td>%lld</td>"
                       "<td class=\"points\">%lld</td></tr>",
                       (long long)e->tournaments, (long long)e->matches_won,
                       (long long)e->matches_lost, (long long)e->points);
        }
        buf_puts(b, "</tbody></table></div>\n");
    }
    if (n > limit) {
        char next[CURSOR_MAX_LEN + 1];
        int64_t k[2] = {items[shown - 1].rank, items[shown - 1].user.id};
        cursor_encode('l', k, 2, next);
        buf_puts(b, "<nav class=\"pager\"><a id=\"next-page\" rel=\"next\" href=\"/games/");
        html_escape(b, g.slug);
        buf_puts(b, "/leaderboard?");
        const char *given = req_query(r, "limit");
        if (given && given[0]) buf_printf(b, "limit=%d&amp;", limit);
        buf_puts(b, "cursor=");
        html_urlencode(b, next);
        buf_puts(b, "\">Next page</a></nav>\n");
    }
    page_end(&p, false);
}

/* ---- static files ---- */

void pages_static(req *r)
{
    const struct web_asset *a = web_asset_find(req_param(r, 0));
    const char *type = a ? web_asset_type(a->name) : NULL;
    if (!type) {
        pages_error(r, 404, "Not found", "There is no such file.");
        return;
    }
    const char *v = req_query(r, "v");
    buf *b = req_body_out(r, 200, type);
    buf_append(b, a->data, a->size);
    /* the page links to ?v=<content hash>: that URL's bytes never change */
    req_add_header(r, "Cache-Control",
                   v && strcmp(v, a->hash) == 0 ? "public, max-age=31536000, immutable"
                                                : "no-cache");
    req_add_header(r, "X-Content-Type-Options", "nosniff");
}
