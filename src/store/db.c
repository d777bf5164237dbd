/* db.c: SQLite connections, per-thread readers and statement caching (see db.h).
 *
 * Owns the list of reader connections (one per io thread, found through a thread-local
 * pointer) and the database path. Statements are prepared with SQLITE_PREPARE_PERSISTENT
 * on first use and kept until the connection closes. */
#include "store/db.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obs/log.h"
#include "util/arena.h"

struct db_conn {
    sqlite3 *db;
    sqlite3_stmt *stmts[Q__COUNT];
    unsigned queries;
    /* slots handed out and not yet reset (a statement not reset keeps a read open) */
    int nopen;
    uint8_t open[Q__COUNT];
    bool catalog_changed;
    db_change *notes; /* writer only: what the current batch changed */
    size_t nnotes, notes_cap;
    bool notes_lost;
    db_conn *next_reader;
};

static struct {
    pthread_mutex_t lock;
    char *path;
    db_conn *readers;
} dbs = {.lock = PTHREAD_MUTEX_INITIALIZER};

static _Thread_local db_conn *tl_reader;

int db_init(const char *path, char *err, size_t errlen)
{
    free(dbs.path);
    dbs.path = strdup(path);
    if (!dbs.path) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    db_conn *c = db_open(path, true, err, errlen);
    if (!c) return -1;
    db_close(c);
    return 0;
}

db_conn *db_open(const char *path, bool readonly, char *err, size_t errlen)
{
    db_conn *c = calloc(1, sizeof(*c));
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    int flags = SQLITE_OPEN_NOMUTEX |
                (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    int rc = sqlite3_open_v2(path, &c->db, flags, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", path,
                 c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        sqlite3_close(c->db);
        free(c);
        return NULL;
    }
    sqlite3_busy_timeout(c->db, 5000);
    sqlite3_extended_result_codes(c->db, 1);
    const char *pragmas = readonly ? "PRAGMA foreign_keys=ON; PRAGMA cache_size=-16384;"
                                     "PRAGMA mmap_size=268435456;"
                                   : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                     "PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768;"
                                     "PRAGMA mmap_size=268435456;";
    char *msg = NULL;
    rc = sqlite3_exec(c->db, pragmas, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot configure %s: %s", path, msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        sqlite3_close(c->db);
        free(c);
        return NULL;
    }
    return c;
}

void db_close(db_conn *c)
{
    if (!c) return;
    for (int i = 0; i < Q__COUNT; i++) sqlite3_finalize(c->stmts[i]);
    sqlite3_close(c->db);
    free(c->notes);
    free(c);
}

db_conn *db_reader(void)
{
    if (tl_reader) return tl_reader;
    char err[256];
    db_conn *c = db_open(dbs.path, true, err, sizeof err);
    if (!c) {
        LOG_EMIT(LOG_ERROR, "cannot open reader", LOG_STR("error", err));
        return NULL;
    }
    pthread_mutex_lock(&dbs.lock);
    c->next_reader = dbs.readers;
    dbs.readers = c;
    pthread_mutex_unlock(&dbs.lock);
    tl_reader = c;
    return c;
}

void db_readers_close(void)
{
    pthread_mutex_lock(&dbs.lock);
    db_conn *c = dbs.readers;
    dbs.readers = NULL;
    pthread_mutex_unlock(&dbs.lock);
    while (c) {
        db_conn *next = c->next_reader;
        db_close(c);
        c = next;
    }
    free(dbs.path);
    dbs.path = NULL;
}

sqlite3 *db_handle(db_conn *c)
{
    return c->db;
}

sqlite3_stmt *db_stmt(db_conn *c, query_slot slot, const char *sql)
{
    sqlite3_stmt *st = c->stmts[slot];
    if (!st) {
        int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
        if (rc != SQLITE_OK) {
            LOG_EMIT(LOG_ERROR, "prepare failed", LOG_STR("error", sqlite3_errmsg(c->db)),
                     LOG_STR("sql", sql));
            return NULL;
        }
        c->stmts[slot] = st;
    } else {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    bool listed = false;
    for (int i = 0; i < c->nopen && !listed; i++) listed = c->open[i] == slot;
    if (!listed && c->nopen < Q__COUNT) c->open[c->nopen++] = (uint8_t)slot;
    c->queries++;
    return st;
}

void db_count(db_conn *c)
{
    c->queries++;
}

void db_release(db_conn *c)
{
    for (int i = 0; i < c->nopen; i++) sqlite3_reset(c->stmts[c->open[i]]);
    c->nopen = 0;
}

unsigned db_take_queries(db_conn *c)
{
    db_release(c);
    unsigned q = c->queries;
    c->queries = 0;
    return q;
}

int db_exec(db_conn *c, const char *sql)
{
    return sqlite3_exec(c->db, sql, NULL, NULL, NULL);
}

const char *db_col_text(sqlite3_stmt *st, int i, arena *a)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    if (!t) return NULL;
    return arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, i));
}

int db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (!s) return sqlite3_bind_null(st, i);
    return sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

bool db_is_unique_violation(int rc)
{
    return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY;
}

bool db_ping(db_conn *c)
{
    sqlite3_stmt *st = db_stmt(c, Q_PING, "SELECT value FROM meta WHERE key = 'catalog_version'");
    return st && sqlite3_step(st) == SQLITE_ROW;
}

void db_mark_catalog(db_conn *c)
{
    c->catalog_changed = true;
}

bool db_take_catalog_mark(db_conn *c)
{
    bool was = c->catalog_changed;
    c->catalog_changed = false;
    return was;
}

bool db_catalog_marked(db_conn *c)
{
    return c->catalog_changed;
}

void db_note(db_conn *c, db_change_kind kind, int64_t id, int64_t parent)
{
    if (c->nnotes == c->notes_cap) {
        size_t cap = c->notes_cap ? c->notes_cap * 2 : 64;
        db_change *grown = realloc(c->notes, cap * sizeof *grown);
        if (!grown) {
            LOG_EMIT(LOG_ERROR, "out of memory noting a change");
            c->notes_lost = true;
            return;
        }
        c->notes = grown;
        c->notes_cap = cap;
    }
    c->notes[c->nnotes++] = (db_change){kind, id, parent};
}

const db_change *db_notes(db_conn *c, size_t *n, bool *lost)
{
    *n = c->nnotes;
    *lost = c->notes_lost;
    return c->notes;
}

void db_notes_truncate(db_conn *c, size_t n)
{
    if (n < c->nnotes) c->nnotes = n;
    if (n == 0) c->notes_lost = false;
}
