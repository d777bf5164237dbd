/* cursor.c: opaque keyset-pagination cursors.
 *
 * A cursor is base64url (no padding) of "<kind>1:<v1>:...:<vn>": the kind letter keeps
 * one list's cursor out of another, the '1' versions the layout, the values are the
 * sort key of the last row served. Nothing is secret (a client may forge a cursor, and
 * at worst pages from a position of its choice), but decoding is strict so that junk
 * is a clean 400 rather than a surprising page: the text must be canonical base64url,
 * the values canonical decimal int64s, and as a final guard the decoded cursor must
 * re-encode to exactly the input. */
#include "core/cursor.h"

#include <string.h>

#define CURSOR_VERSION '1'
/* "<kind>1" + n * (":" + 20 chars of INT64_MIN) */
#define CURSOR_MAX_RAW (2 + CURSOR_MAX_VALS * 21)

static const char b64url[64] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

_Static_assert((CURSOR_MAX_RAW * 4 + 2) / 3 <= CURSOR_MAX_LEN, "cursor text must fit");

static bool kind_valid(char kind)
{
    return (kind >= 'a' && kind <= 'z') || (kind >= 'A' && kind <= 'Z');
}

/* Writes the decimal form of v at p; returns its length. */
static size_t put_i64(char *p, int64_t v)
{
    char tmp[24];
    size_t n = 0;
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    size_t len = 0;
    if (v < 0) p[len++] = '-';
    while (n) p[len++] = tmp[--n];
    return len;
}

size_t cursor_encode(char kind, const int64_t *vals, int n, char out[CURSOR_MAX_LEN + 1])
{
    out[0] = '\0';
    if (!kind_valid(kind) || !vals || n < 1 || n > CURSOR_MAX_VALS) return 0;
    unsigned char raw[CURSOR_MAX_RAW];
    size_t rn = 0;
    raw[rn++] = (unsigned char)kind;
    raw[rn++] = CURSOR_VERSION;
    for (int i = 0; i < n; i++) {
        raw[rn++] = ':';
        rn += put_i64((char *)raw + rn, vals[i]);
    }
    size_t o = 0, i = 0;
    for (; i + 3 <= rn; i += 3) {
        uint32_t w = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 | raw[i + 2];
        out[o++] = b64url[w >> 18];
        out[o++] = b64url[w >> 12 & 63];
        out[o++] = b64url[w >> 6 & 63];
        out[o++] = b64url[w & 63];
    }
    if (rn - i == 1) {
        uint32_t w = (uint32_t)raw[i] << 16;
        out[o++] = b64url[w >> 18];
        out[o++] = b64url[w >> 12 & 63];
    } else if (rn - i == 2) {
        uint32_t w = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8;
        out[o++] = b64url[w >> 18];
        out[o++] = b64url[w >> 12 & 63];
        out[o++] = b64url[w >> 6 & 63];
    }
    out[o] = '\0';
    return o;
}

static int b64url_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

/* Decodes canonical unpadded base64url; returns the byte count or -1. */
static int b64url_decode(const char *s, size_t n, unsigned char *out, size_t outcap)
{
    if (n % 4 == 1) return -1;
    size_t need = n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
    if (need > outcap) return -1;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64url_value((unsigned char)s[i]);
        if (v < 0) return -1;
        acc = (acc << 6 | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    /* The leftover bits of a partial group must be zero (canonical form). */
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return -1;
    return (int)o;
}

/* Parses ":<canonical int64>" at raw[*pos]; advances *pos. */
static bool parse_val(const unsigned char *raw, size_t rn, size_t *pos, int64_t *out)
{
    size_t i = *pos;
    if (i >= rn || raw[i] != ':') return false;
    i++;
    bool neg = false;
    if (i < rn && raw[i] == '-') {
        neg = true;
        i++;
    }
    size_t start = i;
    uint64_t mag = 0;
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    while (i < rn && raw[i] >= '0' && raw[i] <= '9') {
        uint64_t d = raw[i] - '0';
        if (mag > (limit - d) / 10) return false;
        mag = mag * 10 + d;
        i++;
    }
    size_t nd = i - start;
    if (nd == 0) return false;
    if (nd > 1 && raw[start] == '0') return false; /* leading zero */
    if (neg && mag == 0) return false;             /* "-0" */
    *out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    *pos = i;
    return true;
}

bool cursor_decode(const char *s, char kind, int64_t *vals, int n)
{
    if (!s || !vals || !kind_valid(kind) || n < 1 || n > CURSOR_MAX_VALS) return false;
    size_t len = strnlen(s, CURSOR_MAX_LEN + 1);
    if (len == 0 || len > CURSOR_MAX_LEN) return false;
    unsigned char raw[CURSOR_MAX_LEN];
    int rn = b64url_decode(s, len, raw, sizeof raw);
    if (rn < 2) return false;
    if (raw[0] != (unsigned char)kind || raw[1] != CURSOR_VERSION) return false;
    int64_t tmp[CURSOR_MAX_VALS];
    size_t pos = 2;
    for (int i = 0; i < n; i++) {
        if (!parse_val(raw, (size_t)rn, &pos, &tmp[i])) return false;
    }
    if (pos != (size_t)rn) return false;
    /* Belt and braces: only what cursor_encode would write is accepted. */
    char again[CURSOR_MAX_LEN + 1];
    size_t alen = cursor_encode(kind, tmp, n, again);
    if (alen != len || memcmp(again, s, len) != 0) return false;
    memcpy(vals, tmp, sizeof(int64_t) * (size_t)n);
    return true;
}
