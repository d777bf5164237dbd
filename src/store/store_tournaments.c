/* store_tournaments.c: SQL of tournaments (see store_tournaments.h).
 *
 * The list query has one SQL text per combination of filters (built here, prepared once
 * per connection in its own statement slot), so each combination gets a plan that uses
 * its index instead of one generic "(? IS NULL OR ...)" plan that can use none. */
#include "store/store_tournaments.h"

#include <stdio.h>
#include <string.h>

#include "core/slug.h"

#define T_FROM                                                                                     \
    " FROM tournaments t JOIN games g ON g.id = t.game_id JOIN users u ON u.id = t.organizer_id"
#define T_COLS_HEAD "t.id, t.slug, t.name, "
#define T_COLS_TAIL                                                                                \
    ", t.game_id, g.slug, g.name, t.organizer_id, u.username, u.display_name, t.status,"           \
    " t.format, t.format_options, t.participant_type, t.max_participants, t.entry_fee_cents,"      \
    " t.currency, t.check_in_required, t.registration_opens_at, t.registration_closes_at,"         \
    " t.start_at, t.current_round, t.n_pending, t.n_confirmed, t.n_checked_in, t.n_cancelled,"     \
    " t.version, t.created_at, t.updated_at"
#define T_COLS      T_COLS_HEAD "t.description" T_COLS_TAIL
#define T_LIST_COLS T_COLS_HEAD "NULL" T_COLS_TAIL

static void store_t_row(sqlite3_stmt *st, arena *a, st_tournament *t)
{
    int i = 0;
    t->id = sqlite3_column_int64(st, i++);
    t->slug = db_col_text(st, i++, a);
    t->name = db_col_text(st, i++, a);
    t->description = db_col_text(st, i++, a);
    t->game_id = sqlite3_column_int64(st, i++);
    t->game_slug = db_col_text(st, i++, a);
    t->game_name = db_col_text(st, i++, a);
    t->organizer_id = sqlite3_column_int64(st, i++);
    t->organizer_username = db_col_text(st, i++, a);
    t->organizer_display_name = db_col_text(st, i++, a);
    t->status = tstatus_parse((const char *)sqlite3_column_text(st, i++));
    t->format = db_col_text(st, i++, a);
    t->format_options = db_col_text(st, i++, a);
    t->participant_type = db_col_text(st, i++, a);
    t->max_participants = sqlite3_column_int64(st, i++);
    t->entry_fee_cents = sqlite3_column_int64(st, i++);
    t->currency = db_col_text(st, i++, a);
    t->check_in_required = sqlite3_column_int(st, i++) != 0;
    t->registration_opens_at = sqlite3_column_int64(st, i++);
    t->registration_closes_at = sqlite3_column_int64(st, i++);
    t->start_at = sqlite3_column_int64(st, i++);
    t->current_round = sqlite3_column_int64(st, i++);
    t->n_pending = sqlite3_column_int64(st, i++);
    t->n_confirmed = sqlite3_column_int64(st, i++);
    t->n_checked_in = sqlite3_column_int64(st, i++);
    t->n_cancelled = sqlite3_column_int64(st, i++);
    t->version = sqlite3_column_int64(st, i++);
    t->created_at = sqlite3_column_int64(st, i++);
    t->updated_at = sqlite3_column_int64(st, i++);
}

/* Steps every row into an arena array. */
static int store_t_rows(sqlite3_stmt *st, arena *a, int cap, st_tournament **out, int *n)
{
    st_tournament *items = arena_reserve(a, NULL, 0, &cap, sizeof *items);
    int count = 0, rc = SQLITE_ERROR;
    while (items && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        items = arena_reserve(a, items, count, &cap, sizeof *items);
        if (!items) return STORE_ERROR;
        store_t_row(st, a, &items[count++]);
    }
    if (!items || rc != SQLITE_DONE) return STORE_ERROR;
    *out = items;
    *n = count;
    return STORE_OK;
}

int store_tournament_by_slug(db_conn *c, arena *a, const char *slug, st_tournament *out)
{
    sqlite3_stmt *st =
        db_stmt(c, Q_T_BY_SLUG, "SELECT " T_COLS T_FROM " WHERE t.slug = ?1 AND t.is_deleted = 0");
    if (!st) return STORE_ERROR;
    db_bind_text(st, 1, slug);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        store_t_row(st, a, out);
        return STORE_OK;
    }
    return rc == SQLITE_DONE ? STORE_NOT_FOUND : STORE_ERROR;
}

