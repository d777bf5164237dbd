/* respcache.h: a per-thread cache of response bodies, each valid for one version.
 *
 * A body is stored with the version of what it shows (e.g. the tournament's version) and
 * is served only while the caller, which has just read the current version, asks with
 * that same version: an answer is never older than the last committed write, and no
 * invalidation messages are needed. Each io thread owns its cache (found through a
 * thread-local pointer): no lock on the read path. Size is bounded per thread; least
 * recently used entries are evicted. Hits, misses, stale-version misses and evictions
 * are counted per thread and summed for /metrics. */
#ifndef TOURNEYD_RESPCACHE_H
#define TOURNEYD_RESPCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Total budget in bytes, shared equally by `threads` caches. Call before threads start;
 * 0 bytes disables caching. */
void respcache_configure(size_t total_bytes, unsigned threads);
/* The body cached under key for exactly this version, or NULL (a miss). The pointer is
 * valid until the calling thread's next respcache_put. */
const char *respcache_get(const char *key, uint64_t version, size_t *len);
/* Stores a copy of body under key and version (replacing an older one). */
void respcache_put(const char *key, uint64_t version, const char *body, size_t len);
/* Appends the cache's Prometheus metrics. */
void respcache_render_metrics(buf *b);
/* Frees every thread's cache (after the io threads stopped). */
void respcache_shutdown(void);

#endif
