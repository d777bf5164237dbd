/* api.c: the route table and the helpers every handler shares (see api.h).
 *
 * Owns the router (built once, read-only while serving). Authentication is a single
 * indexed query per request that needs it (token SHA-256 -> user), cached on the request. */
#include "api/api.h"

#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/respcache.h"
#include "core/cursor.h"
#include "core/validate.h"
#include "store/store_users.h"
#include "util/timefmt.h"

typedef struct api_route {
    http_method method;
    const char *pattern;
    req_handler handler;
} api_route;

static const api_route api_routes[] = {
    {HTTP_POST, "/api/v1/users", api_users_create},
    {HTTP_POST, "/api/v1/auth/login", api_auth_login},
    {HTTP_POST, "/api/v1/auth/logout", api_auth_logout},
    {HTTP_GET, "/api/v1/me", api_me},
    {HTTP_GET, "/api/v1/games", api_games_list},
    {HTTP_POST, "/api/v1/games", api_games_create},
    {HTTP_GET, "/api/v1/games/{slug}/leaderboard", api_game_leaderboard},
    {HTTP_GET, "/api/v1/tournaments", api_tournaments_list},
    {HTTP_POST, "/api/v1/tournaments", api_tournaments_create},
    {HTTP_GET, "/api/v1/tournaments/{slug}", api_tournament_get},
    {HTTP_PATCH, "/api/v1/tournaments/{slug}", api_tournament_patch},
    {HTTP_DELETE, "/api/v1/tournaments/{slug}", api_tournament_delete},
    {HTTP_POST, "/api/v1/tournaments/{slug}/status", api_tournament_status},
    {HTTP_GET, "/api/v1/tournaments/{slug}/state", api_tournament_state},
    {HTTP_GET, "/api/v1/tournament-states", api_tournament_states},
    {HTTP_GET, "/api/v1/tournaments/{slug}/live", api_tournament_live},
    {HTTP_POST, "/api/v1/teams", api_teams_create},
    {HTTP_GET, "/api/v1/teams/{id}", api_team_get},
    {HTTP_POST, "/api/v1/teams/{id}/members", api_team_member_add},
    {HTTP_DELETE, "/api/v1/teams/{id}/members/{user_id}", api_team_member_remove},
    {HTTP_POST, "/api/v1/tournaments/{slug}/registrations", api_registrations_create},
    {HTTP_GET, "/api/v1/tournaments/{slug}/registrations", api_registrations_list},
    {HTTP_GET, "/api/v1/registrations/{id}", api_registration_get},
    {HTTP_DELETE, "/api/v1/registrations/{id}", api_registration_cancel},
    {HTTP_POST, "/api/v1/registrations/{id}/check-in", api_registration_check_in},
    {HTTP_GET, "/api/v1/me/registrations", api_me_registrations},
    {HTTP_POST, "/api/v1/registrations/{id}/payments", api_payments_create},
    {HTTP_GET, "/api/v1/tournaments/{slug}/payments", api_payments_list},
    {HTTP_POST, "/api/v1/payments/{id}/verify", api_payment_verify},
    {HTTP_POST, "/api/v1/payments/{id}/reject", api_payment_reject},
    {HTTP_GET, "/api/v1/organizer/dashboard", api_organizer_dashboard},
    {HTTP_GET, "/api/v1/tournaments/{slug}/matches", api_matches_list},
    {HTTP_GET, "/api/v1/tournaments/{slug}/bracket", api_bracket_get},
    {HTTP_GET, "/api/v1/matches/{id}", api_match_get},
    {HTTP_PUT, "/api/v1/tournaments/{slug}/seeding", api_tournament_seeding},
    {HTTP_GET, "/api/v1/tournaments/{slug}/standings", api_standings},
    {HTTP_POST, "/api/v1/matches/{id}/result", api_match_result_post},
    {HTTP_DELETE, "/api/v1/matches/{id}/result", api_match_result_delete},
    {HTTP_GET, "/healthz", api_healthz},
    {HTTP_GET, "/readyz", api_readyz},
    {HTTP_GET, "/metrics", api_metrics},
};
#define API_NROUTES ((int)(sizeof(api_routes) / sizeof(api_routes[0])))

