/* test_respcache.c: unit tests of the response cache, its change counters and ETags:
 * hits only while every dependency is current, expiry, the epoch rule for bodies built
 * across a commit, placeholders, eviction within the budget, gzip, and tag matching. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>

#include "cache/respcache.h"
#include "cache/versions.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/etag.h"

typedef struct {
    arena *a;
    buf out;
} fix;

static int setup(void **state)
{
    static fix f;
    f.a = arena_new(1 << 16);
    assert_non_null(f.a);
    buf_init(&f.out, f.a, 256);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fix *f = *state;
    respcache_shutdown();
    arena_free(f->a);
    return 0;
}

/* Stores body under key with the given deps, as a handler's miss would. */
static void store(const char *key, const dep *deps, size_t n, int64_t expires, const char *body)
{
    buf tmp;
    arena *a = arena_new(4096);
    buf_init(&tmp, a, 64);
    rc_answer ans;
    rc_result r = respcache_get(RC_STATE, key, 100, NULL, false, &tmp, &ans);
    assert_int_equal(r, RC_MISS);
    char tag[ETAG_MAX];
    etag_of(body, strlen(body), NULL, tag);
    respcache_put(RC_STATE, key, deps, n, expires, versions_epoch(), body, strlen(body), tag, NULL,
                  0);
    arena_free(a);
}

static rc_result lookup(fix *f, const char *key, int64_t now, const char *inm)
{
    buf_reset(&f->out);
    rc_answer ans;
    return respcache_get(RC_STATE, key, now, inm, false, &f->out, &ans);
}

static void test_hit_until_a_dependency_moves(void **state)
{
    fix *f = *state;
    respcache_configure(1 << 20);
    dep d[2] = {versions_dep(DEP_TOURNAMENT, 7), versions_dep(DEP_CATALOG, 0)};
    store("/t/7", d, 2, 0, "{\"v\":1}");
    assert_int_equal(lookup(f, "/t/7", 100, NULL), RC_HIT);
    assert_string_equal(f->out.data, "{\"v\":1}");
    /* another tournament's change does not touch it */
    versions_publish_begin();
    versions_bump(DEP_TOURNAMENT, 8);
    assert_int_equal(lookup(f, "/t/7", 100, NULL), RC_HIT);
    /* its own does */
    versions_publish_begin();
    versions_bump(DEP_CATALOG, 0);
    assert_int_equal(lookup(f, "/t/7", 100, NULL), RC_MISS);
    respcache_abandon("/t/7");
}

static void test_expiry_and_304(void **state)
{
    fix *f = *state;
    respcache_configure(1 << 20);
    dep d = versions_dep(DEP_TOURNAMENT, 9);
    store("/t/9", &d, 1, 150, "{\"open\":false}");
    char tag[ETAG_MAX];
    etag_of("{\"open\":false}", 14, NULL, tag);
    assert_int_equal(lookup(f, "/t/9", 149, tag), RC_NOT_MODIFIED);
    assert_int_equal(f->out.len, 0);
    assert_int_equal(lookup(f, "/t/9", 149, "\"other\""), RC_HIT);
    assert_int_equal(lookup(f, "/t/9", 150, NULL), RC_MISS); /* that second it is stale */
    respcache_abandon("/t/9");
}

static void test_a_body_built_across_a_commit_is_not_stored(void **state)
{
    fix *f = *state;
    respcache_configure(1 << 20);
    buf tmp;
    buf_init(&tmp, f->a, 64);
    rc_answer ans;
    assert_int_equal(respcache_get(RC_STATE, "/x", 100, NULL, false, &tmp, &ans), RC_MISS);
    uint64_t epoch0 = versions_epoch();
    dep d = versions_dep(DEP_TOURNAMENT, 1);
    versions_publish_begin(); /* a commit published while the body was built */
    respcache_put(RC_STATE, "/x", &d, 1, 0, epoch0, "old", 3, "\"t\"", NULL, 0);
    assert_int_equal(lookup(f, "/x", 100, NULL), RC_MISS);
    respcache_abandon("/x");
}

