/* json.h: streaming JSON writer.
 *
 * Output is the hot path, so no document tree is built: values are appended to a buf
 * as they are produced. The writer tracks nesting and inserts commas itself; strings
 * are escaped (", \, control characters as \uXXXX; '/' is left as is) and validated as
 * UTF-8: each invalid byte becomes U+FFFD, so the output is always valid UTF-8 JSON.
 * Exactly: '"' and '\' get a backslash; \b \f \n \r \t use their short forms; other
 * bytes below 0x20 become \u00xx (lowercase hex); DEL (0x7f) and every valid UTF-8
 * sequence, U+2028/U+2029 included, are copied as they are. An invalid sequence is
 * replaced one byte at a time ("\xe2\x82A" gives two U+FFFD then 'A').
 * Misuse (a value where a key is expected, a key outside an object or twice in a row, a
 * NULL key, unbalanced ends, a second top-level value, nesting over JSON_MAX_DEPTH) sets
 * `err` and stops all further output; callers check jw_ok() once at the end. */
#ifndef TOURNEYD_JSON_H
#define TOURNEYD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define JSON_MAX_DEPTH 32

typedef struct jw {
    buf *b;
    int depth;
    bool err;
    /* per level: 1 = object, 0 = array */
    uint8_t is_obj[JSON_MAX_DEPTH];
    /* per level: a member was written already (a comma is due before the next). While
     * depth is 0, has_item[0] == 2 records that the top-level value is complete. */
    uint8_t has_item[JSON_MAX_DEPTH];
    /* an object key was written and its value is due */
    bool after_key;
} jw;

void jw_init(jw *w, buf *b);
void jw_obj_begin(jw *w);
void jw_obj_end(jw *w);
void jw_arr_begin(jw *w);
void jw_arr_end(jw *w);
/* Writes an object key (escaped like a string). */
void jw_key(jw *w, const char *key);
/* String value; NULL writes null (for jw_strn too, whatever n). */
void jw_str(jw *w, const char *s);
void jw_strn(jw *w, const char *s, size_t n);
void jw_int(jw *w, int64_t v);
/* Shortest round-trip form ("%.17g" trimmed); NaN and infinities write null. */
void jw_double(jw *w, double v);
void jw_bool(jw *w, bool v);
void jw_null(jw *w);
/* RFC 3339 UTC ("2026-11-22T16:30:00Z") of unix seconds; `set` false writes null, and so
 * does a time outside the years 0..9999 that time_format refuses. */
void jw_time(jw *w, int64_t unix_seconds, bool set);
/* A value that is already valid JSON (not checked). */
void jw_raw(jw *w, const char *json, size_t n);
/* True when the document is complete (depth 0, exactly one top-level value: an empty
 * document is not complete), well formed and nothing ran out of memory. */
bool jw_ok(const jw *w);

/* Key + value shorthands. */
void jw_kstr(jw *w, const char *key, const char *s);
void jw_kint(jw *w, const char *key, int64_t v);
void jw_kbool(jw *w, const char *key, bool v);
void jw_knull(jw *w, const char *key);
void jw_ktime(jw *w, const char *key, int64_t unix_seconds, bool set);

/* Appends `s` escaped as a JSON string (with quotes) to any buf; no structure tracking. */
void json_escape(buf *b, const char *s, size_t n);

#endif
