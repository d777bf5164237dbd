/* test_slug.c: unit tests of slug validation, generation and suffixing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/slug.h"

static void expect_slug(const char *name, const char *want)
{
    char out[SLUG_MAX + 1];
    memset(out, 'x', sizeof out);
    slug_from_name(name, out);
    assert_string_equal(out, want);
    assert_true(slug_valid(out));
}

/* The properties every generated slug has. */
static void check_generated(const char *out)
{
    size_t n = strlen(out);
    assert_true(slug_valid(out));
    assert_true(n >= SLUG_MIN && n <= SLUG_MAX - SLUG_SUFFIX_ROOM);
    assert_true(out[0] != '-');
    assert_true(out[n - 1] != '-');
    assert_null(strstr(out, "--"));
}

static void test_valid(void **state)
{
    (void)state;
    char s64[SLUG_MAX + 2];
    memset(s64, 'a', sizeof s64);
    s64[SLUG_MAX] = '\0';
    assert_true(slug_valid(s64));
    s64[SLUG_MAX] = 'a';
    s64[SLUG_MAX + 1] = '\0';
    assert_false(slug_valid(s64)); /* 65 */
    assert_true(slug_valid("abc"));
    assert_true(slug_valid("a-b"));
    assert_true(slug_valid("123"));
    assert_true(slug_valid("spring-cup-2026"));
    assert_true(slug_valid("---")); /* the pattern is [a-z0-9-]{3,64} */
    assert_false(slug_valid(NULL));
    assert_false(slug_valid(""));
    assert_false(slug_valid("a"));
    assert_false(slug_valid("ab"));
    assert_false(slug_valid("Abc"));
    assert_false(slug_valid("ab_c"));
    assert_false(slug_valid("ab c"));
    assert_false(slug_valid("abc "));
    assert_false(slug_valid("ab.c"));
    assert_false(slug_valid("ab/c"));
    assert_false(slug_valid("caf\xc3\xa9"));
    assert_false(slug_valid("abc\n"));
    /* every single byte in the middle of an otherwise valid slug */
    for (int c = 1; c < 256; c++) {
        char s[4] = {'a', (char)c, 'b', '\0'};
        bool want = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        assert_int_equal(slug_valid(s), want);
    }
}

static void test_from_name_basic(void **state)
{
    (void)state;
    expect_slug("Spring Cup 2026", "spring-cup-2026");
    expect_slug("  Hello,  World!! ", "hello-world");
    expect_slug("ALL CAPS", "all-caps");
    expect_slug("already-a-slug", "already-a-slug");
    expect_slug("under_score", "under-score");
    expect_slug("a--b", "a-b");
    expect_slug("---abc---", "abc");
    expect_slug("1v1 Finals", "1v1-finals");
    expect_slug("Tab\tand\nnewline", "tab-and-newline");
    expect_slug("a b", "a-b");
    expect_slug("ABC", "abc");
    expect_slug("x.y.z", "x-y-z");
}

static void test_from_name_unicode(void **state)
{
    (void)state;
    expect_slug("Caf\xc3\xa9 M\xc3\xbcnster", "caf-m-nster");
    expect_slug("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe5\xa4\xa7\xe4\xbc\x9a", "tournament");
    expect_slug("\xe6\x97\xa5\xe6\x9c\xac Cup", "cup");
    expect_slug("\xf0\x9f\x8f\x86 Champions \xf0\x9f\x8f\x86", "champions");
    expect_slug("\xd0\x9a\xd1\x83\xd0\xb1\xd0\xbe\xd0\xba 2026", "2026");
    expect_slug("\xff\xfe invalid \x80 bytes", "invalid-bytes");
    /* Non-ASCII uppercase is not lowercased: it is not an ASCII letter. */
    expect_slug("\xc3\x89t\xc3\xa9 Cup", "t-cup");
}

static void test_from_name_short(void **state)
{
    (void)state;
    expect_slug("!!", "tournament");
    expect_slug("", "tournament");
    expect_slug(NULL, "tournament");
    expect_slug("   ", "tournament");
    expect_slug("Go", "go-tournament");
    expect_slug("A", "a-tournament");
    expect_slug("!A!", "a-tournament");
    expect_slug("a!", "a-tournament");
    expect_slug("A B", "a-b");
    expect_slug("AB", "ab-tournament");
    expect_slug("42", "42-tournament");
}

static void test_from_name_long(void **state)
{
    (void)state;
    char name[400];
    char out[SLUG_MAX + 1];
    /* One long word is cut at the limit. */
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    slug_from_name(name, out);
    check_generated(out);
    assert_int_equal(strlen(out), SLUG_MAX - SLUG_SUFFIX_ROOM);
    /* The cut never leaves a trailing '-', wherever the separator falls. */
    for (size_t sep = 1; sep < 70; sep++) {
        memset(name, 'b', 100);
        name[100] = '\0';
        name[sep] = ' ';
        slug_from_name(name, out);
        check_generated(out);
        size_t want = SLUG_MAX - SLUG_SUFFIX_ROOM;
        if (sep == want - 1) want--; /* "b...b-" would end with the separator */
        assert_int_equal(strlen(out), want);
    }
    /* Words of every length. */
    for (size_t w = 1; w < 20; w++) {
        size_t n = 0;
        while (n + w + 1 < sizeof name - 1) {
            memset(name + n, 'c', w);
            n += w;
            name[n++] = ' ';
        }
        name[n] = '\0';
        slug_from_name(name, out);
        check_generated(out);
    }
    /* Many non-ASCII characters before the ASCII ones do not count. */
    size_t n = 0;
    for (int i = 0; i < 60; i++) {
        memcpy(name + n, "\xc3\xa9", 2);
        n += 2;
    }
    memcpy(name + n, "cup", 4);
    slug_from_name(name, out);
    assert_string_equal(out, "cup");
}

