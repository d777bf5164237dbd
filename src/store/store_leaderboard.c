/* store_leaderboard.c: SQL of the leaderboard snapshots (see store_leaderboard.h).
 *
 * The aggregate is one query: each completed match yields two sides, each side is
 * credited to the registration's player or to every member of its team, then summed per
 * (game, player). Ranking is done here in C on the sorted result. */
#include "store/store_leaderboard.h"

#include <stdlib.h>
#include <string.h>

#define LB_SIDE(me, other)                                                                         \
    "SELECT t.game_id AS game_id, m.tournament_id AS tid, m." me " AS reg,"                        \
    " m.winner_registration_id = m." me " AS won,"                                                 \
    " m.winner_registration_id = m." other " AS lost,"                                             \
    " m.winner_registration_id IS NULL AS drew FROM matches m JOIN tournaments t"                  \
    " ON t.id = m.tournament_id WHERE m.state = 'completed' AND m.p1_registration_id IS NOT NULL"  \
    " AND m.p2_registration_id IS NOT NULL AND t.is_deleted = 0"

int store_leaderboard_compute(db_conn *c, int64_t now, lb_snapshot *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = db_stmt(
        c, Q_LB_COMPUTE,
        "WITH sides AS (" LB_SIDE("p1_registration_id", "p2_registration_id") " UNION ALL " LB_SIDE(
            "p2_registration_id",
            "p1_registration_id") ")"
                                  " SELECT s.game_id, coalesce(tm.user_id, r.user_id) AS uid, "
                                  "count(DISTINCT s.tid),"
                                  " sum(s.won), sum(s.lost), 3 * sum(s.won) + sum(s.drew) AS pts"
                                  " FROM sides s JOIN registrations r ON r.id = s.reg"
                                  " LEFT JOIN team_members tm ON tm.team_id = r.team_id"
                                  " GROUP BY s.game_id, uid ORDER BY s.game_id, pts DESC, "
                                  "sum(s.won) DESC, uid");
    if (!st) return STORE_ERROR;
    int cap = 1024, rc;
    out->rows = malloc(sizeof(lb_row) * (size_t)cap);
    while (out->rows && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n == cap) {
            lb_row *bigger = realloc(out->rows, sizeof(lb_row) * (size_t)cap * 2);
            if (!bigger) break;
            out->rows = bigger;
            cap *= 2;
        }
        lb_row *r = &out->rows[out->n];
        r->game_id = sqlite3_column_int64(st, 0);
        r->user_id = sqlite3_column_int64(st, 1);
        r->tournaments = sqlite3_column_int64(st, 2);
        r->matches_won = sqlite3_column_int64(st, 3);
        r->matches_lost = sqlite3_column_int64(st, 4);
        r->points = sqlite3_column_int64(st, 5);
        out->n++;
    }
    if (!out->rows || rc != SQLITE_DONE) {
        store_leaderboard_free(out);
        return STORE_ERROR;
    }
    /* ranks as positions within the game: the i-th row of a game ranks i unless tied */
    int64_t pos = 0;
    for (int i = 0; i < out->n; i++) {
        lb_row *r = &out->rows[i];
        pos = (i == 0 || out->rows[i - 1].game_id != r->game_id) ? 1 : pos + 1;
        if (pos > 1 && out->rows[i - 1].points == r->points &&
            out->rows[i - 1].matches_won == r->matches_won)
            r->rank = out->rows[i - 1].rank;
        else
            r->rank = pos;
    }
    out->computed_at = now;
    return STORE_OK;
}

void store_leaderboard_free(lb_snapshot *s)
{
    free(s->rows);
    s->rows = NULL;
    s->n = 0;
}

