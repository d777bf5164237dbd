/* store_leaderboard.h: the game leaderboards: computing a snapshot from completed
 * matches (on a read connection, so requests and writes never wait for it), replacing
 * the stored snapshot (a writer job), and reading pages of it. */
#ifndef TOURNEYD_STORE_LEADERBOARD_H
#define TOURNEYD_STORE_LEADERBOARD_H

#include "store/store.h"

typedef struct lb_row {
    int64_t game_id, user_id;
    int64_t tournaments, matches_won, matches_lost, points;
    int64_t rank;
} lb_row;

/* A computed snapshot: rows of every game, ranked within their game. Owned (malloc). */
typedef struct lb_snapshot {
    lb_row *rows;
    int n;
    int64_t computed_at;
} lb_snapshot;

/* Computes every game's leaderboard from completed matches with two sides: a player is
 * credited for solo entries and as a member of a team entry; points are 3 per win and 1
 * per draw; ranks are competition ranks by points, then wins (ties share a rank). */
int store_leaderboard_compute(db_conn *c, int64_t now, lb_snapshot *out);
void store_leaderboard_free(lb_snapshot *s);
/* One writer job of a snapshot's replacement: a game's rows (a slice of a snapshot), or
 * with game_id 0 the end of the swap (rows of games absent from the new snapshot are
 * dropped and the snapshot time is stamped). One small job per game keeps every write
 * of the swap short, so no request waits long behind it. */
typedef struct lb_replace {
    int64_t game_id; /* 0: finish */
    const lb_row *rows;
    int n;
    int64_t computed_at;
} lb_replace;
int store_leaderboard_replace(db_conn *w, void *lb_replace_arg);

typedef struct st_lb_entry {
    int64_t rank;
    st_user_ref user;
    int64_t tournaments, matches_won, matches_lost, points;
} st_lb_entry;
/* A page of a game's leaderboard after (rank, user_id) (0, 0 = from the top), and the
 * snapshot's time (0 = never computed). */
int store_leaderboard_page(db_conn *c, arena *a, int64_t game_id, int64_t after_rank,
                           int64_t after_user, int limit, st_lb_entry **out, int *n,
                           int64_t *computed_at);

#endif
