/* store_payments.c: SQL of payments and the organizer dashboard (see store_payments.h). */
#include "store/store_payments.h"

#include <stdio.h>
#include <string.h>

#include "store/store_registrations.h"

#define P_COLS                                                                                     \
    "p.id, p.registration_id, r.tournament_id, t.organizer_id, r.user_id, t.currency,"             \
    " p.amount_cents, p.method, p.reference, p.status, p.reason, p.verified_by, p.verified_at,"    \
    " p.created_at, u.id, u.username, u.display_name, r.team_id, tm.name"
#define P_FROM                                                                                     \
    " FROM payments p JOIN registrations r ON r.id = p.registration_id"                            \
    " JOIN tournaments t ON t.id = r.tournament_id JOIN users u ON u.id = r.user_id"               \
    " LEFT JOIN teams tm ON tm.id = r.team_id"

static int store_pay_row(sqlite3_stmt *st, arena *a, st_payment *p)
{
    int i = 0;
    memset(p, 0, sizeof *p);
    p->id = sqlite3_column_int64(st, i++);
    p->registration_id = sqlite3_column_int64(st, i++);
    p->tournament_id = sqlite3_column_int64(st, i++);
    p->organizer_id = sqlite3_column_int64(st, i++);
    p->payer_id = sqlite3_column_int64(st, i++);
    p->currency = db_col_text(st, i++, a);
    p->amount_cents = sqlite3_column_int64(st, i++);
    p->method = db_col_text(st, i++, a);
    p->reference = db_col_text(st, i++, a);
    p->status = db_col_text(st, i++, a);
    p->reason = db_col_text(st, i++, a);
    p->verified_by = sqlite3_column_int64(st, i++);
    p->verified_at = sqlite3_column_int64(st, i++);
    p->created_at = sqlite3_column_int64(st, i++);
    p->user.id = sqlite3_column_int64(st, i++);
    p->user.username = db_col_text(st, i++, a);
    p->user.display_name = db_col_text(st, i++, a);
    p->team_id = sqlite3_column_int64(st, i++);
    p->team_name = db_col_text(st, i++, a);
    return p->status && p->method && p->user.username ? STORE_OK : STORE_ERROR;
}

int store_payment_get(db_conn *c, arena *a, int64_t id, st_payment *out)
{
    sqlite3_stmt *st =
        db_stmt(c, Q_PAY_GET, "SELECT " P_COLS P_FROM " WHERE p.id = ?1 AND t.is_deleted = 0");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) return STORE_NOT_FOUND;
    if (rc != SQLITE_ROW) return STORE_ERROR;
    return store_pay_row(st, a, out);
}

int store_payments_list(db_conn *c, arena *a, const store_plist *f, st_payment **out, int *n)
{
    /* payments_tournament (or payments_tournament_status) is walked in id order and the
     * LIMIT stops the walk, so the joins run for the page's rows only; r.tournament_id =
     * ?1 holds by construction and lets SQLite look the tournament up once */
    sqlite3_stmt *st =
        f->status ? db_stmt(c, Q_PAY_LIST_STATUS,
                            "SELECT " P_COLS P_FROM " WHERE p.tournament_id = ?1 AND p.status = ?2"
                            " AND p.id > ?3 AND r.tournament_id = ?1 ORDER BY p.id LIMIT ?4")
                  : db_stmt(c, Q_PAY_LIST,
                            "SELECT " P_COLS P_FROM " WHERE p.tournament_id = ?1 AND p.id > ?3"
                            " AND r.tournament_id = ?1 ORDER BY p.id LIMIT ?4");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, f->tournament_id);
    if (f->status) db_bind_text(st, 2, f->status);
    sqlite3_bind_int64(st, 3, f->after_id);
    sqlite3_bind_int(st, 4, f->limit);
    int cap = f->limit > 0 ? f->limit : 1, count = 0, rc = SQLITE_ERROR;
    st_payment *items = arena_alloc(a, sizeof(st_payment) * (size_t)cap);
    while (items && count < cap && (rc = sqlite3_step(st)) == SQLITE_ROW)
        if (store_pay_row(st, a, &items[count++]) != STORE_OK) return STORE_ERROR;
    if (items && count == cap) rc = SQLITE_DONE;
    if (!items || rc != SQLITE_DONE) return STORE_ERROR;
    *out = items;
    *n = count;
    return STORE_OK;
}

