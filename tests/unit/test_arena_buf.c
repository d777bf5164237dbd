/* test_arena_buf.c: unit tests of the arena allocator and the growable buffer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <cmocka.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#endif

#include "util/arena.h"
#include "util/buf.h"

/* Deterministic pseudo-random numbers (splitmix64), local to each test. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void test_arena_new_free(void **state)
{
    (void)state;
    arena_free(NULL);
    arena *a = arena_new(0);
    assert_non_null(a);
    assert_int_equal(arena_used(a), 0);
    arena_free(a);
    a = arena_new(1);
    assert_non_null(a);
    arena_free(a);
    assert_null(arena_new(SIZE_MAX));
    assert_null(arena_new(SIZE_MAX - 64));
}

static void test_arena_alignment_and_disjoint(void **state)
{
    (void)state;
    arena *a = arena_new(256);
    assert_non_null(a);
    enum { N = 2000 };
    unsigned char *ptrs[N];
    size_t sizes[N];
    uint64_t seed = 1;
    for (int i = 0; i < N; i++) {
        sizes[i] = (size_t)(rng_next(&seed) % 300) + 1;
        if (i % 97 == 0) sizes[i] = 5000 + (size_t)i; /* sprinkle large allocations */
        ptrs[i] = arena_alloc(a, sizes[i]);
        assert_non_null(ptrs[i]);
        assert_int_equal((uintptr_t)ptrs[i] % 16, 0);
        memset(ptrs[i], i & 0xff, sizes[i]);
    }
    /* Every allocation still holds its own pattern: nothing overlapped. */
    for (int i = 0; i < N; i++) {
        for (size_t j = 0; j < sizes[i]; j++) assert_int_equal(ptrs[i][j], i & 0xff);
    }
    arena_free(a);
}

static void test_arena_zero_size(void **state)
{
    (void)state;
    arena *a = arena_new(64);
    assert_non_null(a);
    for (int i = 0; i < 100; i++) {
        void *p = arena_alloc(a, 0);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        assert_non_null(arena_alloc(a, 16)); /* fill the blocks up now and then */
    }
    /* A full block still gives a valid pointer for 0 bytes. */
    arena *b = arena_new(16);
    assert_non_null(b);
    assert_non_null(arena_alloc(b, 16));
    assert_non_null(arena_alloc(b, 0));
    assert_non_null(arena_calloc(b, 0, 8));
    assert_non_null(arena_calloc(b, 8, 0));
    arena_free(b);
    arena_free(a);
}

static void test_arena_large_keeps_current_block(void **state)
{
    (void)state;
    arena *a = arena_new(4096);
    assert_non_null(a);
    char *p1 = arena_alloc(a, 16);
    assert_non_null(p1);
    char *big = arena_alloc(a, 1 << 20);
    assert_non_null(big);
    memset(big, 0xab, 1 << 20);
    /* The next small allocation continues the first block right after p1. */
    char *p2 = arena_alloc(a, 16);
    assert_ptr_equal(p2, p1 + 16);
    char *huge = arena_alloc(a, 8u << 20);
    assert_non_null(huge);
    memset(huge, 0xcd, 8u << 20);
    assert_ptr_equal(arena_alloc(a, 32), p2 + 16);
    assert_int_equal(arena_used(a), 16 + (1 << 20) + 16 + (8u << 20) + 32);
    arena_free(a);
}

static void test_arena_growth_many_blocks(void **state)
{
    (void)state;
    arena *a = arena_new(64);
    assert_non_null(a);
    size_t total = 0;
    /* 64 MiB in 1000-byte pieces: blocks must chain and grow. */
    for (int i = 0; i < 64 * 1024; i++) {
        unsigned char *p = arena_alloc(a, 1000);
        assert_non_null(p);
        p[0] = 1;
        p[999] = 2;
        total += 1000;
    }
    assert_int_equal(arena_used(a), total);
    arena_free(a);
}

/* arena_reserve: the first call makes the array, later calls keep it while it has room and
 * double it (keeping the elements) when it is full; a caller that overran its room, a
 * negative count and an overflowing size are refused. */
