/* slug.c: tournament slugs, checked and generated.
 *
 * The rules live here so that the handler that takes a client's slug, the one that
 * generates a slug from a name and the seeder agree byte for byte. Generation is
 * deliberately ASCII-only (no transliteration tables): letters are lowercased, digits
 * kept, and everything else, including each non-ASCII character's bytes, collapses
 * into single '-' separators. A generated slug leaves SLUG_SUFFIX_ROOM characters free
 * so slug_with_suffix rarely has to cut into it. */
#include "core/slug.h"

#include <stdio.h>
#include <string.h>

#define SLUG_GEN_MAX (SLUG_MAX - SLUG_SUFFIX_ROOM)

static const char slug_filler[] = "tournament";

static bool slug_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

bool slug_valid(const char *s)
{
    if (!s) return false;
    size_t n = 0;
    for (; s[n]; n++) {
        if (n >= SLUG_MAX || !slug_char((unsigned char)s[n])) return false;
    }
    return n >= SLUG_MIN;
}

void slug_from_name(const char *name, char out[SLUG_MAX + 1])
{
    size_t len = 0;
    bool sep = false; /* a separator is pending before the next kept character */
    for (const unsigned char *p = (const unsigned char *)(name ? name : ""); *p; p++) {
        unsigned char c = *p;
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            size_t need = (sep && len > 0) ? 2 : 1;
            if (len + need > SLUG_GEN_MAX) break;
            if (need == 2) out[len++] = '-';
            out[len++] = (char)c;
            sep = false;
        } else {
            sep = true;
        }
    }
    if (len == 0) {
        memcpy(out, slug_filler, sizeof slug_filler);
        return;
    }
    if (len < SLUG_MIN) {
        /* "go" -> "go-tournament"; len + 1 + 10 <= SLUG_GEN_MAX */
        out[len++] = '-';
        memcpy(out + len, slug_filler, sizeof slug_filler);
        return;
    }
    out[len] = '\0';
}

void slug_with_suffix(const char *base, unsigned n, char out[SLUG_MAX + 1])
{
    char suffix[16];
    int slen = snprintf(suffix, sizeof suffix, "-%u", n);
    if (slen <= 0 || (size_t)slen >= sizeof suffix) {
        out[0] = '\0';
        return;
    }
    if (!base) base = "";
    size_t blen = strnlen(base, SLUG_MAX);
    if (blen > SLUG_MAX - (size_t)slen) blen = SLUG_MAX - (size_t)slen;
    while (blen > 0 && base[blen - 1] == '-') blen--;
    if (blen == 0) {
        base = slug_filler;
        blen = sizeof slug_filler - 1;
    }
    memcpy(out, base, blen);
    memcpy(out + blen, suffix, (size_t)slen + 1);
}
