/* router.h: maps (method, path) to a route, capturing path parameters.
 *
 * Patterns are literal segments and `{name}` captures, e.g.
 * "/api/v1/tournaments/{slug}/state". A router is built once at start from a table and
 * is read-only afterwards, so every io thread matches against it without locks. Matching
 * distinguishes "no such path" (404) from "path exists, not for this method" (405, with
 * the allowed methods). Pure: no I/O, unit-tested. */
#ifndef TOURNEYD_ROUTER_H
#define TOURNEYD_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#define ROUTER_MAX_PARAMS   4
#define ROUTER_MAX_SEGMENTS 8
#define ROUTER_MAX_ROUTES   96

typedef enum {
    HTTP_GET = 0,
    HTTP_HEAD,
    HTTP_POST,
    HTTP_PUT,
    HTTP_PATCH,
    HTTP_DELETE,
    HTTP_OPTIONS,
    HTTP__METHODS,
    HTTP_OTHER = HTTP__METHODS
} http_method;

typedef struct router router;

typedef struct route_match {
    int route;      /* index into the route table, or -1 */
    int status;     /* 0 on a match, 404 or 405 otherwise */
    unsigned allow; /* with 405: bit (1u << method) for each method the path accepts */
    int nparams;
    /* parameter values point into the caller's path copy (NUL-terminated in place) */
    const char *params[ROUTER_MAX_PARAMS];
} route_match;

/* Parses a method name ("GET", ...); HTTP_OTHER for anything else. */
http_method http_method_parse(const char *name);
const char *http_method_name(http_method m);

/* A router with no routes; NULL on OOM. */
router *router_new(void);
void router_free(router *rt);
/* Adds a route; returns its index, or -1 if the pattern is malformed or limits are hit.
 * Indexes are assigned 0, 1, 2... in the order of adding. */
int router_add(router *rt, http_method m, const char *pattern);
/* The pattern of a route (for metrics labels and logs). */
const char *router_pattern(const router *rt, int route);
/* The method a route serves. */
http_method router_method(const router *rt, int route);
int router_count(const router *rt);
/* Matches `path` (modified in place: '/' after parameters are replaced by NUL, so pass a
 * private copy). A trailing '/' is not ignored: "/a/" does not match "/a". HEAD matches
 * GET routes when no HEAD route exists. Empty parameter segments never match. */
void router_match(const router *rt, http_method m, char *path, route_match *out);
/* Writes "GET, HEAD, POST" style text for an allow mask into out (>= 64 bytes). */
void router_allow_header(unsigned allow, char *out, size_t cap);

#endif
