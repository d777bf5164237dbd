/* validate.c: the field rules of API.md shared by every handler.
 *
 * Pure predicates over NUL-terminated strings (NULL is never valid), so a handler
 * states a rule in one call and the 400 it answers names the same rule everywhere.
 * The UTF-8 decoder here is strict RFC 3629 (no overlongs, surrogates or code points
 * above U+10FFFF), the same acceptance as the JSON writer's, and it is what "characters"
 * means in every length limit: code points, not bytes. */
#include "core/validate.h"

#include <stdint.h>
#include <string.h>

/* Decodes one code point at s[0..avail) (s[0] >= 0x80); returns its byte length and
 * sets *cp, or returns 0 when the sequence is malformed. */
static size_t utf8_decode(const unsigned char *s, size_t avail, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c >= 0xc2 && c <= 0xdf) {
        if (avail < 2 || (s[1] & 0xc0) != 0x80) return 0;
        *cp = (uint32_t)(c & 0x1f) << 6 | (s[1] & 0x3f);
        return 2;
    }
    if (c >= 0xe0 && c <= 0xef) {
        if (avail < 3) return 0;
        unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
        if (s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80) return 0;
        *cp = (uint32_t)(c & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (avail < 4) return 0;
        unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
        if (s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80) return 0;
        *cp = (uint32_t)(c & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
              (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
        return 4;
    }
    return 0;
}

/* Counts code points of s[0..n); SIZE_MAX when invalid, or when `no_controls` and a
 * control character (U+0000..U+001F, U+007F) occurs. */
static size_t utf8_count(const unsigned char *s, size_t n, bool no_controls)
{
    size_t count = 0, i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            if (no_controls && (c < 0x20 || c == 0x7f)) return SIZE_MAX;
            i++;
        } else {
            uint32_t cp;
            size_t len = utf8_decode(s + i, n - i, &cp);
            if (len == 0) return SIZE_MAX;
            i += len;
        }
        count++;
    }
    return count;
}

size_t utf8_length(const char *s, size_t n)
{
    if (!s) return n == 0 ? 0 : SIZE_MAX;
    return utf8_count((const unsigned char *)s, n, false);
}

/* True when s is made of [a-z0-9-] (plus '_' when `underscore`), min..max bytes. */
static bool slug_like(const char *s, size_t min, size_t max, bool underscore)
{
    if (!s) return false;
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (n >= max) return false;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              (underscore && c == '_')))
            return false;
    }
    return n >= min;
}

bool validate_username(const char *s)
{
    return slug_like(s, 3, 32, true);
}

bool validate_game_slug(const char *s)
{
    return slug_like(s, 2, 64, false);
}

bool validate_password(const char *s)
{
    if (!s) return false;
    size_t n = strnlen(s, 1025);
    if (n > 1024) return false;
    size_t chars = utf8_length(s, n);
    return chars != SIZE_MAX && chars >= 8;
}

bool validate_text(const char *s, size_t min_chars, size_t max_chars)
{
    if (!s) return false;
    size_t chars = utf8_count((const unsigned char *)s, strlen(s), true);
    return chars != SIZE_MAX && chars >= min_chars && chars <= max_chars;
}

bool validate_email(const char *s)
{
    if (!s) return false;
    size_t n = strnlen(s, 255);
    if (n > 254) return false;
    const char *at = memchr(s, '@', n);
    if (!at || memchr(at + 1, '@', n - (size_t)(at - s) - 1)) return false;
    size_t local = (size_t)(at - s);
    const char *dom = at + 1;
    size_t dn = n - local - 1;
    if (local == 0 || dn < 3) return false;
    /* The domain needs a dot with something on both sides. */
    const char *dot = memchr(dom + 1, '.', dn - 2);
    if (!dot || dom[0] == '.' || dom[dn - 1] == '.') return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7f) return false; /* spaces and control characters */
    }
    return utf8_length(s, n) != SIZE_MAX;
}

bool validate_currency(const char *s)
{
    if (!s) return false;
    for (int i = 0; i < 3; i++) {
        if (s[i] < 'A' || s[i] > 'Z') return false;
    }
    return s[3] == '\0';
}