static void test_arena_reserve(void **state)
{
    (void)state;
    arena *a = arena_new(64);
    assert_non_null(a);
    int cap = 0;
    int *v = arena_reserve(a, NULL, 0, &cap, sizeof *v);
    assert_non_null(v);
    assert_int_equal(cap, 1); /* no room asked for: room for one */
    int n = 0;
    for (int i = 0; i < 1000; i++) {
        int *before = v;
        int had = cap;
        v = arena_reserve(a, v, n, &cap, sizeof *v);
        assert_non_null(v);
        if (n < had) {
            assert_ptr_equal(v, before);
            assert_int_equal(cap, had);
        } else {
            assert_int_equal(cap, had * 2);
        }
        v[n++] = i * 7;
    }
    assert_int_equal(cap, 1024);
    for (int i = 0; i < n; i++) assert_int_equal(v[i], i * 7);

    int guess = 5;
    long long *w = arena_reserve(a, NULL, 0, &guess, sizeof *w);
    assert_non_null(w);
    assert_int_equal(guess, 5);
    assert_null(arena_reserve(a, w, 6, &guess, sizeof *w));    /* past its room */
    assert_null(arena_reserve(a, NULL, 1, &guess, sizeof *w)); /* elements without an array */
    assert_null(arena_reserve(a, w, -1, &guess, sizeof *w));
    int big = INT_MAX / 2 + 1;
    assert_null(arena_reserve(a, w, big, &big, 1)); /* the doubled room would not fit an int */
    int huge = 4;
    assert_null(arena_reserve(a, NULL, 0, &huge, SIZE_MAX / 2)); /* nor the bytes a size_t */
    assert_int_equal(huge, 4);
    arena_free(a);
}

/* A reset arena is the arena arena_new made: the first block from its start, the chained
 * blocks freed (ASan's leak check sees any that are not), growth from the start again. */
static void test_arena_reset(void **state)
{
    (void)state;
    arena *a = arena_new(256);
    assert_non_null(a);
    char *first = arena_alloc(a, 16);
    assert_non_null(first);
    for (int round = 0; round < 3; round++) {
        /* fill the first block, then chain blocks: regular ones and one of its own */
        for (int i = 0; i < 200; i++) assert_non_null(arena_alloc(a, 100));
        char *own = arena_alloc(a, 1 << 20);
        assert_non_null(own);
        memset(own, 0x5a, 1 << 20);
        arena_reset(a);
        assert_int_equal(arena_used(a), 0);
#ifdef __SANITIZE_ADDRESS__
        /* what the arena handed out before is poisoned until it is handed out again */
        assert_true(__asan_address_is_poisoned(first));
#endif
        /* the next allocation is the first block's first byte again */
        char *again = arena_alloc(a, 16);
        assert_ptr_equal(again, first);
        memset(again, 1, 16);
        /* the rest of the first block follows it, as in a new arena */
        assert_ptr_equal(arena_alloc(a, 32), again + 16);
        assert_int_equal(arena_used(a), 48);
        /* formatting straight into the free tail leaves the rest of it poisoned */
        char *s = arena_sprintf(a, "%d", round);
        assert_non_null(s);
        assert_ptr_equal(s, again + 48);
#ifdef __SANITIZE_ADDRESS__
        assert_false(__asan_address_is_poisoned(again + 47));
        assert_false(__asan_address_is_poisoned(s + 1));
        assert_true(__asan_address_is_poisoned(again + 64));
#endif
    }
    arena_free(a);
}

static void test_arena_overflow(void **state)
{
    (void)state;
    arena *a = arena_new(128);
    assert_non_null(a);
    assert_null(arena_alloc(a, SIZE_MAX));
    assert_null(arena_alloc(a, SIZE_MAX - 8));
    assert_null(arena_alloc(a, SIZE_MAX - 20));
    assert_null(arena_calloc(a, SIZE_MAX / 2 + 1, 2));
    assert_null(arena_calloc(a, 2, SIZE_MAX / 2 + 1));
    assert_null(arena_calloc(a, SIZE_MAX, SIZE_MAX));
    assert_null(arena_strndup(a, "x", SIZE_MAX));
    assert_int_equal(arena_used(a), 0);
    /* The arena still works after refusals. */
    assert_non_null(arena_alloc(a, 10));
    arena_free(a);
}

