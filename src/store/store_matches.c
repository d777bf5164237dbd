/* store_matches.c: SQL of match reads (see store_matches.h).
 *
 * A side's name is the team's name for team entries and the player's display name
 * otherwise; both sides and the winner are joined in the one query. Filtered lists have
 * one SQL text per filter combination, like the catalog. */
#include "store/store_matches.h"

#include <stdio.h>
#include <string.h>

#define M_COLS                                                                                     \
    "m.id, m.tournament_id, t.slug, t.organizer_id, t.status, m.bracket, m.round, m.position,"     \
    " m.state, m.p1_registration_id, coalesce(tm1.name, u1.display_name), r1.seed,"                \
    " m.p2_registration_id, coalesce(tm2.name, u2.display_name), r2.seed,"                         \
    " m.winner_registration_id, m.score1, m.score2, m.next_match_id, m.next_slot,"                 \
    " m.loser_next_match_id, m.loser_next_slot, m.scheduled_at, m.completed_at"
#define M_FROM                                                                                     \
    " FROM matches m JOIN tournaments t ON t.id = m.tournament_id"                                 \
    " LEFT JOIN registrations r1 ON r1.id = m.p1_registration_id"                                  \
    " LEFT JOIN users u1 ON u1.id = r1.user_id LEFT JOIN teams tm1 ON tm1.id = r1.team_id"         \
    " LEFT JOIN registrations r2 ON r2.id = m.p2_registration_id"                                  \
    " LEFT JOIN users u2 ON u2.id = r2.user_id LEFT JOIN teams tm2 ON tm2.id = r2.team_id"
#define M_BRACKET_ORDER                                                                            \
    "CASE m.bracket WHEN 'winners' THEN 0 WHEN 'losers' THEN 1 WHEN 'grand_final' THEN 2"          \
    " WHEN 'third_place' THEN 3 WHEN 'group' THEN 4 ELSE 5 END"

/* The columns every match read ends with, from column i on: score1, score2, the next
 * match and slot, the loser's next match and slot, scheduled_at, completed_at. */
static void store_match_tail(sqlite3_stmt *st, int i, st_match *m)
{
    m->has_score = sqlite3_column_type(st, i) != SQLITE_NULL;
    m->score1 = sqlite3_column_int64(st, i++);
    m->score2 = sqlite3_column_int64(st, i++);
    m->next_match_id = sqlite3_column_int64(st, i++);
    m->next_slot = sqlite3_column_int64(st, i++);
    m->loser_next_match_id = sqlite3_column_int64(st, i++);
    m->loser_next_slot = sqlite3_column_int64(st, i++);
    m->scheduled_at = sqlite3_column_int64(st, i++);
    m->completed_at = sqlite3_column_int64(st, i);
}

/* The winner among a match's two sides, by registration id (none: all zero). */
static st_side store_match_winner(const st_match *m, int64_t w)
{
    return w && w == m->p1.registration_id   ? m->p1
           : w && w == m->p2.registration_id ? m->p2
                                             : (st_side){0};
}

/* A row of M_COLS M_FROM: the match with its tournament and both sides joined. */
static int store_match_row(sqlite3_stmt *st, arena *a, st_match *m)
{
    int i = 0;
    memset(m, 0, sizeof *m);
    m->id = sqlite3_column_int64(st, i++);
    m->tournament_id = sqlite3_column_int64(st, i++);
    m->tournament_slug = db_col_text(st, i++, a);
    m->organizer_id = sqlite3_column_int64(st, i++);
    m->tournament_status = tstatus_parse((const char *)sqlite3_column_text(st, i++));
    m->bracket = db_col_text(st, i++, a);
    m->round = sqlite3_column_int64(st, i++);
    m->position = sqlite3_column_int64(st, i++);
    m->state = db_col_text(st, i++, a);
    m->p1.registration_id = sqlite3_column_int64(st, i++);
    m->p1.name = db_col_text(st, i++, a);
    m->p1.seed = sqlite3_column_int64(st, i++);
    m->p2.registration_id = sqlite3_column_int64(st, i++);
    m->p2.name = db_col_text(st, i++, a);
    m->p2.seed = sqlite3_column_int64(st, i++);
    m->winner = store_match_winner(m, sqlite3_column_int64(st, i++));
    store_match_tail(st, i, m);
    return m->tournament_slug && m->bracket && m->state ? STORE_OK : STORE_ERROR;
}

