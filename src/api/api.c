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
#include "cache/versions.h"
#include "core/cursor.h"
#include "core/validate.h"
#include "store/store_users.h"
#include "util/etag.h"
#include "util/timefmt.h"
#include "web/pages.h"

/* Who may share a cached answer of a route (see api_cache_run). */
typedef enum {
    CACHE_NONE,          /* not cached */
    CACHE_PUBLIC,        /* the same for every caller */
    CACHE_USER_IF_TOKEN, /* the same for every anonymous caller; per user with a token */
    CACHE_USER,          /* per signed-in user */
} cache_policy;

typedef struct api_route {
    http_method method;
    const char *pattern;
    req_handler handler;
    cache_policy cache;
    rc_kind kind;
} api_route;

#define NO_CACHE CACHE_NONE, RC__KINDS

static const api_route api_routes[] = {
    {HTTP_POST, "/api/v1/users", api_users_create, NO_CACHE},
    {HTTP_POST, "/api/v1/auth/login", api_auth_login, NO_CACHE},
    {HTTP_POST, "/api/v1/auth/logout", api_auth_logout, NO_CACHE},
    {HTTP_GET, "/api/v1/me", api_me, NO_CACHE},
    {HTTP_GET, "/api/v1/games", api_games_list, CACHE_PUBLIC, RC_GAMES},
    {HTTP_POST, "/api/v1/games", api_games_create, NO_CACHE},
    {HTTP_GET, "/api/v1/games/{slug}/leaderboard", api_game_leaderboard, CACHE_PUBLIC,
     RC_LEADERBOARD},
    {HTTP_GET, "/api/v1/tournaments", api_tournaments_list, CACHE_USER_IF_TOKEN, RC_LIST},
    {HTTP_POST, "/api/v1/tournaments", api_tournaments_create, NO_CACHE},
    {HTTP_GET, "/api/v1/tournaments/{slug}", api_tournament_get, CACHE_PUBLIC, RC_DETAIL},
    {HTTP_PATCH, "/api/v1/tournaments/{slug}", api_tournament_patch, NO_CACHE},
    {HTTP_DELETE, "/api/v1/tournaments/{slug}", api_tournament_delete, NO_CACHE},
    {HTTP_POST, "/api/v1/tournaments/{slug}/status", api_tournament_status, NO_CACHE},
    {HTTP_GET, "/api/v1/tournaments/{slug}/state", api_tournament_state, CACHE_PUBLIC, RC_STATE},
    {HTTP_GET, "/api/v1/tournament-states", api_tournament_states, CACHE_USER_IF_TOKEN, RC_STATES},
    {HTTP_GET, "/api/v1/tournaments/{slug}/live", api_tournament_live, NO_CACHE},
    {HTTP_POST, "/api/v1/teams", api_teams_create, NO_CACHE},
    {HTTP_GET, "/api/v1/teams/{id}", api_team_get, NO_CACHE},
    {HTTP_POST, "/api/v1/teams/{id}/members", api_team_member_add, NO_CACHE},
    {HTTP_DELETE, "/api/v1/teams/{id}/members/{user_id}", api_team_member_remove, NO_CACHE},
    {HTTP_POST, "/api/v1/tournaments/{slug}/registrations", api_registrations_create, NO_CACHE},
    {HTTP_GET, "/api/v1/tournaments/{slug}/registrations", api_registrations_list, CACHE_PUBLIC,
     RC_REGISTRATIONS},
    {HTTP_GET, "/api/v1/registrations/{id}", api_registration_get, NO_CACHE},
    {HTTP_DELETE, "/api/v1/registrations/{id}", api_registration_cancel, NO_CACHE},
    {HTTP_POST, "/api/v1/registrations/{id}/check-in", api_registration_check_in, NO_CACHE},
    {HTTP_GET, "/api/v1/me/registrations", api_me_registrations, CACHE_USER, RC_PLAYER_DASHBOARD},
    {HTTP_POST, "/api/v1/registrations/{id}/payments", api_payments_create, NO_CACHE},
    {HTTP_GET, "/api/v1/tournaments/{slug}/payments", api_payments_list, CACHE_USER, RC_PAYMENTS},
    {HTTP_POST, "/api/v1/payments/{id}/verify", api_payment_verify, NO_CACHE},
    {HTTP_POST, "/api/v1/payments/{id}/reject", api_payment_reject, NO_CACHE},
    {HTTP_GET, "/api/v1/organizer/dashboard", api_organizer_dashboard, CACHE_USER,
     RC_ORGANIZER_DASHBOARD},
    {HTTP_GET, "/api/v1/tournaments/{slug}/matches", api_matches_list, CACHE_PUBLIC, RC_MATCHES},
    {HTTP_GET, "/api/v1/tournaments/{slug}/bracket", api_bracket_get, CACHE_PUBLIC, RC_BRACKET},
    {HTTP_GET, "/api/v1/matches/{id}", api_match_get, CACHE_PUBLIC, RC_MATCH},
    {HTTP_PUT, "/api/v1/tournaments/{slug}/seeding", api_tournament_seeding, NO_CACHE},
    {HTTP_GET, "/api/v1/tournaments/{slug}/standings", api_standings, CACHE_PUBLIC, RC_STANDINGS},
    {HTTP_POST, "/api/v1/matches/{id}/result", api_match_result_post, NO_CACHE},
    {HTTP_DELETE, "/api/v1/matches/{id}/result", api_match_result_delete, NO_CACHE},
    {HTTP_GET, "/healthz", api_healthz, NO_CACHE},
    /* web pages (src/web/pages.c) */
    {HTTP_GET, "/", pages_hub, CACHE_PUBLIC, RC_PAGE},
    {HTTP_GET, "/t/{slug}", pages_tournament, CACHE_PUBLIC, RC_PAGE},
    {HTTP_GET, "/games/{slug}/leaderboard", pages_leaderboard, CACHE_PUBLIC, RC_PAGE},
    {HTTP_GET, "/static/{name}", pages_static, NO_CACHE},
    {HTTP_GET, "/readyz", api_readyz, NO_CACHE},
    {HTTP_GET, "/metrics", api_metrics, NO_CACHE},
};
#define API_NROUTES ((int)(sizeof(api_routes) / sizeof(api_routes[0])))

