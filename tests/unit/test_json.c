/* test_json.c: unit tests of the streaming JSON writer and string escaping.
 *
 * Two independent oracles written here from the specs: a naive byte-by-byte escaper
 * (RFC 8259 escaping, RFC 3629 decoding by bit arithmetic) that the fast escaper must
 * match exactly, and a strict JSON validator that every output must pass. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/timefmt.h"

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* ---- oracles ---- */

/* Length of a well-formed UTF-8 sequence at s, or 0: decode by bits, then refuse
 * overlongs, surrogates and values above U+10FFFF. */
static size_t ref_utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t v;
    if (c < 0x80) return 1;
    if ((c & 0xe0) == 0xc0) {
        len = 2;
        v = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3;
        v = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4;
        v = c & 0x07;
    } else {
        return 0;
    }
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
    return len;
}

/* Naive escaper: the behaviour json_escape promises, one byte at a time. */
static size_t ref_escape(const unsigned char *s, size_t n, char *out)
{
    size_t o = 0;
    out[o++] = '"';
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
            i++;
        } else if (c < 0x20) {
            const char *shorts = NULL;
            switch (c) {
            case '\b':
                shorts = "\\b";
                break;
            case '\f':
                shorts = "\\f";
                break;
            case '\n':
                shorts = "\\n";
                break;
            case '\r':
                shorts = "\\r";
                break;
            case '\t':
                shorts = "\\t";
                break;
            default:
                break;
            }
            if (shorts) {
                memcpy(out + o, shorts, 2);
                o += 2;
            } else {
                o += (size_t)sprintf(out + o, "\\u%04x", c);
            }
            i++;
        } else if (c < 0x80) {
            out[o++] = (char)c;
            i++;
        } else {
            size_t len = ref_utf8_len(s + i, n - i);
            if (len) {
                memcpy(out + o, s + i, len);
                o += len;
                i += len;
            } else {
                memcpy(out + o, "\xef\xbf\xbd", 3);
                o += 3;
                i++;
            }
        }
    }
    out[o++] = '"';
    out[o] = '\0';
    return o;
}

/* A strict RFC 8259 validator: exactly one value, valid UTF-8, no raw controls. */
typedef struct {
    const unsigned char *p, *end;
    int depth;
} jv;

static void jv_ws(jv *v)
{
    while (v->p < v->end && (*v->p == ' ' || *v->p == '\t' || *v->p == '\n' || *v->p == '\r'))
        v->p++;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool jv_string(jv *v)
{
    if (v->p >= v->end || *v->p != '"') return false;
    v->p++;
    while (v->p < v->end) {
        unsigned char c = *v->p;
        if (c == '"') {
            v->p++;
            return true;
        }
        if (c < 0x20) return false;
        if (c == '\\') {
            v->p++;
            if (v->p >= v->end) return false;
            c = *v->p++;
            if (c == 'u') {
                if (v->end - v->p < 4) return false;
                for (int i = 0; i < 4; i++)
                    if (hexval(v->p[i]) < 0) return false;
                v->p += 4;
            } else if (!strchr("\"\\/bfnrt", c) || c == 0) {
                return false;
            }
            continue;
        }
        size_t len = ref_utf8_len(v->p, (size_t)(v->end - v->p));
        if (!len) return false;
        v->p += len;
    }
    return false;
}

static bool jv_number(jv *v)
{
    const unsigned char *p = v->p, *e = v->end;
    if (p < e && *p == '-') p++;
    if (p >= e) return false;
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (p < e && *p >= '0' && *p <= '9') p++;
    } else {
        return false;
    }
    if (p < e && *p == '.') {
        p++;
        if (p >= e || *p < '0' || *p > '9') return false;
        while (p < e && *p >= '0' && *p <= '9') p++;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-')) p++;
        if (p >= e || *p < '0' || *p > '9') return false;
        while (p < e && *p >= '0' && *p <= '9') p++;
    }
    v->p = p;
    return true;
}

static bool jv_lit(jv *v, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(v->end - v->p) < n || memcmp(v->p, lit, n) != 0) return false;
    v->p += n;
    return true;
}

