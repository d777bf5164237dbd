/* json.c: the streaming JSON writer every response goes through.
 *
 * There is no tree: each call appends to a buf and the writer only remembers, per
 * nesting level, whether it is an object or an array and whether a comma is due.
 * Misuse sets a sticky `err` and stops all output, so a handler checks jw_ok() once.
 *
 * String escaping is the hot loop. Runs of bytes that need no escaping (printable
 * ASCII other than '"' and '\\', and well-formed UTF-8 sequences) are found 8 bytes at
 * a time with word-sized bit tests where possible and copied with one memcpy per run.
 * Invalid UTF-8 (stray continuation bytes, overlong forms, surrogates, code points above
 * U+10FFFF, truncated sequences) is replaced byte by byte with U+FFFD, so the output is
 * always valid UTF-8 whatever the database or a client handed us.
 *
 * At depth 0, has_item[0] doubles as "the root value is complete" (JW_ROOT_DONE): a
 * second top-level value is misuse, and jw_ok() wants exactly one. */
#include "util/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/timefmt.h"

#define JW_ROOT_DONE 2

/* Per byte: 0 = copied as is, 1 = needs an escape, 2 = start of a multi-byte sequence
 * (or an invalid byte) to be checked as UTF-8. */
/* clang-format off */
static const unsigned char esc_class[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x00 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x10 */
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x20 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x30 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x40 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,  /* 0x50 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x60 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x70 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,  /* 0x80 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,  /* 0x90 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,  /* 0xa0 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,  /* 0xb0 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,  /* 0xc0 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,  /* 0xd0 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,  /* 0xe0 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,  /* 0xf0 */
};
/* clang-format on */

#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* True when none of the 8 bytes at p needs attention (all printable ASCII but '"' and
 * '\\'). Each test is exact as to whether any byte matches. */
static inline bool word_is_plain(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    uint64_t lt20 = (v - ONES * 0x20) & ~v;
    uint64_t q = v ^ (ONES * '"');
    uint64_t bs = v ^ (ONES * '\\');
    uint64_t zq = (q - ONES) & ~q;
    uint64_t zb = (bs - ONES) & ~bs;
    return ((lt20 | zq | zb | v) & HIGHS) == 0;
}

/* Length of the well-formed UTF-8 sequence starting at s[0] (a byte >= 0x80), or 0
 * when it is not one (RFC 3629: no overlongs, no surrogates, nothing over U+10FFFF). */
static inline size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    if (c >= 0xc2 && c <= 0xdf) {
        if (avail >= 2 && (s[1] & 0xc0) == 0x80) return 2;
        return 0;
    }
    if (c >= 0xe0 && c <= 0xef) {
        if (avail < 3) return 0;
        unsigned char lo = 0x80, hi = 0xbf;
        if (c == 0xe0)
            lo = 0xa0; /* overlong */
        else if (c == 0xed)
            hi = 0x9f; /* surrogates */
        if (s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80) return 0;
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (avail < 4) return 0;
        unsigned char lo = 0x80, hi = 0xbf;
        if (c == 0xf0)
            lo = 0x90; /* overlong */
        else if (c == 0xf4)
            hi = 0x8f; /* over U+10FFFF */
        if (s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80) return 0;
        return 4;
    }
    return 0; /* 0x80..0xc1 (continuation, overlong lead) and 0xf5..0xff */
}

static const char hex_digits[] = "0123456789abcdef";

/* Appends the escape for a byte of class 1. */
static void escape_byte(buf *b, unsigned char c)
{
    char e[6] = {'\\', 0, 0, 0, 0, 0};
    switch (c) {
    case '"':
        e[1] = '"';
        break;
    case '\\':
        e[1] = '\\';
        break;
    case '\b':
        e[1] = 'b';
        break;
    case '\f':
        e[1] = 'f';
        break;
    case '\n':
        e[1] = 'n';
        break;
    case '\r':
        e[1] = 'r';
        break;
    case '\t':
        e[1] = 't';
        break;
    default:
        e[1] = 'u';
        e[2] = '0';
        e[3] = '0';
        e[4] = hex_digits[c >> 4];
        e[5] = hex_digits[c & 0xf];
        buf_append(b, e, 6);
        return;
    }
    buf_append(b, e, 2);
}

