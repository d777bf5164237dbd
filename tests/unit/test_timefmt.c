/* test_timefmt.c: unit tests of RFC 3339 formatting and parsing and the clocks.
 *
 * libc's gmtime_r serves as the independent oracle for the calendar arithmetic. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "util/timefmt.h"

#define T_MIN (-62167219200LL) /* 0000-01-01T00:00:00Z */
#define T_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */

static void expect_format(int64_t t, const char *want)
{
    char out[TIME_RFC3339_LEN + 1];
    assert_true(time_format(t, out));
    assert_string_equal(out, want);
}

static bool parse(const char *s, int64_t *t)
{
    return time_parse(s, strlen(s), t);
}

static void expect_parse(const char *s, int64_t want)
{
    int64_t t = 0x5a5a5a5a;
    assert_true(parse(s, &t));
    assert_int_equal(t, want);
}

static void expect_reject(const char *s)
{
    int64_t t = 0x5a5a5a5a;
    if (parse(s, &t)) fail_msg("accepted \"%s\"", s);
    assert_int_equal(t, 0x5a5a5a5a); /* untouched on failure */
}

static void test_format_known(void **state)
{
    (void)state;
    expect_format(0, "1970-01-01T00:00:00Z");
    expect_format(-1, "1969-12-31T23:59:59Z");
    expect_format(1, "1970-01-01T00:00:01Z");
    expect_format(86399, "1970-01-01T23:59:59Z");
    expect_format(86400, "1970-01-02T00:00:00Z");
    expect_format(951782400, "2000-02-29T00:00:00Z");
    expect_format(951868800, "2000-03-01T00:00:00Z");
    expect_format(1700000000, "2023-11-14T22:13:20Z");
    expect_format(1795365000, "2026-11-22T16:30:00Z");
    expect_format(1709164800, "2024-02-29T00:00:00Z");
    expect_format(4107456000LL, "2100-02-28T00:00:00Z");
    expect_format(4107542400LL, "2100-03-01T00:00:00Z");
    expect_format(-2208988800LL, "1900-01-01T00:00:00Z");
    expect_format(2147483647LL, "2038-01-19T03:14:07Z");
    expect_format(2147483648LL, "2038-01-19T03:14:08Z");
    expect_format(T_MIN, "0000-01-01T00:00:00Z");
    expect_format(T_MAX, "9999-12-31T23:59:59Z");
    expect_format(-62162035201LL, "0000-02-29T23:59:59Z"); /* year 0 is a leap year */
}

static void test_format_out_of_range(void **state)
{
    (void)state;
    char out[TIME_RFC3339_LEN + 1];
    int64_t bad[] = {T_MIN - 1, T_MAX + 1, INT64_MIN, INT64_MAX, -100000000000000LL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(out, 'x', sizeof out);
        assert_false(time_format(bad[i], out));
        assert_string_equal(out, "");
    }
}

static void check_against_gmtime(int64_t t)
{
    char out[TIME_RFC3339_LEN + 1];
    assert_true(time_format(t, out));
    time_t tt = (time_t)t;
    struct tm tm;
    assert_non_null(gmtime_r(&tt, &tm));
    char want[64];
    int n = snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    assert_int_equal(n, TIME_RFC3339_LEN);
    assert_string_equal(out, want);
}

static void test_format_matches_gmtime(void **state)
{
    (void)state;
    /* A prime step walks every hour, minute, day and year across the whole range. */
    for (int64_t t = T_MIN; t <= T_MAX; t += 7919LL * 1013) check_against_gmtime(t);
    /* Every day boundary of 1999..2001 and around 1970, with neighbours. */
    for (int64_t d = -800; d < 800; d++) {
        check_against_gmtime(d * 86400);
        check_against_gmtime(d * 86400 - 1);
    }
    for (int64_t d = 10592; d < 11688; d++) {
        check_against_gmtime(d * 86400);
        check_against_gmtime(d * 86400 + 86399);
    }
    check_against_gmtime(T_MIN);
    check_against_gmtime(T_MAX);
}

static void test_roundtrip(void **state)
{
    (void)state;
    char out[TIME_RFC3339_LEN + 1];
    int64_t back;
    for (int64_t t = T_MIN; t <= T_MAX; t += 999983LL * 7) {
        assert_true(time_format(t, out));
        assert_true(time_parse(out, TIME_RFC3339_LEN, &back));
        assert_int_equal(back, t);
    }
    for (int64_t t = -100000; t <= 100000; t += 37) {
        assert_true(time_format(t, out));
        assert_true(time_parse(out, TIME_RFC3339_LEN, &back));
        assert_int_equal(back, t);
    }
    int64_t edges[] = {T_MIN, T_MIN + 1, T_MAX, T_MAX - 1, 0, -1, 951782400};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        assert_true(time_format(edges[i], out));
        assert_true(time_parse(out, TIME_RFC3339_LEN, &back));
        assert_int_equal(back, edges[i]);
    }
}

