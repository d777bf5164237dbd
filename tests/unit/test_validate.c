/* test_validate.c: unit tests of the shared field rules and the UTF-8 length count.
 *
 * utf8_length is checked exhaustively over every 1-, 2- and 3-byte input against a
 * decoder written here by bit arithmetic from RFC 3629. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/validate.h"

static size_t ref_seq_len(const unsigned char *s, size_t n)
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

static size_t ref_length(const unsigned char *s, size_t n)
{
    size_t count = 0, i = 0;
    while (i < n) {
        size_t len = ref_seq_len(s + i, n - i);
        if (!len) return SIZE_MAX;
        i += len;
        count++;
    }
    return count;
}

static void test_utf8_length_known(void **state)
{
    (void)state;
    assert_int_equal(utf8_length("", 0), 0);
    assert_int_equal(utf8_length(NULL, 0), 0);
    assert_int_equal(utf8_length(NULL, 3), SIZE_MAX);
    assert_int_equal(utf8_length("abc", 3), 3);
    assert_int_equal(utf8_length("abc", 2), 2);
    assert_int_equal(utf8_length("a\0b", 3), 3); /* NUL is a code point */
    assert_int_equal(utf8_length("caf\xc3\xa9", 5), 4);
    assert_int_equal(utf8_length("\xe6\x97\xa5\xe6\x9c\xac", 6), 2);
    assert_int_equal(utf8_length("\xf0\x9f\x8f\x86!", 5), 2);
    assert_int_equal(utf8_length("\xf4\x8f\xbf\xbf", 4), 1);   /* U+10FFFF */
    assert_int_equal(utf8_length("\xef\xbf\xbf", 3), 1);       /* U+FFFF */
    assert_int_equal(utf8_length("\xed\x9f\xbf", 3), 1);       /* U+D7FF */
    assert_int_equal(utf8_length("\xee\x80\x80", 3), 1);       /* U+E000 */
    assert_int_equal(utf8_length("caf\xc3\xa9", 4), SIZE_MAX); /* cut inside a char */
    static const char *const bad[] = {
        "\x80",
        "\xbf",
        "\xc0\x80",
        "\xc1\xbf",
        "\xe0\x80\x80",
        "\xe0\x9f\xbf",
        "\xf0\x80\x80\x80",
        "\xf0\x8f\xbf\xbf",
        "\xed\xa0\x80",
        "\xed\xbf\xbf",
        "\xf4\x90\x80\x80",
        "\xf5\x80\x80\x80",
        "\xf8\x88\x80\x80\x80",
        "\xfc\x84\x80\x80\x80\x80",
        "\xfe",
        "\xff",
        "\xc3",
        "\xe2\x82",
        "\xf0\x9f\x8f",
        "\xc3\x28",
        "\xe2\x28\xa1",
        "\xe2\x82\x28",
        "a\xc3\xa9\xa9",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(utf8_length(bad[i], strlen(bad[i])), SIZE_MAX);
}

static void test_utf8_length_exhaustive(void **state)
{
    (void)state;
    unsigned char s[4];
    for (unsigned x = 0; x < 256; x++) {
        s[0] = (unsigned char)x;
        assert_int_equal(utf8_length((char *)s, 1), ref_length(s, 1));
        for (unsigned y = 0; y < 256; y++) {
            s[1] = (unsigned char)y;
            assert_int_equal(utf8_length((char *)s, 2), ref_length(s, 2));
            for (unsigned z = 0; z < 256; z++) {
                s[2] = (unsigned char)z;
                size_t got = utf8_length((char *)s, 3);
                if (got != ref_length(s, 3)) fail_msg("%02x %02x %02x: got %zu", x, y, z, got);
            }
        }
    }
    /* 4-byte inputs: every lead byte from 0xe0 with a sample of the rest. */
    for (unsigned x = 0xe0; x < 256; x++) {
        for (unsigned y = 0x70; y < 0xd0; y++) {
            for (unsigned z = 0x70; z < 0xd0; z += 5) {
                for (unsigned w = 0x70; w < 0xd0; w += 7) {
                    s[0] = (unsigned char)x;
                    s[1] = (unsigned char)y;
                    s[2] = (unsigned char)z;
                    s[3] = (unsigned char)w;
                    assert_int_equal(utf8_length((char *)s, 4), ref_length(s, 4));
                }
            }
        }
    }
}