/* The one count a check query answers. */
static int store_pay_count(db_conn *c, query_slot slot, const char *sql, long *out)
{
    *out = 0;
    sqlite3_stmt *st = db_stmt(c, slot, sql);
    if (!st || sqlite3_step(st) != SQLITE_ROW) return STORE_ERROR;
    *out = (long)sqlite3_column_int64(st, 0);
    return STORE_OK;
}

int store_payments_check(db_conn *c, long *bad_tournament, long *bad_latest)
{
    *bad_latest = 0;
    int rc = store_pay_count(c, Q_PAY_CHECK,
                             "SELECT count(*) FROM payments p JOIN registrations r ON r.id ="
                             " p.registration_id WHERE p.tournament_id <> r.tournament_id",
                             bad_tournament);
    if (rc != STORE_OK) return rc;
    return store_pay_count(c, Q_PAY_CHECK_LATEST,
                           "SELECT count(*) FROM registrations r WHERE r.payment_id IS NOT"
                           " (SELECT max(p.id) FROM payments p WHERE p.registration_id = r.id)",
                           bad_latest);
}

/* The registration a payment is for, with what the rules need. */
static int store_pay_target(db_conn *w, int64_t reg_id, char status[16], int64_t *tournament_id,
                            int64_t *fee)
{
    sqlite3_stmt *st = db_stmt(w, Q_PAY_FOR_WRITE,
                               "SELECT r.status, r.tournament_id, t.entry_fee_cents"
                               " FROM registrations r JOIN tournaments t ON t.id = r.tournament_id"
                               " WHERE r.id = ?1 AND t.is_deleted = 0");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, reg_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) return STORE_NOT_FOUND;
    if (rc != SQLITE_ROW) return STORE_ERROR;
    snprintf(status, 16, "%s", (const char *)sqlite3_column_text(st, 0));
    *tournament_id = sqlite3_column_int64(st, 1);
    *fee = sqlite3_column_int64(st, 2);
    return STORE_OK;
}

int store_payment_insert(db_conn *w, void *arg)
{
    store_pay_new *pn = arg;
    char status[16];
    int64_t tid, fee;
    int rc = store_pay_target(w, pn->registration_id, status, &tid, &fee);
    if (rc != STORE_OK) return rc;
    if (fee == 0) {
        pn->why = (store_refusal){"invalid_transition", NULL, "this tournament is free"};
        return STORE_CONFLICT;
    }
    if (strcmp(status, "pending") != 0) {
        pn->why = (store_refusal){"invalid_transition", NULL,
                                  "only a pending registration takes a payment"};
        return STORE_CONFLICT;
    }
    if (pn->amount_cents != fee) {
        pn->why = (store_refusal){"validation_failed", "amount_cents",
                                  "amount_cents must equal the entry fee"};
        return STORE_INVALID;
    }
    sqlite3_stmt *st = db_stmt(w, Q_PAY_INSERT,
                               "INSERT INTO payments (registration_id, amount_cents, method,"
                               " reference, status, created_at, tournament_id) VALUES (?1, ?2,"
                               " ?3, ?4, 'pending', ?5, ?6)");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, pn->registration_id);
    sqlite3_bind_int64(st, 2, pn->amount_cents);
    db_bind_text(st, 3, pn->method);
    db_bind_text(st, 4, pn->reference ? pn->reference : "");
    sqlite3_bind_int64(st, 5, pn->now);
    sqlite3_bind_int64(st, 6, tid);
    rc = sqlite3_step(st);
    if (db_is_unique_violation(rc)) {
        pn->why = (store_refusal){"conflict", NULL,
                                  "a payment of this registration is already waiting for "
                                  "verification"};
        return STORE_CONFLICT;
    }
    if (rc != SQLITE_DONE) return STORE_ERROR;
    pn->id = sqlite3_last_insert_rowid(db_handle(w));
    /* the registration names its latest payment (migration 0010) */
    st = db_stmt(w, Q_PAY_REG_LATEST, "UPDATE registrations SET payment_id = ?2 WHERE id = ?1");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, pn->registration_id);
    sqlite3_bind_int64(st, 2, pn->id);
    if (sqlite3_step(st) != SQLITE_DONE || sqlite3_changes(db_handle(w)) != 1) return STORE_ERROR;
    return store_payment_counters(w, tid, +1, 0, pn->now);
}

