/* respcache.c: per-thread version-checked response caches (see respcache.h).
 *
 * Each cache is a chained hash table over entries that also sit on an LRU list. An
 * entry is one allocation: header, key, body. Counters are written by the owning thread
 * only (relaxed atomic stores) and read by the metrics scrape. The list of all caches
 * (for metrics and shutdown) is the only shared state, behind a mutex taken when a
 * thread creates its cache and when metrics are scraped. */
#include "cache/respcache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define RC_BUCKETS 4096

typedef struct rc_entry {
    struct rc_entry *hnext;       /* hash chain */
    struct rc_entry *prev, *next; /* LRU list, most recent first */
    uint64_t hash, version;
    size_t keylen, len, bytes; /* bytes: the whole allocation */
    char data[];               /* key, NUL, body */
} rc_entry;

typedef _Atomic uint64_t counter;

typedef struct rcache {
    struct rcache *next_cache;
    rc_entry *buckets[RC_BUCKETS];
    rc_entry *head, *tail;
    size_t bytes, limit;
    counter hits, misses, stale, evictions, entries, used;
} rcache;

static struct {
    pthread_mutex_t lock;
    rcache *caches;
    size_t per_thread;
} rc = {.lock = PTHREAD_MUTEX_INITIALIZER};

static _Thread_local rcache *tl_cache;

static inline void rc_add(counter *c, int64_t v)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + (uint64_t)v,
                          memory_order_relaxed);
}

void respcache_configure(size_t total_bytes, unsigned threads)
{
    rc.per_thread = total_bytes / (threads ? threads : 1);
}

static rcache *rc_mine(void)
{
    if (tl_cache || rc.per_thread == 0) return tl_cache;
    rcache *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->limit = rc.per_thread;
    pthread_mutex_lock(&rc.lock);
    c->next_cache = rc.caches;
    rc.caches = c;
    pthread_mutex_unlock(&rc.lock);
    tl_cache = c;
    return c;
}

static uint64_t rc_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 1099511628211ULL;
    return h;
}

static rc_entry **rc_slot(rcache *c, const char *key, size_t keylen, uint64_t h)
{
    rc_entry **p = &c->buckets[h % RC_BUCKETS];
    while (*p &&
           !((*p)->hash == h && (*p)->keylen == keylen && memcmp((*p)->data, key, keylen) == 0))
        p = &(*p)->hnext;
    return p;
}

static void rc_unlink_lru(rcache *c, rc_entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void rc_push_front(rcache *c, rc_entry *e)
{
    e->prev = NULL;
    e->next = c->head;
    if (c->head) c->head->prev = e;
    c->head = e;
    if (!c->tail) c->tail = e;
}

/* Removes the entry at *slot from the table and the list, and frees it. */
static void rc_drop(rcache *c, rc_entry **slot)
{
    rc_entry *e = *slot;
    *slot = e->hnext;
    rc_unlink_lru(c, e);
    c->bytes -= e->bytes;
    rc_add(&c->entries, -1);
    rc_add(&c->used, -(int64_t)e->bytes);
    free(e);
}

const char *respcache_get(const char *key, uint64_t version, size_t *len)
{
    rcache *c = rc_mine();
    if (!c) return NULL;
    size_t keylen = strlen(key);
    uint64_t h = rc_hash(key, keylen);
    rc_entry **slot = rc_slot(c, key, keylen, h);
    rc_entry *e = *slot;
    if (!e) {
        rc_add(&c->misses, 1);
        return NULL;
    }
    if (e->version != version) {
        rc_add(&c->stale, 1);
        rc_drop(c, slot);
        return NULL;
    }
    rc_unlink_lru(c, e);
    rc_push_front(c, e);
    rc_add(&c->hits, 1);
    *len = e->len;
    return e->data + e->keylen + 1;
}

void respcache_put(const char *key, uint64_t version, const char *body, size_t len)
{
    rcache *c = rc_mine();
    if (!c) return;
    size_t keylen = strlen(key);
    size_t bytes = sizeof(rc_entry) + keylen + 1 + len;
    if (bytes > c->limit / 4) return; /* one entry may not crowd out the rest */
    uint64_t h = rc_hash(key, keylen);
    rc_entry **slot = rc_slot(c, key, keylen, h);
    if (*slot) rc_drop(c, slot);
    while (c->tail && c->bytes + bytes > c->limit) {
        rc_entry *victim = c->tail;
        rc_drop(c, rc_slot(c, victim->data, victim->keylen, victim->hash));
        rc_add(&c->evictions, 1);
    }
    rc_entry *e = malloc(bytes);
    if (!e) return;
    e->hash = h;
    e->version = version;
    e->keylen = keylen;
    e->len = len;
    e->bytes = bytes;
    memcpy(e->data, key, keylen + 1);
    memcpy(e->data + keylen + 1, body, len);
    slot = rc_slot(c, key, keylen, h);
    e->hnext = NULL;
    *slot = e;
    rc_push_front(c, e);
    c->bytes += bytes;
    rc_add(&c->entries, 1);
    rc_add(&c->used, (int64_t)bytes);
}

void respcache_render_metrics(buf *b)
{
    uint64_t hits = 0, misses = 0, stale = 0, evictions = 0, entries = 0, used = 0;
    pthread_mutex_lock(&rc.lock);
    for (rcache *c = rc.caches; c; c = c->next_cache) {
        hits += atomic_load_explicit(&c->hits, memory_order_relaxed);
        misses += atomic_load_explicit(&c->misses, memory_order_relaxed);
        stale += atomic_load_explicit(&c->stale, memory_order_relaxed);
        evictions += atomic_load_explicit(&c->evictions, memory_order_relaxed);
        entries += atomic_load_explicit(&c->entries, memory_order_relaxed);
        used += atomic_load_explicit(&c->used, memory_order_relaxed);
    }
    pthread_mutex_unlock(&rc.lock);
    buf_printf(b,
               "# HELP tourneyd_cache_requests_total Response cache lookups by result (hit; miss:"
               " absent; stale: present for an older version).\n"
               "# TYPE tourneyd_cache_requests_total counter\n"
               "tourneyd_cache_requests_total{cache=\"response\",result=\"hit\"} %llu\n"
               "tourneyd_cache_requests_total{cache=\"response\",result=\"miss\"} %llu\n"
               "tourneyd_cache_requests_total{cache=\"response\",result=\"stale\"} %llu\n"
               "# HELP tourneyd_cache_evictions_total Entries evicted to stay within the size.\n"
               "# TYPE tourneyd_cache_evictions_total counter\n"
               "tourneyd_cache_evictions_total{cache=\"response\"} %llu\n"
               "# HELP tourneyd_cache_entries Entries held.\n# TYPE tourneyd_cache_entries gauge\n"
               "tourneyd_cache_entries{cache=\"response\"} %llu\n"
               "# HELP tourneyd_cache_bytes Bytes held.\n# TYPE tourneyd_cache_bytes gauge\n"
               "tourneyd_cache_bytes{cache=\"response\"} %llu\n",
               (unsigned long long)hits, (unsigned long long)misses, (unsigned long long)stale,
               (unsigned long long)evictions, (unsigned long long)entries,
               (unsigned long long)used);
}

void respcache_shutdown(void)
{
    pthread_mutex_lock(&rc.lock);
    rcache *c = rc.caches;
    rc.caches = NULL;
    pthread_mutex_unlock(&rc.lock);
    while (c) {
        rcache *next = c->next_cache;
        while (c->head) {
            rc_entry *e = c->head;
            c->head = e->next;
            free(e);
        }
        free(c);
        c = next;
    }
}
