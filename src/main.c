/* main.c: the tourneyd command line: serve, migrate, seed, user.
 *
 * Wires the layers together (store -> writer -> live -> api -> http: the writer's
 * listener and the live route's hook are set here) and owns process-level concerns:
 * flags, signals, start-up checks and the orderly shutdown of SIGTERM/SIGINT (stop
 * accepting, close live connections, finish in-flight requests, drain the writer, close
 * the database). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "cache/respcache.h"
#include "cache/versions.h"
#include "jobs/warmup.h"
#include "core/validate.h"
#include "http/server.h"
#include "jobs/leaderboard.h"
#include "live/live.h"
#include "obs/log.h"
#include "obs/metrics.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/seed.h"
#include "store/store_payments.h"
#include "store/store_standings.h"
#include "store/store_tournaments.h"
#include "store/store_users.h"
#include "store/writer.h"
#include "util/opts.h"
#include "util/password.h"
#include "util/timefmt.h"

#define DEFAULT_DB    "./data/tourneyd.db"
#define DEMO_PASSWORD "demo-password"

static const char *db_path = DEFAULT_DB;
static const char *log_level_name = "info";

static int apply_log_level(void)
{
    log_level lvl;
    if (!log_level_parse(log_level_name, &lvl)) {
        fprintf(stderr, "log level must be debug, info, warn or error\n");
        return -1;
    }
    log_set_level(lvl);
    return 0;
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ---- serve ---- */

static unsigned take_queries(void)
{
    db_conn *c = db_reader();
    return c ? db_take_queries(c) : 0;
}

/* Builds the state of every live and registration-open tournament into the response
 * cache (jobs/warmup.c) before /readyz says ready. A failure only costs cold misses. */
static void serve_warm_cache(server *srv, const char *listen)
{
    uint64_t t0 = time_mono_ns();
    char err[256];
    db_conn *c = db_open(db_path, true, err, sizeof err);
    arena *a = arena_new(64 * 1024);
    const char **slugs = NULL;
    int n = 0, ok = -1;
    if (c && a && store_tournament_hot_slugs(c, a, 20000, &slugs, &n) == STORE_OK) {
        const char **paths = arena_alloc(a, sizeof(char *) * (size_t)(n ? n : 1));
        for (int i = 0; paths && i < n; i++)
            paths[i] = arena_sprintf(a, "/api/v1/tournaments/%s/state", slugs[i]);
        /* a commit during a pass (the leaderboard job's first snapshot, at start) makes the
         * cache drop the answers built across it: go again until a pass saw none */
        unsigned port = server_port(srv);
        for (int pass = 0; paths && pass < 3; pass++) {
            uint64_t epoch = versions_epoch();
            ok = warmup_run(listen, port, paths, n, err, sizeof err);
            if (ok < 0 || versions_epoch() == epoch) break;
        }
    } else {
        snprintf(err, sizeof err, "cannot read the tournaments to warm");
    }
    if (ok < 0)
        LOG_EMIT(LOG_WARN, "cache warm-up failed", LOG_STR("error", err));
    else
        LOG_EMIT(LOG_INFO, "cache warmed", LOG_INT("tournaments", n), LOG_INT("states", ok),
                 LOG_DBL("ms", (double)(time_mono_ns() - t0) / 1e6));
    arena_free(a);
    db_close(c);
}

