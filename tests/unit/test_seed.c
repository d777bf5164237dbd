/* test_seed.c: the seeder's contract: volumes, the invariants the server relies on (counters,
 * capacity, payment and bracket consistency, dates vs statuses), determinism, refusal of a
 * non-empty database and rollback on failure. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "store/db.h"
#include "store/migrate.h"
#include "store/seed.h"

#define NOW  1795000000
#define HASH "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA"

typedef struct tmpdir {
    char path[64];
} tmpdir;

static void tmpdir_make(tmpdir *d)
{
    snprintf(d->path, sizeof d->path, "/tmp/test_seed_XXXXXX");
    assert_non_null(mkdtemp(d->path));
}

static void tmpdir_remove(const tmpdir *d)
{
    static const char *const names[] = {"a.db", "b.db", "c.db"};
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char p[128];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        for (size_t j = 0; j < sizeof suffixes / sizeof suffixes[0]; j++) {
            snprintf(p, sizeof p, "%s/%s%s", d->path, names[i], suffixes[j]);
            unlink(p);
        }
    }
    rmdir(d->path);
}

static db_conn *open_migrated(const tmpdir *d, const char *name)
{
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/%s", d->path, name);
    db_conn *c = db_open(path, false, err, sizeof err);
    assert_non_null(c);
    assert_true(migrate_up(c, err, sizeof err) >= 1);
    return c;
}

static int64_t q(db_conn *c, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db_handle(c), sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db_handle(c)));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static seed_options options(double scale, uint64_t rng_seed)
{
    return (seed_options){.scale = scale, .rng_seed = rng_seed, .now = NOW, .password_hash = HASH};
}

static void assert_near(int64_t got, int64_t want, int64_t percent)
{
    int64_t diff = got > want ? got - want : want - got;
    if (diff * 100 > want * percent)
        fail_msg("%lld is not within %lld%% of %lld", (long long)got, (long long)percent,
                 (long long)want);
}

typedef struct progress_log {
    int calls;
    int64_t registrations_done;
    int64_t registrations_total;
    int saw_matches;
} progress_log;

static void on_progress(const char *phase, int64_t done, int64_t total, void *ctx)
{
    progress_log *p = ctx;
    p->calls++;
    if (strcmp(phase, "registrations") == 0) {
        p->registrations_done = done;
        p->registrations_total = total;
    }
    if (strcmp(phase, "matches") == 0) p->saw_matches = 1;
}

/* Every query must count zero rows: each is a rule the server keeps for data it writes. */
static const char *const invariants[] = {
    /* counters */
    "SELECT count(*) FROM tournaments t WHERE n_pending <> (SELECT count(*) FROM registrations r "
    "WHERE r.tournament_id = t.id AND status = 'pending')",
    "SELECT count(*) FROM tournaments t WHERE n_confirmed <> (SELECT count(*) FROM registrations "
    "r WHERE r.tournament_id = t.id AND status = 'confirmed')",
    "SELECT count(*) FROM tournaments t WHERE n_checked_in <> (SELECT count(*) FROM "
    "registrations r WHERE r.tournament_id = t.id AND status = 'checked_in')",
    "SELECT count(*) FROM tournaments t WHERE n_cancelled <> (SELECT count(*) FROM registrations "
    "r WHERE r.tournament_id = t.id AND status = 'cancelled')",
    "SELECT count(*) FROM pragma_foreign_key_check",
    /* registrations */
    "SELECT count(*) FROM tournaments WHERE n_pending + n_confirmed + n_checked_in > "
    "max_participants",
    "SELECT count(*) FROM registrations r JOIN tournaments t ON t.id = r.tournament_id "
    "WHERE t.entry_fee_cents = 0 AND r.status = 'pending'",
    "SELECT count(*) FROM registrations r JOIN tournaments t ON t.id = r.tournament_id WHERE "
    "r.status = 'checked_in' AND (t.check_in_required = 0 OR t.status NOT IN "
    "('registration_closed', 'live', 'completed'))",
    "SELECT count(*) FROM registrations WHERE (status = 'checked_in') <> (checked_in_at IS NOT "
    "NULL)",
    "SELECT count(*) FROM registrations r JOIN tournaments t ON t.id = r.tournament_id "
    "WHERE t.status IN ('draft', 'published')",
    "SELECT count(*) FROM registrations r JOIN tournaments t ON t.id = r.tournament_id "
    "WHERE r.seed IS NOT NULL AND t.status NOT IN ('live', 'completed')",
    "SELECT count(*) FROM (SELECT tournament_id, count(seed) n, min(seed) lo, max(seed) hi, "
    "count(DISTINCT seed) d FROM registrations GROUP BY 1 HAVING n > 0 AND (lo <> 1 OR hi <> n "
    "OR d <> n))",
    "SELECT count(*) FROM registrations r JOIN tournaments t ON t.id = r.tournament_id "
    "LEFT JOIN teams tm ON tm.id = r.team_id WHERE (t.participant_type = 'team') <> (r.team_id "
    "IS NOT NULL) OR (r.team_id IS NOT NULL AND tm.captain_id <> r.user_id)",
    "SELECT count(*) FROM (SELECT r.tournament_id, m.user_id FROM registrations r JOIN "
    "team_members m ON m.team_id = r.team_id WHERE r.status <> 'cancelled' GROUP BY 1, 2 "
    "HAVING count(*) > 1)",
    "SELECT count(*) FROM registrations r JOIN users u ON u.id = r.user_id "
    "WHERE r.created_at < u.created_at OR r.created_at > 1795000000",
    /* payments */
    "SELECT count(*) FROM payments p JOIN registrations r ON r.id = p.registration_id "
    "JOIN tournaments t ON t.id = r.tournament_id WHERE p.amount_cents <> t.entry_fee_cents "
    "OR t.entry_fee_cents = 0",
    "SELECT count(*) FROM registrations r JOIN tournaments t ON t.id = r.tournament_id WHERE "
    "t.entry_fee_cents > 0 AND r.status IN ('confirmed', 'checked_in') AND NOT EXISTS (SELECT "
    "1 FROM payments p WHERE p.registration_id = r.id AND p.status = 'verified')",
    "SELECT count(*) FROM registrations r WHERE r.status = 'pending' AND NOT EXISTS (SELECT 1 "
    "FROM payments p WHERE p.registration_id = r.id AND p.status = 'pending')",
    "SELECT count(*) FROM payments p JOIN registrations r ON r.id = p.registration_id "
    "JOIN tournaments t ON t.id = r.tournament_id WHERE (p.status <> 'pending' AND "
    "(p.verified_by <> t.organizer_id OR p.verified_at < p.created_at)) OR (p.status = "
    "'pending' AND p.verified_at IS NOT NULL) OR ((p.status = 'rejected') <> (p.reason IS NOT "
    "NULL)) OR p.verified_at > 1795000000",
    /* matches */
    "SELECT count(*) FROM matches m JOIN tournaments t ON t.id = m.tournament_id "
    "WHERE t.status NOT IN ('live', 'completed') OR (t.status = 'completed' AND m.state <> "
    "'completed')",
    "SELECT count(*) FROM tournaments t WHERE status = 'live' AND current_round IS NOT (SELECT "
    "max(round) FROM matches m WHERE m.tournament_id = t.id AND m.state IN ('ready', 'live'))",
    "SELECT count(*) FROM matches WHERE winner_registration_id IS NOT NULL AND "
    "winner_registration_id NOT IN (coalesce(p1_registration_id, -1), "
    "coalesce(p2_registration_id, -1))",
    "SELECT count(*) FROM matches WHERE state = 'completed' AND winner_registration_id IS NULL "
    "AND NOT (score1 = score2 AND bracket IN ('group', 'swiss'))",
    "SELECT count(*) FROM matches WHERE (state = 'completed') <> (completed_at IS NOT NULL) OR "
    "scheduled_at IS NULL OR completed_at > 1795000000",
    "SELECT count(*) FROM matches WHERE (state = 'pending') = (p1_registration_id IS NOT NULL "
    "AND p2_registration_id IS NOT NULL) AND state <> 'completed'",
    "SELECT count(*) FROM matches m JOIN matches n ON n.id = m.next_match_id WHERE m.state = "
    "'completed' AND m.winner_registration_id IS NOT NULL AND m.winner_registration_id IS NOT "
    "(CASE m.next_slot WHEN 1 THEN n.p1_registration_id ELSE n.p2_registration_id END)",
    "SELECT count(*) FROM matches m JOIN registrations r ON r.id IN (m.p1_registration_id, "
    "m.p2_registration_id) WHERE r.tournament_id <> m.tournament_id OR r.seed IS NULL",
    /* tournaments */
    "SELECT count(*) FROM tournaments WHERE (status IN ('completed', 'cancelled', 'live') AND "
    "start_at > 1795000000) OR (status IN ('registration_open', 'registration_closed', "
    "'published', 'draft') AND start_at <= 1795000000)",
    "SELECT count(*) FROM tournaments WHERE status = 'registration_open' AND NOT "
    "((registration_opens_at IS NULL AND registration_closes_at IS NULL) OR "
    "(registration_opens_at <= 1795000000 AND registration_closes_at > 1795000000))",
    "SELECT count(*) FROM tournaments WHERE registration_opens_at >= registration_closes_at OR "
    "registration_closes_at > start_at OR created_at > updated_at OR updated_at > 1795000000",
    "SELECT count(*) FROM tournaments WHERE length(slug) NOT BETWEEN 3 AND 64 OR slug GLOB "
    "'*[^a-z0-9-]*'",
    "SELECT count(*) FROM users WHERE length(username) NOT BETWEEN 3 AND 32 OR username GLOB "
    "'*[^a-z0-9_-]*'",
    "SELECT count(*) FROM tournaments t JOIN games g ON g.id = t.game_id "
    "WHERE t.participant_type = 'team' AND g.team_size < 2",
    "SELECT count(*) FROM tournaments WHERE NOT ((format = 'single_elimination' AND "
    "json_type(format_options, '$.third_place_match') IN ('true', 'false')) OR (format = "
    "'double_elimination' AND json_extract(format_options, '$.grand_final') IN ('reset', "
    "'single')) OR (format = 'round_robin' AND json_type(format_options, '$.double') IN "
    "('true', 'false')) OR (format = 'swiss' AND json_type(format_options, '$.rounds') = "
    "'integer'))",
};