enum { F_GAME = 1, F_STATUS = 2, F_ORG = 4, F_Q = 8, F_CURSOR = 16 };

int store_tournament_list(db_conn *c, arena *a, const store_tlist *f, st_tournament **out, int *n)
{
    unsigned mask = (f->game ? F_GAME : 0) | (f->status ? F_STATUS : 0) |
                    (f->organizer ? F_ORG : 0) | (f->q ? F_Q : 0) | (f->has_cursor ? F_CURSOR : 0);
    char sql[1400];
    snprintf(sql, sizeof sql,
             "SELECT " T_LIST_COLS T_FROM
             " WHERE t.is_deleted = 0 AND (t.status <> 'draft' OR t.organizer_id = ?1)%s%s%s%s%s"
             " ORDER BY t.start_at DESC, t.id DESC LIMIT ?8",
             mask & F_GAME ? " AND g.slug = ?2" : "", mask & F_STATUS ? " AND t.status = ?3" : "",
             mask & F_ORG ? " AND u.username = ?4" : "",
             mask & F_Q ? " AND instr(lower(t.name), lower(?5)) > 0" : "",
             mask & F_CURSOR ? " AND (t.start_at < ?6 OR (t.start_at = ?6 AND t.id < ?7))" : "");
    sqlite3_stmt *st = db_stmt(c, (query_slot)(Q_T_LIST_FIRST + mask), sql);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, f->viewer_id);
    if (mask & F_GAME) db_bind_text(st, 2, f->game);
    if (mask & F_STATUS) db_bind_text(st, 3, f->status);
    if (mask & F_ORG) db_bind_text(st, 4, f->organizer);
    if (mask & F_Q) db_bind_text(st, 5, f->q);
    if (mask & F_CURSOR) {
        sqlite3_bind_int64(st, 6, f->after_start);
        sqlite3_bind_int64(st, 7, f->after_id);
    }
    sqlite3_bind_int(st, 8, f->limit);
    return store_t_rows(st, a, f->limit, out, n);
}

/* The columns a state shows (and the id), and nothing else: no joins, few copies. Read by
 * store_t_state_row; a query may select more columns after them. */
#define T_STATE_COLS                                                                               \
    "t.slug, t.status, t.registration_opens_at, t.registration_closes_at, t.start_at,"             \
    " t.max_participants, t.current_round, t.n_pending, t.n_confirmed, t.n_checked_in,"            \
    " t.n_cancelled, t.version, t.updated_at, t.id"
#define T_STATE_NCOLS 14

static int store_t_state_row(sqlite3_stmt *st, arena *a, st_tournament *t)
{
    memset(t, 0, sizeof *t);
    t->slug = db_col_text(st, 0, a);
    t->status = tstatus_parse((const char *)sqlite3_column_text(st, 1));
    t->registration_opens_at = sqlite3_column_int64(st, 2);
    t->registration_closes_at = sqlite3_column_int64(st, 3);
    t->start_at = sqlite3_column_int64(st, 4);
    t->max_participants = sqlite3_column_int64(st, 5);
    t->current_round = sqlite3_column_int64(st, 6);
    t->n_pending = sqlite3_column_int64(st, 7);
    t->n_confirmed = sqlite3_column_int64(st, 8);
    t->n_checked_in = sqlite3_column_int64(st, 9);
    t->n_cancelled = sqlite3_column_int64(st, 10);
    t->version = sqlite3_column_int64(st, 11);
    t->updated_at = sqlite3_column_int64(st, 12);
    t->id = sqlite3_column_int64(st, 13);
    return t->slug ? STORE_OK : STORE_ERROR;
}

static int store_t_state_rows(sqlite3_stmt *st, arena *a, st_tournament **out, int *n)
{
    int cap = 16, count = 0, rc = SQLITE_ERROR;
    st_tournament *items = arena_reserve(a, NULL, 0, &cap, sizeof *items);
    while (items && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        items = arena_reserve(a, items, count, &cap, sizeof *items);
        if (!items) return STORE_ERROR;
        if (store_t_state_row(st, a, &items[count++]) != STORE_OK) return STORE_ERROR;
    }
    if (!items || rc != SQLITE_DONE) return STORE_ERROR;
    *out = items;
    *n = count;
    return STORE_OK;
}