static void test_frozen_counters_never_invalidate(void **state)
{
    fix *f = *state;
    respcache_configure(1 << 20);
    dep d = versions_dep(DEP_TOURNAMENT, 3);
    store("/t/3", &d, 1, 0, "a");
    versions_set_frozen(true);
    versions_publish_begin();
    versions_bump(DEP_TOURNAMENT, 3);
    versions_set_frozen(false);
    assert_int_equal(lookup(f, "/t/3", 100, NULL), RC_HIT); /* what the fault does */
    versions_publish_begin();
    versions_bump(DEP_TOURNAMENT, 3);
    assert_int_equal(lookup(f, "/t/3", 100, NULL), RC_MISS);
    respcache_abandon("/t/3");
}

static void test_eviction_keeps_the_budget(void **state)
{
    fix *f = *state;
    respcache_configure(256 * 1024); /* 16 KiB per stripe */
    char body[3000];
    memset(body, 'x', sizeof body - 1);
    body[sizeof body - 1] = '\0';
    dep d = versions_dep(DEP_CATALOG, 0);
    char key[32];
    for (int i = 0; i < 400; i++) {
        snprintf(key, sizeof key, "/k/%d", i);
        store(key, &d, 1, 0, body);
    }
    int hits = 0;
    for (int i = 0; i < 400; i++) {
        snprintf(key, sizeof key, "/k/%d", i);
        rc_result r = lookup(f, key, 100, NULL);
        if (r == RC_HIT)
            hits++;
        else
            respcache_abandon(key);
    }
    assert_true(hits > 0 && hits < 400);
    assert_true(hits * 3000 <= 256 * 1024);
    /* the most recent ones survived */
    snprintf(key, sizeof key, "/k/%d", 399);
    assert_int_equal(lookup(f, key, 100, NULL), RC_HIT);
}

static void test_disabled_cache_never_stores(void **state)
{
    fix *f = *state;
    respcache_configure(0);
    buf tmp;
    buf_init(&tmp, f->a, 64);
    rc_answer ans;
    assert_int_equal(respcache_get(RC_STATE, "/d", 1, NULL, false, &tmp, &ans), RC_MISS_NO_SLOT);
    dep d = versions_dep(DEP_CATALOG, 0);
    respcache_put(RC_STATE, "/d", &d, 1, 0, versions_epoch(), "b", 1, "\"t\"", NULL, 0);
    assert_int_equal(respcache_get(RC_STATE, "/d", 1, NULL, false, &tmp, &ans), RC_MISS_NO_SLOT);
    assert_false(respcache_enabled());
}

static void test_gzip_round_trip(void **state)
{
    fix *f = *state;
    char in[5000];
    for (size_t i = 0; i < sizeof in; i++) in[i] = (char)('a' + i % 7);
    buf gz;
    buf_init(&gz, f->a, 64);
    assert_true(respcache_gzip(in, sizeof in, &gz));
    assert_true(gz.len < sizeof in / 4);
    assert_int_equal((unsigned char)gz.data[0], 0x1f); /* gzip magic */
    assert_int_equal((unsigned char)gz.data[1], 0x8b);
    char back[6000];
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_in = (Bytef *)gz.data;
    z.avail_in = (uInt)gz.len;
    z.next_out = (Bytef *)back;
    z.avail_out = sizeof back;
    assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
    assert_int_equal(z.total_out, sizeof in);
    inflateEnd(&z);
    assert_memory_equal(back, in, sizeof in);
}

static void test_etag_matching(void **state)
{
    (void)state;
    char t[ETAG_MAX], g[ETAG_MAX];
    etag_of("body", 4, NULL, t);
    etag_variant(t, "gz", g);
    assert_int_equal(strlen(t), 18);
    assert_string_equal(g + 17, "-gz\"");
    assert_memory_equal(g, t, 17);
    assert_true(etag_matches(t, t));
    assert_true(etag_matches("*", t));
    char list[80];
    snprintf(list, sizeof list, "\"a\", W/%s", t);
    assert_true(etag_matches(list, t));
    assert_false(etag_matches(g, t)); /* the gzip tag is another representation */
    assert_false(etag_matches("\"a\"", t));
    assert_false(etag_matches(NULL, t));
    char prefix[ETAG_MAX];
    memcpy(prefix, t, 10);
    prefix[10] = '\0';
    assert_false(etag_matches(prefix, t));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hit_until_a_dependency_moves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expiry_and_304, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_body_built_across_a_commit_is_not_stored, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_frozen_counters_never_invalidate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eviction_keeps_the_budget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disabled_cache_never_stores, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gzip_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_etag_matching, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
