/* store_registrations.c: SQL of registrations (see store_registrations.h). */
#include "store/store_registrations.h"

#include <stdio.h>
#include <string.h>

#define CHECK_IN_WINDOW_S 3600

/* Columns of one registration row, in the order store_reg_row reads them. The latest
 * payment is the one registrations.payment_id names (migration 0010): one seek by id,
 * none for a registration without a payment. */
#define R_COLS                                                                                     \
    "r.id, r.tournament_id, t.slug, t.name, t.organizer_id, u.id, u.username, u.display_name,"     \
    " r.team_id, tm.name, tm.tag, r.status, r.seed, r.created_at, r.checked_in_at, p.id,"          \
    " p.status, p.amount_cents"
#define R_FROM                                                                                     \
    " FROM registrations r JOIN tournaments t ON t.id = r.tournament_id"                           \
    " JOIN users u ON u.id = r.user_id LEFT JOIN teams tm ON tm.id = r.team_id"                    \
    " LEFT JOIN payments p ON p.id = r.payment_id"

static int store_reg_row(sqlite3_stmt *st, arena *a, st_registration *r)
{
    int i = 0;
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, i++);
    r->tournament_id = sqlite3_column_int64(st, i++);
    r->tournament_slug = db_col_text(st, i++, a);
    r->tournament_name = db_col_text(st, i++, a);
    r->organizer_id = sqlite3_column_int64(st, i++);
    r->user.id = sqlite3_column_int64(st, i++);
    r->user.username = db_col_text(st, i++, a);
    r->user.display_name = db_col_text(st, i++, a);
    r->team_id = sqlite3_column_int64(st, i++);
    r->team_name = db_col_text(st, i++, a);
    r->team_tag = db_col_text(st, i++, a);
    r->status = db_col_text(st, i++, a);
    r->seed = sqlite3_column_int64(st, i++);
    r->created_at = sqlite3_column_int64(st, i++);
    r->checked_in_at = sqlite3_column_int64(st, i++);
    r->payment_id = sqlite3_column_int64(st, i++);
    r->payment_status = db_col_text(st, i++, a);
    r->payment_amount_cents = sqlite3_column_int64(st, i++);
    return r->tournament_slug && r->user.username && r->status ? i : -1;
}

/* Steps every row of st into an arena array; `extra` reads columns past R_COLS. */
static int store_reg_rows(sqlite3_stmt *st, arena *a, int cap, st_registration **out, int *n,
                          void (*extra)(sqlite3_stmt *, int, arena *, st_registration *))
{
    st_registration *items = arena_reserve(a, NULL, 0, &cap, sizeof *items);
    int count = 0, rc = SQLITE_ERROR;
    while (items && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        items = arena_reserve(a, items, count, &cap, sizeof *items);
        if (!items) return STORE_ERROR;
        int next = store_reg_row(st, a, &items[count]);
        if (next < 0) return STORE_ERROR;
        if (extra) extra(st, next, a, &items[count]);
        count++;
    }
    if (!items || rc != SQLITE_DONE) return STORE_ERROR;
    *out = items;
    *n = count;
    return STORE_OK;
}

int store_registration_get(db_conn *c, arena *a, int64_t id, st_registration *out)
{
    sqlite3_stmt *st =
        db_stmt(c, Q_REG_GET, "SELECT " R_COLS R_FROM " WHERE r.id = ?1 AND t.is_deleted = 0");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) return STORE_NOT_FOUND;
    if (rc != SQLITE_ROW) return STORE_ERROR;
    return store_reg_row(st, a, out) < 0 ? STORE_ERROR : STORE_OK;
}

int store_registrations_list(db_conn *c, arena *a, const store_rlist *f, st_registration **out,
                             int *n)
{
    /* the tournament is looked up once; the index is walked in id order and the LIMIT
     * stops the walk, so the joins run for the page's rows only */
    sqlite3_stmt *st =
        f->status ? db_stmt(c, Q_REG_LIST_STATUS,
                            "SELECT " R_COLS R_FROM " WHERE r.tournament_id = ?1 AND r.status = ?2"
                            " AND r.id > ?3 ORDER BY r.id LIMIT ?4")
                  : db_stmt(c, Q_REG_LIST,
                            "SELECT " R_COLS R_FROM " WHERE r.tournament_id = ?1 AND r.id > ?3"
                            " ORDER BY r.id LIMIT ?4");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, f->tournament_id);
    if (f->status) db_bind_text(st, 2, f->status);
    sqlite3_bind_int64(st, 3, f->after_id);
    sqlite3_bind_int(st, 4, f->limit);
    return store_reg_rows(st, a, f->limit, out, n, NULL);
}

