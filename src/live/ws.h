/* ws.h: the WebSocket protocol pieces the live module needs (RFC 6455): the server side
 * of the opening handshake on an HTTP request, and frames built once and sent to many.
 *
 * Framing of a connection's incoming frames and of its control frames is libwslay's
 * event API (live.c drives it); the data frames the server fans out are built here, once
 * per message, with libwslay's frame API: a server's frames are not masked, so the same
 * bytes go to every subscriber. */
#ifndef TOURNEYD_WS_H
#define TOURNEYD_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/request.h"

/* The longest header of an unmasked frame: 2 bytes + a 64-bit length. */
#define WS_FRAME_HEADER_MAX 10
#define WS_ACCEPT_LEN       28 /* base64 of a SHA-1 digest */

/* Checks r's opening handshake (GET, Upgrade: websocket, Connection: upgrade,
 * Sec-WebSocket-Version: 13, a Sec-WebSocket-Key of 16 bytes in base64) and returns true
 * with *key set; otherwise answers the error (JSON: 400 bad_request, or 426
 * upgrade_required with Upgrade: websocket and Sec-WebSocket-Version: 13) and returns
 * false. */
bool ws_handshake_check(req *r, const char **key);
/* Adds the 101's headers for key: Upgrade and Sec-WebSocket-Accept (libmicrohttpd adds
 * Connection: Upgrade). */
void ws_handshake_accept(req *r, const char *key);

/* Sec-WebSocket-Accept of a key: base64(SHA-1(key + the RFC's GUID)), NUL-terminated. */
void ws_accept_key(const char *key, char out[WS_ACCEPT_LEN + 1]);

/* Builds complete, unmasked, final frames. One per thread (it holds libwslay's frame
 * state between the header and the payload). */
typedef struct ws_encoder ws_encoder;
ws_encoder *ws_encoder_new(void);
void ws_encoder_free(ws_encoder *e);
/* Writes one frame of `opcode` (WSLAY_TEXT_FRAME, WSLAY_CONNECTION_CLOSE...) carrying
 * payload[0..n) into out, which has room for n + WS_FRAME_HEADER_MAX bytes. Returns the
 * frame's length, 0 on failure (a control frame over 125 bytes). */
size_t ws_encode(ws_encoder *e, uint8_t opcode, const void *payload, size_t n, uint8_t *out);

#endif
