/* warmup.h: fills the response cache before the server reports ready.
 *
 * At start the cache is empty, and the first wave of spectators polling the live and
 * registration-open tournaments would all miss at once. warmup_run asks the running
 * server itself, over loopback HTTP, for each given path (one keep-alive connection), so
 * the bodies are built by the same handlers, under the same keys and dependencies, as
 * any client's request. */
#ifndef TOURNEYD_WARMUP_H
#define TOURNEYD_WARMUP_H

#include <stddef.h>

/* GETs every path from the server listening on `listen` ("host:port" as given to serve;
 * a wildcard host means loopback) at `port`. Returns how many answered 200, or -1 with a
 * message when the server cannot be reached at all. */
int warmup_run(const char *listen, unsigned port, const char *const *paths, int n, char *err,
               size_t errlen);

#endif
