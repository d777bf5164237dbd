/* api_tournaments.c: the tournament catalog, detail, changes, status machine and the
 * polled state (API.md "Tournaments").
 *
 * Reads cost a constant number of queries: the list is one query (filters in SQL,
 * counters denormalized on the row), detail and state one, bulk states one. Writes
 * are validated here, then run by the writer, which re-checks what depends on the
 * current row (status, capacity) inside its transaction. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/cursor.h"
#include "core/slug.h"
#include "core/tournament_rules.h"
#include "core/validate.h"
#include "store/store_brackets.h"
#include "store/store_games.h"
#include "store/store_tournaments.h"

#define NAME_MAX_CHARS        200
#define DESCRIPTION_MAX_CHARS 10000
#define FEE_MAX               100000000LL
#define BULK_STATES_MAX       100

/* ---- visibility and permissions ---- */

static bool api_t_visible(const st_tournament *t, const st_user *u)
{
    return t->status != TSTATUS_DRAFT || (u && (u->id == t->organizer_id || api_is_admin(u)));
}

bool api_tournament_manager(const st_tournament *t, const st_user *u)
{
    return u && (u->id == t->organizer_id || api_is_admin(u));
}

/* Loads the tournament of the path's {slug} and answers 404 unless the caller may see it. */
bool api_tournament_load(req *r, st_tournament *t)
{
    db_conn *c = api_db(r);
    if (!c) return false;
    const char *slug = req_param(r, 0);
    int rc =
        slug_valid(slug) ? store_tournament_by_slug(c, req_arena(r), slug, t) : STORE_NOT_FOUND;
    if (rc == STORE_OK && !api_t_visible(t, api_user(r))) rc = STORE_NOT_FOUND;
    if (rc != STORE_OK) {
        if (rc == STORE_NOT_FOUND)
            req_error(r, 404, "not_found", NULL, "no tournament %s", slug);
        else
            api_store_failed(r, rc);
        return false;
    }
    /* what a cached answer about it shows changes with it; a draft is its organizer's */
    api_cache_dep(r, DEP_TOURNAMENT, t->id);
    if (t->status == TSTATUS_DRAFT) api_cache_unshared(r);
    return true;
}

/* Loads and checks that the caller manages the tournament (401 / 403 / 404). */
static bool api_t_load_managed(req *r, st_tournament *t)
{
    const st_user *u = api_require_user(r);
    if (!u || !api_tournament_load(r, t)) return false;
    if (!api_tournament_manager(t, u)) {
        req_error(r, 403, "forbidden", NULL, "only the organizer can do this");
        return false;
    }
    return true;
}

/* ---- JSON shapes ---- */

static regstate api_t_regstate(const st_tournament *t, int64_t now)
{
    return regstate_of(t->status, now, t->registration_opens_at, t->registration_closes_at,
                       st_tournament_active(t), t->max_participants);
}

/* A cached answer showing t's registration_state is good until its window opens or
 * closes: the state changes then without any write. */
static void api_cache_window(req *r, const st_tournament *t)
{
    int64_t now = req_now(r);
    if (t->status != TSTATUS_REGISTRATION_OPEN) return;
    if (t->registration_opens_at && now < t->registration_opens_at)
        api_cache_until(r, t->registration_opens_at);
    else if (t->registration_closes_at && now < t->registration_closes_at)
        api_cache_until(r, t->registration_closes_at);
}

regstate api_regstate(req *r, const st_tournament *t)
{
    api_cache_window(r, t);
    return api_t_regstate(t, req_now(r));
}

/* A cached state is good until the clock changes it: its countdown (in seconds) and its
 * registration window (api_state_json computes the state itself). */
static void api_state_clock(req *r, const st_tournament *t)
{
    if (t->start_at > req_now(r)) api_cache_until(r, req_now(r) + 1);
    api_cache_window(r, t);
}

