/* store_matches.h: matches of a tournament, read with their sides' names and seeds in
 * one query (never one query per match). */
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
    int limit;           /* 0 = no limit (the whole bracket) */
} store_mlist;
/* In bracket order (winners, losers, grand final, third place, group, swiss), then
 * round and position when limit is 0; by id (keyset) otherwise. */
int store_matches_list(db_conn *c, arena *a, const store_mlist *f, st_match **out, int *n);

#endif
