/* ws.c: the WebSocket opening handshake and shared frames (see ws.h).
 *
 * SHA-1 and base64 of Sec-WebSocket-Accept come from nettle; frames from libwslay's frame
 * API, whose send callback here appends to the caller's buffer instead of a socket. */
#include "live/ws.h"

#include <nettle/base64.h>
#include <nettle/sha1.h>
#include <string.h>
#include <strings.h>
#include <wslay/wslay.h>

#define WS_GUID    "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_KEY_LEN 24 /* base64 of 16 bytes */

/* Does the comma-separated header value contain `token` (case-insensitive)? */
static bool ws_has_token(const char *value, const char *token)
{
    if (!value) return false;
    size_t tl = strlen(token);
    for (const char *p = value; *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        const char *start = p;
        while (*p && *p != ',') p++;
        const char *end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t')) end--;
        if ((size_t)(end - start) == tl && strncasecmp(start, token, tl) == 0) return true;
    }
    return false;
}

/* A key is 16 bytes in base64: exactly 24 characters that decode to 16 bytes. */
static bool ws_key_valid(const char *key)
{
    if (!key || strlen(key) != WS_KEY_LEN) return false;
    struct base64_decode_ctx ctx;
    uint8_t raw[BASE64_DECODE_LENGTH(WS_KEY_LEN)];
    size_t n = sizeof raw;
    base64_decode_init(&ctx);
    return base64_decode_update(&ctx, &n, raw, WS_KEY_LEN, key) == 1 &&
           base64_decode_final(&ctx) == 1 && n == 16;
}

void ws_accept_key(const char *key, char out[WS_ACCEPT_LEN + 1])
{
    struct sha1_ctx ctx;
    uint8_t digest[SHA1_DIGEST_SIZE];
    sha1_init(&ctx);
    sha1_update(&ctx, strlen(key), (const uint8_t *)key);
    sha1_update(&ctx, sizeof WS_GUID - 1, (const uint8_t *)WS_GUID);
    sha1_digest(&ctx, sizeof digest, digest);
    base64_encode_raw(out, sizeof digest, digest);
    out[WS_ACCEPT_LEN] = '\0';
}

static void ws_upgrade_required(req *r, const char *why)
{
    req_error(r, 426, "upgrade_required", NULL, "%s", why);
    req_add_header(r, "Upgrade", "websocket");
    req_add_header(r, "Sec-WebSocket-Version", "13");
}

bool ws_handshake_check(req *r, const char **key)
{
    if (req_method(r) != HTTP_GET) {
        req_error(r, 400, "bad_request", NULL, "a WebSocket handshake is a GET request");
        return false;
    }
    if (!ws_has_token(req_header(r, "Upgrade"), "websocket")) {
        ws_upgrade_required(r, "this endpoint speaks WebSocket only: send Upgrade: websocket");
        return false;
    }
    if (!ws_has_token(req_header(r, "Connection"), "upgrade")) {
        req_error(r, 400, "bad_request", NULL, "a WebSocket handshake needs Connection: Upgrade");
        return false;
    }
    const char *version = req_header(r, "Sec-WebSocket-Version");
    if (!version || strcmp(version, "13") != 0) {
        ws_upgrade_required(r, "only WebSocket version 13 is spoken here");
        return false;
    }
    *key = req_header(r, "Sec-WebSocket-Key");
    if (!ws_key_valid(*key)) {
        req_error(r, 400, "bad_request", NULL,
                  "Sec-WebSocket-Key must be 16 random bytes in base64");
        return false;
    }
    return true;
}

/* libmicrohttpd 0.9.75 writes "Connection: Upgrade" into every upgrade response itself
 * (adding ours too gives "Connection: Upgrade, Upgrade"), so only these two are ours. */
void ws_handshake_accept(req *r, const char *key)
{
    char accept[WS_ACCEPT_LEN + 1];
    ws_accept_key(key, accept);
    req_add_header(r, "Upgrade", "websocket");
    req_add_header(r, "Sec-WebSocket-Accept", accept);
}

/* ---- frames ---- */

struct ws_encoder {
    wslay_frame_context_ptr ctx;
    uint8_t *out; /* where the frame being encoded goes */
    size_t len, cap;
};

static ssize_t ws_encoder_send(const uint8_t *data, size_t len, int flags, void *user)
{
    (void)flags;
    ws_encoder *e = user;
    if (len > e->cap - e->len) return -1;
    memcpy(e->out + e->len, data, len);
    e->len += len;
    return (ssize_t)len;
}

static ssize_t ws_encoder_recv(uint8_t *dst, size_t len, int flags, void *user)
{
    (void)dst;
    (void)len;
    (void)flags;
    (void)user;
    return -1; /* an encoder never reads */
}

static int ws_encoder_genmask(uint8_t *mask, size_t len, void *user)
{
    (void)user;
    memset(mask, 0, len); /* never called: server frames are not masked */
    return 0;
}

ws_encoder *ws_encoder_new(void)
{
    ws_encoder *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    struct wslay_frame_callbacks cb = {ws_encoder_send, ws_encoder_recv, ws_encoder_genmask};
    if (wslay_frame_context_init(&e->ctx, &cb, e) != 0) {
        free(e);
        return NULL;
    }
    return e;
}

void ws_encoder_free(ws_encoder *e)
{
    if (!e) return;
    wslay_frame_context_free(e->ctx);
    free(e);
}

size_t ws_encode(ws_encoder *e, uint8_t opcode, const void *payload, size_t n, uint8_t *out)
{
    e->out = out;
    e->len = 0;
    e->cap = n + WS_FRAME_HEADER_MAX;
    struct wslay_frame_iocb io = {.fin = 1,
                                  .rsv = WSLAY_RSV_NONE,
                                  .opcode = opcode,
                                  .payload_length = n,
                                  .mask = 0,
                                  .data = payload,
                                  .data_length = n};
    ssize_t sent = wslay_frame_send(e->ctx, &io);
    /* the callback takes everything at once, so one call writes the whole frame */
    if (sent < 0 || (size_t)sent != n) return 0;
    return e->len;
}
