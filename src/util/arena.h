/* arena.h: region allocator for per-request (and per-job) memory.
 *
 * Everything a request allocates comes from its arena and is released at once by
 * arena_free() when the request completes: no per-object free, no leaks by
 * construction. Allocation is a pointer bump inside a block; blocks are chained and
 * grow geometrically. Not thread-safe: an arena belongs to one request at a time. */
#ifndef TOURNEYD_ARENA_H
#define TOURNEYD_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct arena arena;

/* A new arena whose first block holds at least `first_block` bytes (0 picks 4 KiB); NULL
 * on OOM. Later blocks double in size up to 1 MiB; a request larger than half the next
 * block size gets a block of its own. */
arena *arena_new(size_t first_block);
/* Frees every block. NULL is accepted. */
void arena_free(arena *a);
/* Frees every block but the first and empties the arena, as arena_new(first_block) left
 * it: a pool of arenas reuses one without a malloc. */
void arena_reset(arena *a);
/* `n` bytes aligned to 16; NULL on OOM (never for n == 0: returns a valid pointer, which
 * may be shared with other zero-size requests and must not be written through). */
void *arena_alloc(arena *a, size_t n);
/* Like arena_alloc, zero-filled; checks n * size for overflow. */
void *arena_calloc(arena *a, size_t n, size_t size);
/* Copy of s[0..n) plus a NUL; NULL on OOM. */
char *arena_strndup(arena *a, const char *s, size_t n);
/* Copy of a NUL-terminated string; NULL for a NULL s or OOM. */
char *arena_strdup(arena *a, const char *s);
/* printf into the arena; NULL on OOM or format error. */
char *arena_sprintf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vsprintf(arena *a, const char *fmt, va_list ap);
/* Room for element `n` of an arena array `v` of `size`-byte elements that has room for
 * `*cap` of them: the array that the caller goes on with. v itself while n < *cap; when
 * it is full, a copy of its n elements with twice the room (the old block stays in the
 * arena until it is freed); for v == NULL, a new array with room for *cap (at least 1).
 * *cap is updated; NULL on OOM or overflow (v is then still valid). The one way an array
 * grows as rows are stepped:
 *     items = arena_reserve(a, items, count, &cap, sizeof *items);
 *     if (!items) return STORE_ERROR;
 *     items[count++] = ...; */
void *arena_reserve(arena *a, void *v, int n, int *cap, size_t size);
/* Bytes handed out so far: the sum of the requested sizes, before rounding to the
 * alignment (for metrics and tests). */
size_t arena_used(const arena *a);

#endif