static void api_t_summary_fields(req *r, jw *w, const st_tournament *t)
{
    jw_kint(w, "id", t->id);
    jw_kstr(w, "slug", t->slug);
    jw_kstr(w, "name", t->name);
    jw_key(w, "game");
    jw_obj_begin(w);
    jw_kstr(w, "slug", t->game_slug);
    jw_kstr(w, "name", t->game_name);
    jw_obj_end(w);
    jw_key(w, "organizer");
    jw_obj_begin(w);
    jw_kint(w, "id", t->organizer_id);
    jw_kstr(w, "username", t->organizer_username);
    jw_kstr(w, "display_name", t->organizer_display_name);
    jw_obj_end(w);
    jw_kstr(w, "status", tstatus_name(t->status));
    jw_kstr(w, "format", t->format);
    jw_kstr(w, "participant_type", t->participant_type);
    jw_kint(w, "max_participants", t->max_participants);
    jw_kint(w, "registration_count", st_tournament_active(t));
    jw_kint(w, "entry_fee_cents", t->entry_fee_cents);
    jw_kstr(w, "currency", t->currency);
    jw_ktime(w, "start_at", t->start_at, true);
    jw_kstr(w, "registration_state", regstate_name(api_regstate(r, t)));
}

static void api_t_detail(req *r, jw *w, const st_tournament *t)
{
    jw_obj_begin(w);
    api_t_summary_fields(r, w, t);
    jw_kstr(w, "description", t->description ? t->description : "");
    jw_key(w, "format_options");
    jw_raw(w, t->format_options, strlen(t->format_options));
    jw_kbool(w, "check_in_required", t->check_in_required);
    jw_ktime(w, "registration_opens_at", t->registration_opens_at, t->registration_opens_at != 0);
    jw_ktime(w, "registration_closes_at", t->registration_closes_at,
             t->registration_closes_at != 0);
    jw_key(w, "counts");
    jw_obj_begin(w);
    jw_kint(w, "pending", t->n_pending);
    jw_kint(w, "confirmed", t->n_confirmed);
    jw_kint(w, "checked_in", t->n_checked_in);
    jw_kint(w, "cancelled", t->n_cancelled);
    jw_obj_end(w);
    jw_ktime(w, "created_at", t->created_at, true);
    jw_ktime(w, "updated_at", t->updated_at, true);
    jw_kint(w, "version", t->version);
    jw_obj_end(w);
}

void api_state_json(jw *w, const st_tournament *t, int64_t now)
{
    int64_t active = st_tournament_active(t);
    int64_t left = t->max_participants - active;
    int64_t starts_in = t->start_at - now;
    jw_obj_begin(w);
    jw_kstr(w, "slug", t->slug);
    jw_kstr(w, "status", tstatus_name(t->status));
    jw_kstr(w, "registration_state", regstate_name(api_t_regstate(t, now)));
    jw_kint(w, "registration_count", active);
    jw_kint(w, "confirmed_count", t->n_confirmed);
    jw_kint(w, "checked_in_count", t->n_checked_in);
    jw_kint(w, "max_participants", t->max_participants);
    jw_kint(w, "spots_left", left > 0 ? left : 0);
    jw_ktime(w, "start_at", t->start_at, true);
    jw_kint(w, "starts_in_seconds", starts_in > 0 ? starts_in : 0);
    jw_kint(w, "current_round", t->current_round);
    jw_kint(w, "version", t->version);
    jw_ktime(w, "updated_at", t->updated_at, true);
    jw_obj_end(w);
}

/* ---- reads ---- */

/* A text filter from the query string: valid UTF-8, printable, bounded. */
static bool api_filter(req *r, const char *key, size_t max_chars, const char **out)
{
    const char *v = req_query(r, key);
    *out = NULL;
    if (!v || !v[0]) return true;
    if (!validate_text(v, 1, max_chars)) {
        api_invalid(r, key, "%s must be 1 to %zu printable characters", key, max_chars);
        return false;
    }
    *out = v;
    return true;
}

