/* leaderboard.h: the background thread that keeps the game leaderboards' snapshot fresh.
 *
 * It recomputes every `interval` seconds (when anything was written since the last
 * snapshot: writer_data_epoch) and soon after leaderboard_job_kick() (a
 * tournament completed), on its own read connection, then hands the snapshot to the
 * writer as one job: requests never wait for the computation, and writes wait only
 * for the (short) replacement. */
#ifndef TOURNEYD_LEADERBOARD_JOB_H
#define TOURNEYD_LEADERBOARD_JOB_H

#include <stddef.h>

/* Starts the thread (a first snapshot right away). interval_s >= 1. */
int leaderboard_job_start(const char *db_path, unsigned interval_s, char *err, size_t errlen);
/* Asks for a recomputation soon (thread-safe, cheap, coalesces). */
void leaderboard_job_kick(void);
/* Stops the thread (finishing a snapshot in progress). Call before writer_stop. */
void leaderboard_job_stop(void);

#endif