static void test_username(void **state)
{
    (void)state;
    assert_true(validate_username("abc"));
    assert_true(validate_username("alice_99"));
    assert_true(validate_username("bob-the-builder"));
    assert_true(validate_username("___"));
    assert_true(validate_username("0123456789abcdefghijklmnopqrstuv"));   /* 32 */
    assert_false(validate_username("0123456789abcdefghijklmnopqrstuvw")); /* 33 */
    assert_false(validate_username(NULL));
    assert_false(validate_username(""));
    assert_false(validate_username("ab"));
    assert_false(validate_username("Alice"));
    assert_false(validate_username("al ice"));
    assert_false(validate_username("al.ice"));
    assert_false(validate_username("al@ice"));
    assert_false(validate_username("alic\xc3\xa9"));
    assert_false(validate_username("alice\n"));
    for (int c = 1; c < 256; c++) {
        char s[5] = {'a', 'b', (char)c, 'c', '\0'};
        bool want = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        assert_int_equal(validate_username(s), want);
    }
}

static void test_game_slug(void **state)
{
    (void)state;
    assert_true(validate_game_slug("cs"));
    assert_true(validate_game_slug("league-of-legends"));
    assert_true(validate_game_slug("2048"));
    char s[70];
    memset(s, 'g', sizeof s);
    s[64] = '\0';
    assert_true(validate_game_slug(s));
    s[64] = 'g';
    s[65] = '\0';
    assert_false(validate_game_slug(s));
    assert_false(validate_game_slug(NULL));
    assert_false(validate_game_slug(""));
    assert_false(validate_game_slug("c"));
    assert_false(validate_game_slug("c_s"));
    assert_false(validate_game_slug("CS"));
    assert_false(validate_game_slug("c s"));
}

static void test_password(void **state)
{
    (void)state;
    assert_true(validate_password("12345678"));
    assert_true(validate_password("correct horse battery staple"));
    assert_false(validate_password("1234567"));
    assert_false(validate_password(""));
    assert_false(validate_password(NULL));
    /* Characters, not bytes: 7 two-byte characters are too few, 8 are enough. */
    assert_false(validate_password("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"));
    assert_true(
        validate_password("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"));
    assert_false(validate_password("\xf0\x9f\x94\x91\xf0\x9f\x94\x91\xf0\x9f\x94\x91"
                                   "\xf0\x9f\x94\x91")); /* 4 characters, 16 bytes */
    /* Invalid UTF-8 is refused. */
    assert_false(validate_password("abcdefgh\xff"));
    assert_false(validate_password("abcdefgh\xed\xa0\x80"));
    /* Up to 1024 bytes. */
    char *p = malloc(2000);
    assert_non_null(p);
    memset(p, 'p', 1024);
    p[1024] = '\0';
    assert_true(validate_password(p));
    p[1024] = 'p';
    p[1025] = '\0';
    assert_false(validate_password(p));
    memset(p, 'p', 1999);
    p[1999] = '\0';
    assert_false(validate_password(p));
    /* 1024 bytes of 4-byte characters: 256 characters, fine. */
    for (int i = 0; i < 256; i++) memcpy(p + i * 4, "\xf0\x9f\x94\x91", 4);
    p[1024] = '\0';
    assert_true(validate_password(p));
    free(p);
}

