/* timefmt.h: RFC 3339 times <-> unix seconds, without libc's locale or timezone state.
 *
 * The API speaks RFC 3339 UTC; the store keeps INTEGER unix seconds. Formatting is a
 * pure civil-from-days computation (no gmtime_r), so it is cheap on the hot path. */
#ifndef TOURNEYD_TIMEFMT_H
#define TOURNEYD_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TIME_RFC3339_LEN 20 /* "YYYY-MM-DDTHH:MM:SSZ" */

/* Writes "YYYY-MM-DDTHH:MM:SSZ" and a NUL into out (>= 21 bytes). Years 0..9999 only;
 * returns false (out set to "") outside that range. */
bool time_format(int64_t unix_seconds, char out[TIME_RFC3339_LEN + 1]);
/* Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|z|+HH:MM|-HH:MM)" ('t' and ' ' accepted for
 * 'T'); the fraction is dropped. Validates field ranges (month days, leap years, hours
 * < 24, minutes < 60, seconds <= 60 with 60 folded to 59). Returns false on any error.
 * Exactly n bytes must form the time (no trailing bytes, no NUL inside); fields have
 * exactly the widths shown (years 0000..9999, no sign); the fraction has at least one
 * digit and is truncated, not rounded; offsets go up to +-23:59. *unix_seconds is only
 * written on success. */
bool time_parse(const char *s, size_t n, int64_t *unix_seconds);
/* Current unix seconds (CLOCK_REALTIME). */
int64_t time_now(void);
/* Monotonic nanoseconds (CLOCK_MONOTONIC), for durations. */
uint64_t time_mono_ns(void);

#endif
