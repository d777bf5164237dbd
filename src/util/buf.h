/* buf.h: growable byte buffer whose storage comes from an arena.
 *
 * Response bodies are written straight into a buf. Growth doubles the capacity and
 * copies; the old block stays in the arena until the request ends (bounded waste of
 * at most the final size). On OOM the buffer sets `oom` and ignores later writes, so
 * writers can append without checking each call and test buf_ok() once at the end. */
#ifndef TOURNEYD_BUF_H
#define TOURNEYD_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

typedef struct buf {
    arena *a;
    char *data; /* always NUL-terminated when len > 0 or after buf_init */
    size_t len;
    size_t cap;
    bool oom;
} buf;

/* Initializes with at least `cap` bytes reserved (cap 0 picks a default). On OOM the buf
 * starts with `oom` set and data pointing at a constant "" (never written). */
void buf_init(buf *b, arena *a, size_t cap);
/* Ensures room for `n` more bytes plus a NUL; false (and oom set) on failure. */
bool buf_reserve(buf *b, size_t n);
void buf_append(buf *b, const void *data, size_t n);
/* A NULL s appends nothing. */
void buf_puts(buf *b, const char *s);
/* Appends one byte; the common case (room left) is inline, growth goes out of line. */
void buf_putc_slow(buf *b, char c);
static inline void buf_putc(buf *b, char c)
{
    if (!b->oom && b->len + 1 < b->cap) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return;
    }
    buf_putc_slow(b, c);
}
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends the decimal form of v. */
void buf_put_i64(buf *b, int64_t v);
void buf_put_u64(buf *b, uint64_t v);
/* Forgets the contents, keeps the storage, and clears `oom` (so an error body can still
 * be written after a failed one). */
void buf_reset(buf *b);
static inline bool buf_ok(const buf *b)
{
    return !b->oom;
}

#endif
