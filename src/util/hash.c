/* hash.c: hash64 (see hash.h). */
#include "util/hash.h"

#include <string.h>

static inline uint64_t hash_mix(uint64_t h, uint64_t v)
{
    h = (h ^ v) * 0xff51afd7ed558ccdULL;
    return h ^ (h >> 32);
}

uint64_t hash64(const void *data, size_t n)
{
    const char *p = data;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n;
    if (n >= 32) {
        uint64_t l0 = h, l1 = h ^ 0x6a09e667f3bcc909ULL, l2 = h ^ 0xbb67ae8584caa73bULL,
                 l3 = h ^ 0x3c6ef372fe94f82bULL;
        while (n >= 32) {
            uint64_t v[4];
            memcpy(v, p, 32);
            l0 = hash_mix(l0, v[0]);
            l1 = hash_mix(l1, v[1]);
            l2 = hash_mix(l2, v[2]);
            l3 = hash_mix(l3, v[3]);
            p += 32;
            n -= 32;
        }
        h = hash_mix(hash_mix(hash_mix(hash_mix(h, l0), l1), l2), l3);
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
