/* buf.c: the growable byte buffer every response body is written into.
 *
 * Storage comes from the request's arena, so a buf is never freed on its own. The
 * common case, an append that fits, is one comparison and a memcpy; growth (doubling)
 * is kept out of line. Integers are formatted by hand, two digits per step, because
 * ids and counts dominate JSON output and snprintf is much slower.
 *
 * Out of memory is sticky: the first failed growth sets `oom` and every later write is
 * ignored, so writers check buf_ok() once at the end. The contents are NUL-terminated
 * after every write, which lets callers hand b->data to C string functions. */
#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define BUF_DEFAULT_CAP 256
#define BUF_MIN_GROW    64

void buf_init(buf *b, arena *a, size_t cap)
{
    if (cap == 0) cap = BUF_DEFAULT_CAP;
    b->a = a;
    b->len = 0;
    b->oom = false;
    b->data = arena_alloc(a, cap);
    if (!b->data) {
        /* Keep data a valid empty string; writes are ignored until buf_reset. */
        b->data = "";
        b->cap = 0;
        b->oom = true;
        return;
    }
    b->cap = cap;
    b->data[0] = '\0';
}

/* Out of line: makes room for n more bytes plus a NUL, or sets oom. */
static bool buf_grow(buf *b, size_t n)
{
    if (n > SIZE_MAX - 1 - b->len) {
        b->oom = true;
        return false;
    }
    size_t need = b->len + n + 1;
    size_t cap = b->cap ? b->cap : BUF_MIN_GROW;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    char *p = arena_alloc(b->a, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    memcpy(p, b->data, b->len);
    p[b->len] = '\0';
    b->data = p;
    b->cap = cap;
    return true;
}

/* The fast check shared by every writer; cap > len always holds when cap > 0. */
static inline bool buf_room(buf *b, size_t n)
{
    if (b->oom) return false;
    if (n < b->cap - b->len) return true;
    return buf_grow(b, n);
}

bool buf_reserve(buf *b, size_t n)
{
    return buf_room(b, n);
}

void buf_append(buf *b, const void *data, size_t n)
{
    if (n == 0 || !buf_room(b, n)) return;
    memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_puts(buf *b, const char *s)
{
    if (s) buf_append(b, s, strlen(s));
}

void buf_putc_slow(buf *b, char c)
{
    if (!buf_room(b, 1)) return;
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void buf_printf(buf *b, const char *fmt, ...)
{
    if (b->oom) return;
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    /* Try the free space first; reformat only when the result did not fit. */
    size_t avail = b->cap - b->len;
    int n = vsnprintf(avail ? b->data + b->len : NULL, avail, fmt, ap);
    va_end(ap);
    if (n < 0) {
        /* A format error: keep the contents as they were. */
        if (avail) b->data[b->len] = '\0';
        va_end(ap2);
        return;
    }
    if ((size_t)n < avail) {
        b->len += (size_t)n;
        va_end(ap2);
        return;
    }
    if (buf_room(b, (size_t)n)) {
        int n2 = vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        if (n2 == n)
            b->len += (size_t)n;
        else
            b->data[b->len] = '\0';
    } else if (avail) {
        b->data[b->len] = '\0'; /* undo the truncated output of the first attempt */
    }
    va_end(ap2);
}

static const char digit_pairs[201] = "00010203040506070809"
                                     "10111213141516171819"
                                     "20212223242526272829"
                                     "30313233343536373839"
                                     "40414243444546474849"
                                     "50515253545556575859"
                                     "60616263646566676869"
                                     "70717273747576777879"
                                     "80818283848586878889"
                                     "90919293949596979899";

/* Writes the digits of v ending just before `end`; returns the first digit. */
static char *u64_digits(uint64_t v, char *end)
{
    char *p = end;
    while (v >= 100) {
        unsigned i = (unsigned)(v % 100) * 2;
        v /= 100;
        *--p = digit_pairs[i + 1];
        *--p = digit_pairs[i];
    }
    if (v >= 10) {
        unsigned i = (unsigned)v * 2;
        *--p = digit_pairs[i + 1];
        *--p = digit_pairs[i];
    } else {
        *--p = (char)('0' + v);
    }
    return p;
}

void buf_put_u64(buf *b, uint64_t v)
{
    char tmp[24];
    char *end = tmp + sizeof tmp;
    char *p = u64_digits(v, end);
    buf_append(b, p, (size_t)(end - p));
}

void buf_put_i64(buf *b, int64_t v)
{
    char tmp[24];
    char *end = tmp + sizeof tmp;
    /* 0 - (uint64_t)v is the magnitude even for INT64_MIN. */
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    char *p = u64_digits(mag, end);
    if (v < 0) *--p = '-';
    buf_append(b, p, (size_t)(end - p));
}

void buf_reset(buf *b)
{
    b->len = 0;
    b->oom = false;
    if (b->cap > 0) b->data[0] = '\0';
}