void json_escape(buf *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    /* Most strings need no escape: reserve for that case up front. */
    if (!buf_reserve(b, n + 2)) return;
    buf_putc(b, '"');
    size_t i = 0, run = 0;
    while (i < n) {
        while (i + 8 <= n && word_is_plain(s + i)) i += 8;
        if (i >= n) break;
        unsigned char cls = esc_class[s[i]];
        if (cls == 0) {
            i++;
            continue;
        }
        if (cls == 2) {
            size_t len = utf8_seq_len(s + i, n - i);
            if (len) {
                i += len;
                continue;
            }
        }
        if (i > run) buf_append(b, s + run, i - run);
        if (cls == 1)
            escape_byte(b, s[i]);
        else
            buf_append(b, "\xef\xbf\xbd", 3); /* U+FFFD */
        i++;
        run = i;
    }
    if (n > run) buf_append(b, s + run, n - run);
    buf_putc(b, '"');
}

void jw_init(jw *w, buf *b)
{
    w->b = b;
    w->depth = 0;
    w->err = false;
    w->after_key = false;
    w->is_obj[0] = 0;
    w->has_item[0] = 0;
}

/* Called before any value: checks that one may come here and writes the comma. */
static bool jw_value_prefix(jw *w)
{
    if (w->err) return false;
    if (w->depth == 0) {
        if (w->has_item[0] == JW_ROOT_DONE) {
            w->err = true;
            return false;
        }
        return true;
    }
    int lvl = w->depth - 1;
    if (w->is_obj[lvl]) {
        if (!w->after_key) {
            w->err = true;
            return false;
        }
        w->after_key = false;
        return true;
    }
    if (w->has_item[lvl]) buf_putc(w->b, ',');
    w->has_item[lvl] = 1;
    return true;
}

/* Called after a scalar value (or a container's end). */
static inline void jw_value_done(jw *w)
{
    if (w->depth == 0) w->has_item[0] = JW_ROOT_DONE;
}

static void jw_begin(jw *w, bool obj)
{
    if (!jw_value_prefix(w)) return;
    if (w->depth >= JSON_MAX_DEPTH) {
        w->err = true;
        return;
    }
    buf_putc(w->b, obj ? '{' : '[');
    w->is_obj[w->depth] = obj ? 1 : 0;
    w->has_item[w->depth] = 0;
    w->depth++;
}

static void jw_end(jw *w, bool obj)
{
    if (w->err) return;
    if (w->depth == 0 || w->is_obj[w->depth - 1] != (obj ? 1 : 0) || w->after_key) {
        w->err = true;
        return;
    }
    buf_putc(w->b, obj ? '}' : ']');
    w->depth--;
    jw_value_done(w);
}

void jw_obj_begin(jw *w)
{
    jw_begin(w, true);
}

void jw_obj_end(jw *w)
{
    jw_end(w, true);
}

void jw_arr_begin(jw *w)
{
    jw_begin(w, false);
}

void jw_arr_end(jw *w)
{
    jw_end(w, false);
}

void jw_key(jw *w, const char *key)
{
    if (w->err) return;
    if (!key || w->depth == 0 || !w->is_obj[w->depth - 1] || w->after_key) {
        w->err = true;
        return;
    }
    int lvl = w->depth - 1;
    size_t n = strlen(key);
    bool plain = true;
    for (size_t i = 0; i < n && plain; i++) plain = esc_class[(unsigned char)key[i]] == 0;
    if (plain) {
        /* keys are nearly always plain ASCII literals: one reserve, one copy */
        if (buf_reserve(w->b, n + 4)) {
            char *p = w->b->data + w->b->len;
            if (w->has_item[lvl]) *p++ = ',';
            *p++ = '"';
            memcpy(p, key, n);
            p += n;
            *p++ = '"';
            *p++ = ':';
            *p = '\0';
            w->b->len = (size_t)(p - w->b->data);
        }
    } else {
        if (w->has_item[lvl]) buf_putc(w->b, ',');
        json_escape(w->b, key, n);
        buf_putc(w->b, ':');
    }
    w->has_item[lvl] = 1;
    w->after_key = true;
}

void jw_strn(jw *w, const char *s, size_t n)
{
    if (!jw_value_prefix(w)) return;
    if (s)
        json_escape(w->b, s, n);
    else
        buf_append(w->b, "null", 4);
    jw_value_done(w);
}

