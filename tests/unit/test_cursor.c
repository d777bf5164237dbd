/* test_cursor.c: unit tests of keyset-pagination cursors: round trips and strict
 * refusal of anything cursor_encode would not have written. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/cursor.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Test-side base64url (no padding), to forge payloads. */
static void b64url(const void *data, size_t n, char *out)
{
    const unsigned char *p = data;
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        unsigned long w = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 | p[i + 2];
        out[o++] = alphabet[w >> 18 & 63];
        out[o++] = alphabet[w >> 12 & 63];
        out[o++] = alphabet[w >> 6 & 63];
        out[o++] = alphabet[w & 63];
    }
    if (n - i == 1) {
        unsigned long w = (unsigned long)p[i] << 16;
        out[o++] = alphabet[w >> 18 & 63];
        out[o++] = alphabet[w >> 12 & 63];
    } else if (n - i == 2) {
        unsigned long w = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8;
        out[o++] = alphabet[w >> 18 & 63];
        out[o++] = alphabet[w >> 12 & 63];
        out[o++] = alphabet[w >> 6 & 63];
    }
    out[o] = '\0';
}

static bool decode_raw(const char *payload, size_t n, char kind, int64_t *vals, int count)
{
    char text[512];
    b64url(payload, n, text);
    return cursor_decode(text, kind, vals, count);
}

static bool decode_payload(const char *payload, char kind, int64_t *vals, int count)
{
    return decode_raw(payload, strlen(payload), kind, vals, count);
}

static void roundtrip(char kind, const int64_t *vals, int n)
{
    char out[CURSOR_MAX_LEN + 1];
    size_t len = cursor_encode(kind, vals, n, out);
    assert_true(len > 0);
    assert_int_equal(strlen(out), len);
    assert_true(len <= CURSOR_MAX_LEN);
    for (size_t i = 0; i < len; i++) assert_non_null(strchr(alphabet, out[i]));
    int64_t back[CURSOR_MAX_VALS] = {0};
    assert_true(cursor_decode(out, kind, back, n));
    assert_memory_equal(back, vals, sizeof(int64_t) * (size_t)n);
}

static void test_format_is_documented(void **state)
{
    (void)state;
    char out[CURSOR_MAX_LEN + 1], want[64];
    int64_t v[2] = {1795365000, 42};
    cursor_encode('t', v, 2, out);
    b64url("t1:1795365000:42", 16, want);
    assert_string_equal(out, want);
    int64_t m = -7;
    cursor_encode('r', &m, 1, out);
    b64url("r1:-7", 5, want);
    assert_string_equal(out, want);
}

static void test_roundtrip(void **state)
{
    (void)state;
    static const int64_t interesting[] = {
        0,
        1,
        -1,
        9,
        10,
        -10,
        99,
        100,
        1795365000,
        -1795365000,
        INT32_MAX,
        INT32_MIN,
        (int64_t)INT32_MAX + 1,
        INT64_MAX,
        INT64_MIN,
        INT64_MAX - 1,
        INT64_MIN + 1,
        1000000000000000000LL,
        -999999999999999999LL,
    };
    size_t ni = sizeof interesting / sizeof interesting[0];
    for (int n = 1; n <= CURSOR_MAX_VALS; n++) {
        for (size_t i = 0; i < ni; i++) {
            int64_t v[CURSOR_MAX_VALS];
            for (int k = 0; k < n; k++) v[k] = interesting[(i + (size_t)k * 7) % ni];
            roundtrip('t', v, n);
            roundtrip('Z', v, n);
        }
    }
    /* The longest possible cursor fits. */
    int64_t longest[CURSOR_MAX_VALS] = {INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN};
    roundtrip('a', longest, CURSOR_MAX_VALS);
    uint64_t x = 0x2545f4914f6cdd1dull;
    for (int i = 0; i < 20000; i++) {
        int64_t v[CURSOR_MAX_VALS];
        for (int k = 0; k < CURSOR_MAX_VALS; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            v[k] = (int64_t)(x >> (x & 63));
            if ((x & 64) && v[k] != INT64_MIN) v[k] = -v[k];
        }
        roundtrip((char)('a' + i % 26), v, i % CURSOR_MAX_VALS + 1);
    }
}