static int cmd_serve(int argc, char **argv)
{
    const char *listen = "127.0.0.1:8080";
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cores > 0 ? (unsigned)cores : 2, slow_ms = 100, login_rate = 20,
             max_conns = 10000, idle = 60, token_days = 30, lb_interval = 60, cache_mb = 32,
             ws_max = 10000, ws_ping = 30, ws_send_kb = 1024, ws_close_ms = 2000,
             ws_threads = threads;
    bool migrate = false;
    opt opts[] = {
        {"db", "TOURNEYD_DB", OPT_STR, &db_path, "PATH", "SQLite database file", 0, 0},
        {"listen", "TOURNEYD_LISTEN", OPT_STR, &listen, "ADDR:PORT",
         "address to serve on (default 127.0.0.1:8080)", 0, 0},
        {"threads", "TOURNEYD_THREADS", OPT_UINT, &threads, "N",
         "io threads (default: the number of cores)", 1, 256},
        {"slow-ms", "TOURNEYD_SLOW_MS", OPT_UINT, &slow_ms, "MS",
         "log a warning for requests slower than this (default 100)", 0, 3600000},
        {"log-level", "TOURNEYD_LOG_LEVEL", OPT_STR, &log_level_name, "LEVEL",
         "debug, info, warn or error (default info)", 0, 0},
        {"migrate", "TOURNEYD_MIGRATE", OPT_FLAG, &migrate, NULL,
         "create or migrate the database schema before serving", 0, 0},
        {"login-rate", "TOURNEYD_LOGIN_RATE", OPT_UINT, &login_rate, "N",
         "login attempts per minute per client address (default 20)", 1, 1000000},
        {"max-connections", "TOURNEYD_MAX_CONNECTIONS", OPT_UINT, &max_conns, "N",
         "open connections at most (default 10000)", 1, 1000000},
        {"idle-timeout", "TOURNEYD_IDLE_TIMEOUT", OPT_UINT, &idle, "S",
         "close idle connections after S seconds (default 60)", 1, 86400},
        {"token-days", "TOURNEYD_TOKEN_DAYS", OPT_UINT, &token_days, "DAYS",
         "login tokens expire after DAYS (default 30)", 1, 3650},
        {"cache-mb", "TOURNEYD_CACHE_MB", OPT_UINT, &cache_mb, "MB",
         "response cache size in MiB, shared by the io threads (default 32; 0 = off)", 0, 65536},
        {"ws-threads", "TOURNEYD_WS_THREADS", OPT_UINT, &ws_threads, "N",
         "live threads that write to WebSocket subscribers (default: the number of cores)", 1, 64},
        {"ws-max", "TOURNEYD_WS_MAX", OPT_UINT, &ws_max, "N",
         "live (WebSocket) connections at most; more get 503 (default 10000)", 1, 1000000},
        {"ws-ping", "TOURNEYD_WS_PING", OPT_UINT, &ws_ping, "S",
         "ping live connections every S seconds and close those silent for S more (default 30)", 1,
         3600},
        {"ws-send-limit", "TOURNEYD_WS_SEND_LIMIT", OPT_UINT, &ws_send_kb, "KIB",
         "close a live connection (1008) once this much is queued for it (default 1024)", 1,
         1048576},
        {"ws-close-wait", "TOURNEYD_WS_CLOSE_WAIT", OPT_UINT, &ws_close_ms, "MS",
         "how long a WebSocket closing handshake may take, at shutdown too (default 2000)", 10,
         60000},
        {"leaderboard-interval", "TOURNEYD_LEADERBOARD_INTERVAL", OPT_UINT, &lb_interval, "S",
         "recompute the game leaderboards every S seconds (default 60), and when a "
         "tournament completes",
         1, 86400},
    };
    int nopts = (int)(sizeof opts / sizeof opts[0]), npos;
    int rc = opts_parse("tourneyd serve [options]", opts, nopts, argc, argv, NULL, 0, &npos);
    if (rc != 0) return rc < 0 ? 2 : 0;
    if (apply_log_level() != 0) return 2;
    if (!password_init()) {
        fprintf(stderr, "libsodium cannot be initialized\n");
        return 1;
    }
    char err[512];
    if (!file_exists(db_path) && !migrate) {
        LOG_EMIT(LOG_ERROR, "no database; run 'tourneyd migrate up' or pass --migrate",
                 LOG_STR("db", db_path));
        return 1;
    }
    db_conn *c = db_open(db_path, false, err, sizeof err);
    if (!c) {
        LOG_EMIT(LOG_ERROR, "cannot open the database", LOG_STR("error", err));
        return 1;
    }
    int cur = migrate_current(c), latest = migrate_latest();
    if (migrate && cur < latest) {
        if (migrate_up(c, err, sizeof err) < 0) {
            LOG_EMIT(LOG_ERROR, "migration failed", LOG_STR("error", err));
            db_close(c);
            return 1;
        }
        LOG_EMIT(LOG_INFO, "migrated", LOG_INT("from", cur), LOG_INT("to", latest));
        cur = latest;
    }
    db_close(c);
    if (cur != latest) {
        LOG_EMIT(LOG_ERROR,
                 cur < latest ? "database schema is older than this binary; run 'tourneyd "
                                "migrate up' or pass --migrate"
                              : "database schema is newer than this binary",
                 LOG_STR("db", db_path), LOG_INT("schema", cur), LOG_INT("binary", latest));
        return 1;
    }

    /* Signals are taken by sigwait in this thread: block them before any thread starts. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (db_init(db_path, err, sizeof err) != 0) {
        LOG_EMIT(LOG_ERROR, "cannot start the store", LOG_STR("error", err));
        return 1;
    }
    /* live updates: the writer tells the live thread what each commit changed, and the
     * messages are the JSON of api/ (one writer of each shape) */
    live_config lcfg = {.db_path = db_path,
                        .threads = ws_threads,
                        .max_clients = ws_max,
                        .ping_s = ws_ping,
                        .send_limit = (size_t)ws_send_kb << 10,
                        .max_message = 4096,
                        .close_wait_ms = ws_close_ms,
                        .state_json = api_state_json,
                        .match_json = api_match_json};
    if (live_start(&lcfg, err, sizeof err) != 0) {
        LOG_EMIT(LOG_ERROR, "cannot start live updates", LOG_STR("error", err));
        return 1;
    }
    writer_set_listener(live_on_commit, NULL);
    if (writer_start(db_path, err, sizeof err) != 0) {
        LOG_EMIT(LOG_ERROR, "cannot start the store", LOG_STR("error", err));
        live_stop();
        return 1;
    }
    if (leaderboard_job_start(db_path, lb_interval, err, sizeof err) != 0) {
        LOG_EMIT(LOG_ERROR, "cannot start the leaderboard job", LOG_STR("error", err));
        writer_stop();
        live_stop();
        return 1;
    }
    api_config acfg = {
        .login_per_minute = login_rate, .token_days = token_days, .live = live_accept};
    if (api_init(&acfg, err, sizeof err) != 0) {
        LOG_EMIT(LOG_ERROR, "cannot start the api", LOG_STR("error", err));
        leaderboard_job_stop();
        writer_stop();
        live_stop();
        return 1;
    }
    const router *rt = api_router();
    const char *names[ROUTER_MAX_ROUTES];
    http_method methods[ROUTER_MAX_ROUTES];
    for (int i = 0; i < router_count(rt); i++) {
        names[i] = router_pattern(rt, i);
        methods[i] = router_method(rt, i);
    }
    metrics_init(names, methods, router_count(rt));
    respcache_configure((size_t)cache_mb << 20);
    /* fault injection for the cache correctness tests only: never invalidate */
    const char *freeze = getenv("TOURNEYD_TEST_FREEZE_CACHE_VERSIONS");
    if (freeze && strcmp(freeze, "1") == 0) {
        LOG_EMIT(LOG_WARN, "TEST MODE: cache invalidation disabled; answers will be stale");
        versions_set_frozen(true);
    }
    server_config scfg = {.listen = listen,
                          .threads = threads,
                          .max_connections = max_conns,
                          .idle_timeout_s = idle,
                          .slow_ms = slow_ms,
                          .routes = rt,
                          .handlers = api_handlers(),
                          .take_queries = take_queries};
    server *srv = server_start(&scfg, err, sizeof err);
    if (!srv) {
        LOG_EMIT(LOG_ERROR, "cannot serve", LOG_STR("error", err));
        leaderboard_job_stop();
        writer_stop();
        live_stop();
        api_shutdown();
        return 1;
    }
    char url[160];
    snprintf(url, sizeof url, "http://%s", listen);
    LOG_EMIT(LOG_INFO, "tourneyd listening", LOG_STR("url", url), LOG_STR("db", db_path),
             LOG_INT("threads", threads));
    if (respcache_enabled()) serve_warm_cache(srv, listen);
    api_set_ready(true);

    int sig = 0;
    sigwait(&stop_signals, &sig);
    LOG_EMIT(LOG_INFO, "stopping", LOG_STR("signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"));
    api_set_ready(false);
    server_quiesce(srv);
    /* live connections first: they close with 1001 and go back to libmicrohttpd, which
     * must have none left when it stops (server_drain waits for them like requests) */
    live_stop();
    int left = server_drain(srv, 10000);
    leaderboard_job_stop();
    writer_stop();
    left = server_drain(srv, 2000);
    server_stop(srv);
    respcache_shutdown();
    db_readers_close();
    api_shutdown();
    metrics_shutdown();
    LOG_EMIT(LOG_INFO, "stopped", LOG_INT("abandoned_requests", left));
    return 0;
}