int store_tournament_states(db_conn *c, arena *a, const char *slugs_json, int64_t viewer_id,
                            st_tournament **out, int *n)
{
    sqlite3_stmt *st =
        db_stmt(c, Q_T_STATES,
                "SELECT " T_STATE_COLS " FROM tournaments t"
                " WHERE t.slug IN (SELECT value FROM json_each(?1)) AND t.is_deleted = 0"
                " AND (t.status <> 'draft' OR t.organizer_id = ?2)");
    if (!st) return STORE_ERROR;
    db_bind_text(st, 1, slugs_json);
    sqlite3_bind_int64(st, 2, viewer_id);
    return store_t_state_rows(st, a, out, n);
}

int store_tournament_live_state(db_conn *c, arena *a, int64_t id, st_tournament *out, bool *deleted)
{
    sqlite3_stmt *st =
        db_stmt(c, Q_T_LIVE_STATE,
                "SELECT " T_STATE_COLS ", t.is_deleted, t.organizer_id FROM tournaments t"
                " WHERE t.id = ?1");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) return STORE_NOT_FOUND;
    if (rc != SQLITE_ROW || store_t_state_row(st, a, out) != STORE_OK) return STORE_ERROR;
    *deleted = sqlite3_column_int(st, T_STATE_NCOLS) != 0;
    out->organizer_id = sqlite3_column_int64(st, T_STATE_NCOLS + 1);
    return STORE_OK;
}

/* Catalog changes are noted per job and applied once per batch by store_catalog_flush:
 * the same transaction, one UPDATE however many jobs the batch holds. */
