/* password.c: argon2id hashing and token generation on libsodium (see password.h). */
#include "util/password.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

#define PW_OPSLIMIT 2ULL
#define PW_MEMLIMIT (19u * 1024u * 1024u)

/* A real hash of a random password, made once at start, so that checking a login for an
 * unknown user costs the same as for a known one. Written once by password_init. */
static char dummy_hash[crypto_pwhash_STRBYTES];

bool password_init(void)
{
    if (sodium_init() < 0) return false;
    if (dummy_hash[0]) return true;
    char pw[33];
    uint8_t raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(pw, sizeof pw, raw, sizeof raw);
    return password_hash(pw, dummy_hash);
}

bool password_hash(const char *pw, char out[PASSWORD_HASH_MAX])
{
    _Static_assert(PASSWORD_HASH_MAX >= crypto_pwhash_STRBYTES, "hash buffer too small");
    return crypto_pwhash_str_alg(out, pw, strlen(pw), PW_OPSLIMIT, PW_MEMLIMIT,
                                 crypto_pwhash_ALG_ARGON2ID13) == 0;
}

bool password_verify(const char *stored, const char *pw)
{
    char s[crypto_pwhash_STRBYTES] = {0};
    size_t n = strlen(stored);
    if (n >= sizeof s) return false;
    memcpy(s, stored, n);
    return crypto_pwhash_str_verify(s, pw, strlen(pw)) == 0;
}

void password_verify_dummy(const char *pw)
{
    if (crypto_pwhash_str_verify(dummy_hash, pw, strlen(pw)) == 0) {
        /* cannot happen: the dummy password is random and never handed out */
    }
}

void token_new(char text[TOKEN_TEXT_LEN + 1], uint8_t hash[32])
{
    uint8_t raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(text, TOKEN_TEXT_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    crypto_hash_sha256(hash, (const unsigned char *)text, TOKEN_TEXT_LEN);
    sodium_memzero(raw, sizeof raw);
}
