/* store_users.c: SQL of users and tokens (see store_users.h). */
#include "store/store_users.h"

#define USER_COLS "u.id, u.username, u.display_name, u.email, u.role, u.password_hash, u.created_at"

static void store_user_row(sqlite3_stmt *st, arena *a, st_user *u)
{
    u->id = sqlite3_column_int64(st, 0);
    u->username = db_col_text(st, 1, a);
    u->display_name = db_col_text(st, 2, a);
    u->email = db_col_text(st, 3, a);
    u->role = db_col_text(st, 4, a);
    u->password_hash = db_col_text(st, 5, a);
    u->created_at = sqlite3_column_int64(st, 6);
}

static int store_user_one(sqlite3_stmt *st, arena *a, st_user *out)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        store_user_row(st, a, out);
        return out->username && out->role && out->password_hash ? STORE_OK : STORE_ERROR;
    }
    return rc == SQLITE_DONE ? STORE_NOT_FOUND : STORE_ERROR;
}

int store_user_by_name(db_conn *c, arena *a, const char *username, st_user *out)
{
    sqlite3_stmt *st =
        db_stmt(c, Q_USER_BY_NAME, "SELECT " USER_COLS " FROM users u WHERE u.username = ?1");
    if (!st) return STORE_ERROR;
    db_bind_text(st, 1, username);
    return store_user_one(st, a, out);
}

int store_user_by_id(db_conn *c, arena *a, int64_t id, st_user *out)
{
    sqlite3_stmt *st =
        db_stmt(c, Q_USER_BY_ID, "SELECT " USER_COLS " FROM users u WHERE u.id = ?1");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    return store_user_one(st, a, out);
}

int store_user_by_token(db_conn *c, arena *a, const uint8_t hash[TOKEN_HASH_LEN], int64_t now,
                        st_user *out)
{
    sqlite3_stmt *st = db_stmt(c, Q_USER_BY_TOKEN,
                               "SELECT " USER_COLS " FROM tokens t JOIN users u ON u.id = t.user_id"
                               " WHERE t.token_hash = ?1 AND t.expires_at > ?2");
    if (!st) return STORE_ERROR;
    sqlite3_bind_blob(st, 1, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    return store_user_one(st, a, out);
}

int store_user_insert(db_conn *w, void *arg)
{
    store_user_new *u = arg;
    sqlite3_stmt *st = db_stmt(w, Q_USER_INSERT,
                               "INSERT INTO users (username, display_name, email, password_hash,"
                               " role, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st) return STORE_ERROR;
    db_bind_text(st, 1, u->username);
    db_bind_text(st, 2, u->display_name);
    db_bind_text(st, 3, u->email);
    db_bind_text(st, 4, u->password_hash);
    db_bind_text(st, 5, u->role);
    sqlite3_bind_int64(st, 6, u->now);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        u->id = sqlite3_last_insert_rowid(db_handle(w));
        return STORE_OK;
    }
    return db_is_unique_violation(rc) ? STORE_CONFLICT : STORE_ERROR;
}

int store_token_insert(db_conn *w, void *arg)
{
    store_token_new *t = arg;
    sqlite3_stmt *st = db_stmt(w, Q_TOKEN_INSERT,
                               "INSERT INTO tokens (token_hash, user_id, created_at, expires_at)"
                               " VALUES (?1, ?2, ?3, ?4)");
    if (!st) return STORE_ERROR;
    sqlite3_bind_blob(st, 1, t->hash, TOKEN_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, t->user_id);
    sqlite3_bind_int64(st, 3, t->now);
    sqlite3_bind_int64(st, 4, t->expires_at);
    int rc = sqlite3_step(st);
    /* a foreign-key failure means the user vanished: treat as not found */
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) return STORE_NOT_FOUND;
    return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_token_delete(db_conn *w, void *hash)
{
    sqlite3_stmt *st = db_stmt(w, Q_TOKEN_DELETE, "DELETE FROM tokens WHERE token_hash = ?1");
    if (!st) return STORE_ERROR;
    sqlite3_bind_blob(st, 1, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
    return sqlite3_step(st) == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_tokens_purge(db_conn *w, int64_t now)
{
    sqlite3_stmt *st = db_stmt(w, Q_TOKEN_PURGE, "DELETE FROM tokens WHERE expires_at <= ?1");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, now);
    return sqlite3_step(st) == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}