int store_payment_decide(db_conn *w, void *arg)
{
    store_pay_decide *d = arg;
    arena *a = arena_new(2048);
    if (!a) return STORE_ERROR;
    st_payment p;
    int rc = store_payment_get(w, a, d->id, &p);
    bool pending = rc == STORE_OK && strcmp(p.status, "pending") == 0;
    arena_free(a);
    if (rc != STORE_OK) return rc;
    if (!pending) {
        d->why = (store_refusal){"invalid_transition", "status",
                                 "only a pending payment can be verified or rejected"};
        return STORE_CONFLICT;
    }
    sqlite3_stmt *st = db_stmt(w, Q_PAY_SET_STATUS,
                               "UPDATE payments SET status = ?2, reason = ?3, verified_by = ?4,"
                               " verified_at = ?5 WHERE id = ?1 AND status = 'pending'");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, d->id);
    db_bind_text(st, 2, d->verify ? "verified" : "rejected");
    db_bind_text(st, 3, d->verify ? NULL : d->reason);
    sqlite3_bind_int64(st, 4, d->by_user);
    sqlite3_bind_int64(st, 5, d->now);
    if (sqlite3_step(st) != SQLITE_DONE) return STORE_ERROR;
    char status[16];
    int64_t tid, fee;
    if ((rc = store_pay_target(w, p.registration_id, status, &tid, &fee)) != STORE_OK) return rc;
    rc = store_payment_counters(w, tid, -1, d->verify ? p.amount_cents : 0, d->now);
    if (rc == STORE_OK && d->verify && strcmp(status, "pending") == 0)
        rc = store_registration_move(w, p.registration_id, tid, "pending", "confirmed", d->now);
    return rc;
}

int store_organizer_dashboard(db_conn *c, arena *a, int64_t user_id, bool has_cursor,
                              int64_t after_start, int64_t after_id, int limit,
                              st_dashboard_row **out, int *n)
{
    sqlite3_stmt *st =
        db_stmt(c, Q_ORG_DASHBOARD,
                "SELECT t.id, t.slug, t.name, t.currency, t.status, t.start_at, t.max_participants,"
                " t.entry_fee_cents, t.n_pending, t.n_confirmed, t.n_checked_in, t.n_cancelled,"
                " t.n_payments_pending, t.revenue_verified_cents"
                " FROM tournaments t WHERE t.organizer_id = ?1 AND t.is_deleted = 0"
                " AND (?2 = 0 OR t.start_at < ?3 OR (t.start_at = ?3 AND t.id < ?4))"
                " ORDER BY t.start_at DESC, t.id DESC LIMIT ?5");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int(st, 2, has_cursor);
    sqlite3_bind_int64(st, 3, after_start);
    sqlite3_bind_int64(st, 4, after_id);
    sqlite3_bind_int(st, 5, limit);
    st_dashboard_row *rows =
        arena_alloc(a, sizeof(st_dashboard_row) * (size_t)(limit > 0 ? limit : 1));
    int count = 0, rc = SQLITE_ERROR;
    while (rows && count < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        st_dashboard_row *d = &rows[count++];
        d->id = sqlite3_column_int64(st, 0);
        d->slug = db_col_text(st, 1, a);
        d->name = db_col_text(st, 2, a);
        d->currency = db_col_text(st, 3, a);
        d->status = tstatus_parse((const char *)sqlite3_column_text(st, 4));
        d->start_at = sqlite3_column_int64(st, 5);
        d->max_participants = sqlite3_column_int64(st, 6);
        d->entry_fee_cents = sqlite3_column_int64(st, 7);
        d->n_pending = sqlite3_column_int64(st, 8);
        d->n_confirmed = sqlite3_column_int64(st, 9);
        d->n_checked_in = sqlite3_column_int64(st, 10);
        d->n_cancelled = sqlite3_column_int64(st, 11);
        d->pending_payments = sqlite3_column_int64(st, 12);
        d->verified_revenue_cents = sqlite3_column_int64(st, 13);
        if (!d->slug || !d->name) return STORE_ERROR;
    }
    if (rows && count == limit) rc = SQLITE_DONE;
    if (!rows || rc != SQLITE_DONE) return STORE_ERROR;
    *out = rows;
    *n = count;
    return STORE_OK;
}