int store_catalog_flush(db_conn *w)
{
    if (!db_take_catalog_mark(w)) return STORE_OK;
    sqlite3_stmt *st = db_stmt(w, Q_CATALOG_BUMP,
                               "UPDATE meta SET value = value + 1 WHERE key = 'catalog_version'");
    return st && sqlite3_step(st) == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

/* 1 if taken, 0 if free, -1 on error. */
static int store_slug_taken(db_conn *w, const char *slug)
{
    sqlite3_stmt *st = db_stmt(w, Q_T_SLUG_TAKEN, "SELECT 1 FROM tournaments WHERE slug = ?1");
    if (!st) return -1;
    db_bind_text(st, 1, slug);
    int rc = sqlite3_step(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static void store_bind_time(sqlite3_stmt *st, int i, int64_t t)
{
    if (t)
        sqlite3_bind_int64(st, i, t);
    else
        sqlite3_bind_null(st, i);
}

int store_tournament_insert(db_conn *w, void *arg)
{
    store_tcreate *tc = arg;
    if (tc->slug) {
        int taken = store_slug_taken(w, tc->slug);
        if (taken < 0) return STORE_ERROR;
        if (taken) {
            tc->conflict_field = "slug";
            return STORE_CONFLICT;
        }
        snprintf(tc->slug_out, sizeof tc->slug_out, "%s", tc->slug);
    } else {
        char base[SLUG_MAX + 1];
        slug_from_name(tc->f.name, base);
        snprintf(tc->slug_out, sizeof tc->slug_out, "%s", base);
        for (unsigned n = 2;; n++) {
            int taken = store_slug_taken(w, tc->slug_out);
            if (taken < 0) return STORE_ERROR;
            if (!taken) break;
            if (n > 100000) return STORE_ERROR;
            char next[SLUG_MAX + 1];
            slug_with_suffix(base, n, next);
            snprintf(tc->slug_out, sizeof tc->slug_out, "%s", next);
        }
    }
    sqlite3_stmt *st = db_stmt(
        w, Q_T_INSERT,
        "INSERT INTO tournaments (slug, name, description, game_id, organizer_id, status, format,"
        " format_options, participant_type, max_participants, entry_fee_cents, currency,"
        " check_in_required, registration_opens_at, registration_closes_at, start_at,"
        " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 'draft', ?6, ?7, ?8, ?9, ?10,"
        " ?11, ?12, ?13, ?14, ?15, ?16, ?16)");
    if (!st) return STORE_ERROR;
    const store_tfields *f = &tc->f;
    db_bind_text(st, 1, tc->slug_out);
    db_bind_text(st, 2, f->name);
    db_bind_text(st, 3, f->description ? f->description : "");
    sqlite3_bind_int64(st, 4, tc->game_id);
    sqlite3_bind_int64(st, 5, tc->organizer_id);
    db_bind_text(st, 6, f->format);
    db_bind_text(st, 7, f->format_options);
    db_bind_text(st, 8, f->participant_type);
    sqlite3_bind_int64(st, 9, f->max_participants);
    sqlite3_bind_int64(st, 10, f->entry_fee_cents);
    db_bind_text(st, 11, f->currency);
    sqlite3_bind_int(st, 12, f->check_in_required);
    store_bind_time(st, 13, f->registration_opens_at);
    store_bind_time(st, 14, f->registration_closes_at);
    sqlite3_bind_int64(st, 15, f->start_at);
    sqlite3_bind_int64(st, 16, tc->now);
    int rc = sqlite3_step(st);
    if (db_is_unique_violation(rc)) {
        tc->conflict_field = "slug";
        return STORE_CONFLICT;
    }
    if (rc != SQLITE_DONE) return STORE_ERROR;
    db_note(w, DB_CH_TOURNAMENT, sqlite3_last_insert_rowid(db_handle(w)), 0);
    db_mark_catalog(w);
    return STORE_OK;
}

/* The current editable state of a tournament inside the writer's transaction. */
typedef struct tcur {
    tstatus status;
    int64_t active;
    int64_t ever; /* registrations ever made, cancelled ones included */
    char format[32];
} tcur;

static int store_t_current(db_conn *w, int64_t id, tcur *cur, store_tfields *f, arena *a)
{
    sqlite3_stmt *st =
        db_stmt(w, Q_T_FOR_UPDATE,
                "SELECT status, n_pending + n_confirmed + n_checked_in, name, description, format,"
                " n_pending + n_confirmed + n_checked_in + n_cancelled,"
                " format_options, participant_type, currency, start_at, registration_opens_at,"
                " registration_closes_at, entry_fee_cents, max_participants, check_in_required"
                " FROM tournaments WHERE id = ?1 AND is_deleted = 0");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) return STORE_NOT_FOUND;
    if (rc != SQLITE_ROW) return STORE_ERROR;
    cur->status = tstatus_parse((const char *)sqlite3_column_text(st, 0));
    cur->active = sqlite3_column_int64(st, 1);
    snprintf(cur->format, sizeof cur->format, "%s", (const char *)sqlite3_column_text(st, 4));
    cur->ever = sqlite3_column_int64(st, 5);
    f->name = db_col_text(st, 2, a);
    f->description = db_col_text(st, 3, a);
    f->format = db_col_text(st, 4, a);
    f->format_options = db_col_text(st, 6, a);
    f->participant_type = db_col_text(st, 7, a);
    f->currency = db_col_text(st, 8, a);
    f->start_at = sqlite3_column_int64(st, 9);
    f->registration_opens_at = sqlite3_column_int64(st, 10);
    f->registration_closes_at = sqlite3_column_int64(st, 11);
    f->entry_fee_cents = sqlite3_column_int64(st, 12);
    f->max_participants = sqlite3_column_int64(st, 13);
    f->check_in_required = sqlite3_column_int(st, 14) != 0;
    if (!f->name || !f->format || !f->format_options || !f->participant_type || !f->currency)
        return STORE_ERROR;
    return STORE_OK;
}

int store_tournament_patch(db_conn *w, void *arg)
{
    store_tpatch *p = arg;
    arena *a = arena_new(4096);
    if (!a) return STORE_ERROR;
    tcur cur;
    store_tfields v;
    memset(&v, 0, sizeof v);
    int rc = store_t_current(w, p->id, &cur, &v, a);
    if (rc != STORE_OK) goto out;
    const store_tfields *f = &p->f;
    rc = STORE_CONFLICT;
    if ((f->has_format || f->has_format_options || f->has_type || f->has_max) &&
        !tstatus_allows_structure_edit(cur.status)) {
        p->field = f->has_format           ? "format"
                   : f->has_format_options ? "format_options"
                   : f->has_type           ? "participant_type"
                                           : "max_participants";
        p->message = "format, format options, participant type and size cannot change once the "
                     "tournament is live";
        goto out;
    }
    if (cur.ever > 0 && ((f->has_fee && f->entry_fee_cents != v.entry_fee_cents) ||
                         (f->has_currency && strcmp(f->currency, v.currency) != 0))) {
        p->field =
            f->has_fee && f->entry_fee_cents != v.entry_fee_cents ? "entry_fee_cents" : "currency";
        p->message = "the entry fee and currency cannot change once anyone has registered";
        goto out;
    }
    if (f->has_type && strcmp(f->participant_type, v.participant_type) != 0 && cur.ever > 0) {
        p->field = "participant_type";
        p->message = "the participant type cannot change once anyone has registered";
        goto out;
    }
    if (f->has_max && f->max_participants < cur.active) {
        p->field = "max_participants";
        p->message = "max_participants is below the number of active registrations";
        goto out;
    }
    if (f->has_format_options && !f->has_format && p->expect_format &&
        strcmp(p->expect_format, cur.format) != 0) {
        p->field = "format_options";
        p->message = "the format changed meanwhile; retry";
        goto out;
    }
    if (f->has_name) v.name = f->name;
    if (f->has_description) v.description = f->description;
    if (f->has_start_at) v.start_at = f->start_at;
    if (f->has_opens) v.registration_opens_at = f->registration_opens_at;
    if (f->has_closes) v.registration_closes_at = f->registration_closes_at;
    if (f->has_fee) v.entry_fee_cents = f->entry_fee_cents;
    if (f->has_currency) v.currency = f->currency;
    if (f->has_check_in) v.check_in_required = f->check_in_required;
    if (f->has_format) v.format = f->format;
    if (f->has_format_options) v.format_options = f->format_options;
    if (f->has_type) v.participant_type = f->participant_type;
    if (f->has_max) v.max_participants = f->max_participants;
    rc = STORE_INVALID;
    if (v.registration_opens_at && v.registration_closes_at &&
        v.registration_opens_at >= v.registration_closes_at) {
        p->field = f->has_opens ? "registration_opens_at" : "registration_closes_at";
        p->message = "registration_opens_at must be before registration_closes_at";
        goto out;
    }
    if (v.registration_closes_at && v.registration_closes_at > v.start_at) {
        p->field = f->has_closes ? "registration_closes_at" : "start_at";
        p->message = "registration_closes_at must not be after start_at";
        goto out;
    }
    sqlite3_stmt *st = db_stmt(
        w, Q_T_UPDATE,
        "UPDATE tournaments SET name = ?2, description = ?3, format = ?4, format_options = ?5,"
        " participant_type = ?6, currency = ?7, start_at = ?8, registration_opens_at = ?9,"
        " registration_closes_at = ?10, entry_fee_cents = ?11, max_participants = ?12,"
        " check_in_required = ?13, version = version + 1, updated_at = ?14 WHERE id = ?1");
    rc = STORE_ERROR;
    if (!st) goto out;
    sqlite3_bind_int64(st, 1, p->id);
    db_bind_text(st, 2, v.name);
    db_bind_text(st, 3, v.description ? v.description : "");
    db_bind_text(st, 4, v.format);
    db_bind_text(st, 5, v.format_options);
    db_bind_text(st, 6, v.participant_type);
    db_bind_text(st, 7, v.currency);
    sqlite3_bind_int64(st, 8, v.start_at);
    store_bind_time(st, 9, v.registration_opens_at);
    store_bind_time(st, 10, v.registration_closes_at);
    sqlite3_bind_int64(st, 11, v.entry_fee_cents);
    sqlite3_bind_int64(st, 12, v.max_participants);
    sqlite3_bind_int(st, 13, v.check_in_required);
    sqlite3_bind_int64(st, 14, p->now);
    if (sqlite3_step(st) != SQLITE_DONE) goto out;
    db_note(w, DB_CH_TOURNAMENT, p->id, 0);
    db_mark_catalog(w);
    rc = STORE_OK;
out:
    arena_free(a);
    return rc;
}

int store_tournament_set_status(db_conn *w, void *arg)
{
    store_tstatus *s = arg;
    arena *a = arena_new(4096);
    if (!a) return STORE_ERROR;
    tcur cur;
    store_tfields v;
    int rc = store_t_current(w, s->id, &cur, &v, a);
    arena_free(a);
    if (rc != STORE_OK) return rc;
    s->from = cur.status;
    if (!tstatus_can_move(cur.status, s->to)) return STORE_INVALID_TRANSITION;
    sqlite3_stmt *st = db_stmt(w, Q_T_SET_STATUS,
                               "UPDATE tournaments SET status = ?2, version = version + 1,"
                               " updated_at = ?3 WHERE id = ?1");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, s->id);
    db_bind_text(st, 2, tstatus_name(s->to));
    sqlite3_bind_int64(st, 3, s->now);
    if (sqlite3_step(st) != SQLITE_DONE) return STORE_ERROR;
    db_note(w, DB_CH_TOURNAMENT, s->id, 0);
    db_mark_catalog(w);
    return STORE_OK;
}

int store_tournament_delete(db_conn *w, void *arg)
{
    store_tdelete *d = arg;
    sqlite3_stmt *st = db_stmt(w, Q_T_DELETE,
                               "UPDATE tournaments SET is_deleted = 1, version = version + 1,"
                               " updated_at = ?2 WHERE id = ?1 AND is_deleted = 0");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, d->id);
    sqlite3_bind_int64(st, 2, d->now);
    if (sqlite3_step(st) != SQLITE_DONE) return STORE_ERROR;
    if (sqlite3_changes(db_handle(w)) == 0) return STORE_NOT_FOUND;
    /* a deleted tournament shows no standings (store_standings.h keeps them exact) */
    st = db_stmt(w, Q_ST_T_DELETE, "DELETE FROM standings WHERE tournament_id = ?1");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, d->id);
    if (sqlite3_step(st) != SQLITE_DONE) return STORE_ERROR;
    db_note(w, DB_CH_TOURNAMENT, d->id, 0);
    db_mark_catalog(w);
    return STORE_OK;
}

