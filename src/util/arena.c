/* arena.c: the region allocator behind every request.
 *
 * One malloc holds the arena header and its first block, so a request whose memory
 * fits the first block costs exactly one malloc and one free, and none when its owner
 * keeps the arena for the next request (arena_reset frees the chained blocks and starts
 * over in the first one; the server keeps one per io thread). Allocation bumps a
 * pointer inside the current block. When a request does not fit, a new block is
 * chained; block sizes double from the first block size up to ARENA_GROWTH_CAP so a
 * request that builds a large response does not call malloc for every few KiB, while
 * an idle arena never reserves more than it needed. A request larger than half the
 * next block size gets a block of its own that is linked in without becoming the
 * current block, so the free tail of the current block is not wasted by one big
 * allocation (buf growth produces exactly that pattern).
 *
 * Every allocation is rounded up to ARENA_ALIGN, and block data starts aligned, so
 * the bump pointer is always aligned. */
#include "util/arena.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Under AddressSanitizer an emptied arena's first block is poisoned and each allocation
 * unpoisons what it hands out, so memory of a finished request that is used again after
 * arena_reset is reported, as it would be after arena_free. */
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif
#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define ARENA_POISON(p, n)   ASAN_POISON_MEMORY_REGION((p), (n))
#define ARENA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define ARENA_POISON(p, n)   ((void)(p), (void)(n))
#define ARENA_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define ARENA_ALIGN         16
#define ARENA_DEFAULT_FIRST 4096
/* Blocks stop doubling at this size (a larger first block keeps its own size). */
#define ARENA_GROWTH_CAP (1u << 20)
/* Chained regular blocks are never smaller than this, whatever the first block. */
#define ARENA_MIN_BLOCK 1024

/* Every block but the first (which lives in the arena's own allocation). */
typedef struct arena_block {
    struct arena_block *next;
} arena_block;

struct arena {
    char *ptr;           /* next free byte of the current block, aligned */
    char *end;           /* end of the current block */
    arena_block *blocks; /* chained blocks, newest first */
    size_t next_size;    /* data size of the next regular block */
    size_t used;         /* sum of requested sizes */
    size_t first_size;   /* data size of the first block, as asked of arena_new */
    /* Returned for zero-size requests when the current block is full. */
    _Alignas(ARENA_ALIGN) unsigned char empty[ARENA_ALIGN];
};

static char *align_up(char *p)
{
    uintptr_t u = (uintptr_t)p;
    uintptr_t r = (u + (ARENA_ALIGN - 1)) & ~(uintptr_t)(ARENA_ALIGN - 1);
    return p + (r - u);
}

static char *align_down(char *p)
{
    uintptr_t u = (uintptr_t)p;
    return p - (u & (uintptr_t)(ARENA_ALIGN - 1));
}

/* Bytes of the one allocation holding the arena and its first block. Both ends of a
 * block are aligned, so the free space is always a multiple of ARENA_ALIGN
 * (arena_vsprintf relies on it); 2 * ARENA_ALIGN pays for that. */
static size_t arena_total(size_t first_block)
{
    return sizeof(arena) + 2 * ARENA_ALIGN + first_block;
}

/* The first block's limits and the growth that follows it, as arena_new leaves them. */
static void arena_start(arena *a)
{
    size_t first_block = a->first_size;
    a->ptr = align_up((char *)(a + 1));
    a->end = align_down((char *)a + arena_total(first_block));
    a->blocks = NULL;
    if (first_block >= ARENA_GROWTH_CAP)
        a->next_size = first_block;
    else if (first_block * 2 >= ARENA_GROWTH_CAP)
        a->next_size = ARENA_GROWTH_CAP;
    else
        a->next_size = first_block * 2 > ARENA_MIN_BLOCK ? first_block * 2 : ARENA_MIN_BLOCK;
    a->used = 0;
}

arena *arena_new(size_t first_block)
{
    if (first_block == 0) first_block = ARENA_DEFAULT_FIRST;
    if (first_block > SIZE_MAX - arena_total(0)) return NULL;
    arena *a = malloc(arena_total(first_block));
    if (!a) return NULL;
    a->first_size = first_block;
    arena_start(a);
    return a;
}

static void arena_free_blocks(arena *a)
{
    arena_block *b = a->blocks;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
}

void arena_free(arena *a)
{
    if (!a) return;
    arena_free_blocks(a);
    ARENA_UNPOISON(a, arena_total(a->first_size));
    free(a);
}