static struct {
    router *rt;
    req_handler handlers[ROUTER_MAX_ROUTES];
    api_live_fn live;
} api;

int api_init(const api_config *cfg, char *err, size_t errlen)
{
    api.rt = router_new();
    if (!api.rt) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int i = 0; i < API_NROUTES; i++) {
        int idx = router_add(api.rt, api_routes[i].method, api_routes[i].pattern);
        if (idx != i) {
            snprintf(err, errlen, "bad route %s", api_routes[i].pattern);
            return -1;
        }
        api.handlers[i] = api_routes[i].handler;
    }
    api.live = cfg->live;
    if (api_auth_init(cfg) != 0) {
        snprintf(err, errlen, "cannot set up authentication");
        return -1;
    }
    return 0;
}

void api_shutdown(void)
{
    api_auth_shutdown();
    router_free(api.rt);
    api.rt = NULL;
}

const router *api_router(void)
{
    return api.rt;
}

const req_handler *api_handlers(void)
{
    return api.handlers;
}

void api_live(req *r, int64_t tournament_id)
{
    if (!api.live) {
        req_error(r, 503, "unavailable", NULL, "live updates are not enabled");
        return;
    }
    api.live(r, tournament_id);
}

db_conn *api_db(req *r)
{
    db_conn *c = db_reader();
    if (!c) req_error(r, 503, "unavailable", NULL, "the database is not available");
    return c;
}

/* The request's authentication state, attached with req_set_app. */
typedef struct api_auth_state {
    bool checked;
    bool ok;
    st_user user;
} api_auth_state;

const st_user *api_user(req *r)
{
    api_auth_state *s = req_app(r);
    if (s && s->checked) return s->ok ? &s->user : NULL;
    s = arena_calloc(req_arena(r), 1, sizeof *s);
    if (!s) return NULL;
    req_set_app(r, s);
    s->checked = true;
    const char *h = req_header(r, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) return NULL;
    const char *tok = h + 7;
    while (*tok == ' ') tok++;
    size_t n = strlen(tok);
    if (n < 16 || n > 128) return NULL;
    uint8_t hash[TOKEN_HASH_LEN];
    crypto_hash_sha256(hash, (const unsigned char *)tok, n);
    db_conn *c = db_reader();
    if (!c) return NULL;
    if (store_user_by_token(c, req_arena(r), hash, req_now(r), &s->user) != STORE_OK) return NULL;
    s->ok = true;
    return &s->user;
}

const st_user *api_require_user(req *r)
{
    const st_user *u = api_user(r);
    if (!u) {
        req_error(r, 401, "unauthorized", NULL, "a valid bearer token is required");
        req_add_header(r, "WWW-Authenticate", "Bearer");
    }
    return u;
}

bool api_is_admin(const st_user *u)
{
    return u && u->role && strcmp(u->role, "admin") == 0;
}

static void api_json_cleanup(void *p)
{
    json_decref(p);
}

json_t *api_body(req *r)
{
    size_t len;
    const char *body = req_body(r, &len);
    if (len == 0) {
        req_error(r, 400, "bad_request", NULL, "a JSON object body is required");
        return NULL;
    }
    json_error_t e;
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
    if (!j) {
        req_error(r, 400, "bad_request", NULL, "malformed JSON at line %d column %d: %s", e.line,
                  e.column, e.text);
        return NULL;
    }
    if (!req_on_cleanup(r, api_json_cleanup, j)) {
        json_decref(j);
        req_error(r, 500, "internal", NULL, "too many cleanups");
        return NULL;
    }
    if (!json_is_object(j)) {
        req_error(r, 400, "bad_request", NULL, "the body must be a JSON object");
        return NULL;
    }
    return j;
}