static bool jv_value(jv *v)
{
    jv_ws(v);
    if (v->p >= v->end) return false;
    unsigned char c = *v->p;
    if (c == '{' || c == '[') {
        if (++v->depth > 64) return false;
        unsigned char close = c == '{' ? '}' : ']';
        v->p++;
        jv_ws(v);
        if (v->p < v->end && *v->p == close) {
            v->p++;
            v->depth--;
            return true;
        }
        for (;;) {
            if (c == '{') {
                jv_ws(v);
                if (!jv_string(v)) return false;
                jv_ws(v);
                if (v->p >= v->end || *v->p != ':') return false;
                v->p++;
            }
            if (!jv_value(v)) return false;
            jv_ws(v);
            if (v->p >= v->end) return false;
            if (*v->p == ',') {
                v->p++;
                continue;
            }
            if (*v->p != close) return false;
            v->p++;
            v->depth--;
            return true;
        }
    }
    if (c == '"') return jv_string(v);
    if (c == 't') return jv_lit(v, "true");
    if (c == 'f') return jv_lit(v, "false");
    if (c == 'n') return jv_lit(v, "null");
    return jv_number(v);
}

static bool json_valid(const char *s, size_t n)
{
    jv v = {(const unsigned char *)s, (const unsigned char *)s + n, 0};
    if (!jv_value(&v)) return false;
    jv_ws(&v);
    return v.p == v.end;
}

/* ---- fixture: one arena, buf and writer per test ---- */

typedef struct {
    arena *a;
    buf b;
    jw w;
} fx;

static int fx_setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f) return -1;
    f->a = arena_new(256);
    if (!f->a) {
        free(f);
        return -1;
    }
    buf_init(&f->b, f->a, 16);
    jw_init(&f->w, &f->b);
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    fx *f = *state;
    arena_free(f->a);
    free(f);
    return 0;
}

#define FX fx *f = *state

/* Asserts the document is complete, equals `want` and is valid JSON. */
static void expect_doc(fx *f, const char *want)
{
    assert_true(jw_ok(&f->w));
    assert_string_equal(f->b.data, want);
    assert_true(json_valid(f->b.data, f->b.len));
}

/* Escapes s[0..n) with json_escape and compares with the oracle. */
static void check_escape(arena *a, const void *s, size_t n)
{
    buf b;
    buf_init(&b, a, 8);
    json_escape(&b, s, n);
    assert_true(buf_ok(&b));
    char *want = malloc(n * 6 + 3);
    assert_non_null(want);
    size_t wn = ref_escape(s, n, want);
    assert_int_equal(b.len, wn);
    assert_memory_equal(b.data, want, wn);
    assert_true(json_valid(b.data, b.len));
    free(want);
}

/* ---- structure ---- */

static void test_empty_containers(void **state)
{
    FX;
    jw_obj_begin(&f->w);
    jw_obj_end(&f->w);
    expect_doc(f, "{}");
    buf_reset(&f->b);
    jw_init(&f->w, &f->b);
    jw_arr_begin(&f->w);
    jw_arr_end(&f->w);
    expect_doc(f, "[]");
}

static void test_nested_document(void **state)
{
    FX;
    jw *w = &f->w;
    jw_obj_begin(w);
    jw_kstr(w, "name", "Spring Cup");
    jw_kint(w, "id", 42);
    jw_kbool(w, "ok", true);
    jw_kbool(w, "no", false);
    jw_knull(w, "nothing");
    jw_key(w, "items");
    jw_arr_begin(w);
    jw_int(w, 1);
    jw_int(w, -2);
    jw_obj_begin(w);
    jw_obj_end(w);
    jw_arr_begin(w);
    jw_arr_end(w);
    jw_str(w, "x");
    jw_null(w);
    jw_arr_end(w);
    jw_key(w, "o");
    jw_obj_begin(w);
    jw_key(w, "a");
    jw_arr_begin(w);
    jw_arr_begin(w);
    jw_int(w, 0);
    jw_arr_end(w);
    jw_arr_end(w);
    jw_obj_end(w);
    jw_ktime(w, "t", 0, true);
    jw_ktime(w, "u", 0, false);
    jw_obj_end(w);
    expect_doc(f, "{\"name\":\"Spring Cup\",\"id\":42,\"ok\":true,\"no\":false,\"nothing\":null,"
                  "\"items\":[1,-2,{},[],\"x\",null],\"o\":{\"a\":[[0]]},"
                  "\"t\":\"1970-01-01T00:00:00Z\",\"u\":null}");
}

