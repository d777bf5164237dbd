/* password.h: password hashing (argon2id via libsodium) and bearer-token material.
 *
 * Parameters: argon2id, 2 passes, 19 MiB (the OWASP recommendation), so a login costs a
 * few tens of milliseconds and little memory; verification reads the parameters from
 * the stored string, so they can be raised later without invalidating old hashes. */
#ifndef TOURNEYD_PASSWORD_H
#define TOURNEYD_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PASSWORD_HASH_MAX 128
#define TOKEN_TEXT_LEN    43 /* 32 random bytes in unpadded base64url */

/* Initializes libsodium; false when it cannot (call once at start). */
bool password_init(void);
/* Writes the argon2id string of pw into out; false on failure (out of memory). */
bool password_hash(const char *pw, char out[PASSWORD_HASH_MAX]);
/* Constant-time verification against a stored argon2id string. */
bool password_verify(const char *stored, const char *pw);
/* Burns the same time as a verification (for unknown users). */
void password_verify_dummy(const char *pw);
/* A new random token (text) and its SHA-256 (what is stored). */
void token_new(char text[TOKEN_TEXT_LEN + 1], uint8_t hash[32]);

#endif