static void store_reg_mine_extra(sqlite3_stmt *st, int i, arena *a, st_registration *r)
{
    r->tournament_status = tstatus_parse((const char *)sqlite3_column_text(st, i++));
    r->tournament_start_at = sqlite3_column_int64(st, i++);
    r->game_slug = db_col_text(st, i++, a);
    r->game_name = db_col_text(st, i++, a);
    r->next_match_id = sqlite3_column_int64(st, i++);
    r->next_match_round = sqlite3_column_int64(st, i++);
    r->next_match_bracket = db_col_text(st, i++, a);
    r->next_match_state = db_col_text(st, i++, a);
}

int store_registrations_mine(db_conn *c, arena *a, int64_t user_id, int64_t before_id, int limit,
                             st_registration **out, int *n)
{
    sqlite3_stmt *st = db_stmt(
        c, Q_REG_MINE,
        "SELECT " R_COLS ", t.status, t.start_at, g.slug, g.name, m.id, m.round, m.bracket,"
        " m.state" R_FROM " JOIN games g ON g.id = t.game_id"
        " LEFT JOIN matches m ON m.id = (SELECT m2.id FROM matches m2"
        " WHERE (m2.p1_registration_id = r.id OR m2.p2_registration_id = r.id)"
        " AND m2.state IN ('ready', 'live') ORDER BY m2.round, m2.position LIMIT 1)"
        /* the page's ids first: the newest `limit` of the user's own registrations (a
         * backward range of the (user_id, id) index) merged with the newest `limit` of
         * their teams', so the cost is the page, not all of the user's history; then the
         * joins for those ids only */
        " WHERE r.id IN (SELECT id FROM (SELECT p.id FROM registrations p JOIN tournaments pt"
        " ON pt.id = p.tournament_id AND pt.is_deleted = 0 WHERE p.user_id = ?1 AND p.id < ?2"
        " ORDER BY p.id DESC LIMIT ?3) UNION SELECT id FROM (SELECT r2.id FROM team_members x"
        " JOIN registrations r2 ON r2.team_id = x.team_id JOIN tournaments pt ON pt.id ="
        " r2.tournament_id AND pt.is_deleted = 0 WHERE x.user_id = ?1 AND r2.id < ?2"
        " ORDER BY r2.id DESC LIMIT ?3) ORDER BY id DESC LIMIT ?3) ORDER BY r.id DESC");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int64(st, 2, before_id > 0 ? before_id : INT64_MAX);
    sqlite3_bind_int(st, 3, limit);
    return store_reg_rows(st, a, limit, out, n, store_reg_mine_extra);
}

/* ---- writes ---- */

/* The counter column of each registration status; the index picks the statement slot. */
static const char *const counter_status[4] = {"pending", "confirmed", "checked_in", "cancelled"};
static const char *const counter_sql[4] = {
    "UPDATE tournaments SET n_pending = n_pending + ?2, version = version + 1,"
    " updated_at = ?3 WHERE id = ?1",
    "UPDATE tournaments SET n_confirmed = n_confirmed + ?2, version = version + 1,"
    " updated_at = ?3 WHERE id = ?1",
    "UPDATE tournaments SET n_checked_in = n_checked_in + ?2, version = version + 1,"
    " updated_at = ?3 WHERE id = ?1",
    "UPDATE tournaments SET n_cancelled = n_cancelled + ?2, version = version + 1,"
    " updated_at = ?3 WHERE id = ?1",
};

/* Adds `delta` to the counter of `status` and raises the tournament's version. */
static int store_counter_add(db_conn *w, int64_t tournament_id, const char *status, int delta,
                             int64_t now)
{
    int k = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(status, counter_status[i]) == 0) k = i;
    if (k < 0) return STORE_ERROR;
    sqlite3_stmt *st = db_stmt(w, (query_slot)(Q_T_COUNTER_FIRST + k), counter_sql[k]);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, tournament_id);
    sqlite3_bind_int(st, 2, delta);
    sqlite3_bind_int64(st, 3, now);
    if (sqlite3_step(st) != SQLITE_DONE) return STORE_ERROR;
    db_note(w, DB_CH_TOURNAMENT, tournament_id, 0);
    return STORE_OK;
}