/* ---- migrate ---- */

static int cmd_migrate(int argc, char **argv)
{
    opt opts[] = {
        {"db", "TOURNEYD_DB", OPT_STR, &db_path, "PATH", "SQLite database file", 0, 0},
    };
    char *pos[2];
    int npos;
    const char *usage = "tourneyd migrate up | down [N] | status [--db PATH]";
    int rc = opts_parse(usage, opts, 1, argc, argv, pos, 2, &npos);
    if (rc != 0) return rc < 0 ? 2 : 0;
    if (npos < 1 || (strcmp(pos[0], "up") && strcmp(pos[0], "down") && strcmp(pos[0], "status")) ||
        (npos == 2 && strcmp(pos[0], "down"))) {
        fprintf(stderr, "usage: %s\n", usage);
        return 2;
    }
    int steps = 1;
    if (npos == 2) {
        char *end;
        long n = strtol(pos[1], &end, 10);
        if (*end || n < 1 || n > 10000) {
            fprintf(stderr, "migrate down N: N must be a positive integer\n");
            return 2;
        }
        steps = (int)n;
    }
    if (strcmp(pos[0], "up") != 0 && !file_exists(db_path)) {
        fprintf(stderr, "no database at %s\n", db_path);
        return 1;
    }
    char err[512];
    db_conn *c = db_open(db_path, false, err, sizeof err);
    if (!c) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int cur = migrate_current(c), latest = migrate_latest(), out = 0;
    if (strcmp(pos[0], "status") == 0) {
        printf("database: %s\nschema version: %d\nbinary version: %d\n", db_path, cur, latest);
        for (int v = 1; v <= latest; v++)
            printf("  %s %s\n", v <= cur ? "[applied]" : "[pending]", migrate_name(v));
    } else if (strcmp(pos[0], "up") == 0) {
        int n = migrate_up(c, err, sizeof err);
        if (n < 0) {
            fprintf(stderr, "migrate up failed: %s\n", err);
            out = 1;
        } else {
            printf("applied %d migration(s); schema version %d\n", n, migrate_current(c));
        }
    } else {
        int n = migrate_down(c, steps, err, sizeof err);
        if (n < 0) {
            fprintf(stderr, "migrate down failed: %s\n", err);
            out = 1;
        } else {
            printf("reverted %d migration(s); schema version %d\n", n, migrate_current(c));
        }
    }
    db_close(c);
    return out;
}