static void test_scalar_roots(void **state)
{
    FX;
    jw_int(&f->w, INT64_MIN);
    expect_doc(f, "-9223372036854775808");
    buf_reset(&f->b);
    jw_init(&f->w, &f->b);
    jw_str(&f->w, NULL);
    expect_doc(f, "null");
    buf_reset(&f->b);
    jw_init(&f->w, &f->b);
    jw_strn(&f->w, "abc", 2);
    expect_doc(f, "\"ab\"");
    buf_reset(&f->b);
    jw_init(&f->w, &f->b);
    jw_str(&f->w, "");
    expect_doc(f, "\"\"");
}

static void test_raw(void **state)
{
    FX;
    jw *w = &f->w;
    jw_arr_begin(w);
    jw_raw(w, "{\"a\":1}", 7);
    jw_raw(w, "[2]", 3);
    jw_int(w, 3);
    jw_arr_end(w);
    expect_doc(f, "[{\"a\":1},[2],3]");
    buf_reset(&f->b);
    jw_init(w, &f->b);
    jw_obj_begin(w);
    jw_key(w, "cached");
    jw_raw(w, "true", 4);
    jw_kint(w, "n", 1);
    jw_obj_end(w);
    expect_doc(f, "{\"cached\":true,\"n\":1}");
}

static void test_max_depth(void **state)
{
    FX;
    jw *w = &f->w;
    for (int i = 0; i < JSON_MAX_DEPTH; i++) {
        jw_arr_begin(w);
        assert_false(w->err);
    }
    assert_int_equal(w->depth, JSON_MAX_DEPTH);
    for (int i = 0; i < JSON_MAX_DEPTH; i++) jw_arr_end(w);
    assert_false(w->err);
    assert_true(jw_ok(w));
    assert_int_equal(f->b.len, 2 * JSON_MAX_DEPTH);
    assert_true(json_valid(f->b.data, f->b.len));

    buf_reset(&f->b);
    jw_init(w, &f->b);
    for (int i = 0; i < JSON_MAX_DEPTH; i++) jw_arr_begin(w);
    assert_false(w->err);
    jw_arr_begin(w);
    assert_true(w->err);
    assert_int_equal(f->b.len, JSON_MAX_DEPTH); /* the refused '[' was not written */

    /* One level more is an error with objects and arrays alternating too. */
    buf_reset(&f->b);
    jw_init(w, &f->b);
    for (int i = 0; i < JSON_MAX_DEPTH; i++) {
        if (i % 2) {
            jw_key(w, "k");
            jw_arr_begin(w);
        } else {
            if (i) jw_int(w, i);
            jw_obj_begin(w);
        }
    }
    assert_false(w->err);
    assert_int_equal(w->depth, JSON_MAX_DEPTH);
    assert_false(w->is_obj[JSON_MAX_DEPTH - 1]); /* the innermost level is an array */
    jw_int(w, 1);
    assert_false(w->err);
    jw_obj_begin(w); /* the 33rd level */
    assert_true(w->err);
    assert_false(jw_ok(w));
    size_t len = f->b.len;
    for (int i = 0; i < JSON_MAX_DEPTH + 1; i++) jw_obj_end(w);
    assert_false(jw_ok(w));
    assert_int_equal(f->b.len, len); /* nothing written after the error */
}

/* ---- misuse ---- */

typedef void (*misuse_fn)(jw *w);