static void test_parse_against_timegm(void **state)
{
    (void)state;
    /* Random-ish civil times, checked with timegm. */
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int y = (int)(x % 10000), mo = (int)((x >> 16) % 12) + 1, d = (int)((x >> 24) % 28) + 1;
        int h = (int)((x >> 32) % 24), mi = (int)((x >> 40) % 60), s = (int)((x >> 48) % 60);
        char str[64];
        int len = snprintf(str, sizeof str, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
        assert_int_equal(len, TIME_RFC3339_LEN);
        struct tm tm = {.tm_year = y - 1900,
                        .tm_mon = mo - 1,
                        .tm_mday = d,
                        .tm_hour = h,
                        .tm_min = mi,
                        .tm_sec = s};
        time_t want = timegm(&tm);
        int64_t got;
        assert_true(parse(str, &got));
        assert_int_equal(got, (int64_t)want);
    }
}

static void test_parse_forms(void **state)
{
    (void)state;
    expect_parse("2026-11-22T16:30:00Z", 1795365000);
    expect_parse("2026-11-22t16:30:00z", 1795365000);
    expect_parse("2026-11-22 16:30:00Z", 1795365000);
    expect_parse("2026-11-22T16:30:00+00:00", 1795365000);
    expect_parse("2026-11-22T16:30:00-00:00", 1795365000);
    expect_parse("2026-11-22T22:00:00+05:30", 1795365000);
    expect_parse("2026-11-22T08:30:00-08:00", 1795365000);
    expect_parse("2026-11-23T16:29:00+23:59", 1795365000);
    expect_parse("2026-11-21T16:31:00-23:59", 1795365000);
    expect_parse("2026-11-23T01:30:00+09:00", 1795365000); /* crosses a day */
    expect_parse("2027-01-01T00:00:00+01:00", 1798761600 - 3600);
    expect_parse("1970-01-01T00:00:00Z", 0);
    expect_parse("1969-12-31T23:59:59Z", -1);
    expect_parse("0000-01-01T00:00:00Z", T_MIN);
    expect_parse("9999-12-31T23:59:59Z", T_MAX);
    expect_parse("9999-12-31T23:59:59-01:00", T_MAX + 3600);
}

static void test_parse_fractions(void **state)
{
    (void)state;
    expect_parse("2026-11-22T16:30:00.5Z", 1795365000);
    expect_parse("2026-11-22T16:30:00.999999999Z", 1795365000);
    expect_parse("2026-11-22T16:30:00.000Z", 1795365000);
    expect_parse("2026-11-22T16:30:00.123456789012345678901234567890Z", 1795365000);
    expect_parse("2026-11-22T22:00:00.25+05:30", 1795365000);
    expect_parse("1969-12-31T23:59:59.9Z", -1); /* dropped, not rounded */
    expect_reject("2026-11-22T16:30:00.Z");
    expect_reject("2026-11-22T16:30:00.");
    expect_reject("2026-11-22T16:30:00,5Z");
    expect_reject("2026-11-22T16:30:00.5");
    expect_reject("2026-11-22T16:30:00.5.5Z");
    expect_reject("2026-11-22T16:30:00.-5Z");
}

static void test_parse_leap_years(void **state)
{
    (void)state;
    expect_parse("2000-02-29T00:00:00Z", 951782400);
    expect_parse("2024-02-29T00:00:00Z", 1709164800);
    expect_parse("1600-02-29T12:00:00Z", -11670955200LL);
    expect_parse("0000-02-29T23:59:59Z", -62162035201LL);
    expect_parse("2023-02-28T00:00:00Z", 1677542400);
    expect_reject("2023-02-29T00:00:00Z");
    expect_reject("1900-02-29T00:00:00Z");
    expect_reject("2100-02-29T00:00:00Z");
    expect_reject("2024-02-30T00:00:00Z");
    expect_reject("2001-02-29T00:00:00Z");
}

static void test_parse_field_ranges(void **state)
{
    (void)state;
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int m = 1; m <= 12; m++) {
        char s[32];
        int64_t t;
        snprintf(s, sizeof s, "2023-%02d-%02dT00:00:00Z", m, mdays[m - 1]);
        assert_true(parse(s, &t));
        snprintf(s, sizeof s, "2023-%02d-%02dT00:00:00Z", m, mdays[m - 1] + 1);
        expect_reject(s);
        snprintf(s, sizeof s, "2023-%02d-00T00:00:00Z", m);
        expect_reject(s);
    }
    expect_reject("2023-00-10T00:00:00Z");
    expect_reject("2023-13-10T00:00:00Z");
    expect_reject("2023-04-31T00:00:00Z");
    expect_reject("2023-01-32T00:00:00Z");
    expect_reject("2023-01-01T24:00:00Z");
    expect_reject("2023-01-01T23:60:00Z");
    expect_reject("2023-01-01T23:59:61Z");
    expect_reject("2023-01-01T99:00:00Z");
    expect_parse("2023-01-01T23:59:59Z", 1672617599);
    /* A leap second folds onto :59. */
    expect_parse("2016-12-31T23:59:60Z", 1483228799);
    expect_parse("2016-12-31T23:59:59Z", 1483228799);
    expect_parse("2017-01-01T08:59:60+09:00", 1483228799);
}

