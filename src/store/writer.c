/* writer.c: the writer thread (see writer.h).
 *
 * Owns the only read-write connection and the job queue (a mutex-protected singly
 * linked FIFO; io threads append, the writer takes the whole list at once). While idle,
 * the writer wakes every WRITER_MAINTENANCE_S seconds to purge expired tokens. */
#include "store/writer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cache/versions.h"
#include "obs/log.h"
#include "obs/metrics.h"
#include "store/store.h"
#include "store/store_standings.h"
#include "store/store_tournaments.h"
#include "store/store_users.h"
#include "util/timefmt.h"

#define WRITER_MAINTENANCE_S 60

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    wjob *head, *tail;
    bool stopping;
    bool running;
    pthread_t thread;
    db_conn *conn;
    writer_listener_fn listener;
    void *listener_arg;
    _Atomic uint64_t data_epoch; /* writer_data_epoch() */
} wr = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static void writer_complete(wjob *j, int rc)
{
    j->rc = rc;
    j->done(j);
}

void writer_set_listener(writer_listener_fn fn, void *arg)
{
    wr.listener = fn;
    wr.listener_arg = arg;
}

/* After a commit, before any job of it is acknowledged: raise the response cache's
 * counters of everything the batch changed, then tell the listener (live updates). */
static void writer_publish(bool catalog)
{
    size_t n;
    bool lost;
    const db_change *ch = db_notes(wr.conn, &n, &lost);
    versions_publish_begin();
    if (lost) versions_bump_all();
    if (catalog) versions_bump(DEP_CATALOG, 0);
    for (size_t i = 0; i < n; i++) {
        switch (ch[i].kind) {
        case DB_CH_TOURNAMENT:
            versions_bump(DEP_TOURNAMENT, ch[i].id);
            break;
        case DB_CH_MATCH:
            versions_bump(DEP_TOURNAMENT, ch[i].parent);
            break;
        case DB_CH_USER:
            versions_bump(DEP_USER, ch[i].id);
            break;
        case DB_CH_GAME:
            versions_bump(DEP_GAME, ch[i].id);
            break;
        case DB_CH_STANDINGS: /* the DB_CH_MATCH notes before it raised the tournament */
            break;
        }
    }
    if (wr.listener && (n > 0 || lost)) wr.listener(wr.conn, ch, n, wr.listener_arg);
}

/* Whether the last note of the batch about tournament tid says its standings are
 * already stored (DB_CH_STANDINGS): nothing about it changed after that. */
static bool writer_standings_kept(const db_change *ch, size_t n, int64_t tid)
{
    for (size_t i = n; i-- > 0;) {
        const db_change *c = &ch[i];
        if (c->kind == DB_CH_STANDINGS && c->id == tid) return true;
        if ((c->kind == DB_CH_MATCH && c->parent == tid) ||
            (c->kind == DB_CH_TOURNAMENT && c->id == tid))
            return false;
    }
    return false;
}

/* Before COMMIT: rebuilds the standings document of every tournament whose matches the
 * batch changed (the DB_CH_MATCH notes of the jobs that succeeded), so the stored
 * standings commit with the results they come from; a result that stored them itself
 * from the bracket it saved (store_standings_keep) is not rebuilt again. */
static int writer_refresh_standings(void)
{
    size_t n;
    bool lost;
    const db_change *ch = db_notes(wr.conn, &n, &lost);
    int64_t done[WRITER_MAX_BATCH];
    int ndone = 0;
    int rc = STORE_OK;
    for (size_t i = 0; i < n && rc == STORE_OK; i++) {
        if (ch[i].kind != DB_CH_MATCH) continue;
        int64_t tid = ch[i].parent;
        bool seen = false;
        for (int k = 0; k < ndone && !seen; k++) seen = done[k] == tid;
        if (seen) continue;
        if (!writer_standings_kept(ch, n, tid)) rc = store_standings_refresh(wr.conn, tid);
        ch = db_notes(wr.conn, &n, &lost); /* the refresh may not note, but stay safe */
        if (ndone < WRITER_MAX_BATCH) done[ndone++] = tid;
    }
    db_release(wr.conn);
    if (lost && rc == STORE_OK) rc = store_standings_rebuild_all(wr.conn);
    db_release(wr.conn);
    return rc;
}