/* ---- seed ---- */

/* On a terminal: one line per phase, rewritten as it advances; elsewhere (logs, CI):
 * one line when each phase is done. ctx points to a bool "is a terminal". */
static void seed_progress(const char *phase, int64_t done, int64_t total, void *ctx)
{
    bool tty = *(const bool *)ctx;
    if (tty)
        fprintf(stderr, "\rseeding %-14s %8lld / %-8lld", phase, (long long)done, (long long)total);
    if (done >= total)
        fprintf(stderr, tty ? "\n" : "seeded %-14s %8lld\n", phase, (long long)total);
}

static int cmd_seed(int argc, char **argv)
{
    double scale = 1.0;
    unsigned rng_seed = 42;
    opt opts[] = {
        {"db", "TOURNEYD_DB", OPT_STR, &db_path, "PATH", "SQLite database file", 0, 0},
        {"scale", NULL, OPT_DOUBLE, &scale, "S", "data volume; 1 = the reference (default 1)", 0,
         0},
        {"rng-seed", NULL, OPT_UINT, &rng_seed, "N", "random seed (default 42)", 0, 4294967295u},
    };
    int npos;
    int rc = opts_parse("tourneyd seed [--scale S] [--rng-seed N] [--db PATH]", opts, 3, argc, argv,
                        NULL, 0, &npos);
    if (rc != 0) return rc < 0 ? 2 : 0;
    if (scale > 1000) {
        fprintf(stderr, "--scale must be at most 1000\n");
        return 2;
    }
    if (!password_init()) return 1;
    char err[512];
    db_conn *c = db_open(db_path, false, err, sizeof err);
    if (!c) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    uint64_t t0 = time_mono_ns();
    if (migrate_up(c, err, sizeof err) < 0) {
        fprintf(stderr, "migrate up failed: %s\n", err);
        db_close(c);
        return 1;
    }
    char hash[PASSWORD_HASH_MAX];
    if (!password_hash(DEMO_PASSWORD, hash)) {
        fprintf(stderr, "cannot hash the demo password\n");
        db_close(c);
        return 1;
    }
    bool tty = isatty(STDERR_FILENO);
    seed_options so = {.scale = scale,
                       .rng_seed = rng_seed,
                       .now = time_now(),
                       .password_hash = hash,
                       .progress = seed_progress,
                       .progress_ctx = &tty};
    rc = seed_run(c, &so, err, sizeof err);
    db_close(c);
    if (rc != 0) {
        fprintf(stderr, "seed failed: %s\n", err);
        return 1;
    }
    fprintf(stderr, "seeded %s at scale %g in %.2f s (every user's password: %s)\n", db_path, scale,
            (double)(time_mono_ns() - t0) / 1e9, DEMO_PASSWORD);
    return 0;
}