/* What the api layer keeps per request (attached with req_set_app): the signed-in user,
 * looked up at most once, and the response cache's bookkeeping for this answer. */
typedef struct api_reqstate {
    bool checked;
    bool ok;
    st_user user;
    /* cache */
    bool caching;   /* a cacheable route: the handler's deps are collected */
    bool has_slot;  /* our placeholder is in the cache: put or abandon it */
    bool per_user;  /* the key names the user: not shared */
    bool unshared;  /* the handler said the answer may differ per caller */
    bool deps_lost; /* a dependency could not be recorded: never store this answer */
    rc_kind kind;
    const char *key;
    uint64_t epoch0;
    int64_t expires;
    dep *deps;
    int ndeps, deps_cap;
} api_reqstate;

static api_reqstate *api_state(req *r)
{
    api_reqstate *s = req_app(r);
    if (s) return s;
    s = arena_calloc(req_arena(r), 1, sizeof *s);
    if (s) req_set_app(r, s);
    return s;
}

/* ---- the response cache around cacheable routes ---- */

/* Does Accept-Encoding take gzip (a "gzip" or "*" coding whose q is not 0)? */
static bool api_accepts_gzip(req *r)
{
    const char *h = req_header(r, "Accept-Encoding");
    while (h && *h) {
        while (*h == ' ' || *h == ',') h++;
        const char *end = h;
        while (*end && *end != ',') end++;
        size_t n = 0;
        while (h + n < end && h[n] != ';' && h[n] != ' ') n++;
        bool named = (n == 4 && strncasecmp(h, "gzip", 4) == 0) || (n == 1 && h[0] == '*');
        if (named) {
            const char *q = strstr(h, "q=");
            bool zero = q && q < end && strtod(q + 2, NULL) <= 0.0;
            return !zero;
        }
        h = end;
    }
    return false;
}

