/* etag.c: body hashing and If-None-Match matching (see etag.h). */
#include "util/etag.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/hash.h"

void etag_of(const char *body, size_t len, const char *suffix, char out[ETAG_MAX])
{
    unsigned long long h = (unsigned long long)hash64(body, len);
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