/* ---- user ---- */

/* Opens db_path for a command that needs the current schema; NULL (said on stderr) when
 * the file is missing, cannot be opened or is not migrated. */
static db_conn *open_current_db(bool readonly)
{
    if (!file_exists(db_path)) {
        fprintf(stderr, "no database at %s (run 'tourneyd migrate up' first)\n", db_path);
        return NULL;
    }
    char err[512];
    db_conn *c = db_open(db_path, readonly, err, sizeof err);
    if (!c) {
        fprintf(stderr, "%s\n", err);
        return NULL;
    }
    if (migrate_current(c) != migrate_latest()) {
        fprintf(stderr, "the database schema is not current (run 'tourneyd migrate up')\n");
        db_close(c);
        return NULL;
    }
    return c;
}

static int cmd_user(int argc, char **argv)
{
    bool admin = false;
    opt opts[] = {
        {"db", "TOURNEYD_DB", OPT_STR, &db_path, "PATH", "SQLite database file", 0, 0},
        {"admin", NULL, OPT_FLAG, &admin, NULL, "give the user the admin role", 0, 0},
    };
    char *pos[2];
    int npos;
    const char *usage = "tourneyd user create [--admin] NAME [--db PATH]  (password on stdin)";
    int rc = opts_parse(usage, opts, 2, argc, argv, pos, 2, &npos);
    if (rc != 0) return rc < 0 ? 2 : 0;
    if (npos != 2 || strcmp(pos[0], "create") != 0) {
        fprintf(stderr, "usage: %s\n", usage);
        return 2;
    }
    if (!validate_username(pos[1])) {
        fprintf(stderr, "username must be 3 to 32 of a-z, 0-9, _ and -\n");
        return 2;
    }
    if (isatty(STDIN_FILENO)) fprintf(stderr, "password for %s: ", pos[1]);
    char pw[1100];
    if (!fgets(pw, sizeof pw, stdin)) {
        fprintf(stderr, "no password on standard input\n");
        return 2;
    }
    pw[strcspn(pw, "\r\n")] = '\0';
    if (!validate_password(pw)) {
        fprintf(stderr, "password must be at least 8 characters\n");
        return 2;
    }
    if (!password_init()) return 1;
    char hash[PASSWORD_HASH_MAX];
    if (!password_hash(pw, hash)) return 1;
    db_conn *c = open_current_db(false);
    if (!c) return 1;
    store_user_new u = {.username = pos[1],
                        .display_name = pos[1],
                        .password_hash = hash,
                        .role = admin ? "admin" : "player",
                        .now = time_now()};
    rc = store_user_insert(c, &u);
    db_close(c);
    if (rc == STORE_CONFLICT) {
        fprintf(stderr, "user %s exists\n", pos[1]);
        return 1;
    }
    if (rc != STORE_OK) {
        fprintf(stderr, "cannot create the user\n");
        return 1;
    }
    printf("created %s %s (id %lld)\n", admin ? "admin" : "user", pos[1], (long long)u.id);
    return 0;
}

