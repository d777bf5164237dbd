/* store_teams.c: SQL of teams (see store_teams.h). */
#include "store/store_teams.h"

#include <string.h>

#include "store/store_users.h"

int store_team_get(db_conn *c, arena *a, int64_t id, st_team *out)
{
    sqlite3_stmt *st = db_stmt(c, Q_TEAM_GET,
                               "SELECT t.id, t.name, t.tag, t.created_at, u.id, u.username,"
                               " u.display_name FROM teams t JOIN users u ON u.id = t.captain_id"
                               " WHERE t.id = ?1");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) return STORE_NOT_FOUND;
    if (rc != SQLITE_ROW) return STORE_ERROR;
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    out->name = db_col_text(st, 1, a);
    out->tag = db_col_text(st, 2, a);
    out->created_at = sqlite3_column_int64(st, 3);
    out->captain.id = sqlite3_column_int64(st, 4);
    out->captain.username = db_col_text(st, 5, a);
    out->captain.display_name = db_col_text(st, 6, a);
    st = db_stmt(c, Q_TEAM_MEMBERS,
                 "SELECT u.id, u.username, u.display_name FROM team_members m"
                 " JOIN users u ON u.id = m.user_id WHERE m.team_id = ?1 ORDER BY m.id");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    int cap = 8;
    out->members = arena_reserve(a, NULL, 0, &cap, sizeof *out->members);
    while (out->members && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        out->members = arena_reserve(a, out->members, out->nmembers, &cap, sizeof *out->members);
        if (!out->members) return STORE_ERROR;
        st_user_ref *m = &out->members[out->nmembers++];
        m->id = sqlite3_column_int64(st, 0);
        m->username = db_col_text(st, 1, a);
        m->display_name = db_col_text(st, 2, a);
    }
    return out->members && rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

static int store_member_insert(db_conn *w, int64_t team_id, int64_t user_id)
{
    sqlite3_stmt *st = db_stmt(w, Q_TEAM_MEMBER_INSERT,
                               "INSERT INTO team_members (team_id, user_id) VALUES (?1, ?2)");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, team_id);
    sqlite3_bind_int64(st, 2, user_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        db_note(w, DB_CH_USER, user_id, 0); /* their team's registrations join their list */
        return STORE_OK;
    }
    if (db_is_unique_violation(rc)) return STORE_CONFLICT;
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) return STORE_NOT_FOUND;
    return STORE_ERROR;
}

int store_team_insert(db_conn *w, void *arg)
{
    store_team_new *t = arg;
    sqlite3_stmt *st = db_stmt(w, Q_TEAM_INSERT,
                               "INSERT INTO teams (name, tag, captain_id, created_at)"
                               " VALUES (?1, ?2, ?3, ?4)");
    if (!st) return STORE_ERROR;
    db_bind_text(st, 1, t->name);
    db_bind_text(st, 2, t->tag);
    sqlite3_bind_int64(st, 3, t->captain_id);
    sqlite3_bind_int64(st, 4, t->now);
    if (sqlite3_step(st) != SQLITE_DONE) return STORE_ERROR;
    t->id = sqlite3_last_insert_rowid(db_handle(w));
    return store_member_insert(w, t->id, t->captain_id);
}

int store_team_member_add(db_conn *w, void *arg)
{
    store_member_add *m = arg;
    st_user u;
    int rc = store_user_by_name(w, m->a, m->username, &u);
    if (rc == STORE_NOT_FOUND) {
        m->why = (store_refusal){"validation_failed", "username", "no user with that username"};
        return STORE_INVALID;
    }
    if (rc != STORE_OK) return rc;
    /* Joining must not make anyone play a tournament twice: refuse when the team holds an
     * active registration in an unfinished tournament where the user already plays,
     * alone or through another team. */
    sqlite3_stmt *st =
        db_stmt(w, Q_TEAM_JOIN_OVERLAP,
                "SELECT 1 FROM registrations mine JOIN tournaments t ON t.id = mine.tournament_id"
                " JOIN registrations other ON other.tournament_id = mine.tournament_id"
                " AND other.status <> 'cancelled' AND other.id <> mine.id"
                " AND (other.user_id = ?2 OR other.team_id IN"
                " (SELECT team_id FROM team_members WHERE user_id = ?2))"
                " WHERE mine.team_id = ?1 AND mine.status <> 'cancelled' AND t.is_deleted = 0"
                " AND t.status NOT IN ('completed', 'cancelled') LIMIT 1");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, m->team_id);
    sqlite3_bind_int64(st, 2, u.id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        m->why = (store_refusal){"already_registered", "username",
                                 "the user already plays a tournament this team is registered "
                                 "for"};
        return STORE_CONFLICT;
    }
    if (step != SQLITE_DONE) return STORE_ERROR;
    rc = store_member_insert(w, m->team_id, u.id);
    if (rc == STORE_CONFLICT)
        m->why = (store_refusal){"conflict", "username", "already a member of this team"};
    if (rc == STORE_OK) m->added = (st_user_ref){u.id, u.username, u.display_name};
    return rc;
}

int store_team_member_remove(db_conn *w, void *arg)
{
    store_member_remove *m = arg;
    sqlite3_stmt *st = db_stmt(w, Q_TEAM_MEMBER_DELETE,
                               "DELETE FROM team_members WHERE team_id = ?1 AND user_id = ?2"
                               " AND user_id <> (SELECT captain_id FROM teams WHERE id = ?1)");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, m->team_id);
    sqlite3_bind_int64(st, 2, m->user_id);
    if (sqlite3_step(st) != SQLITE_DONE) return STORE_ERROR;
    if (sqlite3_changes(db_handle(w)) == 1) {
        db_note(w, DB_CH_USER, m->user_id, 0);
        return STORE_OK;
    }
    /* nothing deleted: either not a member, or the captain */
    st_team t;
    arena *a = arena_new(1024);
    if (!a) return STORE_ERROR;
    db_release(w);
    int rc = store_team_get(w, a, m->team_id, &t);
    arena_free(a);
    if (rc != STORE_OK) return rc;
    if (t.captain.id == m->user_id) {
        m->why = (store_refusal){"conflict", "user_id",
                                 "the captain cannot leave the team; it would have no captain"};
        return STORE_CONFLICT;
    }
    return STORE_NOT_FOUND;
}
