/* test_router.c: route matching, captures, 404 vs 405, HEAD fallback, malformed patterns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http/router.h"

static router *build(void)
{
    router *rt = router_new();
    assert_non_null(rt);
    assert_int_equal(router_add(rt, HTTP_GET, "/api/v1/tournaments"), 0);
    assert_int_equal(router_add(rt, HTTP_POST, "/api/v1/tournaments"), 1);
    assert_int_equal(router_add(rt, HTTP_GET, "/api/v1/tournaments/{slug}"), 2);
    assert_int_equal(router_add(rt, HTTP_PATCH, "/api/v1/tournaments/{slug}"), 3);
    assert_int_equal(router_add(rt, HTTP_GET, "/api/v1/tournaments/{slug}/state"), 4);
    assert_int_equal(router_add(rt, HTTP_DELETE, "/api/v1/teams/{id}/members/{user_id}"), 5);
    assert_int_equal(router_add(rt, HTTP_GET, "/healthz"), 6);
    return rt;
}

static void match(router *rt, http_method m, const char *path, route_match *out)
{
    char copy[256];
    snprintf(copy, sizeof copy, "%s", path);
    router_match(rt, m, copy, out);
}

static void test_literal_and_params(void **state)
{
    (void)state;
    router *rt = build();
    route_match m;
    char path[] = "/api/v1/tournaments/winter-cup/state";
    router_match(rt, HTTP_GET, path, &m);
    assert_int_equal(m.status, 0);
    assert_int_equal(m.route, 4);
    assert_int_equal(m.nparams, 1);
    assert_string_equal(m.params[0], "winter-cup");

    char two[] = "/api/v1/teams/12/members/34";
    router_match(rt, HTTP_DELETE, two, &m);
    assert_int_equal(m.route, 5);
    assert_int_equal(m.nparams, 2);
    assert_string_equal(m.params[0], "12");
    assert_string_equal(m.params[1], "34");

    match(rt, HTTP_POST, "/api/v1/tournaments", &m);
    assert_int_equal(m.route, 1);
    assert_int_equal(m.nparams, 0);
    router_free(rt);
}

static void test_not_found(void **state)
{
    (void)state;
    router *rt = build();
    route_match m;
    const char *paths[] = {"/", "", "/api", "/api/v1/tournaments/", "/api/v1/tournaments//state",
                           "/api/v1/tournaments/x/state/extra", "/healthz/", "/HEALTHZ",
                           "/a/b/c/d/e/f/g/h/i/j/k", "healthz"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        match(rt, HTTP_GET, paths[i], &m);
        assert_int_equal(m.status, 404);
        assert_int_equal(m.route, -1);
    }
    router_free(rt);
}

static void test_method_not_allowed(void **state)
{
    (void)state;
    router *rt = build();
    route_match m;
    match(rt, HTTP_DELETE, "/api/v1/tournaments", &m);
    assert_int_equal(m.status, 405);
    assert_int_equal(m.route, -1);
    assert_true(m.allow & (1u << HTTP_GET));
    assert_true(m.allow & (1u << HTTP_POST));
    assert_true(m.allow & (1u << HTTP_HEAD));
    assert_false(m.allow & (1u << HTTP_DELETE));
    char allow[64];
    router_allow_header(m.allow, allow, sizeof allow);
    assert_string_equal(allow, "GET, HEAD, POST");

    match(rt, HTTP_OTHER, "/api/v1/tournaments/x", &m);
    assert_int_equal(m.status, 405);
    router_allow_header(m.allow, allow, sizeof allow);
    assert_string_equal(allow, "GET, HEAD, PATCH");
    router_free(rt);
}

static void test_head_uses_get(void **state)
{
    (void)state;
    router *rt = build();
    route_match m;
    match(rt, HTTP_HEAD, "/api/v1/tournaments/abc", &m);
    assert_int_equal(m.status, 0);
    assert_int_equal(m.route, 2);
    assert_string_equal(m.params[0], "abc");
    router_free(rt);
}

static void test_bad_patterns(void **state)
{
    (void)state;
    router *rt = router_new();
    assert_int_equal(router_add(rt, HTTP_GET, "no-slash"), -1);
    assert_int_equal(router_add(rt, HTTP_GET, "/a/{}"), -1);
    assert_int_equal(router_add(rt, HTTP_GET, "/a/{x"), -1);
    assert_int_equal(router_add(rt, HTTP_GET, "/a/{a}/{b}/{c}/{d}/{e}"), -1);
    assert_int_equal(router_add(rt, HTTP_OTHER, "/a"), -1);
    assert_int_equal(router_count(rt), 0);
    assert_int_equal(router_add(rt, HTTP_GET, "/ok"), 0);
    assert_string_equal(router_pattern(rt, 0), "/ok");
    assert_string_equal(router_pattern(rt, 7), "unmatched");
    router_free(rt);
}

static void test_methods(void **state)
{
    (void)state;
    assert_int_equal(http_method_parse("GET"), HTTP_GET);
    assert_int_equal(http_method_parse("PATCH"), HTTP_PATCH);
    assert_int_equal(http_method_parse("get"), HTTP_OTHER);
    assert_int_equal(http_method_parse("BREW"), HTTP_OTHER);
    assert_string_equal(http_method_name(HTTP_DELETE), "DELETE");
    assert_string_equal(http_method_name(HTTP_OTHER), "OTHER");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal_and_params), cmocka_unit_test(test_not_found),
        cmocka_unit_test(test_method_not_allowed), cmocka_unit_test(test_head_uses_get),
        cmocka_unit_test(test_bad_patterns),       cmocka_unit_test(test_methods),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
