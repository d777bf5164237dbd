/* api_games.c: games (API.md "Games and teams"). */
#include <string.h>

#include "api/api.h"
#include "core/validate.h"
#include "core/cursor.h"
#include "store/store_games.h"
#include "store/store_leaderboard.h"

static void api_game_json(jw *w, const st_game *g)
{
    jw_obj_begin(w);
    jw_kint(w, "id", g->id);
    jw_kstr(w, "slug", g->slug);
    jw_kstr(w, "name", g->name);
    jw_kint(w, "team_size", g->team_size);
    jw_obj_end(w);
}

void api_games_list(req *r)
{
    db_conn *c = api_db(r);
    if (!c) return;
    st_game *games;
    int n;
    int rc = store_games_list(c, req_arena(r), &games, &n);
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    api_cache_dep(r, DEP_CATALOG, 0); /* a new game raises the catalog */
    jw *w = req_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (int i = 0; i < n; i++) api_game_json(w, &games[i]);
    jw_arr_end(w);
    jw_knull(w, "next_cursor");
    jw_obj_end(w);
}

static void api_game_created(req *r, void *arg, int rc)
{
    store_game_new *g = arg;
    if (rc == STORE_CONFLICT) {
        req_error(r, 409, "conflict", "slug", "a game with slug %s exists", g->slug);
        return;
    }
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    st_game out = {.id = g->id, .slug = g->slug, .name = g->name, .team_size = g->team_size};
    api_game_json(req_json(r, 201), &out);
}

void api_games_create(req *r)
{
    const st_user *u = api_require_user(r);
    if (!u) return;
    if (!api_is_admin(u)) {
        req_error(r, 403, "forbidden", NULL, "only admins can create games");
        return;
    }
    json_t *b = api_body(r);
    if (!b) return;
    store_game_new *g = api_alloc(r, sizeof *g);
    if (!g) return;
    g->team_size = 1;
    if (!api_str(r, b, "slug", true, &g->slug) || !api_str(r, b, "name", true, &g->name) ||
        !api_int(r, b, "team_size", false, 1, 64, &g->team_size, NULL))
        return;
    if (!validate_game_slug(g->slug)) {
        api_invalid(r, "slug", "slug must be 2 to 64 of a-z, 0-9 and -");
        return;
    }
    if (!validate_text(g->name, 1, 100)) {
        api_invalid(r, "name", "name must be 1 to 100 printable characters");
        return;
    }
    api_write(r, store_game_insert, g, api_game_created);
}

void api_game_leaderboard(req *r)
{
    db_conn *c = api_db(r);
    if (!c) return;
    const char *slug = req_param(r, 0);
    st_game g;
    int rc = store_game_by_slug(c, req_arena(r), slug, &g);
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    int limit;
    if (!api_limit(r, &limit)) return;
    int64_t key[2] = {0, 0};
    const char *cursor = req_query(r, "cursor");
    if (cursor && cursor[0] && !cursor_decode(cursor, 'l', key, 2)) {
        api_invalid(r, "cursor", "cursor is not one this list gave out");
        return;
    }
    st_lb_entry *items;
    int n;
    int64_t computed_at;
    rc = store_leaderboard_page(c, req_arena(r), g.id, key[0], key[1], limit + 1, &items, &n,
                                &computed_at);
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    /* the game's snapshot, and the stamp every snapshot shows */
    api_cache_dep(r, DEP_GAME, g.id);
    api_cache_dep(r, DEP_GAME, 0);
    int shown = n > limit ? limit : n;
    jw *w = req_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "game");
    api_game_json(w, &g);
    jw_ktime(w, "computed_at", computed_at, computed_at != 0);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (int i = 0; i < shown; i++) {
        const st_lb_entry *e = &items[i];
        jw_obj_begin(w);
        jw_kint(w, "rank", e->rank);
        jw_key(w, "user");
        jw_obj_begin(w);
        jw_kint(w, "id", e->user.id);
        jw_kstr(w, "username", e->user.username);
        jw_kstr(w, "display_name", e->user.display_name);
        jw_obj_end(w);
        jw_kint(w, "tournaments", e->tournaments);
        jw_kint(w, "matches_won", e->matches_won);
        jw_kint(w, "matches_lost", e->matches_lost);
        jw_kint(w, "points", e->points);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    int64_t k[2] = {shown ? items[shown - 1].rank : 0, shown ? items[shown - 1].user.id : 0};
    api_next_cursor(w, 'l', n > limit, k, 2);
    jw_obj_end(w);
}
