/* store_users.h: users and login tokens. */
#ifndef TOURNEYD_STORE_USERS_H
#define TOURNEYD_STORE_USERS_H

#include <stdint.h>

#include "store/store.h"

#define TOKEN_HASH_LEN 32

/* Reads (any connection). STORE_OK, STORE_NOT_FOUND or STORE_ERROR. */
int store_user_by_name(db_conn *c, arena *a, const char *username, st_user *out);
int store_user_by_id(db_conn *c, arena *a, int64_t id, st_user *out);
/* The user owning an unexpired token with this SHA-256. */
int store_user_by_token(db_conn *c, arena *a, const uint8_t hash[TOKEN_HASH_LEN], int64_t now,
                        st_user *out);

/* Writer jobs (wjob_run_fn): arg is the struct named. */
typedef struct store_user_new {
    const char *username, *display_name, *email, *password_hash, *role;
    int64_t now;
    int64_t id; /* out */
} store_user_new;
/* STORE_CONFLICT when the username is taken. */
int store_user_insert(db_conn *w, void *store_user_new_arg);

typedef struct store_token_new {
    uint8_t hash[TOKEN_HASH_LEN];
    int64_t user_id, now, expires_at;
} store_token_new;
int store_token_insert(db_conn *w, void *store_token_new_arg);
/* arg: uint8_t[TOKEN_HASH_LEN]. STORE_OK even when no such token. */
int store_token_delete(db_conn *w, void *hash_arg);
/* Deletes expired tokens (inside a caller's transaction). */
int store_tokens_purge(db_conn *w, int64_t now);

#endif
