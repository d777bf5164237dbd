/* leaderboard.c: the leaderboard thread (see leaderboard.h). Owns its read connection
 * and the thread's wake-up state; the SQL lives in store/store_leaderboard.c. */
#include "jobs/leaderboard.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "obs/log.h"
#include "store/store_leaderboard.h"
#include "store/writer.h"
#include "util/timefmt.h"

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool running, stopping, kicked, job_done;
    unsigned interval_s;
    pthread_t thread;
    db_conn *conn;
    /* the thread's own: writer_data_epoch() read before the last snapshot that was stored */
    bool have_epoch;
    uint64_t epoch;
} lb = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static void leaderboard_job_done(wjob *j)
{
    (void)j;
    pthread_mutex_lock(&lb.lock);
    lb.job_done = true;
    pthread_cond_broadcast(&lb.wake);
    pthread_mutex_unlock(&lb.lock);
}

/* Runs one replacement job on the writer and waits for its outcome. */
static int leaderboard_store(lb_replace *part)
{
    /* quiet: restating the snapshot is not a change the next snapshot needs to see */
    wjob job = {
        .run = store_leaderboard_replace, .arg = part, .done = leaderboard_job_done, .quiet = true};
    pthread_mutex_lock(&lb.lock);
    lb.job_done = false;
    pthread_mutex_unlock(&lb.lock);
    writer_submit(&job);
    pthread_mutex_lock(&lb.lock);
    while (!lb.job_done) pthread_cond_wait(&lb.wake, &lb.lock);
    pthread_mutex_unlock(&lb.lock);
    return job.rc;
}

/* One snapshot: compute on the read connection, replace through the writer; nothing when
 * nothing but snapshots was written since the last one (the stored one is still exact:
 * an idle server does not scan its matches every interval). */
static void leaderboard_refresh(void)
{
    uint64_t epoch = writer_data_epoch(); /* before the computation's read snapshot */
    if (lb.have_epoch && epoch == lb.epoch) {
        LOG_EMIT(LOG_DEBUG, "leaderboard unchanged: no write since the last snapshot");
        return;
    }
    uint64_t t0 = time_mono_ns();
    lb_snapshot snap;
    int rc = store_leaderboard_compute(lb.conn, time_now(), &snap);
    db_release(lb.conn);
    if (rc != STORE_OK) {
        LOG_EMIT(LOG_ERROR, "leaderboard computation failed");
        return;
    }
    uint64_t computed = time_mono_ns();
    /* one short writer job per game (rows come grouped by game), then the finish */
    bool stored = true;
    for (int i = 0; i <= snap.n && stored;) {
        lb_replace part = {.computed_at = snap.computed_at};
        if (i < snap.n) {
            int j = i;
            while (j < snap.n && snap.rows[j].game_id == snap.rows[i].game_id) j++;
            part.game_id = snap.rows[i].game_id;
            part.rows = &snap.rows[i];
            part.n = j - i;
            i = j;
        } else {
            i++; /* game_id 0: drop absent games, stamp the time */
        }
        stored = leaderboard_store(&part) == STORE_OK;
    }
    if (stored) {
        lb.epoch = epoch;
        lb.have_epoch = true;
    }
    log_level lvl = (computed - t0) > 500000000ULL ? LOG_WARN : LOG_DEBUG;
    LOG_EMIT(lvl, "leaderboard snapshot", LOG_INT("rows", snap.n),
             LOG_DBL("compute_ms", (double)(computed - t0) / 1e6),
             LOG_DBL("store_ms", (double)(time_mono_ns() - computed) / 1e6),
             LOG_INT("stored", stored));
    store_leaderboard_free(&snap);
}

static void *leaderboard_main(void *unused)
{
    (void)unused;
    (void)pthread_setname_np(pthread_self(), "leaderboard"); /* top -H, perf: a hint only */
    for (;;) {
        leaderboard_refresh();
        pthread_mutex_lock(&lb.lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += lb.interval_s;
        while (!lb.stopping && !lb.kicked)
            if (pthread_cond_timedwait(&lb.wake, &lb.lock, &until) != 0) break;
        bool stop = lb.stopping;
        lb.kicked = false;
        pthread_mutex_unlock(&lb.lock);
        if (stop) break;
    }
    return NULL;
}

int leaderboard_job_start(const char *db_path, unsigned interval_s, char *err, size_t errlen)
{
    lb.conn = db_open(db_path, true, err, errlen);
    if (!lb.conn) return -1;
    /* a whole-database scan every minute must not grow the process: no mmap window and a
     * small page cache (the OS page cache holds the file anyway) */
    if (db_exec(lb.conn, "PRAGMA mmap_size=0; PRAGMA cache_size=-2048") != SQLITE_OK) {
        snprintf(err, errlen, "cannot configure the leaderboard connection");
        db_close(lb.conn);
        lb.conn = NULL;
        return -1;
    }
    lb.interval_s = interval_s ? interval_s : 60;
    lb.stopping = lb.kicked = false;
    int rc = pthread_create(&lb.thread, NULL, leaderboard_main, NULL);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start the leaderboard thread: %s", strerror(rc));
        db_close(lb.conn);
        lb.conn = NULL;
        return -1;
    }
    lb.running = true;
    return 0;
}

void leaderboard_job_kick(void)
{
    pthread_mutex_lock(&lb.lock);
    lb.kicked = true;
    pthread_cond_broadcast(&lb.wake);
    pthread_mutex_unlock(&lb.lock);
}

void leaderboard_job_stop(void)
{
    if (!lb.running) return;
    pthread_mutex_lock(&lb.lock);
    lb.stopping = true;
    pthread_cond_broadcast(&lb.wake);
    pthread_mutex_unlock(&lb.lock);
    pthread_join(lb.thread, NULL);
    lb.running = false;
    db_close(lb.conn);
    lb.conn = NULL;
}
