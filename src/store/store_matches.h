/* store_matches.h: matches of a tournament, read with their sides' names and seeds in
 * one query, or two for a whole bracket (never one query per match). */
#ifndef TOURNEYD_STORE_MATCHES_H
#define TOURNEYD_STORE_MATCHES_H

#include "store/store.h"

/* One match of a tournament that is not deleted. */
int store_match_get(db_conn *c, arena *a, int64_t id, st_match *out);

/* The matches whose ids are in ids_json (a JSON array of integers), whatever their
 * tournament's state, in no particular order; ids with no row are left out. */
int store_matches_by_ids(db_conn *c, arena *a, const char *ids_json, st_match **out, int *n);

typedef struct store_mlist {
    int64_t tournament_id;
    const char *state;   /* or NULL */
    int64_t round;       /* 0 = any */
    const char *bracket; /* or NULL */
    int64_t after_id;    /* keyset: matches with a larger id */
    int limit;           /* at least 1 */
} store_mlist;
/* A page by id (keyset). */
int store_matches_list(db_conn *c, arena *a, const store_mlist *f, st_match **out, int *n);

/* Every match of tournament t (as the caller read it, in the same read snapshot: its slug,
 * organizer and status go into every match) in bracket order (winners, losers, grand
 * final, third place, group, swiss), then round and position. Two queries: the matches
 * alone, then the seeded registrations with their names once, where joining four tables
 * for each side of each match cost three quarters of an uncached bracket. */
int store_matches_all(db_conn *c, arena *a, const st_tournament *t, st_match **out, int *n);

#endif