static void test_wrong_kind_and_count(void **state)
{
    (void)state;
    char out[CURSOR_MAX_LEN + 1];
    int64_t v[CURSOR_MAX_VALS] = {5, 6, 7, 8};
    int64_t back[CURSOR_MAX_VALS];
    for (int n = 1; n <= CURSOR_MAX_VALS; n++) {
        cursor_encode('t', v, n, out);
        assert_false(cursor_decode(out, 'r', back, n));
        assert_false(cursor_decode(out, 'T', back, n));
        for (int m = 1; m <= CURSOR_MAX_VALS; m++) {
            memset(back, 0x77, sizeof back);
            bool ok = cursor_decode(out, 't', back, m);
            assert_int_equal(ok, m == n);
            if (!ok) {
                /* vals untouched on refusal */
                for (int k = 0; k < CURSOR_MAX_VALS; k++)
                    assert_int_equal(back[k], 0x7777777777777777LL);
            }
        }
        assert_false(cursor_decode(out, 't', back, 0));
        assert_false(cursor_decode(out, 't', back, -1));
        assert_false(cursor_decode(out, 't', back, CURSOR_MAX_VALS + 1));
        assert_false(cursor_decode(out, 't', NULL, n));
    }
}

static void test_encode_refuses(void **state)
{
    (void)state;
    char out[CURSOR_MAX_LEN + 1];
    int64_t v[CURSOR_MAX_VALS + 1] = {1, 2, 3, 4, 5};
    memset(out, 'x', sizeof out);
    assert_int_equal(cursor_encode('t', v, 0, out), 0);
    assert_string_equal(out, "");
    assert_int_equal(cursor_encode('t', v, CURSOR_MAX_VALS + 1, out), 0);
    assert_int_equal(cursor_encode('t', v, -3, out), 0);
    assert_int_equal(cursor_encode('t', NULL, 1, out), 0);
    assert_int_equal(cursor_encode(':', v, 1, out), 0);
    assert_int_equal(cursor_encode('1', v, 1, out), 0);
    assert_int_equal(cursor_encode('\0', v, 1, out), 0);
    assert_int_equal(cursor_encode((char)0xc3, v, 1, out), 0);
    assert_string_equal(out, "");
}

static void test_garbage(void **state)
{
    (void)state;
    int64_t v[CURSOR_MAX_VALS];
    static const char *const junk[] = {
        "",         "a",        "ab",        "abc",     "abcd",    "====",
        "dDE6NDI=", "dDE6NDI", /* last one is valid */
        "dDE6NDI ", " dDE6NDI", "dDE6N DI",  "dDE+NDI", "dDE/NDI", "dDE6NDI\n",
        "%74%31",   "null",     "undefined", "0",       "-1",      "t1:42",
    };
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        bool ok = cursor_decode(junk[i], 't', v, 1);
        if (strcmp(junk[i], "dDE6NDI") == 0) {
            assert_true(ok);
            assert_int_equal(v[0], 42);
        } else if (ok) {
            fail_msg("accepted \"%s\"", junk[i]);
        }
    }
    assert_false(cursor_decode(NULL, 't', v, 1));
    assert_false(cursor_decode("dDE6NDI", ':', v, 1));
}

static void test_noncanonical_payloads(void **state)
{
    (void)state;
    int64_t v[CURSOR_MAX_VALS] = {0};
    assert_true(decode_payload("t1:42", 't', v, 1));
    assert_int_equal(v[0], 42);
    assert_true(decode_payload("t1:-9223372036854775808", 't', v, 1));
    assert_int_equal(v[0], INT64_MIN);
    assert_true(decode_payload("t1:9223372036854775807:0", 't', v, 2));
    assert_int_equal(v[0], INT64_MAX);
    assert_int_equal(v[1], 0);
    static const char *const bad[] = {
        "t1:042",
        "t1:00",
        "t1:-0",
        "t1:+1",
        "t1: 1",
        "t1:1 ",
        "t1:",
        "t1",
        "t",
        "t2:1",
        "t0:1",
        "t1:1:",
        "t1::1",
        "t1:1:2",
        "t1;1",
        "t1:1a",
        "t1:0x10",
        "t1:1e3",
        "t1:--1",
        "t1:-",
        "T1:1",
        "tt:1",
        "1t:1",
        ":1:1",
        "t1:9223372036854775808",
        "t1:-9223372036854775809",
        "t1:99999999999999999999",
        "t1:18446744073709551616",
        "t1:1.5",
        "t01:1",
        "t1:1\n",
        "xt1:1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (decode_payload(bad[i], 't', v, 1)) fail_msg("accepted payload \"%s\"", bad[i]);
    }
    /* Bytes the text form cannot show: an embedded NUL and a non-ASCII digit. */
    assert_false(decode_raw("t1:1\0", 5, 't', v, 1));
    assert_false(decode_raw("t1:\0"
                            "1",
                            5, 't', v, 1));
    assert_false(decode_raw("t1:1\xff", 5, 't', v, 1));
    assert_false(decode_raw("t1:\xd9\xa1", 5, 't', v, 1));
}