void api_tournaments_list(req *r)
{
    store_tlist f = {0};
    const st_user *u = api_user(r);
    f.viewer_id = u ? u->id : 0;
    int limit;
    if (!api_limit(r, &limit) || !api_filter(r, "game", 64, &f.game) ||
        !api_filter(r, "status", 32, &f.status) || !api_filter(r, "organizer", 32, &f.organizer) ||
        !api_filter(r, "q", NAME_MAX_CHARS, &f.q))
        return;
    if (f.status && tstatus_parse(f.status) == TSTATUS_INVALID) {
        api_invalid(r, "status",
                    "status must be one of draft, published, registration_open, "
                    "registration_closed, live, completed, cancelled");
        return;
    }
    const char *cursor = req_query(r, "cursor");
    if (cursor && cursor[0]) {
        int64_t key[2];
        if (!cursor_decode(cursor, 't', key, 2)) {
            api_invalid(r, "cursor", "cursor is not one this list gave out");
            return;
        }
        f.has_cursor = true;
        f.after_start = key[0];
        f.after_id = key[1];
    }
    f.limit = limit + 1;
    db_conn *c = api_db(r);
    if (!c) return;
    st_tournament *items;
    int n;
    int rc = store_tournament_list(c, req_arena(r), &f, &items, &n);
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    api_cache_dep(r, DEP_CATALOG, 0); /* every change a summary shows raises the catalog */
    jw *w = req_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    int shown = n > limit ? limit : n;
    for (int i = 0; i < shown; i++) {
        jw_obj_begin(w);
        api_t_summary_fields(r, w, &items[i]);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    int64_t key[2] = {shown ? items[shown - 1].start_at : 0, shown ? items[shown - 1].id : 0};
    api_next_cursor(w, 't', n > limit, key, 2);
    jw_obj_end(w);
}

void api_tournament_get(req *r)
{
    st_tournament t;
    if (!api_tournament_load(r, &t)) return;
    api_t_detail(r, req_json(r, 200), &t);
}

void api_tournament_state(req *r)
{
    st_tournament t;
    if (!api_tournament_load(r, &t)) return;
    api_state_clock(r, &t);
    api_state_json(req_json(r, 200), &t, req_now(r));
}

/* GET .../live: only tournaments anyone may see are followed live (drafts are visible
 * to their organizer alone, and a live connection is not re-checked per message), so a
 * draft is 404 here even for its organizer (docs/API-DECISIONS.md). */
void api_tournament_live(req *r)
{
    st_tournament t;
    if (!api_tournament_load(r, &t)) return;
    if (t.status == TSTATUS_DRAFT) {
        req_error(r, 404, "not_found", NULL, "no tournament %s", t.slug);
        return;
    }
    api_live(r, t.id);
}

void api_tournament_states(req *r)
{
    const char *slugs = req_query(r, "slugs");
    if (!slugs || !slugs[0]) {
        api_invalid(r, "slugs", "slugs is required: a comma-separated list of up to %d slugs",
                    BULK_STATES_MAX);
        return;
    }
    /* Build a JSON array of the well-formed slugs; malformed ones cannot exist. */
    buf arr;
    buf_init(&arr, req_arena(r), strlen(slugs) + 16);
    buf_putc(&arr, '[');
    int count = 0, valid = 0;
    const char *p = slugs;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len > 0) {
            if (++count > BULK_STATES_MAX) {
                api_invalid(r, "slugs", "at most %d slugs", BULK_STATES_MAX);
                return;
            }
            char one[SLUG_MAX + 1];
            if (len <= SLUG_MAX) {
                memcpy(one, p, len);
                one[len] = '\0';
                if (slug_valid(one)) {
                    if (valid++) buf_putc(&arr, ',');
                    json_escape(&arr, one, len);
                }
            }
        }
        if (!comma) break;
        p = comma + 1;
    }
    buf_putc(&arr, ']');
    if (!buf_ok(&arr)) {
        req_error(r, 500, "internal", NULL, "out of memory");
        return;
    }
    st_tournament *items = NULL;
    int n = 0;
    if (valid > 0) {
        db_conn *c = api_db(r);
        if (!c) return;
        const st_user *u = api_user(r);
        int rc = store_tournament_states(c, req_arena(r), arr.data, u ? u->id : 0, &items, &n);
        if (rc != STORE_OK) {
            api_store_failed(r, rc);
            return;
        }
    }
    /* a slug not found may become visible: created or published (both catalog changes) */
    if (n < valid) api_cache_dep(r, DEP_CATALOG, 0);
    for (int i = 0; i < n; i++) api_cache_dep(r, DEP_TOURNAMENT, items[i].id);
    if (valid == 0) api_cache_unshared(r); /* nothing to depend on: do not store */
    jw *w = req_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "states");
    jw_obj_begin(w);
    for (int i = 0; i < n; i++) {
        jw_key(w, items[i].slug);
        api_state_clock(r, &items[i]);
        api_state_json(w, &items[i], req_now(r));
    }
    jw_obj_end(w);
    jw_obj_end(w);
}

