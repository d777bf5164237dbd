/* slug.h: tournament slugs: validation and generation from a name.
 *
 * A slug is [a-z0-9-]{3,64}. Generated slugs are made from the name (ASCII letters
 * lowercased, digits kept, every other run of characters becomes one '-', no leading or
 * trailing '-') and truncated so that a uniqueness suffix ("-2", "-17") still fits. */
#ifndef TOURNEYD_SLUG_H
#define TOURNEYD_SLUG_H

#include <stdbool.h>
#include <stddef.h>

#define SLUG_MIN 3
#define SLUG_MAX 64
/* Room kept free by slug_from_name for a suffix of slug_with_suffix. */
#define SLUG_SUFFIX_ROOM 8

bool slug_valid(const char *s);
/* Writes a valid slug (NUL-terminated, <= SLUG_MAX - SLUG_SUFFIX_ROOM chars) derived from
 * `name` into out. Names with fewer than 3 usable characters are padded from
 * "tournament" (e.g. "!!" -> "tournament", "Go" -> "go-tournament"). Non-ASCII
 * characters are separators, not transliterated ("Caf\u00e9 Cup" -> "caf-cup"); a NULL
 * name is "". (ASCII only: no locale, no tables.)
 * The result never starts or ends with '-' and never holds "--". */
void slug_from_name(const char *name, char out[SLUG_MAX + 1]);
/* out = base + "-" + n (n >= 2), truncating base so the result stays <= SLUG_MAX and
 * does not end the base part with '-'. A base that is empty (or NULL, or only '-') is
 * replaced by "tournament". */
void slug_with_suffix(const char *base, unsigned n, char out[SLUG_MAX + 1]);

#endif