static void check_invariants(db_conn *c)
{
    for (size_t i = 0; i < sizeof invariants / sizeof invariants[0]; i++) {
        int64_t bad = q(c, invariants[i]);
        if (bad != 0) fail_msg("%lld rows break: %s", (long long)bad, invariants[i]);
    }
}

static void test_volumes_and_invariants(void **state)
{
    (void)state;
    tmpdir d;
    tmpdir_make(&d);
    db_conn *c = open_migrated(&d, "a.db");
    progress_log log = {0};
    seed_options o = options(0.1, 42);
    o.progress = on_progress;
    o.progress_ctx = &log;
    char err[256];
    assert_int_equal(seed_run(c, &o, err, sizeof err), 0);

    assert_int_equal(q(c, "SELECT count(*) FROM games"), 20);
    assert_int_equal(q(c, "SELECT count(*) FROM users"), 2000);
    assert_int_equal(q(c, "SELECT count(*) FROM users WHERE username = 'admin' AND role = "
                          "'admin' AND id = 1"),
                     1);
    assert_int_equal(q(c, "SELECT count(*) FROM teams"), 100);
    assert_int_equal(q(c, "SELECT count(*) FROM tournaments"), 200);
    assert_near(q(c, "SELECT count(*) FROM registrations"), 10000, 2);
    assert_near(q(c, "SELECT count(*) FROM payments"), 5000, 2);
    assert_near(q(c, "SELECT count(*) FROM matches"), 6000, 2);
    assert_near(q(c, "SELECT count(*) FROM matches WHERE state = 'completed'"), 3000, 3);
    assert_int_equal(q(c, "SELECT count(*) FROM leaderboard_rows"), 0);
    assert_int_equal(q(c, "SELECT count(DISTINCT status) FROM tournaments"), 7);
    assert_int_equal(q(c, "SELECT count(DISTINCT format) FROM tournaments"), 4);
    assert_int_equal(q(c, "SELECT count(DISTINCT participant_type) FROM tournaments"), 2);
    assert_true(q(c, "SELECT count(*) FROM tournaments WHERE entry_fee_cents > 0") > 0);
    assert_true(q(c, "SELECT count(*) FROM tournaments WHERE status = 'registration_open' AND "
                     "n_pending + n_confirmed + n_checked_in = max_participants") > 0);
    check_invariants(c);

    /* progress reached the end; the caller's pragmas are back */
    assert_true(log.calls > 10);
    assert_true(log.saw_matches);
    assert_int_equal(log.registrations_done, log.registrations_total);
    assert_int_equal(q(c, "PRAGMA synchronous"), 2);
    assert_int_equal(q(c, "PRAGMA cache_size"), -32768);
    db_close(c);
    tmpdir_remove(&d);
}

