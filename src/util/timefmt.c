/* timefmt.c: RFC 3339 text <-> unix seconds, and the two clocks.
 *
 * Every time in a response goes through time_format, so it avoids gmtime_r and
 * strftime (locale and timezone state, a lock in some libcs) and computes the civil
 * date with Howard Hinnant's days_from_civil / civil_from_days, which are exact for
 * the proleptic Gregorian calendar over any int64 day count we allow. Parsing is
 * strict: exact field widths, real calendar days, and the whole input consumed. */
#include "util/timefmt.h"

#include <time.h>

#define SECS_PER_DAY 86400
/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z */
#define TIME_MIN_SECS (-62167219200LL)
#define TIME_MAX_SECS 253402300799LL

/* Days since 1970-01-01 of y-m-d (m 1..12, d 1..31). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);                       /* [0, 399] */
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);                          /* [0, 146096] */
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    unsigned mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void put2(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

bool time_format(int64_t t, char out[TIME_RFC3339_LEN + 1])
{
    if (t < TIME_MIN_SECS || t > TIME_MAX_SECS) {
        out[0] = '\0';
        return false;
    }
    int64_t days = t / SECS_PER_DAY;
    int64_t rem = t % SECS_PER_DAY;
    if (rem < 0) {
        rem += SECS_PER_DAY;
        days--;
    }
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    unsigned secs = (unsigned)rem;
    unsigned yy = (unsigned)y;
    put2(out, yy / 100);
    put2(out + 2, yy % 100);
    out[4] = '-';
    put2(out + 5, m);
    out[7] = '-';
    put2(out + 8, d);
    out[10] = 'T';
    put2(out + 11, secs / 3600);
    out[13] = ':';
    put2(out + 14, secs / 60 % 60);
    out[16] = ':';
    put2(out + 17, secs % 60);
    out[19] = 'Z';
    out[20] = '\0';
    return true;
}

/* Reads exactly `w` digits at s; false when any is not a digit. */
static bool digits(const char *s, int w, unsigned *v)
{
    unsigned r = 0;
    for (int i = 0; i < w; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < '0' || c > '9') return false;
        r = r * 10 + (unsigned)(c - '0');
    }
    *v = r;
    return true;
}

static bool is_leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(unsigned y, unsigned m)
{
    static const unsigned char mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : mdays[m - 1];
}

bool time_parse(const char *s, size_t n, int64_t *unix_seconds)
{
    /* "YYYY-MM-DDTHH:MM:SS" then at least "Z" */
    if (!s || n < 20) return false;
    unsigned y, mo, d, h, mi, se;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return false;
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
    if (!digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
        !digits(s + 17, 2, &se))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo)) return false;
    if (h > 23 || mi > 59 || se > 60) return false;
    if (se == 60) se = 59;

    size_t i = 19;
    if (s[i] == '.') {
        size_t start = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == start) return false;
    }
    if (i >= n) return false;
    int64_t offset = 0;
    if (s[i] == 'Z' || s[i] == 'z') {
        i++;
    } else if (s[i] == '+' || s[i] == '-') {
        unsigned oh, om;
        if (n - i < 6 || !digits(s + i + 1, 2, &oh) || s[i + 3] != ':' ||
            !digits(s + i + 4, 2, &om))
            return false;
        if (oh > 23 || om > 59) return false;
        offset = (int64_t)(oh * 3600 + om * 60);
        if (s[i] == '-') offset = -offset;
        i += 6;
    } else {
        return false;
    }
    if (i != n) return false;

    int64_t days = days_from_civil(y, mo, d);
    *unix_seconds = days * SECS_PER_DAY + (int64_t)(h * 3600 + mi * 60 + se) - offset;
    return true;
}

int64_t time_now(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return (int64_t)time(NULL);
    return (int64_t)ts.tv_sec;
}

uint64_t time_mono_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