void jw_str(jw *w, const char *s)
{
    jw_strn(w, s, s ? strlen(s) : 0);
}

void jw_int(jw *w, int64_t v)
{
    if (!jw_value_prefix(w)) return;
    buf_put_i64(w->b, v);
    jw_value_done(w);
}

/* Shortest of %.15g, %.16g, %.17g that reads back as v; %.17g always does. A shorter
 * form than 15 digits is never missed: %g drops trailing zeros, so a value that
 * round-trips with fewer digits prints the same at 15. Relies on the C locale's '.'
 * (tourneyd never calls setlocale). */
static int format_double(double v, char out[32])
{
    /* Fast path: whole numbers and halves of moderate size (points, tie-breaks) print
     * exactly as %.15g would ("3", "-2", "1.5", "0.5"), without printf. */
    double twice = v * 2;
    if (twice >= -1e15 && twice <= 1e15 && twice == (double)(int64_t)twice && v != 0) {
        int64_t t = (int64_t)twice;
        bool neg = t < 0;
        uint64_t mag = neg ? (uint64_t)(-t) : (uint64_t)t;
        char digits[24];
        int nd = 0;
        uint64_t whole = mag / 2;
        do {
            digits[nd++] = (char)('0' + whole % 10);
            whole /= 10;
        } while (whole);
        int len = 0;
        if (neg) out[len++] = '-';
        while (nd) out[len++] = digits[--nd];
        if (mag % 2) {
            out[len++] = '.';
            out[len++] = '5';
        }
        out[len] = '\0';
        return len;
    }
    int len = 0;
    for (int prec = 15; prec <= 17; prec++) {
        len = snprintf(out, 32, "%.*g", prec, v);
        if (len <= 0 || len >= 32) return -1;
        if (prec == 17) break;
        char *end;
        double back = strtod(out, &end);
        if (*end == '\0' && back == v) break;
    }
    return len;
}

void jw_double(jw *w, double v)
{
    if (!jw_value_prefix(w)) return;
    char tmp[32];
    int len = isfinite(v) ? format_double(v, tmp) : -1;
    if (len > 0)
        buf_append(w->b, tmp, (size_t)len);
    else
        buf_append(w->b, "null", 4);
    jw_value_done(w);
}

void jw_bool(jw *w, bool v)
{
    if (!jw_value_prefix(w)) return;
    if (v)
        buf_append(w->b, "true", 4);
    else
        buf_append(w->b, "false", 5);
    jw_value_done(w);
}

void jw_null(jw *w)
{
    if (!jw_value_prefix(w)) return;
    buf_append(w->b, "null", 4);
    jw_value_done(w);
}

void jw_time(jw *w, int64_t unix_seconds, bool set)
{
    if (!jw_value_prefix(w)) return;
    char tmp[TIME_RFC3339_LEN + 1];
    if (set && time_format(unix_seconds, tmp)) {
        char q[TIME_RFC3339_LEN + 2];
        q[0] = '"';
        memcpy(q + 1, tmp, TIME_RFC3339_LEN);
        q[TIME_RFC3339_LEN + 1] = '"';
        buf_append(w->b, q, sizeof q);
    } else {
        buf_append(w->b, "null", 4);
    }
    jw_value_done(w);
}

void jw_raw(jw *w, const char *json, size_t n)
{
    if (!jw_value_prefix(w)) return;
    buf_append(w->b, json, n);
    jw_value_done(w);
}

bool jw_ok(const jw *w)
{
    return !w->err && w->depth == 0 && !w->after_key && w->has_item[0] == JW_ROOT_DONE &&
           buf_ok(w->b);
}

void jw_kstr(jw *w, const char *key, const char *s)
{
    jw_key(w, key);
    jw_str(w, s);
}

void jw_kint(jw *w, const char *key, int64_t v)
{
    jw_key(w, key);
    jw_int(w, v);
}

void jw_kbool(jw *w, const char *key, bool v)
{
    jw_key(w, key);
    jw_bool(w, v);
}

void jw_knull(jw *w, const char *key)
{
    jw_key(w, key);
    jw_null(w);
}

void jw_ktime(jw *w, const char *key, int64_t unix_seconds, bool set)
{
    jw_key(w, key);
    jw_time(w, unix_seconds, set);
}
