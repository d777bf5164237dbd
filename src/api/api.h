/* api.h: what the resource handlers share: the route table, authentication, JSON body
 * parsing with field-level errors, handing writes to the writer, and mapping store
 * results to HTTP answers. Each resource lives in its own api_*.c file. */
#ifndef TOURNEYD_API_H
#define TOURNEYD_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cache/versions.h"
#include "http/request.h"
#include "http/router.h"
#include "store/store.h"
#include "store/writer.h"

/* Takes a subscription to a tournament's live updates over from its handler (which has
 * found the tournament and checked that anyone may see it): checks the WebSocket
 * handshake and answers 101 or an error. Provided by the live module, wired by main. */
typedef void (*api_live_fn)(req *r, int64_t tournament_id);

typedef struct api_config {
    unsigned login_per_minute;
    unsigned token_days;
    api_live_fn live; /* NULL: the live endpoint answers 503 */
} api_config;

/* Builds the route table; call once before serving. */
int api_init(const api_config *cfg, char *err, size_t errlen);
void api_shutdown(void);
const router *api_router(void);
const req_handler *api_handlers(void);

/* ---- helpers for handlers ---- */

/* The thread's read connection; answers 503 and returns NULL when it cannot be had. */
db_conn *api_db(req *r);
/* The signed-in user (cached for the request), or NULL when there is no valid token. */
const st_user *api_user(req *r);
/* Like api_user but answers 401 when there is none. */
const st_user *api_require_user(req *r);
bool api_is_admin(const st_user *u);
/* The body as a JSON object; answers 400 and returns NULL otherwise. */
json_t *api_body(req *r);

/* Field readers: true when the field is fine (absent optional fields included: then
 * *present is false); false after answering 400 validation_failed naming the field. */
bool api_str(req *r, json_t *o, const char *key, bool required, const char **out);
bool api_int(req *r, json_t *o, const char *key, bool required, int64_t min, int64_t max,
             int64_t *out, bool *present);
bool api_bool(req *r, json_t *o, const char *key, bool *out, bool *present);
/* An RFC 3339 time; with nullable, JSON null gives *out = 0 and *present = true. */
bool api_time(req *r, json_t *o, const char *key, bool required, bool nullable, int64_t *out,
              bool *present);
void api_invalid(req *r, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The `limit` query parameter: default 20, clamped to 100, 0/negative/garbage -> 400. */
bool api_limit(req *r, int *out);

/* Hands run(arg) to the writer; when it is committed, then(r, arg, rc) answers. */
typedef void (*api_then)(req *r, void *arg, int rc);
void api_write(req *r, wjob_run_fn run, void *arg, api_then then);
/* Zeroed memory from the request's arena; answers 500 and returns NULL when there is none. */
void *api_alloc(req *r, size_t size);
/* For a write's `then`: answers a refused or failed write (the refusal's own code, or
 * api_store_failed) and returns true; false when rc is STORE_OK. */
bool api_write_failed(req *r, int rc, const store_refusal *why);
/* Answers a store failure: NOT_FOUND 404, UNAVAILABLE 503, everything else 500. */
void api_store_failed(req *r, int rc);

/* Path parameter i as a positive id; answers 404 and returns false otherwise. */
bool api_id_param(req *r, int i, int64_t *out);
/* Loads the tournament of path parameter 0 ({slug}); answers 404 unless the caller may
 * see it (drafts: organizer and admins). */
bool api_tournament_load(req *r, st_tournament *t);
/* True when u organizes t or is an admin. */
bool api_tournament_manager(const st_tournament *t, const st_user *u);
/* A refused write: its code becomes the error code (409, or 400 for
 * validation_failed, 403 for forbidden). */
void api_refused(req *r, const store_refusal *why);
/* An optional enumerated filter of a list (query parameter `key`), checked against the
 * allowed values (NULL-ended); 400 naming the parameter otherwise. */
bool api_status_filter(req *r, const char *const *allowed, const char *key, const char **out);
/* The `cursor` of an id-keyed list: *after stays 0 without one. */
bool api_id_cursor(req *r, char kind, int64_t *after);
/* Writes "next_cursor": null when there is no `more`, else the cursor of kind carrying
 * the sort key key[0..n) of the page's last item (n is 1..CURSOR_MAX_VALS). */
void api_next_cursor(jw *w, char kind, bool more, const int64_t *key, int n);

/* The response cache (cache/respcache.h). Routes marked cacheable in the route table
 * are looked up before their handler runs; on a miss the handler builds the answer as
 * usual and declares what it shows with api_cache_dep (after or while reading it); a
 * 200 with at least one dependency is then stored, and served until one of them changes.
 * api_cache_unshared: this answer depends on who asks (e.g. a draft shown to its
 * organizer) and must not be served to anyone else. Both are no-ops elsewhere. */
void api_cache_dep(req *r, dep_kind kind, int64_t id);
void api_cache_unshared(req *r);
/* The answer shows time (a window that opens or closes at t, a countdown): it may be
 * served until second t at the latest. */
void api_cache_until(req *r, int64_t t);
/* The tournament's registration_state now (and, for a cached answer, the second it
 * changes by itself: the window opening or closing). */
regstate api_regstate(req *r, const st_tournament *t);

/* Hands a live subscription to the configured api_live_fn (503 without one). */
void api_live(req *r, int64_t tournament_id);

/* JSON shapes shared by several resources. */
void api_user_json(jw *w, const st_user *u, bool with_email);
/* The state of a tournament as of `now` (API.md: the body of GET .../state): the one
 * writer of that shape, used by the HTTP handlers and, through main, by live updates. */
void api_state_json(jw *w, const st_tournament *t, int64_t now);
/* One match (the body of GET /api/v1/matches/{id}), likewise shared with live updates. */
void api_match_json(jw *w, const st_match *m);

/* Handlers, by file. */
void api_users_create(req *r);
void api_auth_login(req *r);
void api_auth_logout(req *r);
void api_me(req *r);
void api_games_list(req *r);
void api_games_create(req *r);
void api_game_leaderboard(req *r);
void api_tournaments_list(req *r);
void api_tournaments_create(req *r);
void api_tournament_get(req *r);
void api_tournament_patch(req *r);
void api_tournament_delete(req *r);
void api_tournament_status(req *r);
void api_tournament_state(req *r);
void api_tournament_states(req *r);
void api_tournament_live(req *r);
void api_teams_create(req *r);
void api_team_get(req *r);
void api_team_member_add(req *r);
void api_team_member_remove(req *r);
void api_registrations_create(req *r);
void api_registrations_list(req *r);
void api_registration_get(req *r);
void api_registration_cancel(req *r);
void api_registration_check_in(req *r);
void api_me_registrations(req *r);
void api_payments_create(req *r);
void api_payments_list(req *r);
void api_payment_verify(req *r);
void api_payment_reject(req *r);
void api_organizer_dashboard(req *r);
/* The move to live: seeds, generates and stores the bracket, answers the detail. */
void api_tournament_start(req *r, const st_tournament *t);
void api_tournament_seeding(req *r);
void api_standings(req *r);
void api_match_result_post(req *r);
void api_match_result_delete(req *r);
void api_matches_list(req *r);
void api_match_get(req *r);
void api_bracket_get(req *r);
void api_healthz(req *r);
void api_readyz(req *r);
/* /readyz answers 503 ("starting") until this is called with true (after the cache
 * was warmed); false again while stopping. */
void api_set_ready(bool ready);
void api_metrics(req *r);

/* Login limiter (owned by api_auth.c). */
int api_auth_init(const api_config *cfg);
void api_auth_shutdown(void);

#endif
