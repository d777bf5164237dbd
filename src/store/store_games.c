/* store_games.c: SQL of games (see store_games.h). */
#include "store/store_games.h"

#include "core/validate.h"

static void store_game_row(sqlite3_stmt *st, arena *a, st_game *g)
{
    g->id = sqlite3_column_int64(st, 0);
    g->slug = db_col_text(st, 1, a);
    g->name = db_col_text(st, 2, a);
    g->team_size = sqlite3_column_int64(st, 3);
}

int store_games_list(db_conn *c, arena *a, st_game **out, int *n)
{
    sqlite3_stmt *st =
        db_stmt(c, Q_GAME_LIST, "SELECT id, slug, name, team_size FROM games ORDER BY name, id");
    if (!st) return STORE_ERROR;
    int cap = 32, count = 0;
    st_game *items = arena_reserve(a, NULL, 0, &cap, sizeof *items);
    int rc = SQLITE_ERROR;
    while (items && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        items = arena_reserve(a, items, count, &cap, sizeof *items);
        if (!items) return STORE_ERROR;
        store_game_row(st, a, &items[count++]);
    }
    if (!items || rc != SQLITE_DONE) return STORE_ERROR;
    *out = items;
    *n = count;
    return STORE_OK;
}

int store_game_by_slug(db_conn *c, arena *a, const char *slug, st_game *out)
{
    if (!validate_game_slug(slug)) return STORE_NOT_FOUND;
    sqlite3_stmt *st =
        db_stmt(c, Q_GAME_BY_SLUG, "SELECT id, slug, name, team_size FROM games WHERE slug = ?1");
    if (!st) return STORE_ERROR;
    db_bind_text(st, 1, slug);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        store_game_row(st, a, out);
        return STORE_OK;
    }
    return rc == SQLITE_DONE ? STORE_NOT_FOUND : STORE_ERROR;
}

int store_game_insert(db_conn *w, void *arg)
{
    store_game_new *g = arg;
    sqlite3_stmt *st =
        db_stmt(w, Q_GAME_INSERT, "INSERT INTO games (slug, name, team_size) VALUES (?1, ?2, ?3)");
    if (!st) return STORE_ERROR;
    db_bind_text(st, 1, g->slug);
    db_bind_text(st, 2, g->name);
    sqlite3_bind_int64(st, 3, g->team_size);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        g->id = sqlite3_last_insert_rowid(db_handle(w));
        db_mark_catalog(w); /* the games list is cached under the catalog */
        return STORE_OK;
    }
    return db_is_unique_violation(rc) ? STORE_CONFLICT : STORE_ERROR;
}
