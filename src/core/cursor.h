/* cursor.h: opaque keyset-pagination cursors.
 *
 * A cursor carries the sort key of the last item of a page (up to CURSOR_MAX_VALS
 * signed 64-bit values) and a one-letter kind, so a cursor of one list is refused by
 * another. The text is base64url (no padding) of "<kind>1:<v1>:<v2>..." and is at most
 * CURSOR_MAX_LEN characters. Decoding is strict: anything that is not exactly what
 * cursor_encode produces is rejected. */
#ifndef TOURNEYD_CURSOR_H
#define TOURNEYD_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CURSOR_MAX_VALS 4
#define CURSOR_MAX_LEN  128

/* Writes the cursor (NUL-terminated) to out; returns its length. n is 1..CURSOR_MAX_VALS
 * and kind an ASCII letter; otherwise returns 0 with out set to "". */
size_t cursor_encode(char kind, const int64_t *vals, int n, char out[CURSOR_MAX_LEN + 1]);
/* True and vals[0..n) filled when s is a cursor of this kind with exactly n values;
 * vals is left untouched on false. */
bool cursor_decode(const char *s, char kind, int64_t *vals, int n);

#endif
