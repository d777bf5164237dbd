/* store_games.h: games. */
#ifndef TOURNEYD_STORE_GAMES_H
#define TOURNEYD_STORE_GAMES_H

#include "store/store.h"

/* Every game ordered by name; *out is an arena array of *n games. */
int store_games_list(db_conn *c, arena *a, st_game **out, int *n);
/* The game with this slug; STORE_NOT_FOUND without a query for a slug no game can have
 * (not a valid game slug: any text from a URL or a body may be passed). */
int store_game_by_slug(db_conn *c, arena *a, const char *slug, st_game *out);

typedef struct store_game_new {
    const char *slug, *name;
    int64_t team_size;
    int64_t id; /* out */
} store_game_new;
/* Writer job; STORE_CONFLICT when the slug is taken. */
int store_game_insert(db_conn *w, void *store_game_new_arg);

#endif
