/* request.h: what a handler sees of an HTTP request, and how it answers.
 *
 * A request owns an arena (freed when the request completes) from which all of its
 * memory comes: the path copy, the body, the response body and headers. Handlers read
 * inputs, then either answer (req_json / req_error / req_empty) or suspend the request
 * (req_suspend) until another thread calls req_resume; the `then` callback then runs on
 * the request's io thread and answers. A handler that does neither answers 500. */
#ifndef TOURNEYD_REQUEST_H
#define TOURNEYD_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/router.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/json.h"

typedef struct req req;
typedef void (*req_handler)(req *r);
typedef void (*req_then)(req *r, void *arg);
typedef void (*req_cleanup_fn)(void *ptr);

arena *req_arena(req *r);
http_method req_method(const req *r);
/* Path parameter i of the matched route (NUL-terminated, percent-decoded). */
const char *req_param(const req *r, int i);
/* Query-string value (decoded) or NULL when absent. */
const char *req_query(req *r, const char *key);
/* Every query argument (decoded; value NULL for `?flag`), in arrival order, up to max;
 * returns how many there are (which may exceed max). */
size_t req_query_all(req *r, const char **keys, const char **values, size_t max);
/* The path as requested (without the query string). */
const char *req_path(const req *r);
/* Index of the matched route in the route table. */
int req_route(const req *r);
/* Request header value or NULL. */
const char *req_header(req *r, const char *name);
/* The body (NUL-terminated; len 0 when none). */
const char *req_body(const req *r, size_t *len);
/* The client's address as text ("127.0.0.1"). */
const char *req_client_addr(req *r);
/* Seconds since the epoch when the request arrived. */
int64_t req_now(const req *r);
/* One pointer the application may attach to the request (e.g. the signed-in user). */
void *req_app(const req *r);
void req_set_app(req *r, void *p);
/* Adds to the request's query count (for work counted before the request suspends). */
void req_add_queries(req *r, unsigned n);
/* Runs fn(ptr) when the request is freed (for memory not in the arena). */
bool req_on_cleanup(req *r, req_cleanup_fn fn, void *ptr);

/* Starts a JSON response with this status; the handler writes one value into it. */
jw *req_json(req *r, int status);
/* An error response {"error": {code, message, field?}}; field may be NULL. */
void req_error(req *r, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* A response with no body (204, ...). */
void req_empty(req *r, int status);
/* A response body of another type; returns the buffer to write it into. */
buf *req_body_out(req *r, int status, const char *content_type);
/* Changes the Content-Type of the response built so far (e.g. a cached body written by a
 * helper that assumed JSON); content_type must outlive the request (a literal). */
void req_set_content_type(req *r, const char *content_type);
/* The response status and body built so far (for caching what a handler wrote). */
int req_response(const req *r, const char **body, size_t *len);
/* Replaces the response body with b's contents (b's storage must live in the request's
 * arena), keeping status, type and headers. */
void req_set_body(req *r, const buf *b);
/* The ETag to send (copied) instead of one hashed from the body; also sent with a 304.
 * With it, a 200 GET whose If-None-Match names it becomes a 304. */
void req_set_etag(req *r, const char *etag);
/* Adds a response header (name and value are copied). */
void req_add_header(req *r, const char *name, const char *value);

/* ---- protocol upgrades (WebSocket) ----
 * req_upgrade answers 101 Switching Protocols with the headers added so far (the caller
 * adds Upgrade, Connection and whatever its protocol needs). Once the 101 has gone out,
 * fn runs on the io thread with the connection's socket (non-blocking), the bytes the
 * server had already read past the request (extra, maybe the first frames: copy them,
 * they are not the callee's) and the handle to close it with. From then on the socket
 * belongs to the callee: it must never close() it, and must call req_upgraded_close
 * exactly once (from any thread), after it stopped polling the socket. fn may never run
 * (the client left before the 101 was sent): resources tied to the upgrade belong in a
 * req_on_cleanup of the request, which runs after fn when fn runs. */
typedef struct req_upgraded req_upgraded;
typedef void (*req_upgrade_fn)(void *arg, int fd, const char *extra, size_t extra_len,
                               req_upgraded *h);
void req_upgrade(req *r, req_upgrade_fn fn, void *arg);
/* Gives an upgraded connection back to the server, which closes it. */
void req_upgraded_close(req_upgraded *h);

/* Suspends the request until req_resume(); then `then(r, arg)` runs on the io thread.
 * Call before handing the work to another thread. */
void req_suspend(req *r, req_then then, void *arg);
/* Wakes a suspended request; callable from any thread. The caller must not touch the
 * request afterwards (the client may have left and the request may be freed). */
void req_resume(req *r);

#endif