static void mis_value_without_key(jw *w)
{
    jw_obj_begin(w);
    jw_int(w, 1);
}
static void mis_key_in_array(jw *w)
{
    jw_arr_begin(w);
    jw_key(w, "k");
}
static void mis_key_at_root(jw *w)
{
    jw_key(w, "k");
}
static void mis_two_keys(jw *w)
{
    jw_obj_begin(w);
    jw_key(w, "a");
    jw_key(w, "b");
}
static void mis_end_after_key(jw *w)
{
    jw_obj_begin(w);
    jw_key(w, "a");
    jw_obj_end(w);
}
static void mis_obj_end_on_array(jw *w)
{
    jw_arr_begin(w);
    jw_obj_end(w);
}
static void mis_arr_end_on_object(jw *w)
{
    jw_obj_begin(w);
    jw_arr_end(w);
}
static void mis_end_at_root(jw *w)
{
    jw_obj_end(w);
}
static void mis_arr_end_at_root(jw *w)
{
    jw_arr_end(w);
}
static void mis_extra_end(jw *w)
{
    jw_arr_begin(w);
    jw_arr_end(w);
    jw_arr_end(w);
}
static void mis_two_roots(jw *w)
{
    jw_int(w, 1);
    jw_int(w, 2);
}
static void mis_two_root_containers(jw *w)
{
    jw_obj_begin(w);
    jw_obj_end(w);
    jw_arr_begin(w);
}
static void mis_null_key(jw *w)
{
    jw_obj_begin(w);
    jw_key(w, NULL);
}
static void mis_unclosed(jw *w)
{
    jw_obj_begin(w);
    jw_kint(w, "a", 1);
}
static void mis_nothing(jw *w)
{
    (void)w;
}
static void mis_kstr_in_array(jw *w)
{
    jw_arr_begin(w);
    jw_kstr(w, "a", "b");
    jw_arr_end(w);
}

static void test_misuse(void **state)
{
    FX;
    static const misuse_fn fns[] = {
        mis_value_without_key, mis_key_in_array,     mis_key_at_root,       mis_two_keys,
        mis_end_after_key,     mis_obj_end_on_array, mis_arr_end_on_object, mis_end_at_root,
        mis_arr_end_at_root,   mis_extra_end,        mis_two_roots,         mis_two_root_containers,
        mis_null_key,          mis_unclosed,         mis_nothing,           mis_kstr_in_array,
    };
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        buf_reset(&f->b);
        jw_init(&f->w, &f->b);
        fns[i](&f->w);
        assert_false(jw_ok(&f->w));
    }
}

static void test_error_is_sticky(void **state)
{
    FX;
    jw *w = &f->w;
    jw_arr_begin(w);
    jw_int(w, 1);
    jw_key(w, "bad");
    assert_true(w->err);
    size_t len = f->b.len;
    jw_int(w, 2);
    jw_str(w, "x");
    jw_double(w, 1.5);
    jw_bool(w, true);
    jw_null(w);
    jw_raw(w, "1", 1);
    jw_time(w, 0, true);
    jw_obj_begin(w);
    jw_arr_end(w);
    assert_int_equal(f->b.len, len);
    assert_false(jw_ok(w));
}

static void test_oom_fails_document(void **state)
{
    FX;
    jw *w = &f->w;
    jw_arr_begin(w);
    jw_int(w, 1);
    assert_false(buf_reserve(&f->b, SIZE_MAX)); /* forces the buffer into OOM */
    jw_int(w, 2);
    jw_arr_end(w);
    assert_false(w->err);
    assert_false(jw_ok(w));
}

/* ---- strings ---- */

static void test_escape_each_byte(void **state)
{
    FX;
    for (int c = 0; c < 256; c++) {
        unsigned char s[1] = {(unsigned char)c};
        check_escape(f->a, s, 1);
    }
    /* The exact forms callers rely on. */
    buf b;
    buf_init(&b, f->a, 0);
    json_escape(&b, "\"\\/\b\f\n\r\t\x01\x1f\x7f", 11);
    assert_string_equal(b.data, "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\"");
    buf_reset(&b);
    json_escape(&b, "a\0b", 3);
    assert_string_equal(b.data, "\"a\\u0000b\"");
    buf_reset(&b);
    json_escape(&b, NULL, 0);
    assert_string_equal(b.data, "\"\"");
}

static void test_escape_appends(void **state)
{
    FX;
    buf b;
    buf_init(&b, f->a, 0);
    buf_puts(&b, "x=");
    json_escape(&b, "y", 1);
    buf_putc(&b, ';');
    assert_string_equal(b.data, "x=\"y\";");
}