static void test_text(void **state)
{
    (void)state;
    assert_true(validate_text("Spring Cup", 1, 200));
    assert_true(validate_text("x", 1, 1));
    assert_false(validate_text("xy", 1, 1));
    assert_false(validate_text("", 1, 200));
    assert_true(validate_text("", 0, 200));
    assert_false(validate_text(NULL, 0, 200));
    /* Counted in code points. */
    assert_true(validate_text("\xe6\x97\xa5\xe6\x9c\xac", 2, 2));
    assert_false(validate_text("\xe6\x97\xa5\xe6\x9c\xac", 3, 10));
    assert_true(validate_text("\xf0\x9f\x8f\x86", 1, 1));
    /* Control characters are refused, including tab, newline and DEL. */
    assert_false(validate_text("a\nb", 1, 10));
    assert_false(validate_text("a\tb", 1, 10));
    assert_false(validate_text("a\rb", 1, 10));
    assert_false(validate_text("\x01", 1, 10));
    assert_false(validate_text("\x1f", 1, 10));
    assert_false(validate_text("a\x7f", 1, 10));
    assert_true(validate_text("a\x20~", 1, 10));
    for (int c = 1; c < 0x80; c++) {
        char s[3] = {'a', (char)c, '\0'};
        assert_int_equal(validate_text(s, 1, 10), c >= 0x20 && c != 0x7f);
    }
    /* C1 controls (U+0080..U+009F) are not in the refused set. */
    assert_true(validate_text("\xc2\x85", 1, 10));
    /* Invalid UTF-8. */
    assert_false(validate_text("caf\xe9", 1, 10));
    assert_false(validate_text("\xc0\xaf", 1, 10));
    assert_false(validate_text("\xed\xa0\x80", 1, 10));
    assert_false(validate_text("\xf4\x90\x80\x80", 1, 10));
    assert_false(validate_text("abc\xe2\x82", 1, 10));
    /* Length boundaries. */
    char s[300];
    memset(s, 'n', 200);
    s[200] = '\0';
    assert_true(validate_text(s, 1, 200));
    s[200] = 'n';
    s[201] = '\0';
    assert_false(validate_text(s, 1, 200));
    assert_true(validate_text(s, 201, 201));
    assert_false(validate_text(s, 202, 300));
}

static void test_email(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "a@b.c",
        "alice@example.com",
        "first.last+tag@mail.example.org",
        "x_y-z@sub.domain.co.uk",
        "\xc3\xa9@b\xc3\xa9.fr",
        "1@2.3",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        if (!validate_email(ok[i])) fail_msg("refused %s", ok[i]);
    }
    static const char *const bad[] = {
        "",        "plain",   "@example.com", "alice@",   "alice@example", "a@@b.c",   "a@b@c.d",
        "a b@c.d", "a@b c.d", "a@b.c ",       " a@b.c",   "a\t@b.c",       "a@b.c\n",  "a@.com",
        "a@com.",  "a@.",     "a@b.",         "a@\x7f.c", "\xff@b.c",      "a@\xc3.c",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (validate_email(bad[i])) fail_msg("accepted \"%s\"", bad[i]);
    }
    assert_false(validate_email(NULL));
    /* At most 254 bytes. */
    char s[300];
    memset(s, 'l', sizeof s);
    memcpy(s + 254 - 6, "@ab.cd", 7); /* 254 bytes total */
    assert_int_equal(strlen(s), 254);
    assert_true(validate_email(s));
    memset(s, 'l', sizeof s);
    memcpy(s + 255 - 6, "@ab.cd", 7);
    assert_int_equal(strlen(s), 255);
    assert_false(validate_email(s));
}

static void test_currency(void **state)
{
    (void)state;
    assert_true(validate_currency("USD"));
    assert_true(validate_currency("EUR"));
    assert_true(validate_currency("AAA"));
    assert_true(validate_currency("ZZZ"));
    assert_false(validate_currency(NULL));
    assert_false(validate_currency(""));
    assert_false(validate_currency("US"));
    assert_false(validate_currency("USDT"));
    assert_false(validate_currency("usd"));
    assert_false(validate_currency("Usd"));
    assert_false(validate_currency("US1"));
    assert_false(validate_currency("U D"));
    assert_false(validate_currency("US\xc3\x90"));
    assert_false(validate_currency("@[`"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_length_known),
        cmocka_unit_test(test_utf8_length_exhaustive),
        cmocka_unit_test(test_username),
        cmocka_unit_test(test_game_slug),
        cmocka_unit_test(test_password),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_email),
        cmocka_unit_test(test_currency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