void arena_reset(arena *a)
{
    arena_free_blocks(a);
    arena_start(a);
    ARENA_POISON(a->ptr, (size_t)(a->end - a->ptr));
}

/* Mallocs a block with `data` usable bytes; returns its aligned data start. */
static char *block_new(arena *a, size_t data, char **end)
{
    size_t hdr = sizeof(arena_block);
    if (data > SIZE_MAX - hdr - 2 * ARENA_ALIGN) return NULL;
    size_t total = hdr + 2 * ARENA_ALIGN + data;
    arena_block *b = malloc(total);
    if (!b) return NULL;
    b->next = a->blocks;
    a->blocks = b;
    *end = align_down((char *)b + total);
    return align_up((char *)(b + 1));
}

/* Slow path of arena_alloc: `n` (already rounded) does not fit the current block. */
static void *arena_alloc_slow(arena *a, size_t n)
{
    char *end;
    if (n > a->next_size / 2) {
        /* Own block, exactly sized; the current block stays current. */
        return block_new(a, n, &end);
    }
    char *p = block_new(a, a->next_size, &end);
    if (!p) return NULL;
    if (a->next_size < ARENA_GROWTH_CAP) {
        a->next_size *= 2;
        if (a->next_size > ARENA_GROWTH_CAP) a->next_size = ARENA_GROWTH_CAP;
    }
    a->ptr = p + n;
    a->end = end;
    return p;
}

void *arena_alloc(arena *a, size_t n)
{
    if (n == 0) return a->ptr < a->end ? (void *)a->ptr : (void *)a->empty;
    if (n > SIZE_MAX - (ARENA_ALIGN - 1)) return NULL;
    size_t rounded = (n + (ARENA_ALIGN - 1)) & ~(size_t)(ARENA_ALIGN - 1);
    void *p;
    if ((size_t)(a->end - a->ptr) >= rounded) {
        p = a->ptr;
        a->ptr += rounded;
        ARENA_UNPOISON(p, rounded);
    } else {
        p = arena_alloc_slow(a, rounded);
        if (!p) return NULL;
    }
    a->used += n;
    return p;
}

void *arena_calloc(arena *a, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) return NULL;
    void *p = arena_alloc(a, n * size);
    if (p && n * size > 0) memset(p, 0, n * size);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX) return NULL;
    char *p = arena_alloc(a, n + 1);
    if (!p) return NULL;
    if (n > 0) memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(arena *a, const char *s)
{
    if (!s) return NULL;
    return arena_strndup(a, s, strlen(s));
}

char *arena_sprintf(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vsprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

char *arena_vsprintf(arena *a, const char *fmt, va_list ap)
{
    /* Format straight into the free tail of the current block; only when that is too
     * small, allocate the exact size and format again. */
    va_list ap2;
    va_copy(ap2, ap);
    size_t avail = (size_t)(a->end - a->ptr);
    ARENA_UNPOISON(a->ptr, avail);
    int len = vsnprintf(avail ? a->ptr : NULL, avail, fmt, ap);
    if (len < 0 || (size_t)len >= avail) ARENA_POISON(a->ptr, avail);
    if (len < 0) {
        va_end(ap2);
        return NULL;
    }
    if ((size_t)len < avail) {
        va_end(ap2);
        /* Claims the bytes just written (arena_alloc returns a->ptr here), and poisons
         * again the rest of the tail */
        char *p = arena_alloc(a, (size_t)len + 1);
        ARENA_POISON(a->ptr, (size_t)(a->end - a->ptr));
        return p;
    }
    char *p = arena_alloc(a, (size_t)len + 1);
    if (!p) {
        va_end(ap2);
        return NULL;
    }
    int len2 = vsnprintf(p, (size_t)len + 1, fmt, ap2);
    va_end(ap2);
    if (len2 != len) return NULL;
    return p;
}

size_t arena_used(const arena *a)
{
    return a->used;
}

void *arena_reserve(arena *a, void *v, int n, int *cap, size_t size)
{
    if (n < 0 || *cap < 0 || size == 0) return NULL;
    if (v && n < *cap) return v;
    if (v ? n > *cap : n > 0) return NULL; /* the caller wrote past the room it had */
    int room = !v ? (*cap > 0 ? *cap : 1) : (*cap <= INT_MAX / 2 ? *cap * 2 : 0);
    if (room == 0 || (size_t)room > SIZE_MAX / size) return NULL;
    void *p = arena_alloc(a, (size_t)room * size);
    if (!p) return NULL;
    if (v && n > 0) memcpy(p, v, (size_t)n * size);
    *cap = room;
    return p;
}
