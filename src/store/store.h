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

/* Outcome of a write job that a rule refused: the HTTP layer turns `code` into the
 * error code of API.md ("tournament_full", "already_registered", ...). */
typedef struct store_refusal {
    const char *code;
    const char *field;
    const char *message;
} store_refusal;

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

typedef struct st_user_ref {
    int64_t id;
    const char *username;
    const char *display_name;
} st_user_ref;

typedef struct st_team {
    int64_t id;
    const char *name;
    const char *tag;
    st_user_ref captain;
    int64_t created_at;
    int nmembers;
    st_user_ref *members;
} st_team;

typedef struct st_registration {
    int64_t id;
    int64_t tournament_id;
    const char *tournament_slug;
    const char *tournament_name;
    int64_t organizer_id;
    st_user_ref user;
    int64_t team_id; /* 0 = solo */
    const char *team_name;
    const char *team_tag;
    const char *status;
    int64_t seed; /* 0 = unseeded */
    int64_t created_at;
    int64_t checked_in_at; /* 0 = not checked in */
    int64_t payment_id;    /* latest payment; 0 = none */
    const char *payment_status;
    int64_t payment_amount_cents;
    /* dashboard extras (store_registrations_mine only) */
    tstatus tournament_status;
    int64_t tournament_start_at;
    const char *game_slug;
    const char *game_name;
    int64_t next_match_id; /* 0 = none */
    int64_t next_match_round;
    const char *next_match_bracket;
    const char *next_match_state;
} st_registration;

typedef struct st_payment {
    int64_t id;
    int64_t registration_id;
    int64_t tournament_id;
    int64_t organizer_id;
    int64_t payer_id; /* the registration's user */
    const char *currency;
    int64_t amount_cents;
    const char *method;
    const char *reference;
    const char *status;
    const char *reason;
    int64_t verified_by;
    int64_t verified_at;
    int64_t created_at;
    st_user_ref user;
    int64_t team_id;
    const char *team_name;
} st_payment;

/* One side of a match: the registration with the name it plays under (team name, or the
 * player's display name) and its seed. registration_id 0 = nobody (yet). */
typedef struct st_side {
    int64_t registration_id;
    const char *name;
    int64_t seed; /* 0 = unseeded */
} st_side;

typedef struct st_match {
    int64_t id;
    int64_t tournament_id;
    const char *tournament_slug;
    int64_t organizer_id;
    tstatus tournament_status;
    const char *bracket;
    int64_t round, position;
    const char *state;
    st_side p1, p2, winner;
    bool has_score;
    int64_t score1, score2;
    int64_t next_match_id, next_slot;             /* 0 = none */
    int64_t loser_next_match_id, loser_next_slot; /* 0 = none */
    int64_t scheduled_at, completed_at;           /* 0 = unset */
} st_match;

static inline int64_t st_tournament_active(const st_tournament *t)
{
    return t->n_pending + t->n_confirmed + t->n_checked_in;
}

#endif