/* The cache key: an optional user prefix, the path, and the query arguments sorted and
 * length-prefixed (so no two different queries spell the same key). NULL on OOM or
 * when there are too many arguments to be worth caching. */
static const char *api_cache_key(req *r, int64_t user_id)
{
    enum { MAXQ = 16 };
    const char *k[MAXQ], *v[MAXQ];
    size_t n = req_query_all(r, k, v, MAXQ);
    if (n > MAXQ) return NULL;
    /* a stable insertion sort by name only: a repeated argument keeps its arrival order,
     * since handlers read its first value (?status=a&status=b is not ?status=b&status=a) */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0; j--) {
            if (strcmp(k[j - 1], k[j]) <= 0) break;
            const char *t = k[j];
            k[j] = k[j - 1];
            k[j - 1] = t;
            t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    /* "[u<id>|]<path>{|<len>:<name>=<len or -1>:<value>}": appended by hand, since
     * snprintf was a tenth of a cached answer's CPU */
    buf b;
    buf_init(&b, req_arena(r), 128);
    if (user_id) {
        buf_putc(&b, 'u');
        buf_put_i64(&b, user_id);
        buf_putc(&b, '|');
    }
    buf_puts(&b, req_path(r));
    for (size_t i = 0; i < n; i++) {
        size_t kl = strlen(k[i]);
        buf_putc(&b, '|');
        buf_put_u64(&b, kl);
        buf_putc(&b, ':');
        buf_append(&b, k[i], kl);
        buf_putc(&b, '=');
        if (v[i]) {
            size_t vl = strlen(v[i]);
            buf_put_u64(&b, vl);
            buf_putc(&b, ':');
            buf_append(&b, v[i], vl);
        } else {
            buf_puts(&b, "-1:");
        }
    }
    return buf_ok(&b) ? b.data : NULL;
}

/* Headers every cacheable answer carries: shared caches may hold public answers for a
 * second (a CDN in front absorbs polling); per-user answers are private. */
static void api_cache_headers(req *r, bool shared)
{
    req_add_header(r, "Cache-Control",
                   shared ? "public, max-age=0, s-maxage=1" : "private, no-cache");
    req_add_header(r, "Vary", "Accept-Encoding, Authorization");
}

/* gzip-encodes body into gz (in the request's arena); false when it cannot. */
static bool api_gzip(req *r, const char *body, size_t len, buf *gz)
{
    buf_init(gz, req_arena(r), len / 2 + 64);
    return buf_ok(gz) && respcache_gzip(body, len, gz);
}

/* Answers with gz, the gzip encoding of the body tagged plain_etag. */
static void api_send_gzip(req *r, const buf *gz, const char *plain_etag)
{
    char tag[ETAG_MAX];
    etag_variant(plain_etag, "gz", tag);
    req_set_body(r, gz);
    req_set_etag(r, tag);
    req_add_header(r, "Content-Encoding", "gzip");
}

/* After the handler: store a shareable 200 and serve it (gzip when taken), or drop the
 * placeholder. */
static void api_cache_finish(req *r, api_reqstate *s, bool gzip)
{
    const char *body;
    size_t len;
    int status = req_response(r, &body, &len);
    bool ok =
        status == 200 && len > 0 && s->ndeps > 0 && !s->deps_lost && (s->per_user || !s->unshared);
    if (!ok) {
        if (s->has_slot) respcache_abandon(s->key);
        if (status == 200) api_cache_headers(r, false);
        return;
    }
    char etag[ETAG_MAX];
    etag_of(body, len, NULL, etag);
    buf gz = {0};
    bool have_gz = gzip && len > RESPCACHE_GZIP_MIN && api_gzip(r, body, len, &gz);
    if (s->has_slot)
        respcache_put(s->kind, s->key, s->deps, s->ndeps, s->expires, s->epoch0, body, len, etag,
                      have_gz ? gz.data : NULL, have_gz ? gz.len : 0);
    if (have_gz)
        api_send_gzip(r, &gz, etag);
    else
        req_set_etag(r, etag);
    api_cache_headers(r, !s->per_user);
}

