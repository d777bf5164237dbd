/* hash.h: the one non-cryptographic 64-bit hash of the server (ETags, the response
 * cache's keys). Unkeyed: whoever knows it can make keys collide, which costs longer
 * hash chains, never a wrong answer (cache keys are compared whole). */
#ifndef TOURNEYD_HASH_H
#define TOURNEYD_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Four independent lanes of 8 bytes (the multiplies overlap, so bodies of tens of KiB
 * and keys of hundreds of bytes hash at several bytes per cycle), folded, then 8 bytes
 * per step with multiply-xorshift mixing; every output bit depends on every input byte. */
uint64_t hash64(const void *data, size_t n);

#endif