static void test_trailing_bits_and_padding(void **state)
{
    (void)state;
    char out[CURSOR_MAX_LEN + 1];
    int64_t v = 42, back;
    size_t len = cursor_encode('t', &v, 1, out); /* "t1:42": 5 bytes, 7 chars */
    assert_int_equal(len, 7);
    assert_true(cursor_decode(out, 't', &back, 1));
    /* The last character carries 2 unused bits: setting them is not canonical. */
    const char *last = strchr(alphabet, out[6]);
    assert_non_null(last);
    int idx = (int)(last - alphabet);
    for (int low = 1; low < 4; low++) {
        char t[CURSOR_MAX_LEN + 1];
        strcpy(t, out);
        t[6] = alphabet[(idx & ~3) | low];
        assert_false(cursor_decode(t, 't', &back, 1));
    }
    /* Padding is not accepted. */
    char padded[CURSOR_MAX_LEN + 8];
    snprintf(padded, sizeof padded, "%s=", out);
    assert_false(cursor_decode(padded, 't', &back, 1));
    /* One more character decodes to an extra byte after the value. */
    snprintf(padded, sizeof padded, "%sA", out);
    assert_int_equal(strlen(padded) % 4, 0);
    assert_false(cursor_decode(padded, 't', &back, 1));
    /* A length of 4k+1 characters is never base64. */
    snprintf(padded, sizeof padded, "%sAA", out);
    assert_int_equal(strlen(padded) % 4, 1);
    assert_false(cursor_decode(padded, 't', &back, 1));
}

static void test_tampered(void **state)
{
    (void)state;
    /* Change each character to every other one: whatever decodes must be exactly what
     * cursor_encode writes for the decoded values (nothing non-canonical slips in). */
    int64_t v[3] = {1795365000, -42, 7};
    char out[CURSOR_MAX_LEN + 1];
    size_t len = cursor_encode('m', v, 3, out);
    int accepted = 0;
    for (size_t pos = 0; pos < len; pos++) {
        for (size_t a = 0; a < 64; a++) {
            if (alphabet[a] == out[pos]) continue;
            char t[CURSOR_MAX_LEN + 1];
            strcpy(t, out);
            t[pos] = alphabet[a];
            int64_t back[3];
            if (cursor_decode(t, 'm', back, 3)) {
                char again[CURSOR_MAX_LEN + 1];
                cursor_encode('m', back, 3, again);
                assert_string_equal(again, t);
                assert_memory_not_equal(back, v, sizeof v);
                accepted++;
            }
        }
        /* Dropping or duplicating a character. */
        char t[CURSOR_MAX_LEN + 2];
        memcpy(t, out, pos);
        strcpy(t + pos, out + pos + 1);
        int64_t back[3];
        if (cursor_decode(t, 'm', back, 3)) {
            char again[CURSOR_MAX_LEN + 1];
            cursor_encode('m', back, 3, again);
            assert_string_equal(again, t);
        }
    }
    /* Some single-character edits only change a digit: those are valid cursors. */
    assert_true(accepted > 0);
}

static void test_overlong(void **state)
{
    (void)state;
    int64_t v[CURSOR_MAX_VALS];
    char s[CURSOR_MAX_LEN + 64];
    /* A valid payload padded with zeros in the values beyond 128 characters. */
    char payload[200];
    int pn = snprintf(payload, sizeof payload, "t1:%0100d", 1);
    assert_true(pn > 0);
    b64url(payload, (size_t)pn, s);
    assert_true(strlen(s) > CURSOR_MAX_LEN);
    assert_false(cursor_decode(s, 't', v, 1));
    /* Exactly CURSOR_MAX_LEN and CURSOR_MAX_LEN + 1 characters of junk. */
    memset(s, 'A', sizeof s);
    s[CURSOR_MAX_LEN] = '\0';
    assert_false(cursor_decode(s, 't', v, 1));
    s[CURSOR_MAX_LEN] = 'A';
    s[CURSOR_MAX_LEN + 1] = '\0';
    assert_false(cursor_decode(s, 't', v, 1));
    /* A huge string is refused without reading it all. */
    size_t hn = 1 << 16;
    char *huge = malloc(hn);
    assert_non_null(huge);
    memset(huge, 'd', hn - 1);
    huge[hn - 1] = '\0';
    assert_false(cursor_decode(huge, 't', v, 1));
    free(huge);
    /* Five values in a kind that expects four. */
    assert_false(decode_payload("t1:1:2:3:4:5", 't', v, 4));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_is_documented),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_wrong_kind_and_count),
        cmocka_unit_test(test_encode_refuses),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_noncanonical_payloads),
        cmocka_unit_test(test_trailing_bits_and_padding),
        cmocka_unit_test(test_tampered),
        cmocka_unit_test(test_overlong),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