int store_match_get(db_conn *c, arena *a, int64_t id, st_match *out)
{
    sqlite3_stmt *st =
        db_stmt(c, Q_MATCH_GET, "SELECT " M_COLS M_FROM " WHERE m.id = ?1 AND t.is_deleted = 0");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) return STORE_NOT_FOUND;
    if (rc != SQLITE_ROW) return STORE_ERROR;
    return store_match_row(st, a, out);
}

/* Reads one row of a match query into m; t is the reader's context (the tournament the
 * rows belong to, or NULL when every row joins its own). */
typedef int (*match_row_fn)(sqlite3_stmt *st, arena *a, const st_tournament *t, st_match *m);

static int store_match_row_joined(sqlite3_stmt *st, arena *a, const st_tournament *t, st_match *m)
{
    (void)t;
    return store_match_row(st, a, m);
}

/* Steps every row of st into an arena array (cap: the first guess), each read by row. */
static int store_match_rows(sqlite3_stmt *st, arena *a, int cap, match_row_fn row,
                            const st_tournament *t, st_match **out, int *n)
{
    int count = 0, rc = SQLITE_ERROR;
    st_match *items = arena_reserve(a, NULL, 0, &cap, sizeof *items);
    while (items && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        items = arena_reserve(a, items, count, &cap, sizeof *items);
        if (!items) return STORE_ERROR;
        if (row(st, a, t, &items[count++]) != STORE_OK) return STORE_ERROR;
    }
    if (!items || rc != SQLITE_DONE) return STORE_ERROR;
    *out = items;
    *n = count;
    return STORE_OK;
}

int store_matches_by_ids(db_conn *c, arena *a, const char *ids_json, st_match **out, int *n)
{
    sqlite3_stmt *st =
        db_stmt(c, Q_MATCH_BY_IDS,
                "SELECT " M_COLS M_FROM " WHERE m.id IN (SELECT value FROM json_each(?1))");
    if (!st) return STORE_ERROR;
    db_bind_text(st, 1, ids_json);
    return store_match_rows(st, a, 8, store_match_row_joined, NULL, out, n);
}

enum { MF_STATE = 1, MF_ROUND = 2, MF_BRACKET = 4 };

int store_matches_list(db_conn *c, arena *a, const store_mlist *f, st_match **out, int *n)
{
    unsigned mask =
        (f->state ? MF_STATE : 0) | (f->round ? MF_ROUND : 0) | (f->bracket ? MF_BRACKET : 0);
    char sql[1600];
    snprintf(sql, sizeof sql,
             "SELECT " M_COLS M_FROM " WHERE m.tournament_id = ?1 AND m.id > ?2%s%s%s"
             " ORDER BY m.id LIMIT ?6",
             mask & MF_STATE ? " AND m.state = ?3" : "", mask & MF_ROUND ? " AND m.round = ?4" : "",
             mask & MF_BRACKET ? " AND m.bracket = ?5" : "");
    sqlite3_stmt *st = db_stmt(c, (query_slot)(Q_MATCH_LIST_FIRST + mask), sql);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, f->tournament_id);
    sqlite3_bind_int64(st, 2, f->after_id);
    if (mask & MF_STATE) db_bind_text(st, 3, f->state);
    if (mask & MF_ROUND) sqlite3_bind_int64(st, 4, f->round);
    if (mask & MF_BRACKET) db_bind_text(st, 5, f->bracket);
    sqlite3_bind_int(st, 6, f->limit);
    return store_match_rows(st, a, f->limit > 0 ? f->limit : 1, store_match_row_joined, NULL, out,
                            n);
}

/* A side's name and seed, as M_COLS gives them: the team's name for team entries. */
#define SIDE_COLS "r.id, coalesce(tm.name, u.display_name), r.seed"
#define SIDE_FROM                                                                                  \
    " FROM registrations r JOIN users u ON u.id = r.user_id"                                       \
    " LEFT JOIN teams tm ON tm.id = r.team_id"

typedef struct {
    st_side *v; /* ascending registration_id */
    int n;
} side_map;

/* The side of registration id: from the map, or read alone when a match names a
 * registration the map does not hold (one without a seed: never, as brackets are built). */