int store_leaderboard_replace(db_conn *w, void *arg)
{
    lb_replace *rp = arg;
    sqlite3_stmt *st;
    if (rp->game_id == 0) {
        st = db_stmt(w, Q_LB_DELETE, "DELETE FROM leaderboard_rows WHERE computed_at < ?1");
        if (!st) return STORE_ERROR;
        sqlite3_bind_int64(st, 1, rp->computed_at);
        if (sqlite3_step(st) != SQLITE_DONE) return STORE_ERROR;
        st = db_stmt(w, Q_LB_STAMP,
                     "UPDATE meta SET value = ?1 WHERE key = 'leaderboard_computed_at'");
        if (!st) return STORE_ERROR;
        sqlite3_bind_int64(st, 1, rp->computed_at);
        if (sqlite3_step(st) != SQLITE_DONE) return STORE_ERROR;
        db_note(w, DB_CH_GAME, 0, 0); /* the stamp every leaderboard shows */
        return STORE_OK;
    }
    db_note(w, DB_CH_GAME, rp->game_id, 0);
    st = db_stmt(w, Q_LB_DELETE_GAME, "DELETE FROM leaderboard_rows WHERE game_id = ?1");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, rp->game_id);
    if (sqlite3_step(st) != SQLITE_DONE) return STORE_ERROR;
    for (int i = 0; i < rp->n; i++) {
        const lb_row *r = &rp->rows[i];
        st = db_stmt(w, Q_LB_INSERT,
                     "INSERT INTO leaderboard_rows (game_id, user_id, tournaments, matches_won,"
                     " matches_lost, points, rank, computed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
                     " ?7, ?8)");
        if (!st) return STORE_ERROR;
        sqlite3_bind_int64(st, 1, r->game_id);
        sqlite3_bind_int64(st, 2, r->user_id);
        sqlite3_bind_int64(st, 3, r->tournaments);
        sqlite3_bind_int64(st, 4, r->matches_won);
        sqlite3_bind_int64(st, 5, r->matches_lost);
        sqlite3_bind_int64(st, 6, r->points);
        sqlite3_bind_int64(st, 7, r->rank);
        sqlite3_bind_int64(st, 8, rp->computed_at);
        if (sqlite3_step(st) != SQLITE_DONE) return STORE_ERROR;
    }
    return STORE_OK;
}

int store_leaderboard_page(db_conn *c, arena *a, int64_t game_id, int64_t after_rank,
                           int64_t after_user, int limit, st_lb_entry **out, int *n,
                           int64_t *computed_at)
{
    sqlite3_stmt *st =
        db_stmt(c, Q_LB_STAMP_READ, "SELECT value FROM meta WHERE key = 'leaderboard_computed_at'");
    if (!st) return STORE_ERROR;
    *computed_at = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    st =
        db_stmt(c, Q_LB_PAGE,
                "SELECT l.rank, u.id, u.username, u.display_name, l.tournaments, l.matches_won,"
                " l.matches_lost, l.points FROM leaderboard_rows l JOIN users u ON u.id = l.user_id"
                " WHERE l.game_id = ?1 AND (l.rank > ?2 OR (l.rank = ?2 AND l.user_id > ?3))"
                " ORDER BY l.rank, l.user_id LIMIT ?4");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, game_id);
    sqlite3_bind_int64(st, 2, after_rank);
    sqlite3_bind_int64(st, 3, after_user);
    sqlite3_bind_int(st, 4, limit);
    st_lb_entry *items = arena_alloc(a, sizeof(st_lb_entry) * (size_t)(limit > 0 ? limit : 1));
    int count = 0, rc = SQLITE_ERROR;
    while (items && count < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        st_lb_entry *e = &items[count++];
        e->rank = sqlite3_column_int64(st, 0);
        e->user.id = sqlite3_column_int64(st, 1);
        e->user.username = db_col_text(st, 2, a);
        e->user.display_name = db_col_text(st, 3, a);
        e->tournaments = sqlite3_column_int64(st, 4);
        e->matches_won = sqlite3_column_int64(st, 5);
        e->matches_lost = sqlite3_column_int64(st, 6);
        e->points = sqlite3_column_int64(st, 7);
    }
    if (items && count == limit) rc = SQLITE_DONE;
    if (!items || rc != SQLITE_DONE) return STORE_ERROR;
    *out = items;
    *n = count;
    return STORE_OK;
}
