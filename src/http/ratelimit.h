/* ratelimit.h: per-key token buckets (e.g. login attempts per client address).
 *
 * A bucket holds up to `per_minute` tokens and refills at per_minute per minute. The
 * table has a fixed number of slots (no growth under an address flood); a new key takes
 * its hash slot, evicting whatever was there, which can only make the limit laxer for
 * an evicted key, never stricter for an innocent one. Thread-safe (one mutex: the
 * guarded path is rare). */
#ifndef TOURNEYD_RATELIMIT_H
#define TOURNEYD_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ratelimit ratelimit;

ratelimit *ratelimit_new(unsigned per_minute);
void ratelimit_free(ratelimit *rl);
/* Takes one token for key; false (and *retry_after_s set) when the bucket is empty. */
bool ratelimit_take(ratelimit *rl, const char *key, uint64_t now_ms, unsigned *retry_after_s);

#endif
