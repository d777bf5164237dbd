/* store_tournaments.h: tournaments: reads for the catalog, detail and state, and the
 * writer jobs that create, change, move and delete them. Every write raises the
 * tournament's version and the catalog version in the same transaction. */
#ifndef TOURNEYD_STORE_TOURNAMENTS_H
#define TOURNEYD_STORE_TOURNAMENTS_H

#include "store/store.h"

/* A tournament that is not deleted (drafts included: visibility is the caller's rule). */
int store_tournament_by_slug(db_conn *c, arena *a, const char *slug, st_tournament *out);
/* Slugs of the tournaments spectators poll most: live and registration_open ones (not
 * deleted), newest start first, at most `max`. */
int store_tournament_hot_slugs(db_conn *c, arena *a, int max, const char ***out, int *n);

typedef struct store_tlist {
    int64_t viewer_id;     /* 0 = anonymous; sees non-drafts plus own drafts */
    const char *game;      /* game slug or NULL */
    const char *status;    /* status name or NULL */
    const char *organizer; /* username or NULL */
    const char *q;         /* name contains (ASCII case-insensitive, literal) or NULL */
    bool has_cursor;
    int64_t after_start, after_id; /* with has_cursor: items strictly after this key */
    int limit;                     /* rows to fetch */
} store_tlist;
/* Newest start_at first, then id descending; `description` is left NULL in list rows. */
int store_tournament_list(db_conn *c, arena *a, const store_tlist *f, st_tournament **out, int *n);
/* The tournaments named by a JSON array of slugs, in one query; deleted ones and other
 * people's drafts left out. Only what a state shows is filled in (slug, status, window,
 * start, size, counters, round, version, updated_at). */
int store_tournament_states(db_conn *c, arena *a, const char *slugs_json, int64_t viewer_id,
                            st_tournament **out, int *n);
/* One tournament's state by id for live updates: what a state shows (like
 * store_tournament_states) whatever its status, with *deleted set when it was deleted
 * (the row is still filled in). STORE_NOT_FOUND when no such row exists at all. */
int store_tournament_live_state(db_conn *c, arena *a, int64_t id, st_tournament *out,
                                bool *deleted);

/* The editable fields. For a create every field is used; for a patch only those whose
 * has_ flag is set. Times are 0 for "unset". */
typedef struct store_tfields {
    bool has_name, has_description, has_start_at, has_opens, has_closes, has_fee, has_currency,
        has_check_in, has_format, has_format_options, has_type, has_max;
    const char *name, *description, *format, *format_options, *participant_type, *currency;
    int64_t start_at, registration_opens_at, registration_closes_at;
    int64_t entry_fee_cents, max_participants;
    bool check_in_required;
} store_tfields;

typedef struct store_tcreate {
    store_tfields f;
    const char *slug; /* NULL: generated from the name */
    int64_t game_id, organizer_id, now;
    char slug_out[72];          /* out: the slug stored */
    const char *conflict_field; /* out with STORE_CONFLICT */
} store_tcreate;
int store_tournament_insert(db_conn *w, void *store_tcreate_arg);

typedef struct store_tpatch {
    int64_t id, now;
    store_tfields f;
    /* the format the caller validated format_options against (when has_format_options
     * and not has_format): a concurrent format change makes this a conflict */
    const char *expect_format;
    const char *field;   /* out: field at fault (STORE_CONFLICT or STORE_INVALID) */
    const char *message; /* out */
} store_tpatch;
int store_tournament_patch(db_conn *w, void *store_tpatch_arg);

typedef struct store_tstatus {
    int64_t id, now;
    tstatus to;
    tstatus from; /* out */
} store_tstatus;
/* STORE_INVALID_TRANSITION when the machine refuses the move. */
int store_tournament_set_status(db_conn *w, void *store_tstatus_arg);

typedef struct store_tdelete {
    int64_t id, now;
} store_tdelete;
int store_tournament_delete(db_conn *w, void *store_tdelete_arg);

/* Raises the catalog version if a job of the current batch changed the catalog; the
 * writer calls it just before COMMIT. */
int store_catalog_flush(db_conn *w);

/* For `tourneyd check`: *bad = the tournaments whose counters (registrations by status,
 * pending payments, verified revenue; the writer keeps them with every change) differ
 * from a count of their registrations and payments, first_bad the lowest such id (0
 * when none), *checked the tournaments looked at. */
int store_tournaments_check_counters(db_conn *c, long *checked, long *bad, int64_t *first_bad);

#endif
