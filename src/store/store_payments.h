/* store_payments.h: payments of entry fees and their verification by the organizer.
 * Verifying a payment confirms its registration in the same transaction. */
#ifndef TOURNEYD_STORE_PAYMENTS_H
#define TOURNEYD_STORE_PAYMENTS_H

#include "store/store.h"

int store_payment_get(db_conn *c, arena *a, int64_t id, st_payment *out);

typedef struct store_plist {
    int64_t tournament_id;
    const char *status; /* or NULL */
    int64_t after_id;
    int limit;
} store_plist;
/* A tournament's payments in creation order, with who paid. One query. */
int store_payments_list(db_conn *c, arena *a, const store_plist *f, st_payment **out, int *n);

/* For `tourneyd check`, of what is written beside a payment: *bad_tournament = the payments
 * whose tournament_id (migration 0009) is not their registration's; *bad_latest = the
 * registrations whose payment_id (migration 0010) is not the id of their latest payment
 * (NULL without one). */
int store_payments_check(db_conn *c, long *bad_tournament, long *bad_latest);

typedef struct store_pay_new {
    int64_t registration_id, amount_cents, now;
    const char *method, *reference;
    int64_t id;        /* out */
    store_refusal why; /* out with STORE_CONFLICT / STORE_INVALID */
} store_pay_new;
/* Only for a pending registration of a paid tournament, for the entry fee, and when no
 * other payment of the registration is pending. */
int store_payment_insert(db_conn *w, void *store_pay_new_arg);

typedef struct store_pay_decide {
    int64_t id, by_user, now;
    bool verify; /* true: verify; false: reject with `reason` */
    const char *reason;
    store_refusal why; /* out with STORE_CONFLICT */
} store_pay_decide;
/* pending -> verified (and its pending registration -> confirmed) or -> rejected. */
int store_payment_decide(db_conn *w, void *store_pay_decide_arg);

/* One row of the organizer's dashboard. */
typedef struct st_dashboard_row {
    int64_t id;
    const char *slug, *name, *currency;
    tstatus status;
    int64_t start_at, max_participants, entry_fee_cents;
    int64_t n_pending, n_confirmed, n_checked_in, n_cancelled;
    int64_t pending_payments, verified_revenue_cents;
} st_dashboard_row;
/* Every tournament the user organizes (not deleted), newest start first, keyset on
 * (start_at, id); one query whatever the number of tournaments. */
int store_organizer_dashboard(db_conn *c, arena *a, int64_t user_id, bool has_cursor,
                              int64_t after_start, int64_t after_id, int limit,
                              st_dashboard_row **out, int *n);

#endif
