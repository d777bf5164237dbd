/* store_brackets.h: a tournament's bracket between the database and the pure engine
 * (core/bracket.h): loading the matches into a bracket, writing back what a change
 * touched, and the writer jobs that seed, start, report and reopen. */
#ifndef TOURNEYD_STORE_BRACKETS_H
#define TOURNEYD_STORE_BRACKETS_H

#include "core/bracket.h"
#include "store/store.h"

/* The bracket of a tournament as stored, with the registration id of each participant
 * index (participant i has seed i + 1). Any connection. STORE_NOT_FOUND when the
 * tournament does not exist; a tournament that has not started has n = 0. */
typedef struct st_bracket {
    bracket b;
    int64_t *reg_ids; /* [b.n], arena */
    tformat format;
    tstatus status;
    int64_t organizer_id;
} st_bracket;
int store_bracket_load(db_conn *c, arena *a, int64_t tournament_id, st_bracket *out);
void store_bracket_free(st_bracket *sb);

/* The name each participant plays under (team name, or the player's display name),
 * names[seed - 1], for n participants. */
int store_bracket_names(db_conn *c, arena *a, int64_t tournament_id, const char **names, int n);

typedef struct store_seeding {
    int64_t tournament_id, now;
    int method;           /* 0 = explicit order, 1 = random, 2 = registration order */
    const int64_t *order; /* method 0: registration ids */
    int norder;
    uint64_t rng_seed; /* method 1 */
    /* out: registration ids by seed */
    arena *a;
    int64_t *seeded;
    int nseeded;
    store_refusal why;
} store_seeding;
/* Before live: seeds 1..k for the given order (the rest unseeded), or for every active
 * registration at random / in registration order. */
int store_tournament_seed(db_conn *w, void *store_seeding_arg);

typedef struct store_start {
    int64_t tournament_id, now;
    int participants; /* out */
    store_refusal why;
} store_start;
/* registration_closed -> live: picks who plays (confirmed and checked in, or only
 * checked in when check-in is required; at least 2), numbers them by seed (explicit
 * seeds first, then registration order), generates and stores the bracket. */
int store_tournament_start(db_conn *w, void *store_start_arg);

typedef struct store_result {
    int64_t match_id, now;
    bool reopen; /* false: report score1/score2; true: reopen the match */
    int score1, score2;
    int64_t organizer_id; /* out: who may do this (checked by the caller before) */
    bool completed;       /* out: the tournament completed with this result */
    store_refusal why;
} store_result;
/* Reports or reopens a result and moves the bracket on (byes, next Swiss round, the
 * tournament's completion); reopening a completed tournament's match makes it live
 * again. */
int store_match_result(db_conn *w, void *store_result_arg);

#endif
