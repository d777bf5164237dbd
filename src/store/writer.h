/* writer.h: the single writer thread and its group commit.
 *
 * Every write of the program is a job handed to this thread. The thread takes all jobs
 * queued so far (up to WRITER_MAX_BATCH), runs them in one transaction, each inside its
 * own savepoint (a job that fails is rolled back alone), commits once with
 * synchronous=FULL, and only then completes each job by calling its `done` callback. So
 * an acknowledged write is durable, throughput comes from batching, and checks that a
 * job makes inside its transaction (capacity, uniqueness, state) are exact. */
#ifndef TOURNEYD_WRITER_H
#define TOURNEYD_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

#define WRITER_MAX_BATCH 512

typedef struct wjob wjob;
/* Runs inside the batch's transaction on the writer's connection; returns a store_rc
 * (store.h). Anything but STORE_OK rolls the job's savepoint back. */
typedef int (*wjob_run_fn)(db_conn *w, void *arg);
/* Called on the writer thread once the job's outcome is final (after the commit); must
 * be quick and must not touch the job after handing it back to its owner. */
typedef void (*wjob_done_fn)(wjob *j);

struct wjob {
    wjob_run_fn run;
    void *arg;
    wjob_done_fn done;
    void *done_arg;
    bool quiet; /* leaves writer_data_epoch() alone (a snapshot job that only restates data) */
    int rc;     /* set by the writer: the run's store_rc, or STORE_ERROR if the commit failed */
    wjob *next; /* owned by the writer while queued */
};

/* Called on the writer thread after each commit that changed something, before any job
 * of the batch is acknowledged, with the changes in write order (store/db.h: rolled-back
 * jobs' changes are not included; n may be 0 when the changes could not be recorded,
 * meaning anything may have changed). The listener may read the committed rows on `w`
 * (and must db_release it); it must be quick: every acknowledgement waits for it. Set
 * before writer_start. */
typedef void (*writer_listener_fn)(db_conn *w, const db_change *changes, size_t n, void *arg);
void writer_set_listener(writer_listener_fn fn, void *arg);

/* Opens the writer connection and starts the thread. */
int writer_start(const char *path, char *err, size_t errlen);
/* Queues a job (thread-safe). After writer_stop() began, the job completes at once with
 * STORE_UNAVAILABLE. */
void writer_submit(wjob *j);
/* How many commits so far held a job that succeeded and is not `quiet` (thread-safe;
 * raised after the COMMIT, before any acknowledgement). A reader that reads the same value
 * before two reads of the database knows that only quiet jobs wrote in between. */
uint64_t writer_data_epoch(void);
/* Runs every queued job, stops the thread, closes the connection. */
void writer_stop(void);

#endif