int store_payment_counters(db_conn *w, int64_t tournament_id, int pending_delta,
                           int64_t revenue_delta, int64_t now)
{
    sqlite3_stmt *st = db_stmt(w, Q_T_PAY_COUNTERS,
                               "UPDATE tournaments SET n_payments_pending = n_payments_pending"
                               " + ?2, revenue_verified_cents = revenue_verified_cents + ?3,"
                               " version = version + 1, updated_at = ?4 WHERE id = ?1");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, tournament_id);
    sqlite3_bind_int(st, 2, pending_delta);
    sqlite3_bind_int64(st, 3, revenue_delta);
    sqlite3_bind_int64(st, 4, now);
    if (sqlite3_step(st) != SQLITE_DONE) return STORE_ERROR;
    db_note(w, DB_CH_TOURNAMENT, tournament_id, 0);
    return STORE_OK;
}

int store_tournament_touch(db_conn *w, int64_t tournament_id, int64_t now)
{
    sqlite3_stmt *st = db_stmt(w, Q_T_TOUCH,
                               "UPDATE tournaments SET version = version + 1, updated_at = ?2"
                               " WHERE id = ?1");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, tournament_id);
    sqlite3_bind_int64(st, 2, now);
    if (sqlite3_step(st) != SQLITE_DONE) return STORE_ERROR;
    db_note(w, DB_CH_TOURNAMENT, tournament_id, 0);
    return STORE_OK;
}

int store_registration_move(db_conn *w, int64_t reg_id, int64_t tournament_id, const char *from,
                            const char *to, int64_t now)
{
    sqlite3_stmt *st = db_stmt(w, Q_REG_SET_STATUS,
                               "UPDATE registrations SET status = ?2, checked_in_at = CASE WHEN"
                               " ?2 = 'checked_in' THEN ?4 ELSE checked_in_at END"
                               " WHERE id = ?1 AND status = ?3");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, reg_id);
    db_bind_text(st, 2, to);
    db_bind_text(st, 3, from);
    sqlite3_bind_int64(st, 4, now);
    if (sqlite3_step(st) != SQLITE_DONE) return STORE_ERROR;
    if (sqlite3_changes(db_handle(w)) != 1) return STORE_ERROR;
    int rc = store_counter_add(w, tournament_id, from, -1, now);
    if (rc == STORE_OK) rc = store_counter_add(w, tournament_id, to, +1, now);
    if (rc == STORE_OK) db_mark_catalog(w); /* raised once per batch: store_catalog_flush */
    return rc;
}

/* What a registration write needs to know of its tournament. */
typedef struct treg {
    tstatus status;
    int64_t opens, closes, start_at, active, max, fee, team_size, organizer_id;
    bool team;
    bool check_in_required;
} treg;

static int store_treg(db_conn *w, int64_t tournament_id, treg *t)
{
    sqlite3_stmt *st = db_stmt(
        w, Q_REG_T_FOR_WRITE,
        "SELECT t.status, t.registration_opens_at, t.registration_closes_at, t.start_at,"
        " t.n_pending + t.n_confirmed + t.n_checked_in, t.max_participants, t.entry_fee_cents,"
        " g.team_size, t.participant_type = 'team', t.check_in_required, t.organizer_id"
        " FROM tournaments t JOIN games g ON g.id = t.game_id WHERE t.id = ?1 AND t.is_deleted = "
        "0");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, tournament_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) return STORE_NOT_FOUND;
    if (rc != SQLITE_ROW) return STORE_ERROR;
    t->status = tstatus_parse((const char *)sqlite3_column_text(st, 0));
    t->opens = sqlite3_column_int64(st, 1);
    t->closes = sqlite3_column_int64(st, 2);
    t->start_at = sqlite3_column_int64(st, 3);
    t->active = sqlite3_column_int64(st, 4);
    t->max = sqlite3_column_int64(st, 5);
    t->fee = sqlite3_column_int64(st, 6);
    t->team_size = sqlite3_column_int64(st, 7);
    t->team = sqlite3_column_int(st, 8) != 0;
    t->check_in_required = sqlite3_column_int(st, 9) != 0;
    t->organizer_id = sqlite3_column_int64(st, 10);
    return STORE_OK;
}

/* 1 when a member of team_id (or, for a solo entry, user_id) already plays in the
 * tournament through any active registration; 0 when not; -1 on error. Each probe is an
 * index lookup (registrations_active_user; team_members_user then registrations_team),
 * so the cost does not grow with the tournament's size. */
#define PLAYS_ALREADY(user)                                                                        \
    "(EXISTS (SELECT 1 FROM registrations r WHERE r.tournament_id = ?1 AND r.user_id = " user      \
    " AND r.status <> 'cancelled') OR EXISTS (SELECT 1 FROM team_members x CROSS JOIN"             \
    " registrations r ON r.team_id = x.team_id AND r.tournament_id = ?1 WHERE x.user_id = " user   \
    " AND r.status <> 'cancelled'))"

