/* store.h: the store's results and row types, shared by every store_*.c.
 *
 * The store turns requests for data into SQL and rows into these structs; strings in a
 * row are copied into the caller's arena. It never writes JSON (that is api/'s job), and
 * handlers never write SQL. */
#ifndef TOURNEYD_STORE_H
#define TOURNEYD_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/tournament_rules.h"
#include "store/db.h"
#include "util/arena.h"

typedef enum {
    STORE_OK = 0,
    STORE_NOT_FOUND,
    STORE_CONFLICT,           /* uniqueness or state conflict; `field` says which */
    STORE_INVALID_TRANSITION, /* the state machine refuses the move */
    STORE_INVALID,            /* a value refused by a rule that needs the database */
    STORE_UNAVAILABLE,        /* shutting down */
    STORE_ERROR,              /* SQLite failed */
} store_rc;

typedef struct st_user {
    int64_t id;
    const char *username;
    const char *display_name;
    const char *email;
    const char *role;
    const char *password_hash;
    int64_t created_at;
} st_user;

typedef struct st_game {
    int64_t id;
    const char *slug;
    const char *name;
    int64_t team_size;
} st_game;

/* A tournament with what its summary, detail and state show. Optional times are 0 when
 * unset. */
typedef struct st_tournament {
    int64_t id;
    const char *slug;
    const char *name;
    const char *description;
    int64_t game_id;
    const char *game_slug;
    const char *game_name;
    int64_t organizer_id;
    const char *organizer_username;
    const char *organizer_display_name;
    tstatus status;
    const char *format;
    const char *format_options; /* JSON object text */
    const char *participant_type;
    int64_t max_participants;
    int64_t entry_fee_cents;
    const char *currency;
    bool check_in_required;
    int64_t registration_opens_at;
    int64_t registration_closes_at;
    int64_t start_at;
    int64_t current_round;
    int64_t n_pending, n_confirmed, n_checked_in, n_cancelled;
    int64_t version;
    int64_t created_at;
    int64_t updated_at;
} st_tournament;

static inline int64_t st_tournament_active(const st_tournament *t)
{
    return t->n_pending + t->n_confirmed + t->n_checked_in;
}

#endif
