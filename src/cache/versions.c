/* versions.c: change counters for the response cache (see versions.h).
 *
 * Owns one table of VERSIONS_SLOTS atomic counters and the publication epoch. Only the
 * writer thread raises them; any thread reads them. A slot's counter never goes down,
 * so a (slot, version) pair read once can only become stale, never current again. */
#include "cache/versions.h"

#include <stdatomic.h>

#define VERSIONS_SLOTS (1u << 16)

static _Atomic uint64_t slots[VERSIONS_SLOTS];
static _Atomic uint64_t epoch;
static atomic_bool frozen;

void versions_set_frozen(bool on)
{
    atomic_store(&frozen, on);
}

uint32_t versions_slot(dep_kind kind, int64_t id)
{
    uint64_t h = ((uint64_t)id + 1) * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)kind << 56);
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return (uint32_t)(h & (VERSIONS_SLOTS - 1));
}

dep versions_dep(dep_kind kind, int64_t id)
{
    uint32_t s = versions_slot(kind, id);
    return (dep){s, atomic_load_explicit(&slots[s], memory_order_acquire)};
}

bool versions_current(dep d)
{
    return atomic_load_explicit(&slots[d.slot], memory_order_acquire) == d.version;
}

uint64_t versions_epoch(void)
{
    return atomic_load_explicit(&epoch, memory_order_acquire);
}

void versions_publish_begin(void)
{
    /* seq_cst: the epoch is raised before any counter of this commit can be seen */
    atomic_fetch_add(&epoch, 1);
}

void versions_bump(dep_kind kind, int64_t id)
{
    if (atomic_load_explicit(&frozen, memory_order_relaxed)) return;
    atomic_fetch_add(&slots[versions_slot(kind, id)], 1);
}

void versions_bump_all(void)
{
    if (atomic_load_explicit(&frozen, memory_order_relaxed)) return;
    for (uint32_t i = 0; i < VERSIONS_SLOTS; i++) atomic_fetch_add(&slots[i], 1);
}