int store_tournament_hot_slugs(db_conn *c, arena *a, int max, const char ***out, int *n)
{
    sqlite3_stmt *st = db_stmt(c, Q_T_HOT_SLUGS,
                               "SELECT slug FROM tournaments WHERE is_deleted = 0 AND status IN"
                               " ('live', 'registration_open') ORDER BY start_at DESC LIMIT ?1");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int(st, 1, max);
    const char **slugs = arena_alloc(a, sizeof(char *) * (size_t)(max > 0 ? max : 1));
    int count = 0, rc = SQLITE_ERROR;
    while (slugs && count < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
        if (!(slugs[count++] = db_col_text(st, 0, a))) return STORE_ERROR;
    if (!slugs || (rc != SQLITE_DONE && rc != SQLITE_ROW)) return STORE_ERROR;
    *out = slugs;
    *n = count;
    return STORE_OK;
}

int store_tournaments_check_counters(db_conn *c, long *checked, long *bad, int64_t *first_bad)
{
    *checked = *bad = 0;
    *first_bad = 0;
    /* one range of registrations_tournament_status or payments_tournament_status each */
    sqlite3_stmt *st =
        db_stmt(c, Q_T_CHECK_COUNTERS,
                "SELECT count(*), coalesce(sum(bad), 0), min(CASE WHEN bad THEN id END) FROM"
                " (SELECT t.id, (t.n_pending IS NOT (SELECT count(*) FROM registrations r"
                " WHERE r.tournament_id = t.id AND r.status = 'pending')"
                " OR t.n_confirmed IS NOT (SELECT count(*) FROM registrations r"
                " WHERE r.tournament_id = t.id AND r.status = 'confirmed')"
                " OR t.n_checked_in IS NOT (SELECT count(*) FROM registrations r"
                " WHERE r.tournament_id = t.id AND r.status = 'checked_in')"
                " OR t.n_cancelled IS NOT (SELECT count(*) FROM registrations r"
                " WHERE r.tournament_id = t.id AND r.status = 'cancelled')"
                " OR t.n_payments_pending IS NOT (SELECT count(*) FROM payments p"
                " WHERE p.tournament_id = t.id AND p.status = 'pending')"
                " OR t.revenue_verified_cents IS NOT (SELECT coalesce(sum(p.amount_cents), 0)"
                " FROM payments p WHERE p.tournament_id = t.id AND p.status = 'verified')) AS bad"
                " FROM tournaments t)");
    if (!st || sqlite3_step(st) != SQLITE_ROW) return STORE_ERROR;
    *checked = (long)sqlite3_column_int64(st, 0);
    *bad = (long)sqlite3_column_int64(st, 1);
    *first_bad = sqlite3_column_int64(st, 2);
    return STORE_OK;
}
