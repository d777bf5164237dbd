/* etag.c: body hashing and If-None-Match matching (see etag.h). */
#include "util/etag.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static inline uint64_t etag_mix(uint64_t h, uint64_t v)
{
    h = (h ^ v) * 0xff51afd7ed558ccdULL;
    return h ^ (h >> 32);
}

/* 64-bit hash: four independent lanes of 8 bytes (so the multiplies overlap; bodies of
 * tens of KiB are hashed on every uncached answer), folded, then 8 bytes per step with
 * multiply-xorshift mixing. */
static uint64_t etag_hash(const char *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n;
    if (n >= 32) {
        uint64_t l0 = h, l1 = h ^ 0x6a09e667f3bcc909ULL, l2 = h ^ 0xbb67ae8584caa73bULL,
                 l3 = h ^ 0x3c6ef372fe94f82bULL;
        while (n >= 32) {
            uint64_t v[4];
            memcpy(v, p, 32);
            l0 = etag_mix(l0, v[0]);
            l1 = etag_mix(l1, v[1]);
            l2 = etag_mix(l2, v[2]);
            l3 = etag_mix(l3, v[3]);
            p += 32;
            n -= 32;
        }
        h = etag_mix(etag_mix(etag_mix(etag_mix(h, l0), l1), l2), l3);
    }
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        h = (h ^ v) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    uint64_t tail = 0;
    if (n) memcpy(&tail, p, n);
    h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 29;
    return h;
}

void etag_of(const char *body, size_t len, const char *suffix, char out[ETAG_MAX])
{
    unsigned long long h = (unsigned long long)etag_hash(body, len);
    if (suffix)
        snprintf(out, ETAG_MAX, "\"%016llx-%.3s\"", h, suffix);
    else
        snprintf(out, ETAG_MAX, "\"%016llx\"", h);
}

void etag_variant(const char *tag, const char *suffix, char out[ETAG_MAX])
{
    size_t n = strlen(tag), sl = strlen(suffix);
    if (n < 2 || n + sl + 2 > ETAG_MAX) {
        memmove(out, tag, n < ETAG_MAX ? n + 1 : ETAG_MAX);
        out[ETAG_MAX - 1] = '\0';
        return;
    }
    char tmp[ETAG_MAX];
    memcpy(tmp, tag, n - 1); /* without the closing quote */
    tmp[n - 1] = '-';
    memcpy(tmp + n, suffix, sl);
    tmp[n + sl] = '"';
    tmp[n + sl + 1] = '\0';
    memcpy(out, tmp, n + sl + 2);
}

bool etag_matches(const char *inm, const char *tag)
{
    if (!inm || !tag[0]) return false;
    size_t tl = strlen(tag);
    const char *p = inm;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        if (!*p) return false;
        if (p[0] == '*' && (p[1] == '\0' || p[1] == ',' || p[1] == ' ')) return true;
        if (p[0] == 'W' && p[1] == '/') p += 2; /* weak comparison, as for GET */
        const char *end = p;
        while (*end && *end != ',' && *end != ' ' && *end != '\t') end++;
        if ((size_t)(end - p) == tl && memcmp(p, tag, tl) == 0) return true;
        p = end;
    }
}
