/* api_auth.c: accounts: sign-up, login, logout, /me (API.md "Accounts").
 *
 * Owns the login rate limiter. Password hashing runs on the io thread before the write
 * is queued, so the writer never waits on argon2. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/validate.h"
#include "http/ratelimit.h"
#include "store/store_users.h"
#include "util/password.h"
#include "util/timefmt.h"

static struct {
    ratelimit *login;
    unsigned token_days;
} auth;

int api_auth_init(const api_config *cfg)
{
    auth.login = ratelimit_new(cfg->login_per_minute ? cfg->login_per_minute : 20);
    auth.token_days = cfg->token_days ? cfg->token_days : 30;
    return auth.login ? 0 : -1;
}

void api_auth_shutdown(void)
{
    ratelimit_free(auth.login);
    auth.login = NULL;
}

static void api_user_created(req *r, void *arg, int rc)
{
    store_user_new *u = arg;
    if (rc == STORE_CONFLICT) {
        req_error(r, 409, "conflict", "username", "the username %s is taken", u->username);
        return;
    }
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    st_user out = {.id = u->id,
                   .username = u->username,
                   .display_name = u->display_name,
                   .email = u->email,
                   .role = u->role,
                   .created_at = u->now};
    api_user_json(req_json(r, 201), &out, true);
}

void api_users_create(req *r)
{
    json_t *b = api_body(r);
    if (!b) return;
    const char *username, *password, *display_name, *email;
    if (!api_str(r, b, "username", true, &username) ||
        !api_str(r, b, "password", true, &password) ||
        !api_str(r, b, "display_name", false, &display_name) ||
        !api_str(r, b, "email", false, &email))
        return;
    if (!validate_username(username)) {
        api_invalid(r, "username", "username must be 3 to 32 of a-z, 0-9, _ and -");
        return;
    }
    if (!validate_password(password)) {
        api_invalid(r, "password", "password must be 8 to 1024 bytes, at least 8 characters");
        return;
    }
    if (display_name && !validate_text(display_name, 1, 64)) {
        api_invalid(r, "display_name", "display_name must be 1 to 64 printable characters");
        return;
    }
    if (email && !validate_email(email)) {
        api_invalid(r, "email", "email is not a valid address");
        return;
    }
    store_user_new *u = arena_calloc(req_arena(r), 1, sizeof *u);
    char *hash = arena_alloc(req_arena(r), PASSWORD_HASH_MAX);
    if (!u || !hash || !password_hash(password, hash)) {
        req_error(r, 500, "internal", NULL, "cannot hash the password");
        return;
    }
    u->username = username;
    u->display_name = display_name ? display_name : username;
    u->email = email;
    u->password_hash = hash;
    u->role = "player";
    u->now = req_now(r);
    api_write(r, store_user_insert, u, api_user_created);
}

typedef struct login_job {
    store_token_new tok;
    char text[TOKEN_TEXT_LEN + 1];
    st_user user;
} login_job;

static void api_logged_in(req *r, void *arg, int rc)
{
    login_job *lj = arg;
    if (rc == STORE_NOT_FOUND) {
        req_error(r, 401, "unauthorized", NULL, "invalid username or password");
        return;
    }
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    jw *w = req_json(r, 200);
    jw_obj_begin(w);
    jw_kstr(w, "token", lj->text);
    jw_ktime(w, "expires_at", lj->tok.expires_at, true);
    jw_key(w, "user");
    api_user_json(w, &lj->user, true);
    jw_obj_end(w);
}

void api_auth_login(req *r)
{
    unsigned retry = 0;
    if (!ratelimit_take(auth.login, req_client_addr(r), time_mono_ns() / 1000000u, &retry)) {
        char ra[16];
        snprintf(ra, sizeof ra, "%u", retry);
        req_error(r, 429, "rate_limited", NULL, "too many login attempts; retry in %u s", retry);
        req_add_header(r, "Retry-After", ra);
        return;
    }
    json_t *b = api_body(r);
    if (!b) return;
    const char *username, *password;
    if (!api_str(r, b, "username", true, &username) || !api_str(r, b, "password", true, &password))
        return;
    db_conn *c = api_db(r);
    if (!c) return;
    login_job *lj = api_alloc(r, sizeof *lj);
    if (!lj) return;
    int rc = validate_username(username) ? store_user_by_name(c, req_arena(r), username, &lj->user)
                                         : STORE_NOT_FOUND;
    if (rc == STORE_ERROR) {
        api_store_failed(r, rc);
        return;
    }
    bool ok;
    if (rc == STORE_OK) {
        ok = password_verify(lj->user.password_hash, password);
    } else {
        password_verify_dummy(password);
        ok = false;
    }
    if (!ok) {
        req_error(r, 401, "unauthorized", NULL, "invalid username or password");
        return;
    }
    token_new(lj->text, lj->tok.hash);
    lj->tok.user_id = lj->user.id;
    lj->tok.now = req_now(r);
    lj->tok.expires_at = req_now(r) + (int64_t)auth.token_days * 86400;
    api_write(r, store_token_insert, &lj->tok, api_logged_in);
}

static void api_logged_out(req *r, void *arg, int rc)
{
    (void)arg;
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    req_empty(r, 204);
}

void api_auth_logout(req *r)
{
    if (!api_require_user(r)) return;
    const char *tok = req_header(r, "Authorization") + 7;
    while (*tok == ' ') tok++;
    uint8_t *hash = arena_alloc(req_arena(r), TOKEN_HASH_LEN);
    if (!hash) {
        req_error(r, 500, "internal", NULL, "out of memory");
        return;
    }
    crypto_hash_sha256(hash, (const unsigned char *)tok, strlen(tok));
    api_write(r, store_token_delete, hash, api_logged_out);
}

void api_me(req *r)
{
    const st_user *u = api_require_user(r);
    if (!u) return;
    api_user_json(req_json(r, 200), u, true);
}