static int64_t rows_differing(db_conn *c, const char *table)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT (SELECT count(*) FROM (SELECT * FROM main.%s EXCEPT SELECT * FROM b.%s)) + "
             "(SELECT count(*) FROM (SELECT * FROM b.%s EXCEPT SELECT * FROM main.%s))",
             table, table, table, table);
    return q(c, sql);
}

static void test_deterministic(void **state)
{
    (void)state;
    static const char *const tables[] = {"games",       "users",         "teams",    "team_members",
                                         "tournaments", "registrations", "payments", "matches"};
    tmpdir d;
    tmpdir_make(&d);
    char err[256], sql[256];
    seed_options o = options(0.02, 7);
    db_conn *a = open_migrated(&d, "a.db");
    db_conn *b = open_migrated(&d, "b.db");
    db_conn *other = open_migrated(&d, "c.db");
    assert_int_equal(seed_run(a, &o, err, sizeof err), 0);
    assert_int_equal(seed_run(b, &o, err, sizeof err), 0);
    o.rng_seed = 8;
    assert_int_equal(seed_run(other, &o, err, sizeof err), 0);
    db_close(b);
    db_close(other);

    snprintf(sql, sizeof sql, "ATTACH '%s/b.db' AS b", d.path);
    assert_int_equal(sqlite3_exec(db_handle(a), sql, NULL, NULL, NULL), SQLITE_OK);
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        assert_int_equal(rows_differing(a, tables[i]), 0);
    assert_int_equal(sqlite3_exec(db_handle(a), "DETACH b", NULL, NULL, NULL), SQLITE_OK);

    /* another rng_seed gives other rows */
    snprintf(sql, sizeof sql, "ATTACH '%s/c.db' AS b", d.path);
    assert_int_equal(sqlite3_exec(db_handle(a), sql, NULL, NULL, NULL), SQLITE_OK);
    assert_true(rows_differing(a, "tournaments") > 0);
    db_close(a);
    tmpdir_remove(&d);
}