static void api_cache_cleanup(void *p)
{
    api_reqstate *s = p;
    if (s->has_slot) respcache_abandon(s->key); /* the request ended without finishing */
    s->has_slot = false;
}

static void api_cache_run(req *r)
{
    const api_route *rt = &api_routes[req_route(r)];
    api_reqstate *s = api_state(r);
    if (!s) {
        req_error(r, 500, "internal", NULL, "out of memory");
        return;
    }
    /* before any query of this request: see cache/versions.h */
    s->epoch0 = versions_epoch();
    s->kind = rt->kind;
    int64_t uid = 0;
    if (rt->cache == CACHE_USER ||
        (rt->cache == CACHE_USER_IF_TOKEN && req_header(r, "Authorization"))) {
        const st_user *u = api_user(r);
        if (u) uid = u->id;
        if (!u && rt->cache == CACHE_USER) {
            rt->handler(r); /* answers 401 */
            return;
        }
    }
    s->per_user = uid != 0;
    s->key = api_cache_key(r, uid);
    if (!s->key) {
        rt->handler(r);
        return;
    }
    bool gzip = api_accepts_gzip(r);
    bool page = rt->kind == RC_PAGE;
    buf *out = req_body_out(r, 200, page ? "text/html; charset=utf-8" : "application/json");
    rc_answer ans;
    switch (respcache_get(rt->kind, s->key, req_now(r), req_header(r, "If-None-Match"), gzip, out,
                          &ans)) {
    case RC_NOT_MODIFIED:
        req_empty(r, 304);
        req_set_etag(r, ans.etag);
        api_cache_headers(r, !s->per_user);
        return;
    case RC_HIT: {
        buf gz;
        if (ans.want_gzip_copy && api_gzip(r, out->data, out->len, &gz)) {
            respcache_attach_gzip(s->key, ans.serial, gz.data, gz.len);
            api_send_gzip(r, &gz, ans.etag); /* ans.etag: the plain body's tag */
        } else {
            if (ans.gzip) req_add_header(r, "Content-Encoding", "gzip");
            req_set_etag(r, ans.etag);
        }
        api_cache_headers(r, !s->per_user);
        if (page) pages_headers(r);
        return;
    }
    case RC_MISS:
        s->has_slot = true;
        if (!req_on_cleanup(r, api_cache_cleanup, s)) {
            respcache_abandon(s->key);
            s->has_slot = false;
        }
        break;
    case RC_MISS_NO_SLOT:
        break;
    }
    req_empty(r, 0);
    s->caching = true;
    respcache_note_build(rt->kind);
    rt->handler(r);
    api_cache_finish(r, s, gzip);
    s->has_slot = false;
}

void api_cache_dep(req *r, dep_kind kind, int64_t id)
{
    api_reqstate *s = req_app(r);
    if (!s || !s->caching) return;
    if (!s->deps) s->deps_cap = 8;
    dep *deps = arena_reserve(req_arena(r), s->deps, s->ndeps, &s->deps_cap, sizeof *deps);
    if (!deps) {
        s->deps_lost = true;
        return;
    }
    s->deps = deps;
    s->deps[s->ndeps++] = versions_dep(kind, id);
}

void api_cache_until(req *r, int64_t t)
{
    api_reqstate *s = req_app(r);
    if (s && s->caching && (s->expires == 0 || t < s->expires)) s->expires = t;
}

void api_cache_unshared(req *r)
{
    api_reqstate *s = req_app(r);
    if (s) s->unshared = true;
}

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
        api.handlers[i] = api_routes[i].cache == CACHE_NONE ? api_routes[i].handler : api_cache_run;
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

const st_user *api_user(req *r)
{
    api_reqstate *s = api_state(r);
    if (!s) return NULL;
    if (s->checked) return s->ok ? &s->user : NULL;
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

void api_next_cursor(jw *w, char kind, bool more, const int64_t *key, int n)
{
    if (!more) {
        jw_knull(w, "next_cursor");
        return;
    }
    char next[CURSOR_MAX_LEN + 1];
    cursor_encode(kind, key, n, next);
    jw_kstr(w, "next_cursor", next);
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