/* ---- input ---- */

/* Validates format_options for a format and returns their canonical JSON (every key,
 * defaults filled in); NULL after answering 400. `opts` may be NULL (all defaults). */
static const char *api_format_options(req *r, tformat f, json_t *opts)
{
    if (opts && json_is_null(opts)) opts = NULL;
    if (opts && !json_is_object(opts)) {
        api_invalid(r, "format_options", "format_options must be an object");
        return NULL;
    }
    buf b;
    buf_init(&b, req_arena(r), 64);
    jw w;
    jw_init(&w, &b);
    jw_obj_begin(&w);
    json_t *empty = NULL;
    if (!opts) opts = empty = json_object();
    bool ok = false, flag = false;
    const char *s = NULL;
    int64_t n = 0;
    bool present = false;
    switch (f) {
    case TFORMAT_SINGLE_ELIMINATION:
        if (!api_bool(r, opts, "third_place_match", &flag, NULL)) goto out;
        jw_kbool(&w, "third_place_match", flag);
        break;
    case TFORMAT_DOUBLE_ELIMINATION:
        if (!api_str(r, opts, "grand_final", false, &s)) goto out;
        if (s && strcmp(s, "reset") != 0 && strcmp(s, "single") != 0) {
            api_invalid(r, "format_options", "grand_final must be \"reset\" or \"single\"");
            goto out;
        }
        jw_kstr(&w, "grand_final", s ? s : "reset");
        break;
    case TFORMAT_ROUND_ROBIN:
        if (!api_bool(r, opts, "double", &flag, NULL)) goto out;
        jw_kbool(&w, "double", flag);
        break;
    case TFORMAT_SWISS:
        if (!api_int(r, opts, "rounds", false, 1, 20, &n, &present)) goto out;
        if (present)
            jw_kint(&w, "rounds", n);
        else
            jw_knull(&w, "rounds");
        break;
    default:
        goto out;
    }
    jw_obj_end(&w);
    ok = jw_ok(&w);
out:
    json_decref(empty);
    if (ok) return b.data;
    return NULL;
}

/* Reads the editable fields present in the body into f (has_ flags set). For a create,
 * required fields must be there. Answers 400 and returns false on any bad field. */
static bool api_t_fields(req *r, json_t *b, bool create, store_tfields *f, tformat *fmt)
{
    bool required = create;
    /* null clears only the optional times (and description/format_options are reset) */
    static const char *const not_nullable[] = {"name",
                                               "format",
                                               "participant_type",
                                               "max_participants",
                                               "entry_fee_cents",
                                               "check_in_required",
                                               "start_at",
                                               "currency"};
    for (size_t i = 0; i < sizeof not_nullable / sizeof not_nullable[0]; i++) {
        if (json_is_null(json_object_get(b, not_nullable[i]))) {
            api_invalid(r, not_nullable[i], "%s cannot be null", not_nullable[i]);
            return false;
        }
    }
    if (!api_str(r, b, "name", required, &f->name)) return false;
    if ((f->has_name = f->name != NULL) && !validate_text(f->name, 1, NAME_MAX_CHARS)) {
        api_invalid(r, "name", "name must be 1 to %d printable characters", NAME_MAX_CHARS);
        return false;
    }
    if (!api_str(r, b, "description", false, &f->description)) return false;
    f->has_description = f->description != NULL;
    if (f->description &&
        (utf8_length(f->description, strlen(f->description)) == (size_t)-1 ||
         utf8_length(f->description, strlen(f->description)) > DESCRIPTION_MAX_CHARS)) {
        api_invalid(r, "description", "description must be valid UTF-8 of at most %d characters",
                    DESCRIPTION_MAX_CHARS);
        return false;
    }
    if (!api_str(r, b, "format", required, &f->format)) return false;
    *fmt = TFORMAT_INVALID;
    if ((f->has_format = f->format != NULL) &&
        (*fmt = tformat_parse(f->format)) == TFORMAT_INVALID) {
        api_invalid(r, "format",
                    "format must be single_elimination, double_elimination, "
                    "round_robin or swiss");
        return false;
    }
    if (!api_str(r, b, "participant_type", required, &f->participant_type)) return false;
    if ((f->has_type = f->participant_type != NULL) &&
        !participant_type_valid(f->participant_type)) {
        api_invalid(r, "participant_type", "participant_type must be solo or team");
        return false;
    }
    if (!api_int(r, b, "max_participants", required, 2, 1024, &f->max_participants, &f->has_max) ||
        !api_int(r, b, "entry_fee_cents", false, 0, FEE_MAX, &f->entry_fee_cents, &f->has_fee) ||
        !api_bool(r, b, "check_in_required", &f->check_in_required, &f->has_check_in) ||
        !api_time(r, b, "start_at", required, false, &f->start_at, &f->has_start_at) ||
        !api_time(r, b, "registration_opens_at", false, true, &f->registration_opens_at,
                  &f->has_opens) ||
        !api_time(r, b, "registration_closes_at", false, true, &f->registration_closes_at,
                  &f->has_closes))
        return false;
    if (!api_str(r, b, "currency", false, &f->currency)) return false;
    if ((f->has_currency = f->currency != NULL) && !validate_currency(f->currency)) {
        api_invalid(r, "currency", "currency must be an ISO 4217 code such as USD");
        return false;
    }
    f->has_format_options = json_object_get(b, "format_options") != NULL;
    return true;
}