static void test_refuses_seeded_database(void **state)
{
    (void)state;
    tmpdir d;
    tmpdir_make(&d);
    db_conn *c = open_migrated(&d, "a.db");
    seed_options o = options(0.01, 1);
    char err[256];
    assert_int_equal(seed_run(c, &o, err, sizeof err), 0);
    int64_t users = q(c, "SELECT count(*) FROM users");
    assert_int_equal(seed_run(c, &o, err, sizeof err), -1);
    assert_non_null(strstr(err, "already"));
    assert_int_equal(q(c, "SELECT count(*) FROM users"), users);
    db_close(c);
    tmpdir_remove(&d);
}

static void test_rolls_back_on_failure(void **state)
{
    (void)state;
    tmpdir d;
    tmpdir_make(&d);
    db_conn *c = open_migrated(&d, "a.db");
    assert_int_equal(sqlite3_exec(db_handle(c),
                                  "CREATE TRIGGER boom BEFORE INSERT ON payments WHEN NEW.id = 50 "
                                  "BEGIN SELECT RAISE(ABORT, 'boom'); END",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    seed_options o = options(0.02, 1);
    char err[256];
    assert_int_equal(seed_run(c, &o, err, sizeof err), -1);
    assert_non_null(strstr(err, "payments"));
    assert_non_null(strstr(err, "boom"));
    assert_int_equal(q(c, "SELECT count(*) FROM users"), 0);
    assert_int_equal(q(c, "SELECT count(*) FROM games"), 0);
    assert_int_equal(q(c, "PRAGMA synchronous"), 2);
    /* the database is still usable and seeds once the fault is gone */
    assert_int_equal(sqlite3_exec(db_handle(c), "DROP TRIGGER boom", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(seed_run(c, &o, err, sizeof err), 0);
    db_close(c);
    tmpdir_remove(&d);
}

static void test_rejects_bad_options(void **state)
{
    (void)state;
    tmpdir d;
    tmpdir_make(&d);
    db_conn *c = open_migrated(&d, "a.db");
    char err[256];
    seed_options o = options(0.0, 1);
    assert_int_equal(seed_run(c, &o, err, sizeof err), -1);
    assert_non_null(strstr(err, "scale"));
    o = options(0.01, 1);
    o.password_hash = NULL;
    assert_int_equal(seed_run(c, &o, err, sizeof err), -1);
    assert_int_equal(seed_run(c, NULL, err, sizeof err), -1);
    assert_int_equal(q(c, "SELECT count(*) FROM users"), 0);
    db_close(c);
    tmpdir_remove(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_volumes_and_invariants),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_refuses_seeded_database),
        cmocka_unit_test(test_rolls_back_on_failure),
        cmocka_unit_test(test_rejects_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