static void test_arena_calloc_zeroes(void **state)
{
    (void)state;
    arena *a = arena_new(64);
    assert_non_null(a);
    /* Dirty the memory that calloc will reuse is impossible (no free), so dirty a
     * neighbour and check calloc's own bytes, including a block of its own. */
    unsigned char *d = arena_alloc(a, 48);
    assert_non_null(d);
    memset(d, 0xff, 48);
    size_t sizes[] = {1, 7, 16, 100, 5000, 100000};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        unsigned char *p = arena_calloc(a, sizes[k], 3);
        assert_non_null(p);
        for (size_t i = 0; i < sizes[k] * 3; i++) assert_int_equal(p[i], 0);
    }
    arena_free(a);
}

static void test_arena_strdup(void **state)
{
    (void)state;
    arena *a = arena_new(32);
    assert_non_null(a);
    assert_null(arena_strdup(a, NULL));
    char *e = arena_strdup(a, "");
    assert_non_null(e);
    assert_string_equal(e, "");
    char *s = arena_strdup(a, "hello");
    assert_string_equal(s, "hello");
    char *t = arena_strndup(a, "hello world", 5);
    assert_string_equal(t, "hello");
    char *z = arena_strndup(a, "a\0b", 3);
    assert_memory_equal(z, "a\0b", 4);
    char *n = arena_strndup(a, NULL, 0);
    assert_non_null(n);
    assert_string_equal(n, "");
    char big[10000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char *bd = arena_strdup(a, big);
    assert_string_equal(bd, big);
    assert_string_equal(s, "hello");
    arena_free(a);
}

static void test_arena_sprintf(void **state)
{
    (void)state;
    arena *a = arena_new(64);
    assert_non_null(a);
    char *s = arena_sprintf(a, "%d-%s", 42, "x");
    assert_string_equal(s, "42-x");
    char *e = arena_sprintf(a, "%s", "");
    assert_non_null(e);
    assert_string_equal(e, "");
    /* Many strings of varying length across block boundaries: each stays intact. */
    enum { N = 500 };
    char *strs[N];
    for (int i = 0; i < N; i++) {
        strs[i] = arena_sprintf(a, "%0*d", (i * 37) % 200 + 1, i);
        assert_non_null(strs[i]);
    }
    for (int i = 0; i < N; i++) {
        char want[256];
        int wn = snprintf(want, sizeof want, "%0*d", (i * 37) % 200 + 1, i);
        assert_true(wn > 0);
        assert_string_equal(strs[i], want);
    }
    /* Larger than any block so far. */
    char big[20000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char *b = arena_sprintf(a, "<%s>", big);
    assert_non_null(b);
    assert_int_equal(strlen(b), sizeof big + 1);
    assert_int_equal(b[0], '<');
    assert_int_equal(b[sizeof big], '>');
    assert_string_equal(s, "42-x");
    /* The bytes handed out are exactly the strings. */
    arena_free(a);
}

static void test_arena_sprintf_used(void **state)
{
    (void)state;
    arena *a = arena_new(1024);
    assert_non_null(a);
    char *s = arena_sprintf(a, "abc%d", 1);
    assert_string_equal(s, "abc1");
    assert_int_equal(arena_used(a), 5);
    char *p = arena_alloc(a, 1);
    assert_ptr_equal(p, s + 16); /* the string's bytes were claimed, rounded to 16 */
    arena_free(a);
}

static void test_arena_sprintf_format_error(void **state)
{
    (void)state;
    arena *a = arena_new(64);
    assert_non_null(a);
    /* In the C locale a wide character above 0x7f cannot be converted: EILSEQ. */
    static const wchar_t bad[] = {0x20ac, 0};
    assert_null(arena_sprintf(a, "x%lsy", bad));
    assert_string_equal(arena_sprintf(a, "ok"), "ok");
    arena_free(a);
}

/* ---- buf ---- */

static void test_buf_init(void **state)
{
    (void)state;
    arena *a = arena_new(0);
    assert_non_null(a);
    buf b;
    buf_init(&b, a, 0);
    assert_true(buf_ok(&b));
    assert_int_equal(b.len, 0);
    assert_true(b.cap > 0);
    assert_string_equal(b.data, "");
    buf c;
    buf_init(&c, a, 3);
    assert_true(c.cap >= 3);
    buf_puts(&c, "hello, world");
    assert_string_equal(c.data, "hello, world");
    assert_int_equal(c.len, 12);
    arena_free(a);
}

static void test_buf_append_growth(void **state)
{
    (void)state;
    arena *a = arena_new(128);
    assert_non_null(a);
    buf b;
    buf_init(&b, a, 1);
    /* 200,000 appends of varying length, verified byte for byte. */
    size_t expect_len = 0;
    for (int i = 0; i < 200000; i++) {
        char c = (char)('a' + i % 26);
        if (i % 3 == 0) {
            buf_putc(&b, c);
            expect_len += 1;
        } else {
            char tmp[8];
            memset(tmp, c, sizeof tmp);
            size_t n = (size_t)(i % 8);
            buf_append(&b, tmp, n);
            expect_len += n;
        }
        assert_true(b.cap > b.len);
    }
    assert_true(buf_ok(&b));
    assert_int_equal(b.len, expect_len);
    assert_int_equal(strlen(b.data), expect_len);
    size_t pos = 0;
    for (int i = 0; i < 200000; i++) {
        char c = (char)('a' + i % 26);
        size_t n = i % 3 == 0 ? 1 : (size_t)(i % 8);
        for (size_t k = 0; k < n; k++) assert_int_equal(b.data[pos++], c);
    }
    assert_int_equal(pos, expect_len);
    arena_free(a);
}

static void test_buf_append_zero_and_null(void **state)
{
    (void)state;
    arena *a = arena_new(0);
    assert_non_null(a);
    buf b;
    buf_init(&b, a, 4);
    buf_append(&b, NULL, 0);
    buf_puts(&b, NULL);
    buf_puts(&b, "");
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    buf_append(&b, "a\0b", 3);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "a\0b", 4);
    assert_true(buf_ok(&b));
    arena_free(a);
}

static void test_buf_reserve(void **state)
{
    (void)state;
    arena *a = arena_new(0);
    assert_non_null(a);
    buf b;
    buf_init(&b, a, 8);
    buf_puts(&b, "abc");
    assert_true(buf_reserve(&b, 1000));
    assert_true(b.cap - b.len > 1000);
    assert_string_equal(b.data, "abc");
    char *data = b.data;
    for (int i = 0; i < 1000; i++) buf_putc(&b, 'x');
    assert_ptr_equal(b.data, data); /* no growth after a reserve */
    assert_int_equal(b.len, 1003);
    assert_true(buf_reserve(&b, 0));
    arena_free(a);
}

static void test_buf_oom_sticky(void **state)
{
    (void)state;
    arena *a = arena_new(0);
    assert_non_null(a);
    buf b;
    buf_init(&b, a, 16);
    buf_puts(&b, "keep");
    /* A size that cannot be represented: growth fails without asking malloc. */
    assert_false(buf_reserve(&b, SIZE_MAX));
    assert_false(buf_ok(&b));
    buf_puts(&b, "ignored");
    buf_putc(&b, '!');
    buf_put_i64(&b, 12);
    buf_printf(&b, "%d", 5);
    assert_int_equal(b.len, 4);
    assert_string_equal(b.data, "keep");
    assert_false(buf_reserve(&b, 1));
    /* reset forgets the failure along with the contents */
    buf_reset(&b);
    assert_true(buf_ok(&b));
    buf_puts(&b, "again");
    assert_string_equal(b.data, "again");
    assert_false(buf_reserve(&b, SIZE_MAX - 3));
    assert_false(buf_ok(&b));
    arena_free(a);
}

static void test_buf_printf(void **state)
{
    (void)state;
    arena *a = arena_new(0);
    assert_non_null(a);
    buf b;
    buf_init(&b, a, 4);
    buf_printf(&b, "%s=%d", "x", 5);
    assert_string_equal(b.data, "x=5");
    buf_printf(&b, "%s", "");
    assert_int_equal(b.len, 3);
    char big[5000];
    memset(big, 'k', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    buf_printf(&b, "[%s]", big);
    assert_int_equal(b.len, 3 + 2 + sizeof big - 1);
    assert_int_equal(strlen(b.data), b.len);
    assert_memory_equal(b.data, "x=5[kk", 6);
    assert_int_equal(b.data[b.len - 1], ']');
    /* Exactly filling the free space, and one byte over. */
    buf c;
    buf_init(&c, a, 8);
    buf_printf(&c, "%s", "1234567"); /* 7 bytes + NUL == cap */
    assert_string_equal(c.data, "1234567");
    buf_printf(&c, "%s", "8");
    assert_string_equal(c.data, "12345678");
    assert_true(buf_ok(&c));
    /* A format error leaves the contents as they were. */
    static const wchar_t bad[] = {0x20ac, 0};
    buf_printf(&c, "zz%lszz", bad);
    assert_string_equal(c.data, "12345678");
    assert_int_equal(c.len, 8);
    arena_free(a);
}

static void check_i64(buf *b, int64_t v)
{
    char want[32];
    int n = snprintf(want, sizeof want, "%lld", (long long)v);
    assert_true(n > 0);
    buf_reset(b);
    buf_put_i64(b, v);
    assert_string_equal(b->data, want);
    assert_int_equal(b->len, (size_t)n);
}

static void check_u64(buf *b, uint64_t v)
{
    char want[32];
    int n = snprintf(want, sizeof want, "%llu", (unsigned long long)v);
    assert_true(n > 0);
    buf_reset(b);
    buf_put_u64(b, v);
    assert_string_equal(b->data, want);
}

static void test_buf_integers(void **state)
{
    (void)state;
    arena *a = arena_new(0);
    assert_non_null(a);
    buf b;
    buf_init(&b, a, 1);
    check_i64(&b, 0);
    check_i64(&b, 1);
    check_i64(&b, -1);
    check_i64(&b, INT64_MAX);
    check_i64(&b, INT64_MIN);
    check_i64(&b, INT64_MIN + 1);
    check_u64(&b, 0);
    check_u64(&b, UINT64_MAX);
    /* Every power of ten and its neighbours, both signs. */
    uint64_t p = 1;
    for (int i = 0; i < 20; i++) {
        check_u64(&b, p);
        check_u64(&b, p - 1);
        check_u64(&b, p + 1);
        if (p <= (uint64_t)INT64_MAX) {
            check_i64(&b, (int64_t)p);
            check_i64(&b, -(int64_t)p);
            check_i64(&b, (int64_t)p - 1);
            check_i64(&b, 1 - (int64_t)p);
        }
        p *= 10;
    }
    for (int64_t v = -1000; v <= 1000; v++) check_i64(&b, v);
    uint64_t seed = 7;
    for (int i = 0; i < 20000; i++) {
        uint64_t r = rng_next(&seed);
        unsigned shift = (unsigned)(r & 63); /* vary the magnitude */
        uint64_t v = rng_next(&seed) >> shift;
        check_u64(&b, v);
        check_i64(&b, (int64_t)v);
    }
    /* Appends after existing content, several in a row. */
    buf_reset(&b);
    buf_puts(&b, "[");
    buf_put_i64(&b, -5);
    buf_putc(&b, ',');
    buf_put_u64(&b, 17);
    buf_puts(&b, "]");
    assert_string_equal(b.data, "[-5,17]");
    arena_free(a);
}

static void test_buf_reset_keeps_storage(void **state)
{
    (void)state;
    arena *a = arena_new(0);
    assert_non_null(a);
    buf b;
    buf_init(&b, a, 0);
    for (int i = 0; i < 1000; i++) buf_puts(&b, "0123456789");
    char *data = b.data;
    size_t cap = b.cap;
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    assert_ptr_equal(b.data, data);
    assert_int_equal(b.cap, cap);
    buf_puts(&b, "x");
    assert_string_equal(b.data, "x");
    assert_ptr_equal(b.data, data);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_new_free),
        cmocka_unit_test(test_arena_alignment_and_disjoint),
        cmocka_unit_test(test_arena_zero_size),
        cmocka_unit_test(test_arena_large_keeps_current_block),
        cmocka_unit_test(test_arena_growth_many_blocks),
        cmocka_unit_test(test_arena_reserve),
        cmocka_unit_test(test_arena_reset),
        cmocka_unit_test(test_arena_overflow),
        cmocka_unit_test(test_arena_calloc_zeroes),
        cmocka_unit_test(test_arena_strdup),
        cmocka_unit_test(test_arena_sprintf),
        cmocka_unit_test(test_arena_sprintf_used),
        cmocka_unit_test(test_arena_sprintf_format_error),
        cmocka_unit_test(test_buf_init),
        cmocka_unit_test(test_buf_append_growth),
        cmocka_unit_test(test_buf_append_zero_and_null),
        cmocka_unit_test(test_buf_reserve),
        cmocka_unit_test(test_buf_oom_sticky),
        cmocka_unit_test(test_buf_printf),
        cmocka_unit_test(test_buf_integers),
        cmocka_unit_test(test_buf_reset_keeps_storage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