/* Runs one batch: jobs[0..n) in one transaction. */
static void writer_run_batch(wjob **jobs, unsigned n)
{
    uint64_t t0 = time_mono_ns();
    int rcs[WRITER_MAX_BATCH];
    bool ok = db_exec(wr.conn, "BEGIN IMMEDIATE") == SQLITE_OK;
    for (unsigned i = 0; ok && i < n; i++) {
        if (db_exec(wr.conn, "SAVEPOINT job") != SQLITE_OK) {
            ok = false;
            break;
        }
        size_t noted;
        bool lost;
        db_notes(wr.conn, &noted, &lost);
        rcs[i] = jobs[i]->run(wr.conn, jobs[i]->arg);
        db_release(wr.conn);
        if (rcs[i] != STORE_OK) {
            db_notes_truncate(wr.conn, noted); /* what it wrote is undone */
            if (db_exec(wr.conn, "ROLLBACK TO job") != SQLITE_OK) ok = false;
        }
        if (db_exec(wr.conn, "RELEASE job") != SQLITE_OK) ok = false;
    }
    if (ok && writer_refresh_standings() != STORE_OK) ok = false;
    bool catalog = db_catalog_marked(wr.conn);
    if (ok && store_catalog_flush(wr.conn) != STORE_OK) ok = false;
    db_release(wr.conn);
    if (ok && db_exec(wr.conn, "COMMIT") != SQLITE_OK) ok = false;
    if (ok) {
        bool data = false;
        for (unsigned i = 0; i < n && !data; i++) data = rcs[i] == STORE_OK && !jobs[i]->quiet;
        if (data) atomic_fetch_add_explicit(&wr.data_epoch, 1, memory_order_release);
        writer_publish(catalog);
    }
    db_notes_truncate(wr.conn, 0);
    if (!ok) {
        LOG_EMIT(LOG_ERROR, "write batch failed",
                 LOG_STR("error", sqlite3_errmsg(db_handle(wr.conn))), LOG_INT("jobs", n));
        db_exec(wr.conn, "ROLLBACK");
        db_take_catalog_mark(wr.conn);
    }
    db_take_queries(wr.conn);
    metrics_writer_batch(n, time_mono_ns() - t0, !ok);
    for (unsigned i = 0; i < n; i++) writer_complete(jobs[i], ok ? rcs[i] : STORE_ERROR);
}

static void writer_maintenance(void)
{
    if (db_exec(wr.conn, "BEGIN IMMEDIATE") != SQLITE_OK) return;
    int rc = store_tokens_purge(wr.conn, time_now());
    if (rc == STORE_OK)
        db_exec(wr.conn, "COMMIT");
    else
        db_exec(wr.conn, "ROLLBACK");
    db_notes_truncate(wr.conn, 0);
    db_take_queries(wr.conn);
}

static void *writer_main(void *unused)
{
    (void)unused;
    (void)pthread_setname_np(pthread_self(), "writer"); /* top -H, perf: a hint only */
    wjob *batch[WRITER_MAX_BATCH];
    pthread_mutex_lock(&wr.lock);
    for (;;) {
        while (!wr.head && !wr.stopping) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += WRITER_MAINTENANCE_S;
            if (pthread_cond_timedwait(&wr.wake, &wr.lock, &until) != 0 && !wr.head) {
                pthread_mutex_unlock(&wr.lock);
                writer_maintenance();
                pthread_mutex_lock(&wr.lock);
            }
        }
        if (!wr.head && wr.stopping) break;
        unsigned n = 0;
        while (wr.head && n < WRITER_MAX_BATCH) {
            batch[n++] = wr.head;
            wr.head = wr.head->next;
        }
        if (!wr.head) wr.tail = NULL;
        pthread_mutex_unlock(&wr.lock);
        metrics_writer_queue_add(-(int)n);
        writer_run_batch(batch, n);
        pthread_mutex_lock(&wr.lock);
    }
    pthread_mutex_unlock(&wr.lock);
    return NULL;
}

int writer_start(const char *path, char *err, size_t errlen)
{
    wr.conn = db_open(path, false, err, errlen);
    if (!wr.conn) return -1;
    wr.stopping = false;
    int rc = pthread_create(&wr.thread, NULL, writer_main, NULL);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start the writer thread: %s", strerror(rc));
        db_close(wr.conn);
        wr.conn = NULL;
        return -1;
    }
    wr.running = true;
    return 0;
}

uint64_t writer_data_epoch(void)
{
    return atomic_load_explicit(&wr.data_epoch, memory_order_acquire);
}

void writer_submit(wjob *j)
{
    j->next = NULL;
    pthread_mutex_lock(&wr.lock);
    if (wr.stopping || !wr.running) {
        pthread_mutex_unlock(&wr.lock);
        writer_complete(j, STORE_UNAVAILABLE);
        return;
    }
    if (wr.tail)
        wr.tail->next = j;
    else
        wr.head = j;
    wr.tail = j;
    pthread_cond_signal(&wr.wake);
    pthread_mutex_unlock(&wr.lock);
    metrics_writer_queue_add(1);
}

void writer_stop(void)
{
    pthread_mutex_lock(&wr.lock);
    if (!wr.running) {
        pthread_mutex_unlock(&wr.lock);
        return;
    }
    wr.stopping = true;
    pthread_cond_signal(&wr.wake);
    pthread_mutex_unlock(&wr.lock);
    pthread_join(wr.thread, NULL);
    wr.running = false;
    db_exec(wr.conn, "PRAGMA wal_checkpoint(TRUNCATE)");
    db_close(wr.conn);
    wr.conn = NULL;
}
