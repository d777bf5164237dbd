/* migrate.c: applies the embedded SQL migrations (see migrate.h).
 *
 * The embedded files come from cmake/embed.cmake as a table sorted by name, so the
 * up and down files of migration N sit at known places: names are checked, not
 * assumed. */
#include "store/migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_standings.h"

struct embedded_file {
    const char *name;
    const char *data;
    size_t size;
};
extern const struct embedded_file migration_files[];
extern const unsigned migration_files_count;

/* Finds "NNNN_*.<dir>.sql" for version v; NULL when absent. */
static const struct embedded_file *migrate_file(int v, const char *dir)
{
    char prefix[16];
    snprintf(prefix, sizeof prefix, "%04d_", v);
    char suffix[16];
    snprintf(suffix, sizeof suffix, ".%s.sql", dir);
    for (unsigned i = 0; i < migration_files_count; i++) {
        const char *n = migration_files[i].name;
        size_t len = strlen(n), sl = strlen(suffix);
        if (strncmp(n, prefix, 5) == 0 && len > sl && strcmp(n + len - sl, suffix) == 0)
            return &migration_files[i];
    }
    return NULL;
}

int migrate_latest(void)
{
    int v = 0;
    while (migrate_file(v + 1, "up")) v++;
    return v;
}

const char *migrate_name(int version)
{
    static _Thread_local char name[128];
    const struct embedded_file *f = migrate_file(version, "up");
    if (!f) return NULL;
    snprintf(name, sizeof name, "%.*s", (int)(strlen(f->name) - strlen(".up.sql")), f->name);
    return name;
}

int migrate_current(db_conn *c)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db_handle(c), "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return -1;
    int v = -1;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The C part of an up migration, run after its SQL in the same transaction: data that
 * only C can compute. It runs today's C against the schema of version `to`, which is
 * the latest one while no later migration changes what it reads. */
static int migrate_after_up(db_conn *c, int to)
{
    switch (to) {
    case 8: /* 0008_standings: the documents of the tournaments already started */
        return store_standings_rebuild_all(c) == STORE_OK ? 0 : -1;
    default:
        return 0;
    }
}

/* Runs one file (and, going up, its C part) and sets user_version to `to`, in one
 * transaction. */
static int migrate_step(db_conn *c, const struct embedded_file *f, int to, bool up, char *err,
                        size_t errlen)
{
    sqlite3 *db = db_handle(c);
    char *msg = NULL;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK) goto fail;
    if (sqlite3_exec(db, f->data, NULL, NULL, &msg) != SQLITE_OK) goto fail;
    if (up && migrate_after_up(c, to) != 0) {
        db_release(c);
        goto fail;
    }
    db_release(c);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", to);
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) goto fail;
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) goto fail;
    return 0;
fail:
    snprintf(err, errlen, "%s: %s", f->name, msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

int migrate_up(db_conn *c, char *err, size_t errlen)
{
    int cur = migrate_current(c), latest = migrate_latest();
    if (cur < 0) {
        snprintf(err, errlen, "cannot read the schema version");
        return -1;
    }
    if (cur > latest) {
        snprintf(err, errlen, "database schema %d is newer than this binary (%d)", cur, latest);
        return -1;
    }
    int applied = 0;
    for (int v = cur + 1; v <= latest; v++) {
        if (migrate_step(c, migrate_file(v, "up"), v, true, err, errlen) != 0) return -1;
        applied++;
    }
    return applied;
}

int migrate_down(db_conn *c, int steps, char *err, size_t errlen)
{
    int cur = migrate_current(c);
    if (cur < 0) {
        snprintf(err, errlen, "cannot read the schema version");
        return -1;
    }
    int done = 0;
    for (int v = cur; v > 0 && done < steps; v--) {
        const struct embedded_file *f = migrate_file(v, "down");
        if (!f) {
            snprintf(err, errlen, "migration %d has no down file", v);
            return -1;
        }
        if (migrate_step(c, f, v - 1, false, err, errlen) != 0) return -1;
        done++;
    }
    return done;
}
