/* seed.h: deterministic, realistic demo and benchmark data.
 *
 * Fills a migrated, empty database with the volumes of the Django reference times
 * `scale`: 20 games, 20,000 users, 1,000 teams, 2,000 tournaments in every status,
 * 100,000 registrations, 50,000 payments, 60,000 matches (half completed). The same
 * (scale, rng_seed, now) always produce the same rows. One transaction, prepared
 * statements, no per-row fsync: scale 1 takes well under 5 s. Refuses a database that
 * already has users, games or tournaments. */
#ifndef TOURNEYD_SEED_H
#define TOURNEYD_SEED_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

/* Called now and then with a phase name ("users", "tournaments", ...) and progress. */
typedef void (*seed_progress_fn)(const char *phase, int64_t done, int64_t total, void *ctx);

typedef struct seed_options {
    double scale;              /* > 0; 1 = the reference volumes */
    uint64_t rng_seed;         /* the only source of randomness */
    int64_t now;               /* unix seconds that "now" means for dates and statuses */
    const char *password_hash; /* argon2id string stored for every seeded user */
    seed_progress_fn progress; /* may be NULL */
    void *progress_ctx;
} seed_options;

/* Seeds the database of `conn` (its standings documents included). Returns 0, or -1
 * with a message in err (the transaction is rolled back). Refuses (-1) a database that
 * already has users. */
int seed_run(db_conn *conn, const seed_options *opt, char *err, size_t errlen);

#endif
