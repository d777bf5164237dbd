/* store_teams.h: teams and their members. */
#ifndef TOURNEYD_STORE_TEAMS_H
#define TOURNEYD_STORE_TEAMS_H

#include "store/store.h"

/* The team with its captain and members (two queries, whatever the team's size). */
int store_team_get(db_conn *c, arena *a, int64_t id, st_team *out);

typedef struct store_team_new {
    const char *name, *tag;
    int64_t captain_id, now;
    int64_t id; /* out */
} store_team_new;
/* Writer job: the team plus its captain as first member. */
int store_team_insert(db_conn *w, void *store_team_new_arg);

typedef struct store_member_add {
    int64_t team_id;
    const char *username;
    st_user_ref added; /* out (strings static to the job's arena) */
    arena *a;
    store_refusal why; /* out with STORE_CONFLICT / STORE_INVALID */
} store_member_add;
/* STORE_INVALID when no such user, STORE_CONFLICT when already a member. */
int store_team_member_add(db_conn *w, void *store_member_add_arg);

typedef struct store_member_remove {
    int64_t team_id, user_id;
    store_refusal why;
} store_member_remove;
/* STORE_NOT_FOUND when not a member, STORE_CONFLICT for the captain. */
int store_team_member_remove(db_conn *w, void *store_member_remove_arg);

#endif