void api_invalid(req *r, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vsprintf(req_arena(r), fmt, ap);
    va_end(ap);
    req_error(r, 400, "validation_failed", field, "%s", msg ? msg : "invalid value");
}

bool api_str(req *r, json_t *o, const char *key, bool required, const char **out)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required) api_invalid(r, key, "%s is required", key);
        return !required;
    }
    if (!json_is_string(v)) {
        api_invalid(r, key, "%s must be a string", key);
        return false;
    }
    *out = json_string_value(v);
    return true;
}

bool api_int(req *r, json_t *o, const char *key, bool required, int64_t min, int64_t max,
             int64_t *out, bool *present)
{
    json_t *v = json_object_get(o, key);
    if (present) *present = false;
    if (!v || json_is_null(v)) {
        if (required) api_invalid(r, key, "%s is required", key);
        return !required;
    }
    if (!json_is_integer(v)) {
        api_invalid(r, key, "%s must be an integer", key);
        return false;
    }
    json_int_t x = json_integer_value(v);
    if (x < min || x > max) {
        api_invalid(r, key, "%s must be between %lld and %lld", key, (long long)min,
                    (long long)max);
        return false;
    }
    *out = (int64_t)x;
    if (present) *present = true;
    return true;
}

bool api_bool(req *r, json_t *o, const char *key, bool *out, bool *present)
{
    json_t *v = json_object_get(o, key);
    if (present) *present = false;
    if (!v || json_is_null(v)) return true;
    if (!json_is_boolean(v)) {
        api_invalid(r, key, "%s must be true or false", key);
        return false;
    }
    *out = json_is_true(v);
    if (present) *present = true;
    return true;
}

/* Times before 2000 or after 9999 are refused: 0 means "unset" in the store. */
#define API_TIME_MIN 946684800LL

bool api_time(req *r, json_t *o, const char *key, bool required, bool nullable, int64_t *out,
              bool *present)
{
    json_t *v = json_object_get(o, key);
    if (present) *present = false;
    if (!v) {
        if (required) api_invalid(r, key, "%s is required", key);
        return !required;
    }
    if (json_is_null(v)) {
        if (required || !nullable) {
            api_invalid(r, key, "%s must be an RFC 3339 time", key);
            return false;
        }
        *out = 0;
        if (present) *present = true;
        return true;
    }
    int64_t t;
    if (!json_is_string(v) || !time_parse(json_string_value(v), json_string_length(v), &t) ||
        t < API_TIME_MIN) {
        api_invalid(r, key, "%s must be an RFC 3339 time such as 2026-11-22T16:30:00Z", key);
        return false;
    }
    *out = t;
    if (present) *present = true;
    return true;
}

bool api_limit(req *r, int *out)
{
    const char *s = req_query(r, "limit");
    *out = 20;
    if (!s) return true;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (s[0] == '\0' || *end || (errno && errno != ERANGE) || (errno == ERANGE && v < 0) ||
        v <= 0) {
        api_invalid(r, "limit", "limit must be a positive integer");
        return false;
    }
    *out = v > 100 ? 100 : (int)v;
    return true;
}

typedef struct api_job {
    wjob job;
    req *r;
    api_then then;
} api_job;

static void api_job_done(wjob *j)
{
    api_job *aj = j->done_arg;
    req_resume(aj->r);
}

static void api_job_then(req *r, void *arg)
{
    api_job *aj = arg;
    aj->then(r, aj->job.arg, aj->job.rc);
}

void api_write(req *r, wjob_run_fn run, void *arg, api_then then)
{
    api_job *aj = api_alloc(r, sizeof *aj);
    if (!aj) return;
    aj->job.run = run;
    aj->job.arg = arg;
    aj->job.done = api_job_done;
    aj->job.done_arg = aj;
    aj->r = r;
    aj->then = then;
    /* end this thread's read snapshot: the answer, read after the commit, must see it */
    db_conn *c = db_reader();
    if (c) req_add_queries(r, db_take_queries(c));
    req_suspend(r, api_job_then, aj);
    writer_submit(&aj->job);
}