/* ---- writes ---- */

static void api_t_answer_detail(req *r, const char *slug, int status)
{
    db_conn *c = api_db(r);
    if (!c) return;
    st_tournament t;
    int rc = store_tournament_by_slug(c, req_arena(r), slug, &t);
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    api_t_detail(r, req_json(r, status), &t);
}

static void api_t_created(req *r, void *arg, int rc)
{
    store_tcreate *tc = arg;
    if (rc == STORE_CONFLICT) {
        req_error(r, 409, "conflict", tc->conflict_field, "the slug %s is taken", tc->slug_out);
        return;
    }
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    api_t_answer_detail(r, tc->slug_out, 201);
}

void api_tournaments_create(req *r)
{
    const st_user *u = api_require_user(r);
    if (!u) return;
    json_t *b = api_body(r);
    if (!b) return;
    store_tcreate *tc = api_alloc(r, sizeof *tc);
    if (!tc) return;
    tformat fmt;
    const char *game;
    if (!api_t_fields(r, b, true, &tc->f, &fmt) || !api_str(r, b, "slug", false, &tc->slug) ||
        !api_str(r, b, "game", true, &game))
        return;
    if (tc->slug && !slug_valid(tc->slug)) {
        api_invalid(r, "slug", "slug must be 3 to 64 of a-z, 0-9 and -");
        return;
    }
    if (!tc->f.has_currency) tc->f.currency = "USD";
    if (tc->f.registration_opens_at && tc->f.registration_closes_at &&
        tc->f.registration_opens_at >= tc->f.registration_closes_at) {
        api_invalid(r, "registration_closes_at",
                    "registration_opens_at must be before registration_closes_at");
        return;
    }
    if (tc->f.registration_closes_at && tc->f.registration_closes_at > tc->f.start_at) {
        api_invalid(r, "registration_closes_at",
                    "registration_closes_at must not be after start_at");
        return;
    }
    tc->f.format_options = api_format_options(r, fmt, json_object_get(b, "format_options"));
    if (!tc->f.format_options) return;
    db_conn *c = api_db(r);
    if (!c) return;
    st_game g;
    int rc = store_game_by_slug(c, req_arena(r), game, &g);
    if (rc == STORE_NOT_FOUND) {
        api_invalid(r, "game", "no game with slug %s", game);
        return;
    }
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    if (strcmp(tc->f.participant_type, "team") == 0 && g.team_size < 2) {
        api_invalid(r, "participant_type", "%s is played solo (team size 1)", g.name);
        return;
    }
    tc->game_id = g.id;
    tc->organizer_id = u->id;
    tc->now = req_now(r);
    api_write(r, store_tournament_insert, tc, api_t_created);
}

typedef struct patch_job {
    store_tpatch p;
    const char *slug;
} patch_job;

static void api_t_patched(req *r, void *arg, int rc)
{
    patch_job *pj = arg;
    if (rc == STORE_CONFLICT) {
        req_error(r, 409, "conflict", pj->p.field, "%s", pj->p.message);
        return;
    }
    if (rc == STORE_INVALID) {
        api_invalid(r, pj->p.field, "%s", pj->p.message);
        return;
    }
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    api_t_answer_detail(r, pj->slug, 200);
}