/* ---- check ---- */

/* Verifies a database (also while a server uses it: one read snapshot): SQLite's
 * quick_check, then every stored standings document against a fresh computation from
 * the matches, then every payment's tournament against its registration's. Exit 0 when
 * all is well, 1 when something differs or cannot be read. */
static int cmd_check(int argc, char **argv)
{
    opt opts[] = {
        {"db", "TOURNEYD_DB", OPT_STR, &db_path, "PATH", "SQLite database file", 0, 0},
    };
    char *pos[1];
    int npos;
    const char *usage = "tourneyd check [--db PATH]";
    int rc = opts_parse(usage, opts, 1, argc, argv, pos, 0, &npos);
    if (rc != 0) return rc < 0 ? 2 : 0;
    db_conn *c = open_current_db(true);
    if (!c) return 1;
    int failed = 0;
    sqlite3 *db = db_handle(c);
    if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) failed = 1;
    sqlite3_stmt *st = NULL;
    if (!failed && sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *line = (const char *)sqlite3_column_text(st, 0);
            if (line && strcmp(line, "ok") == 0) continue;
            printf("quick_check: %s\n", line ? line : "(null)");
            failed = 1;
        }
        if (!failed) printf("quick_check: ok\n");
    } else {
        printf("quick_check: %s\n", sqlite3_errmsg(db));
        failed = 1;
    }
    sqlite3_finalize(st);
    long checked = 0, bad = 0;
    int64_t first_bad = 0;
    if (store_standings_check(c, &checked, &bad, &first_bad) != STORE_OK) {
        printf("standings: cannot read: %s\n", sqlite3_errmsg(db));
        failed = 1;
    } else if (bad) {
        printf("standings: %ld of %ld tournaments differ from their matches (first: id %lld)\n",
               bad, checked, (long long)first_bad);
        failed = 1;
    } else {
        printf("standings: ok (%ld tournaments)\n", checked);
    }
    long bad_pay = 0, bad_latest = 0;
    if (store_payments_check(c, &bad_pay, &bad_latest) != STORE_OK) {
        printf("payments: cannot read: %s\n", sqlite3_errmsg(db));
        failed = 1;
    } else if (bad_pay || bad_latest) {
        if (bad_pay)
            printf("payments: %ld have a tournament_id that is not their registration's\n",
                   bad_pay);
        if (bad_latest)
            printf("payments: %ld registrations have a payment_id that is not their latest"
                   " payment's\n",
                   bad_latest);
        failed = 1;
    } else {
        printf("payments: ok\n");
    }
    long bad_t = 0;
    if (store_tournaments_check_counters(c, &checked, &bad_t, &first_bad) != STORE_OK) {
        printf("counters: cannot read: %s\n", sqlite3_errmsg(db));
        failed = 1;
    } else if (bad_t) {
        printf("counters: %ld of %ld tournaments differ from their registrations and payments"
               " (first: id %lld)\n",
               bad_t, checked, (long long)first_bad);
        failed = 1;
    } else {
        printf("counters: ok (%ld tournaments)\n", checked);
    }
    db_release(c);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    db_close(c);
    return failed;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: tourneyd COMMAND [options]\n\n"
               "commands:\n"
               "  serve     serve the HTTP API\n"
               "  migrate   up | down [N] | status: manage the database schema\n"
               "  seed      fill a database with deterministic demo data\n"
               "  user      create [--admin] NAME: add a user (password on stdin)\n"
               "  check     verify a database (integrity, stored standings, payments, counters)\n\n"
               "'tourneyd COMMAND --help' shows a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "serve") == 0) return cmd_serve(argc - 2, argv + 2);
    if (strcmp(cmd, "migrate") == 0) return cmd_migrate(argc - 2, argv + 2);
    if (strcmp(cmd, "seed") == 0) return cmd_seed(argc - 2, argv + 2);
    if (strcmp(cmd, "user") == 0) return cmd_user(argc - 2, argv + 2);
    if (strcmp(cmd, "check") == 0) return cmd_check(argc - 2, argv + 2);
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