void *api_alloc(req *r, size_t size)
{
    void *p = arena_calloc(req_arena(r), 1, size);
    if (!p) req_error(r, 500, "internal", NULL, "out of memory");
    return p;
}

bool api_write_failed(req *r, int rc, const store_refusal *why)
{
    if (rc == STORE_OK) return false;
    if ((rc == STORE_CONFLICT || rc == STORE_INVALID) && why)
        api_refused(r, why);
    else
        api_store_failed(r, rc);
    return true;
}

void api_store_failed(req *r, int rc)
{
    switch (rc) {
    case STORE_NOT_FOUND:
        req_error(r, 404, "not_found", NULL, "no such resource");
        break;
    case STORE_UNAVAILABLE:
        req_error(r, 503, "unavailable", NULL, "the server is shutting down");
        break;
    default:
        req_error(r, 500, "internal", NULL, "the database failed; nothing was changed");
        break;
    }
}

bool api_id_param(req *r, int i, int64_t *out)
{
    const char *s = req_param(r, i);
    int64_t v = 0;
    bool ok = s && s[0] >= '1' && s[0] <= '9' && strlen(s) <= 18;
    for (const char *p = s; ok && *p; p++) {
        if (*p < '0' || *p > '9') ok = false;
        v = v * 10 + (*p - '0');
    }
    if (!ok) {
        req_error(r, 404, "not_found", NULL, "no such resource");
        return false;
    }
    *out = v;
    return true;
}

void api_refused(req *r, const store_refusal *why)
{
    const char *code = why->code ? why->code : "conflict";
    int status = strcmp(code, "validation_failed") == 0 ? 400
                 : strcmp(code, "forbidden") == 0       ? 403
                                                        : 409;
    req_error(r, status, code, why->field, "%s", why->message ? why->message : code);
}

bool api_status_filter(req *r, const char *const *allowed, const char *key, const char **out)
{
    const char *v = req_query(r, key);
    *out = NULL;
    if (!v || !v[0]) return true;
    for (int i = 0; allowed[i]; i++) {
        if (strcmp(v, allowed[i]) == 0) {
            *out = allowed[i];
            return true;
        }
    }
    api_invalid(r, key, "%s is not one of the values this list knows", key);
    return false;
}

bool api_id_cursor(req *r, char kind, int64_t *after)
{
    const char *cursor = req_query(r, "cursor");
    *after = 0;
    if (!cursor || !cursor[0]) return true;
    int64_t v;
    if (!cursor_decode(cursor, kind, &v, 1) || v < 0) {
        api_invalid(r, "cursor", "cursor is not one this list gave out");
        return false;
    }
    *after = v;
    return true;
}

void api_next_id_cursor(jw *w, char kind, bool more, int64_t last_id)
{
    if (!more) {
        jw_knull(w, "next_cursor");
        return;
    }
    char next[CURSOR_MAX_LEN + 1];
    cursor_encode(kind, &last_id, 1, next);
    jw_kstr(w, "next_cursor", next);
}

bool api_cached(req *r, const char *key, uint64_t version)
{
    size_t len;
    const char *body = respcache_get(key, version, &len);
    if (!body) return false;
    buf *b = req_body_out(r, 200, "application/json");
    buf_append(b, body, len);
    return true;
}

void api_cache_keep(req *r, const char *key, uint64_t version)
{
    const char *body;
    size_t len;
    if (req_response(r, &body, &len) == 200 && len > 0) respcache_put(key, version, body, len);
}

void api_user_json(jw *w, const st_user *u, bool with_email)
{
    jw_obj_begin(w);
    jw_kint(w, "id", u->id);
    jw_kstr(w, "username", u->username);
    jw_kstr(w, "display_name", u->display_name);
    jw_kstr(w, "role", u->role);
    jw_ktime(w, "created_at", u->created_at, true);
    if (with_email) jw_kstr(w, "email", u->email);
    jw_obj_end(w);
}