static void test_from_name_random(void **state)
{
    (void)state;
    uint64_t x = 2463534242ull;
    char name[200], out[SLUG_MAX + 1];
    for (int i = 0; i < 50000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t len = (size_t)(x % (sizeof name));
        for (size_t k = 0; k < len; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char c = (char)(x & 0xff);
            name[k] = c ? c : ' ';
        }
        name[len] = '\0';
        slug_from_name(name, out);
        check_generated(out);
    }
}

static void expect_suffix(const char *base, unsigned n, const char *want)
{
    char out[SLUG_MAX + 1];
    memset(out, 'x', sizeof out);
    slug_with_suffix(base, n, out);
    assert_string_equal(out, want);
    assert_true(slug_valid(out));
}

static void test_with_suffix(void **state)
{
    (void)state;
    expect_suffix("spring-cup", 2, "spring-cup-2");
    expect_suffix("spring-cup", 17, "spring-cup-17");
    expect_suffix("abc", 4294967295u, "abc-4294967295");
    expect_suffix("go-tournament", 10, "go-tournament-10");
    expect_suffix("", 2, "tournament-2");
    expect_suffix(NULL, 3, "tournament-3");
    expect_suffix("---", 2, "tournament-2");
    /* A generated slug (<= 56 chars) always takes a suffix without being cut. */
    char base[SLUG_MAX + 1];
    memset(base, 'a', SLUG_MAX - SLUG_SUFFIX_ROOM);
    base[SLUG_MAX - SLUG_SUFFIX_ROOM] = '\0';
    char out[SLUG_MAX + 1];
    for (unsigned n = 2; n < 10000000; n = n * 3 + 1) {
        slug_with_suffix(base, n, out);
        assert_true(slug_valid(out));
        assert_memory_equal(out, base, SLUG_MAX - SLUG_SUFFIX_ROOM);
    }
}

static void test_with_suffix_truncates(void **state)
{
    (void)state;
    char base[SLUG_MAX + 1];
    char out[SLUG_MAX + 1];
    memset(base, 'z', SLUG_MAX);
    base[SLUG_MAX] = '\0';
    slug_with_suffix(base, 17, out);
    assert_int_equal(strlen(out), SLUG_MAX);
    assert_string_equal(out + SLUG_MAX - 3, "-17");
    assert_true(slug_valid(out));
    slug_with_suffix(base, 4294967295u, out);
    assert_int_equal(strlen(out), SLUG_MAX);
    assert_string_equal(out + SLUG_MAX - 11, "-4294967295");
    /* The cut lands on a '-': it is dropped, no "--" appears. */
    for (size_t dash = 40; dash < SLUG_MAX; dash++) {
        memset(base, 'q', SLUG_MAX);
        base[dash] = '-';
        slug_with_suffix(base, 123, out);
        assert_true(slug_valid(out));
        assert_true(strlen(out) <= SLUG_MAX);
        assert_null(strstr(out, "--"));
        size_t keep = SLUG_MAX - 4;
        if (dash == keep - 1)
            assert_int_equal(strlen(out), SLUG_MAX - 1);
        else
            assert_int_equal(strlen(out), SLUG_MAX);
    }
    /* A base longer than SLUG_MAX (not a valid slug) is still cut safely. */
    char longb[200];
    memset(longb, 'r', sizeof longb - 1);
    longb[sizeof longb - 1] = '\0';
    slug_with_suffix(longb, 2, out);
    assert_int_equal(strlen(out), SLUG_MAX);
    assert_true(slug_valid(out));
}

static void test_suffix_after_generation(void **state)
{
    (void)state;
    /* What the create handler does on a collision. */
    char gen[SLUG_MAX + 1], out[SLUG_MAX + 1];
    slug_from_name("The Very Long Name Of A Tournament That Goes On And On And On Forever", gen);
    check_generated(gen);
    for (unsigned n = 2; n < 200; n++) {
        slug_with_suffix(gen, n, out);
        assert_true(slug_valid(out));
        assert_int_equal(strncmp(out, gen, strlen(gen)), 0);
        char tail[16];
        snprintf(tail, sizeof tail, "-%u", n);
        assert_string_equal(out + strlen(gen), tail);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_from_name_basic),
        cmocka_unit_test(test_from_name_unicode),
        cmocka_unit_test(test_from_name_short),
        cmocka_unit_test(test_from_name_long),
        cmocka_unit_test(test_from_name_random),
        cmocka_unit_test(test_with_suffix),
        cmocka_unit_test(test_with_suffix_truncates),
        cmocka_unit_test(test_suffix_after_generation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