void api_tournament_patch(req *r)
{
    st_tournament t;
    if (!api_t_load_managed(r, &t)) return;
    json_t *b = api_body(r);
    if (!b) return;
    patch_job *pj = api_alloc(r, sizeof *pj);
    if (!pj) return;
    store_tfields *f = &pj->p.f;
    tformat fmt;
    if (!api_t_fields(r, b, false, f, &fmt)) return;
    if (f->has_format || f->has_format_options) {
        tformat target = f->has_format ? fmt : tformat_parse(t.format);
        f->format_options = api_format_options(r, target, json_object_get(b, "format_options"));
        if (!f->format_options) return;
        f->has_format_options = true;
        pj->p.expect_format = t.format;
    }
    if (f->has_type && strcmp(f->participant_type, t.participant_type) != 0 &&
        strcmp(f->participant_type, "team") == 0) {
        db_conn *c = api_db(r);
        if (!c) return;
        st_game g;
        int rc = store_game_by_slug(c, req_arena(r), t.game_slug, &g);
        if (rc != STORE_OK) {
            api_store_failed(r, rc);
            return;
        }
        if (g.team_size < 2) {
            api_invalid(r, "participant_type", "%s is played solo (team size 1)", g.name);
            return;
        }
    }
    pj->p.id = t.id;
    pj->p.now = req_now(r);
    pj->slug = t.slug;
    api_write(r, store_tournament_patch, &pj->p, api_t_patched);
}

static void api_t_deleted(req *r, void *arg, int rc)
{
    (void)arg;
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    req_empty(r, 204);
}

void api_tournament_delete(req *r)
{
    st_tournament t;
    if (!api_t_load_managed(r, &t)) return;
    store_tdelete *d = api_alloc(r, sizeof *d);
    if (!d) return;
    d->id = t.id;
    d->now = req_now(r);
    api_write(r, store_tournament_delete, d, api_t_deleted);
}

typedef struct status_job {
    store_tstatus s;
    const char *slug;
} status_job;

static void api_t_status_done(req *r, void *arg, int rc)
{
    status_job *sj = arg;
    if (rc == STORE_INVALID_TRANSITION) {
        req_error(r, 409, "invalid_transition", "status", "cannot move from %s to %s",
                  tstatus_name(sj->s.from), tstatus_name(sj->s.to));
        return;
    }
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    api_t_answer_detail(r, sj->slug, 200);
}

void api_tournament_status(req *r)
{
    st_tournament t;
    if (!api_t_load_managed(r, &t)) return;
    json_t *b = api_body(r);
    if (!b) return;
    const char *to_name;
    if (!api_str(r, b, "status", true, &to_name)) return;
    tstatus to = tstatus_parse(to_name);
    if (to == TSTATUS_INVALID) {
        api_invalid(r, "status",
                    "status must be one of draft, published, registration_open, "
                    "registration_closed, live, completed, cancelled");
        return;
    }
    if (to == TSTATUS_LIVE) {
        api_tournament_start(r, &t);
        return;
    }
    if (to == TSTATUS_COMPLETED) {
        req_error(r, 409, "invalid_transition", "status",
                  "a tournament completes with its last result; to stop it early, cancel it");
        return;
    }
    status_job *sj = api_alloc(r, sizeof *sj);
    if (!sj) return;
    sj->s.id = t.id;
    sj->s.to = to;
    sj->s.now = req_now(r);
    sj->slug = t.slug;
    api_write(r, store_tournament_set_status, &sj->s, api_t_status_done);
}

typedef struct start_job {
    store_start s;
    const char *slug;
} start_job;

static void api_t_started(req *r, void *arg, int rc)
{
    start_job *j = arg;
    if (api_write_failed(r, rc, &j->s.why)) return;
    api_t_answer_detail(r, j->slug, 200);
}

void api_tournament_start(req *r, const st_tournament *t)
{
    start_job *j = api_alloc(r, sizeof *j);
    if (!j) return;
    j->s.tournament_id = t->id;
    j->s.now = req_now(r);
    j->slug = t->slug;
    api_write(r, store_tournament_start, &j->s, api_t_started);
}