static int store_side_of_id(db_conn *c, arena *a, const side_map *sm, int64_t id, st_side *out)
{
    *out = (st_side){0};
    if (!id) return STORE_OK;
    int lo = 0, hi = sm->n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (sm->v[mid].registration_id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < sm->n && sm->v[lo].registration_id == id) {
        *out = sm->v[lo];
        return STORE_OK;
    }
    sqlite3_stmt *st = db_stmt(c, Q_MATCH_SIDE, "SELECT " SIDE_COLS SIDE_FROM " WHERE r.id = ?1");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = (st_side){id, db_col_text(st, 1, a), sqlite3_column_int64(st, 2)};
        rc = sqlite3_step(st);
    }
    sqlite3_reset(st);
    out->registration_id = id; /* a dangling id reads as the join did: the id, no name */
    return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

/* A row of Q_MATCH_ALL: the match alone, its tournament t; the sides' registration ids
 * only, their names and seeds filled in once every row is read. */
static int store_match_row_bare(sqlite3_stmt *st, arena *a, const st_tournament *t, st_match *m)
{
    memset(m, 0, sizeof *m);
    m->id = sqlite3_column_int64(st, 0);
    m->tournament_id = t->id;
    m->tournament_slug = t->slug;
    m->organizer_id = t->organizer_id;
    m->tournament_status = t->status;
    m->bracket = db_col_text(st, 1, a);
    m->round = sqlite3_column_int64(st, 2);
    m->position = sqlite3_column_int64(st, 3);
    m->state = db_col_text(st, 4, a);
    m->p1.registration_id = sqlite3_column_int64(st, 5);
    m->p2.registration_id = sqlite3_column_int64(st, 6);
    m->winner.registration_id = sqlite3_column_int64(st, 7);
    store_match_tail(st, 8, m);
    return m->bracket && m->state ? STORE_OK : STORE_ERROR;
}

int store_matches_all(db_conn *c, arena *a, const st_tournament *t, st_match **out, int *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = db_stmt(
        c, Q_MATCH_ALL,
        "SELECT m.id, m.bracket, m.round, m.position, m.state, m.p1_registration_id,"
        " m.p2_registration_id, m.winner_registration_id, m.score1, m.score2, m.next_match_id,"
        " m.next_slot, m.loser_next_match_id, m.loser_next_slot, m.scheduled_at, m.completed_at"
        " FROM matches m WHERE m.tournament_id = ?1 ORDER BY " M_BRACKET_ORDER
        ", m.round, m.position, m.id");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, t->id);
    st_match *items;
    int count, rc = store_match_rows(st, a, 64, store_match_row_bare, t, &items, &count);
    if (rc != STORE_OK) return rc;
    if (count > 0) {
        sqlite3_stmt *ss =
            db_stmt(c, Q_MATCH_SIDES,
                    "SELECT " SIDE_COLS SIDE_FROM
                    " WHERE r.tournament_id = ?1 AND r.seed IS NOT NULL ORDER BY r.id");
        if (!ss) return STORE_ERROR;
        sqlite3_bind_int64(ss, 1, t->id);
        int scap = 64;
        side_map sm = {arena_reserve(a, NULL, 0, &scap, sizeof(st_side)), 0};
        while (sm.v && (rc = sqlite3_step(ss)) == SQLITE_ROW) {
            sm.v = arena_reserve(a, sm.v, sm.n, &scap, sizeof *sm.v);
            if (!sm.v) return STORE_ERROR;
            sm.v[sm.n++] = (st_side){sqlite3_column_int64(ss, 0), db_col_text(ss, 1, a),
                                     sqlite3_column_int64(ss, 2)};
        }
        if (!sm.v || rc != SQLITE_DONE) return STORE_ERROR;
        for (int i = 0; i < count; i++) {
            st_match *m = &items[i];
            if (store_side_of_id(c, a, &sm, m->p1.registration_id, &m->p1) != STORE_OK ||
                store_side_of_id(c, a, &sm, m->p2.registration_id, &m->p2) != STORE_OK)
                return STORE_ERROR;
            m->winner = store_match_winner(m, m->winner.registration_id);
        }
    }
    *out = items;
    *n = count;
    return STORE_OK;
}
