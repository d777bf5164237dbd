/* store_standings.h: each tournament's standings as a stored document (the `standings`
 * table): the JSON array that GET /api/v1/tournaments/{slug}/standings serves as
 * `items`, with the bracket's `complete` flag. The writer rebuilds a tournament's
 * document in the transaction that changed its matches, so a read is one primary-key
 * probe and never sees standings older than the last acknowledged result. */
#ifndef TOURNEYD_STORE_STANDINGS_H
#define TOURNEYD_STORE_STANDINGS_H

#include "store/store.h"

struct st_bracket; /* store_brackets.h */

typedef struct st_standings {
    bool complete;
    int participants;
    const char *items; /* a JSON array, "[]" before the bracket exists */
    size_t len;
} st_standings;

/* The stored document of a tournament (any connection); "[]" when it has none. `items`
 * points into SQLite's row (no copy of a document of tens of KiB): valid only until the
 * next query on this connection. */
int store_standings_get(db_conn *c, int64_t tournament_id, st_standings *out);

/* Computes the document from the matches (any connection): what the stored one must be.
 * On STORE_NOT_FOUND (no such tournament, or deleted) *out is the empty document. */
int store_standings_build(db_conn *c, arena *a, int64_t tournament_id, st_standings *out);

/* Writer: rebuilds and stores the document of one tournament (removes it when the
 * tournament has no bracket). */
int store_standings_refresh(db_conn *w, int64_t tournament_id);

/* Writer, in a job that holds a tournament's bracket as it just saved it (a result):
 * stores the document built from that bracket and notes DB_CH_STANDINGS, so the rebuild
 * before COMMIT skips the tournament unless a later note of the batch touches it. */
int store_standings_keep(db_conn *w, int64_t tournament_id, const struct st_bracket *sb);

/* Writer: rebuilds every tournament's document (migration, seeding). */
int store_standings_rebuild_all(db_conn *w);

/* Compares every stored document with a fresh build; *bad counts the tournaments that
 * differ (or have a bracket and no document), *checked the tournaments looked at, and
 * first_bad is the id of the first one that differs (0 when none). */
int store_standings_check(db_conn *c, long *checked, long *bad, int64_t *first_bad);

#endif