static void test_parse_offsets(void **state)
{
    (void)state;
    expect_reject("2026-11-22T16:30:00+24:00");
    expect_reject("2026-11-22T16:30:00+05:60");
    expect_reject("2026-11-22T16:30:00+0530");
    expect_reject("2026-11-22T16:30:00+5:30");
    expect_reject("2026-11-22T16:30:00+05:3");
    expect_reject("2026-11-22T16:30:00+05");
    expect_reject("2026-11-22T16:30:00+");
    expect_reject("2026-11-22T16:30:00+05:30Z");
    expect_reject("2026-11-22T16:30:00 +05:30");
    expect_reject("2026-11-22T16:30:00UTC");
    expect_reject("2026-11-22T16:30:00GMT");
    expect_reject("2026-11-22T16:30:00+05-30");
    expect_reject("2026-11-22T16:30:00*05:30");
}

static void test_parse_garbage(void **state)
{
    (void)state;
    int64_t t = 0;
    assert_false(time_parse(NULL, 0, &t));
    assert_false(time_parse("", 0, &t));
    expect_reject("");
    expect_reject("now");
    expect_reject("2026");
    expect_reject("2026-11-22");
    expect_reject("2026-11-22T16:30");
    expect_reject("2026-11-22T16:30Z");
    expect_reject("2026-11-22T16:30:00");
    expect_reject("2026-11-22X16:30:00Z");
    expect_reject("2026-11-22T16:30:00ZZ");
    expect_reject("2026-11-22T16:30:00Z ");
    expect_reject(" 2026-11-22T16:30:00Z");
    expect_reject("2026/11/22T16:30:00Z");
    expect_reject("26-11-22T16:30:00Z");
    expect_reject("+2026-11-22T16:30:00Z");
    expect_reject("-2026-11-22T16:30:00Z");
    expect_reject("12026-11-22T16:30:00Z");
    expect_reject("2026-1-22T16:30:00Z");
    expect_reject("2026-11-2T16:30:00Z");
    expect_reject("2026-11-22T6:30:00Z");
    expect_reject("2026-11-22T16:3:00Z");
    expect_reject("2026-11-22T16:30:0Z");
    expect_reject("2026-1a-22T16:30:00Z");
    expect_reject("2026-+1-22T16:30:00Z");
    expect_reject("2026-11-22T16:30:-1Z");
    expect_reject("2026-11-22T16-30-00Z");
    expect_reject("1795365000");
    expect_reject("2026-11-22T16:30:00\xef\xbc\xba"); /* fullwidth Z */
    /* n decides, not the NUL: a prefix is not enough, an embedded NUL is an error. */
    const char *s = "2026-11-22T16:30:00Zjunk";
    assert_true(time_parse(s, 20, &t));
    assert_int_equal(t, 1795365000);
    assert_false(time_parse(s, 19, &t));
    assert_false(time_parse(s, 21, &t));
    assert_false(time_parse("2026-11-22T16:30:00Z\0", 21, &t));
    assert_false(time_parse("2026-11-22T16:30:00\0Z", 21, &t));
    /* Every prefix of a valid offset time but the whole is refused. */
    const char *full = "2026-11-22T22:00:00.25+05:30";
    size_t n = strlen(full);
    for (size_t k = 0; k < n; k++) assert_false(time_parse(full, k, &t));
    assert_true(time_parse(full, n, &t));
}

static void test_clocks(void **state)
{
    (void)state;
    int64_t now = time_now();
    int64_t libc = (int64_t)time(NULL);
    assert_true(now >= libc - 1 && now <= libc + 1);
    assert_true(now > 1700000000); /* after 2023 */
    uint64_t a = time_mono_ns();
    uint64_t prev = a;
    for (int i = 0; i < 1000; i++) {
        uint64_t b = time_mono_ns();
        assert_true(b >= prev);
        prev = b;
    }
    struct timespec ts = {0, 2000000}; /* 2 ms */
    while (nanosleep(&ts, &ts) != 0) {
    }
    assert_true(time_mono_ns() - a >= 2000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_known),          cmocka_unit_test(test_format_out_of_range),
        cmocka_unit_test(test_format_matches_gmtime), cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_parse_against_timegm),  cmocka_unit_test(test_parse_forms),
        cmocka_unit_test(test_parse_fractions),       cmocka_unit_test(test_parse_leap_years),
        cmocka_unit_test(test_parse_field_ranges),    cmocka_unit_test(test_parse_offsets),
        cmocka_unit_test(test_parse_garbage),         cmocka_unit_test(test_clocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
