/* respcache.h: the response cache, shared by every io thread, exact by construction.
 *
 * An entry is a response body (and, once a client asked for it, its gzip encoding) with
 * its ETag and the dependencies it was built from (cache/versions.h): it is served only
 * while every dependency's counter is unchanged, so an answer is never older than the
 * last acknowledged write, on any thread, with no TTL and no invalidation messages.
 *
 * The table is split into stripes, each with its own lock, LRU list and byte budget, so
 * no lock is shared by all threads on the read path. A miss leaves a placeholder: other
 * threads that miss the same key wait (briefly) for its builder instead of building the
 * same body again, so a hot key that just changed is rebuilt once, not once per thread.
 * Counters (hits, misses, stale, 304s, waits, evictions, entries, bytes) are kept per
 * kind of body, to be shown per cache in /metrics. */
#ifndef TOURNEYD_RESPCACHE_H
#define TOURNEYD_RESPCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/versions.h"
#include "util/buf.h"
#include "util/etag.h"

/* What a body is, for the metrics' `cache` label. */
typedef enum {
    RC_STATE,
    RC_STATES,
    RC_LIST,
    RC_DETAIL,
    RC_GAMES,
    RC_REGISTRATIONS,
    RC_PAYMENTS,
    RC_MATCHES,
    RC_MATCH,
    RC_BRACKET,
    RC_STANDINGS,
    RC_LEADERBOARD,
    RC_PLAYER_DASHBOARD,
    RC_ORGANIZER_DASHBOARD,
    RC_PAGE,
    RC__KINDS
} rc_kind;

/* Bodies over this many bytes are offered gzip-encoded to clients that accept it. */
#define RESPCACHE_GZIP_MIN 1024

/* Budget in bytes for all entries (0 disables the cache: every lookup misses and
 * nothing is stored). Call once before the io threads start. */
void respcache_configure(size_t total_bytes);
bool respcache_enabled(void);

typedef enum {
    RC_MISS,         /* build the body, then respcache_put or respcache_abandon */
    RC_MISS_NO_SLOT, /* build it, but do not store it (disabled, or another thread's build
                      * took too long): do not call put/abandon */
    RC_HIT,          /* the body was appended to `out` */
    RC_NOT_MODIFIED, /* If-None-Match named the entry's tag: answer 304, nothing copied */
} rc_result;

typedef struct {
    char etag[ETAG_MAX]; /* the tag of what was served (or matched) */
    bool gzip;           /* `out` holds the gzip encoding */
    bool want_gzip_copy; /* the client takes gzip, the entry has none yet, the body is
                          * large enough: compress `out` and respcache_attach_gzip it */
    uint64_t serial;     /* the entry's identity, for respcache_attach_gzip */
} rc_answer;

/* Looks key up at time `now` (unix seconds). `if_none_match` may be NULL. On RC_HIT the
 * plain or gzip body (per `accept_gzip` and what the entry holds) is appended to out. */
rc_result respcache_get(rc_kind kind, const char *key, int64_t now, const char *if_none_match,
                        bool accept_gzip, buf *out, rc_answer *ans);
/* Stores body (tagged etag; gz/gz_len its gzip encoding or NULL/0) under key, replacing
 * the caller's placeholder, valid while deps[0..ndeps) stay current and, when `expires`
 * is not 0, until that second (for answers that show time: a registration window
 * opening, a countdown); but only if no
 * commit was published since epoch0 (versions_epoch() read before the body's first
 * query). Otherwise, or if the entry is too large, just drops the placeholder. */
void respcache_put(rc_kind kind, const char *key, const dep *deps, size_t ndeps, int64_t expires,
                   uint64_t epoch0, const char *body, size_t len, const char *etag, const char *gz,
                   size_t gz_len);
/* Drops the caller's placeholder (the answer was an error or not shareable). */
void respcache_abandon(const char *key);
/* Adds the gzip encoding of entry `serial` (if it is still there). */
void respcache_attach_gzip(const char *key, uint64_t serial, const char *gz, size_t len);

/* Counts one body built by a handler after a miss (shown as builds in /metrics). */
void respcache_note_build(rc_kind kind);
/* gzip-encodes in[0..len) into out (appended); false if zlib failed. */
bool respcache_gzip(const char *in, size_t len, buf *out);

/* Appends the cache's Prometheus metrics. */
void respcache_render_metrics(buf *b);
/* Frees every entry (after the io threads stopped). */
void respcache_shutdown(void);

#endif