static int store_reg_overlap(db_conn *w, int64_t tournament_id, int64_t user_id, int64_t team_id)
{
    sqlite3_stmt *st;
    if (team_id) {
        st = db_stmt(w, Q_REG_OVERLAP_TEAM,
                     "SELECT 1 FROM team_members me WHERE me.team_id = ?2 AND " PLAYS_ALREADY(
                         "me.user_id") " LIMIT 1");
        if (!st) return -1;
        sqlite3_bind_int64(st, 2, team_id);
    } else {
        st = db_stmt(w, Q_REG_OVERLAP_SOLO, "SELECT 1 WHERE " PLAYS_ALREADY("?2"));
        if (!st) return -1;
        sqlite3_bind_int64(st, 2, user_id);
    }
    sqlite3_bind_int64(st, 1, tournament_id);
    int rc = sqlite3_step(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Team checks: the registering user is its captain and it has enough members. */
static int store_reg_team_ok(db_conn *w, store_reg_new *rn, int64_t team_size)
{
    sqlite3_stmt *st = db_stmt(w, Q_TEAM_MEMBER_COUNT,
                               "SELECT t.captain_id, (SELECT count(*) FROM team_members m"
                               " WHERE m.team_id = t.id), t.name, t.tag FROM teams t"
                               " WHERE t.id = ?1");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, rn->team_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        rn->why = (store_refusal){"validation_failed", "team_id", "no such team"};
        return STORE_INVALID;
    }
    if (rc != SQLITE_ROW) return STORE_ERROR;
    if (sqlite3_column_int64(st, 0) != rn->user_id) {
        rn->why =
            (store_refusal){"forbidden", "team_id", "only the team's captain can register it"};
        return STORE_INVALID;
    }
    if (sqlite3_column_int64(st, 1) < team_size) {
        rn->why = (store_refusal){"validation_failed", "team_id",
                                  "the team has fewer members than the game's team size"};
        return STORE_INVALID;
    }
    rn->team_name = rn->a ? db_col_text(st, 2, rn->a) : NULL;
    rn->team_tag = rn->a ? db_col_text(st, 3, rn->a) : NULL;
    return STORE_OK;
}

/* Notes the users whose dashboards list a new registration: the registrant, and every
 * member of the team it is for. */
static int store_reg_note_users(db_conn *w, int64_t user_id, int64_t team_id)
{
    db_note(w, DB_CH_USER, user_id, 0);
    if (!team_id) return STORE_OK;
    sqlite3_stmt *st =
        db_stmt(w, Q_REG_TEAM_USERS, "SELECT user_id FROM team_members WHERE team_id = ?1");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, team_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        db_note(w, DB_CH_USER, sqlite3_column_int64(st, 0), 0);
    return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_registration_insert(db_conn *w, void *arg)
{
    store_reg_new *rn = arg;
    treg t;
    int rc = store_treg(w, rn->tournament_id, &t);
    if (rc != STORE_OK) return rc;
    if (t.team != (rn->team_id != 0)) {
        rn->why = t.team ? (store_refusal){"validation_failed", "team_id",
                                           "this is a team tournament: team_id is required"}
                         : (store_refusal){"validation_failed", "team_id",
                                           "this is a solo tournament: no team_id"};
        return STORE_INVALID;
    }
    regstate rs = regstate_of(t.status, rn->now, t.opens, t.closes, t.active, t.max);
    if (rs == REGSTATE_FULL) {
        rn->why = (store_refusal){"tournament_full", NULL, "the tournament is full"};
        return STORE_CONFLICT;
    }
    if (rs != REGSTATE_OPEN) {
        rn->why = (store_refusal){"registration_closed", NULL, "registration is not open"};
        return STORE_CONFLICT;
    }
    if (rn->team_id && (rc = store_reg_team_ok(w, rn, t.team_size)) != STORE_OK) return rc;
    int overlap = store_reg_overlap(w, rn->tournament_id, rn->user_id, rn->team_id);
    if (overlap < 0) return STORE_ERROR;
    if (overlap) {
        rn->why = (store_refusal){"already_registered", NULL,
                                  rn->team_id ? "a member of this team is already registered"
                                              : "you are already registered"};
        return STORE_CONFLICT;
    }
    const char *status = t.fee > 0 ? "pending" : "confirmed";
    sqlite3_stmt *st = db_stmt(w, Q_REG_INSERT,
                               "INSERT INTO registrations (tournament_id, user_id, team_id,"
                               " status, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, rn->tournament_id);
    sqlite3_bind_int64(st, 2, rn->user_id);
    if (rn->team_id)
        sqlite3_bind_int64(st, 3, rn->team_id);
    else
        sqlite3_bind_null(st, 3);
    db_bind_text(st, 4, status);
    sqlite3_bind_int64(st, 5, rn->now);
    rc = sqlite3_step(st);
    if (db_is_unique_violation(rc)) {
        rn->why = (store_refusal){"already_registered", NULL, "already registered"};
        return STORE_CONFLICT;
    }
    if (rc != SQLITE_DONE) return STORE_ERROR;
    rn->id = sqlite3_last_insert_rowid(db_handle(w));
    rn->status = status;
    if ((rc = store_reg_note_users(w, rn->user_id, rn->team_id)) != STORE_OK) return rc;
    rc = store_counter_add(w, rn->tournament_id, status, +1, rn->now);
    if (rc == STORE_OK) db_mark_catalog(w);
    return rc;
}

/* The registration's status and tournament inside the writer. */
static int store_reg_current(db_conn *w, int64_t id, char status[16], int64_t *tournament_id)
{
    sqlite3_stmt *st = db_stmt(w, Q_REG_FOR_WRITE,
                               "SELECT r.status, r.tournament_id FROM registrations r"
                               " JOIN tournaments t ON t.id = r.tournament_id"
                               " WHERE r.id = ?1 AND t.is_deleted = 0");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) return STORE_NOT_FOUND;
    if (rc != SQLITE_ROW) return STORE_ERROR;
    snprintf(status, 16, "%s", (const char *)sqlite3_column_text(st, 0));
    *tournament_id = sqlite3_column_int64(st, 1);
    return STORE_OK;
}

int store_registration_cancel(db_conn *w, void *arg)
{
    store_reg_change *ch = arg;
    char status[16];
    int64_t tid;
    int rc = store_reg_current(w, ch->id, status, &tid);
    if (rc != STORE_OK) return rc;
    treg t;
    if ((rc = store_treg(w, tid, &t)) != STORE_OK) return rc;
    if (strcmp(status, "cancelled") == 0) {
        ch->why = (store_refusal){"invalid_transition", "status", "already cancelled"};
        return STORE_CONFLICT;
    }
    if (t.status == TSTATUS_LIVE || t.status == TSTATUS_COMPLETED) {
        ch->why = (store_refusal){"invalid_transition", "status",
                                  "the tournament has started; registrations can no longer be "
                                  "cancelled"};
        return STORE_CONFLICT;
    }
    sqlite3_stmt *st = db_stmt(w, Q_PAY_REJECT_PENDING,
                               "UPDATE payments SET status = 'rejected', reason ="
                               " 'registration cancelled' WHERE registration_id = ?1"
                               " AND status = 'pending'");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, ch->id);
    if (sqlite3_step(st) != SQLITE_DONE) return STORE_ERROR;
    int rejected = sqlite3_changes(db_handle(w));
    if (rejected && (rc = store_payment_counters(w, tid, -rejected, 0, ch->now)) != STORE_OK)
        return rc;
    return store_registration_move(w, ch->id, tid, status, "cancelled", ch->now);
}

int store_registration_check_in(db_conn *w, void *arg)
{
    store_reg_change *ch = arg;
    char status[16];
    int64_t tid;
    int rc = store_reg_current(w, ch->id, status, &tid);
    if (rc != STORE_OK) return rc;
    treg t;
    if ((rc = store_treg(w, tid, &t)) != STORE_OK) return rc;
    if (!t.check_in_required) {
        ch->why =
            (store_refusal){"invalid_transition", NULL, "this tournament does not use check-in"};
        return STORE_CONFLICT;
    }
    bool window = t.status == TSTATUS_REGISTRATION_CLOSED ||
                  (t.status == TSTATUS_REGISTRATION_OPEN &&
                   ch->now >= t.start_at - CHECK_IN_WINDOW_S && ch->now < t.start_at);
    if (!window) {
        ch->why = (store_refusal){"invalid_transition", NULL,
                                  "check-in is open once registration closes, or in the hour "
                                  "before the start"};
        return STORE_CONFLICT;
    }
    if (strcmp(status, "confirmed") != 0) {
        ch->why = (store_refusal){"invalid_transition", "status",
                                  strcmp(status, "checked_in") == 0
                                      ? "already checked in"
                                      : "only confirmed registrations can check in"};
        return STORE_CONFLICT;
    }
    return store_registration_move(w, ch->id, tid, "confirmed", "checked_in", ch->now);
}