static void test_utf8_valid_passes(void **state)
{
    FX;
    static const char *const ok[] = {
        "\xc2\x80",         /* U+0080 */
        "\xdf\xbf",         /* U+07FF */
        "\xe0\xa0\x80",     /* U+0800 */
        "\xed\x9f\xbf",     /* U+D7FF */
        "\xee\x80\x80",     /* U+E000 */
        "\xef\xbf\xbf",     /* U+FFFF */
        "\xef\xbb\xbf",     /* BOM */
        "\xf0\x90\x80\x80", /* U+10000 */
        "\xf4\x8f\xbf\xbf", /* U+10FFFF */
        "\xe2\x80\xa8",     /* U+2028 */
        "Caf\xc3\xa9 M\xc3\xbcnster \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x8f\x86",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        buf b;
        buf_init(&b, f->a, 0);
        json_escape(&b, ok[i], strlen(ok[i]));
        assert_int_equal(b.len, strlen(ok[i]) + 2);
        assert_memory_equal(b.data + 1, ok[i], strlen(ok[i]));
    }
}

static void test_utf8_invalid_replaced(void **state)
{
    FX;
    static const struct {
        const char *in;
        const char *out;
    } cases[] = {
        {"\x80", "\"\xef\xbf\xbd\""},                                 /* lone continuation */
        {"\xbf", "\"\xef\xbf\xbd\""},                                 /* lone continuation */
        {"\xc0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\""},                 /* overlong NUL */
        {"\xc1\xbf", "\"\xef\xbf\xbd\xef\xbf\xbd\""},                 /* overlong U+007F */
        {"\xe0\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* overlong 3 */
        {"\xe0\x9f\xbf", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* overlong U+07FF */
        {"\xf0\x80\x80\x80",
         "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* overlong 4 */
        {"\xf0\x8f\xbf\xbf",
         "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},     /* overlong U+FFFF */
        {"\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* U+D800 */
        {"\xed\xbf\xbf", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* U+DFFF */
        {"\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* U+110000 */
        {"\xf5\x80\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* lead F5 */
        {"\xff", "\"\xef\xbf\xbd\""},
        {"\xfe", "\"\xef\xbf\xbd\""},
        {"\xe2\x82", "\"\xef\xbf\xbd\xef\xbf\xbd\""}, /* truncated at the end */
        {"\xe2\x82"
         "A",
         "\"\xef\xbf\xbd\xef\xbf\xbd"
         "A\""}, /* truncated before ASCII */
        {"\xf0\x9f\x98", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},
        {"\xc3", "\"\xef\xbf\xbd\""},
        {"\xc3\"", "\"\xef\xbf\xbd\\\"\""},               /* truncated before a quote */
        {"a\xc3\xa9\xa9z", "\"a\xc3\xa9\xef\xbf\xbdz\""}, /* valid then stray */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf b;
        buf_init(&b, f->a, 0);
        json_escape(&b, cases[i].in, strlen(cases[i].in));
        assert_string_equal(b.data, cases[i].out);
        assert_true(json_valid(b.data, b.len));
        check_escape(f->a, cases[i].in, strlen(cases[i].in));
    }
}

static void test_escape_all_two_byte_strings(void **state)
{
    FX;
    /* Every 2-byte input, and every 3-byte input that starts with a multi-byte lead. */
    unsigned char s[3];
    for (int x = 0; x < 256; x++) {
        for (int y = 0; y < 256; y++) {
            s[0] = (unsigned char)x;
            s[1] = (unsigned char)y;
            check_escape(f->a, s, 2);
        }
        arena_free(f->a);
        f->a = arena_new(256);
        assert_non_null(f->a);
    }
    for (int x = 0xe0; x < 0xf8; x++) {
        for (int y = 0x70; y < 0xd0; y++) {
            for (int z = 0; z < 256; z += 3) {
                s[0] = (unsigned char)x;
                s[1] = (unsigned char)y;
                s[2] = (unsigned char)z;
                check_escape(f->a, s, 3);
            }
        }
        arena_free(f->a);
        f->a = arena_new(256);
        assert_non_null(f->a);
    }
    buf_init(&f->b, f->a, 16); /* the fixture's buf lived in the old arena */
}

static void test_escape_special_at_every_offset(void **state)
{
    FX;
    /* Word-at-a-time scanning must notice a special byte at any position. */
    static const unsigned char specials[] = {'"',  '\\', 0x00, 0x1f, '\n', 0x7f,
                                             0x80, 0xc3, 0xe2, 0xf0, 0xff, 0x20};
    for (size_t k = 0; k < sizeof specials; k++) {
        for (size_t len = 1; len <= 40; len++) {
            for (size_t pos = 0; pos < len; pos++) {
                unsigned char s[40];
                memset(s, 'a', len);
                s[pos] = specials[k];
                check_escape(f->a, s, len);
            }
        }
    }
    /* A long string with a valid 4-byte character straddling word boundaries. */
    for (size_t pos = 0; pos < 20; pos++) {
        unsigned char s[32];
        memset(s, 'b', sizeof s);
        memcpy(s + pos, "\xf0\x9f\x8f\x86", 4);
        check_escape(f->a, s, sizeof s);
    }
}

static void test_escape_random(void **state)
{
    FX;
    uint64_t seed = 12345;
    unsigned char s[300];
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = (size_t)(rng_next(&seed) % sizeof s);
        unsigned mode = (unsigned)(rng_next(&seed) % 4);
        for (size_t i = 0; i < len; i++) {
            uint64_t r = rng_next(&seed);
            if (mode == 0) {
                s[i] = (unsigned char)r; /* any byte */
            } else if (mode == 1) {
                s[i] = (unsigned char)(0x20 + r % 95); /* printable ASCII */
            } else if (mode == 2) {
                s[i] = (unsigned char)(r % 2 ? 0x80 | (r >> 8) % 64 : 0xc0 | (r >> 8) % 64);
            } else {
                /* mostly ASCII, sometimes UTF-8 or a control character */
                unsigned k = (unsigned)(r % 16);
                s[i] = k < 12    ? (unsigned char)('a' + k)
                       : k == 12 ? 0x0a
                       : k == 13 ? 0xc3
                       : k == 14 ? 0xa9
                                 : '"';
            }
        }
        check_escape(f->a, s, len);
        if (iter % 1000 == 999) {
            arena_free(f->a);
            f->a = arena_new(256);
            assert_non_null(f->a);
        }
    }
    buf_init(&f->b, f->a, 16);
}

static void test_keys_escaped(void **state)
{
    FX;
    jw *w = &f->w;
    jw_obj_begin(w);
    jw_kstr(w, "a\"b", "c\nd");
    jw_kstr(w, "\xff", NULL);
    jw_obj_end(w);
    expect_doc(f, "{\"a\\\"b\":\"c\\nd\",\"\xef\xbf\xbd\":null}");
}

/* ---- numbers and times ---- */

static void check_double(fx *f, double v)
{
    buf_reset(&f->b);
    jw_init(&f->w, &f->b);
    jw_double(&f->w, v);
    assert_true(jw_ok(&f->w));
    assert_true(json_valid(f->b.data, f->b.len));
    char *end;
    double back = strtod(f->b.data, &end);
    assert_true(*end == '\0');
    assert_true(back == v);
    assert_true(signbit(back) == signbit(v));
    /* At most 17 significant digits: "-2.2250738585072014e-308" is the longest form. */
    assert_true(f->b.len <= 24);
}

static void expect_double(fx *f, double v, const char *want)
{
    check_double(f, v);
    assert_string_equal(f->b.data, want);
}

static void test_double(void **state)
{
    FX;
    expect_double(f, 0.0, "0");
    expect_double(f, -0.0, "-0");
    expect_double(f, 1.0, "1");
    expect_double(f, -2.5, "-2.5");
    expect_double(f, 0.1, "0.1");
    expect_double(f, 100.0, "100");
    expect_double(f, 1.0 / 3.0, "0.3333333333333333");
    expect_double(f, 2.0 / 3.0, "0.6666666666666666");
    expect_double(f, 0.1 + 0.2, "0.30000000000000004");
    expect_double(f, 1e21, "1e+21");
    expect_double(f, 1e-7, "1e-07");
    expect_double(f, 123456789012.5, "123456789012.5");
    expect_double(f, 9007199254740993.0, "9007199254740992");
    check_double(f, DBL_MAX);
    check_double(f, -DBL_MAX);
    check_double(f, DBL_MIN);
    check_double(f, 5e-324);
    check_double(f, DBL_EPSILON);
    check_double(f, 3.14159265358979323846);
    uint64_t seed = 99;
    int tried = 0;
    while (tried < 20000) {
        uint64_t bits = rng_next(&seed);
        double v;
        memcpy(&v, &bits, sizeof v);
        if (!isfinite(v)) continue;
        check_double(f, v);
        tried++;
    }
    for (int i = -1000; i < 1000; i++) check_double(f, i / 100.0);
}

static void test_double_not_finite(void **state)
{
    FX;
    jw *w = &f->w;
    jw_arr_begin(w);
    jw_double(w, NAN);
    jw_double(w, -NAN);
    jw_double(w, INFINITY);
    jw_double(w, -INFINITY);
    jw_double(w, 0.5);
    jw_arr_end(w);
    expect_doc(f, "[null,null,null,null,0.5]");
}

static void test_int_extremes(void **state)
{
    FX;
    jw *w = &f->w;
    jw_arr_begin(w);
    jw_int(w, 0);
    jw_int(w, INT64_MAX);
    jw_int(w, INT64_MIN);
    jw_int(w, -1);
    jw_arr_end(w);
    expect_doc(f, "[0,9223372036854775807,-9223372036854775808,-1]");
}

static void test_time(void **state)
{
    FX;
    jw *w = &f->w;
    jw_arr_begin(w);
    jw_time(w, 1795365000, true); /* 2026-11-22T16:30:00Z */
    jw_time(w, 1795365000, false);
    jw_time(w, -1, true);
    jw_time(w, 253402300800LL, true); /* year 10000: not representable */
    jw_time(w, INT64_MIN, true);
    jw_arr_end(w);
    expect_doc(f, "[\"2026-11-22T16:30:00Z\",null,\"1969-12-31T23:59:59Z\",null,null]");
}

static void test_big_document(void **state)
{
    FX;
    jw *w = &f->w;
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (int i = 0; i < 5000; i++) {
        jw_obj_begin(w);
        jw_kint(w, "id", i);
        jw_kstr(w, "name", "Caf\xc3\xa9 \"Cup\"\t#");
        jw_key(w, "score");
        jw_double(w, i * 0.25);
        jw_ktime(w, "at", 1700000000 + i, i % 2 == 0);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_knull(w, "next_cursor");
    jw_obj_end(w);
    assert_true(jw_ok(w));
    assert_true(json_valid(f->b.data, f->b.len));
    assert_int_equal(strlen(f->b.data), f->b.len);
    assert_non_null(strstr(f->b.data, "{\"id\":4999,\"name\":\"Caf\xc3\xa9 \\\"Cup\\\"\\t#\","
                                      "\"score\":1249.75,\"at\":null}"));
}

static void test_validator_sanity(void **state)
{
    (void)state;
    /* The oracle itself must refuse what the writer must never produce. */
    assert_true(json_valid("{\"a\":[1,2.5e-3,true,null,\"x\"]}", 30));
    assert_false(json_valid("inf", 3));
    assert_false(json_valid("nan", 3));
    assert_false(json_valid("01", 2));
    assert_false(json_valid("1.", 2));
    assert_false(json_valid("[1,]", 4));
    assert_false(json_valid("{\"a\"}", 5));
    assert_false(json_valid("\"\x01\"", 3));
    assert_false(json_valid("\"\xff\"", 3));
    assert_false(json_valid("1 2", 3));
    assert_false(json_valid("", 0));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validator_sanity),
        T(test_empty_containers),
        T(test_nested_document),
        T(test_scalar_roots),
        T(test_raw),
        T(test_max_depth),
        T(test_misuse),
        T(test_error_is_sticky),
        T(test_oom_fails_document),
        T(test_escape_each_byte),
        T(test_escape_appends),
        T(test_utf8_valid_passes),
        T(test_utf8_invalid_replaced),
        T(test_escape_all_two_byte_strings),
        T(test_escape_special_at_every_offset),
        T(test_escape_random),
        T(test_keys_escaped),
        T(test_double),
        T(test_double_not_finite),
        T(test_int_extremes),
        T(test_time),
        T(test_big_document),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
