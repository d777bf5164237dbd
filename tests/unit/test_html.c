/* test_html.c: unit tests of util/html.c: escaping (markup, quotes, invalid UTF-8,
 * control characters), URL encoding, times and template slots. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "util/html.h"

typedef struct fx {
    arena *a;
    buf b;
} fx;

static int fx_setup(void **state)
{
    static fx f;
    f.a = arena_new(0);
    if (!f.a) return -1;
    buf_init(&f.b, f.a, 0);
    *state = &f;
    return 0;
}

static int fx_teardown(void **state)
{
    fx *f = *state;
    arena_free(f->a);
    return 0;
}

static const char *esc(fx *f, const char *s)
{
    buf_reset(&f->b);
    html_escape(&f->b, s);
    assert_true(buf_ok(&f->b));
    return f->b.len ? f->b.data : "";
}

static void test_escape_markup(void **state)
{
    fx *f = *state;
    assert_string_equal(esc(f, "<script>alert(1)</script>"),
                        "&lt;script&gt;alert(1)&lt;/script&gt;");
    assert_string_equal(esc(f, "a & b"), "a &amp; b");
    assert_string_equal(esc(f, "\"x\" 'y'"), "&quot;x&quot; &#39;y&#39;");
    assert_string_equal(esc(f, "&amp;"), "&amp;amp;");
    assert_string_equal(esc(f, "plain text"), "plain text");
    assert_string_equal(esc(f, ""), "");
    buf_reset(&f->b);
    html_escape(&f->b, NULL);
    assert_int_equal(f->b.len, 0);
    /* attribute breakout attempts stay inside the value */
    assert_string_equal(esc(f, "\" onmouseover=\"x"), "&quot; onmouseover=&quot;x");
}

static void test_escape_utf8(void **state)
{
    fx *f = *state;
    assert_string_equal(esc(f, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xae"),
                        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xae");
    /* lone continuation, truncated sequence, overlong, surrogate, beyond U+10FFFF */
    assert_string_equal(esc(f, "a\x80z"), "a\xef\xbf\xbdz");
    assert_string_equal(esc(f, "a\xe2\x82"), "a\xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(esc(f, "\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(esc(f, "\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(esc(f, "\xf4\x90\x80\x80"),
                        "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    /* an invalid byte before markup still lets the markup be escaped */
    assert_string_equal(esc(f, "\xff<"), "\xef\xbf\xbd&lt;");
}

static void test_escape_controls(void **state)
{
    fx *f = *state;
    assert_string_equal(esc(f, "a\tb\nc\rd"), "a\tb\nc\rd");
    assert_string_equal(esc(f, "a\x01z\x1f"), "a\xef\xbf\xbdz\xef\xbf\xbd");
    buf_reset(&f->b);
    html_escapen(&f->b, "ab<cd", 3); /* only n bytes */
    assert_string_equal(f->b.data, "ab&lt;");
}

static void test_urlencode(void **state)
{
    fx *f = *state;
    buf_reset(&f->b);
    html_urlencode(&f->b, "abc-XYZ_0.9~");
    assert_string_equal(f->b.data, "abc-XYZ_0.9~");
    buf_reset(&f->b);
    html_urlencode(&f->b, "a b&c=d/\"<>'\xc3\xa9");
    assert_string_equal(f->b.data, "a%20b%26c%3Dd%2F%22%3C%3E%27%C3%A9");
}

static void test_time(void **state)
{
    fx *f = *state;
    buf_reset(&f->b);
    html_time(&f->b, 1795192200); /* 2026-11-20T16:30:00Z */
    assert_string_equal(f->b.data,
                        "<time datetime=\"2026-11-20T16:30:00Z\">2026-11-20 16:30 UTC</time>");
    buf_reset(&f->b);
    html_time(&f->b, 0);
    assert_string_equal(f->b.data, "-");
    buf_reset(&f->b);
    html_time(&f->b, INT64_MAX);
    assert_string_equal(f->b.data, "-");
}

static void test_template(void **state)
{
    fx *f = *state;
    const char *tpl = "<title>{{title}}</title>{{ not}} {{x}}{{main}}end{{";
    size_t pos = 0, n = strlen(tpl), sl;
    const char *slot;
    buf_reset(&f->b);
    assert_true(html_tpl_next(tpl, n, &pos, &f->b, &slot, &sl));
    assert_true(html_slot_is(slot, sl, "title"));
    assert_false(html_slot_is(slot, sl, "titl"));
    assert_string_equal(f->b.data, "<title>");
    buf_puts(&f->b, "T");
    assert_true(html_tpl_next(tpl, n, &pos, &f->b, &slot, &sl));
    assert_true(html_slot_is(slot, sl, "x"));
    assert_true(html_tpl_next(tpl, n, &pos, &f->b, &slot, &sl));
    assert_true(html_slot_is(slot, sl, "main"));
    assert_false(html_tpl_next(tpl, n, &pos, &f->b, &slot, &sl));
    assert_string_equal(f->b.data, "<title>T</title>{{ not}} end{{");
    assert_int_equal(pos, n);
    assert_false(html_tpl_next(tpl, n, &pos, &f->b, &slot, &sl));
    /* a name over 32 characters is no slot */
    const char *lng = "{{abcdefghijklmnopqrstuvwxyz0123456}}";
    pos = 0;
    buf_reset(&f->b);
    assert_false(html_tpl_next(lng, strlen(lng), &pos, &f->b, &slot, &sl));
    assert_string_equal(f->b.data, lng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_escape_markup, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_escape_utf8, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_escape_controls, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_urlencode, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_time, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_template, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
