/* store_registrations.h: registrations: reads for lists, one registration and a user's
 * dashboard (each one query, whatever the page size: tournament, user, team, latest
 * payment and next match are joined, never fetched per row), and the writer jobs that
 * register, cancel and check in. Every rule that depends on current data (registration
 * open, capacity, one active registration per user and per team, a user in two teams)
 * is checked inside the writer's transaction, so it holds under any concurrency; every
 * change updates the tournament's counters and raises its version in the same
 * transaction. */
#ifndef TOURNEYD_STORE_REGISTRATIONS_H
#define TOURNEYD_STORE_REGISTRATIONS_H

#include "store/store.h"

int store_registration_get(db_conn *c, arena *a, int64_t id, st_registration *out);

typedef struct store_rlist {
    int64_t tournament_id;
    const char *status; /* or NULL */
    int64_t after_id;   /* keyset: registrations with a larger id; 0 = from the start */
    int limit;
} store_rlist;
/* Registration order (id ascending). */
int store_registrations_list(db_conn *c, arena *a, const store_rlist *f, st_registration **out,
                             int *n);
/* The user's registrations, solo and through any team they are a member of, newest
 * first (id descending, keyset `before_id`, 0 = from the newest), with the tournament
 * summary fields and the next match. */
int store_registrations_mine(db_conn *c, arena *a, int64_t user_id, int64_t before_id, int limit,
                             st_registration **out, int *n);

typedef struct store_reg_new {
    int64_t tournament_id, user_id, team_id; /* team_id 0 = solo */
    int64_t now;
    arena *a;                         /* for the team's name and tag (the request's arena) */
    int64_t id;                       /* out */
    const char *status;               /* out: "pending" or "confirmed" */
    const char *team_name, *team_tag; /* out for team entries */
    store_refusal why;                /* out with STORE_CONFLICT / STORE_INVALID */
} store_reg_new;
/* STORE_CONFLICT with why.code registration_closed / tournament_full /
 * already_registered; STORE_INVALID for a team that may not play (size, captain). */
int store_registration_insert(db_conn *w, void *store_reg_new_arg);

typedef struct store_reg_change {
    int64_t id, now;
    store_refusal why; /* out with STORE_CONFLICT */
} store_reg_change;
/* Cancels (frees the spot; a pending payment is rejected with it). Refused once the
 * tournament is live or over, or when already cancelled. */
int store_registration_cancel(db_conn *w, void *store_reg_change_arg);
/* confirmed -> checked_in, only when the tournament requires check-in and is
 * registration_closed, or within the hour before its start. */
int store_registration_check_in(db_conn *w, void *store_reg_change_arg);

/* Shared with store_payments.c: moves a registration between statuses and keeps the
 * tournament's counters and version exact. */
int store_registration_move(db_conn *w, int64_t reg_id, int64_t tournament_id, const char *from,
                            const char *to, int64_t now);

/* Adds to the tournament's pending-payment count and verified revenue, and raises its
 * version. */
int store_payment_counters(db_conn *w, int64_t tournament_id, int pending_delta,
                           int64_t revenue_delta, int64_t now);
/* Raises the tournament's version (a change it shows that moves no counter). */
int store_tournament_touch(db_conn *w, int64_t tournament_id, int64_t now);

#endif
