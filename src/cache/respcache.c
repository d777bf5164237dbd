/* respcache.c: the shared, striped, version-checked response cache (see respcache.h).
 *
 * RC_STRIPES stripes, chosen by the key's hash; each is a mutex, a condition variable
 * (for threads waiting on a placeholder), a chained hash table and an LRU list, with an
 * equal share of the byte budget. An entry is one allocation (header, dependencies, key,
 * body); its gzip encoding, made later, is a second one. A hit copies the body into the
 * response while holding the stripe's lock (bodies are small; copying is cheaper than
 * reference counting). Placeholders (entries being built) are never evicted and are
 * removed by their builder (put or abandon); a waiter gives up after RC_WAIT_MS and
 * builds without storing. Request counters are per thread (registered once, summed by
 * the metrics scrape); entry and byte gauges are atomics changed under stripe locks. */
#include "cache/respcache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "util/hash.h"

#define RC_STRIPES 16
#define RC_BUCKETS 1024 /* per stripe */
#define RC_WAIT_MS 50

typedef struct rc_entry {
    struct rc_entry *hnext;       /* hash chain */
    struct rc_entry *prev, *next; /* LRU list of the stripe, most recent first */
    uint64_t hash, serial, builder;
    int64_t expires; /* unix second from which it is stale; 0: never */
    rc_kind kind;
    bool building; /* a placeholder: `builder` is computing the body */
    size_t keylen, len, bytes, ndeps;
    char *gz;
    size_t gz_len;
    char etag[ETAG_MAX];
    dep *deps;  /* points into data */
    char *key;  /* points into data */
    char *body; /* points into data */
    max_align_t data[];
} rc_entry;

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t built;
    rc_entry *buckets[RC_BUCKETS];
    rc_entry *head, *tail;
    size_t bytes;
} rc_stripe;

typedef _Atomic uint64_t counter;

/* Request counters of one thread. */
typedef struct rc_counts {
    struct rc_counts *next;
    counter hits[RC__KINDS], misses[RC__KINDS], stale[RC__KINDS], not_modified[RC__KINDS],
        waits[RC__KINDS], builds[RC__KINDS];
} rc_counts;

static struct {
    rc_stripe stripes[RC_STRIPES];
    size_t stripe_limit;
    bool enabled;
    atomic_uint_fast64_t serials;
    counter evictions[RC__KINDS], entries[RC__KINDS], bytes[RC__KINDS];
    pthread_mutex_t counts_lock;
    rc_counts *counts;
} rc = {.counts_lock = PTHREAD_MUTEX_INITIALIZER};

static _Thread_local rc_counts *tl_counts;
static _Thread_local uint64_t tl_builder_id; /* this thread's builder identity */

static const char *const kind_names[RC__KINDS] = {
    "state",
    "states",
    "list",
    "detail",
    "games",
    "registrations",
    "payments",
    "matches",
    "match",
    "bracket",
    "standings",
    "leaderboard",
    "player_dashboard",
    "organizer_dashboard",
    "page",
};

static inline void count(counter *c)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
                          memory_order_relaxed);
}

static rc_counts *counts_mine(void)
{
    if (tl_counts) return tl_counts;
    rc_counts *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    pthread_mutex_lock(&rc.counts_lock);
    c->next = rc.counts;
    rc.counts = c;
    pthread_mutex_unlock(&rc.counts_lock);
    tl_counts = c;
    return c;
}

#define COUNT(field, kind)                                                                         \
    do {                                                                                           \
        rc_counts *c_ = counts_mine();                                                             \
        if (c_) count(&c_->field[kind]);                                                           \
    } while (0)

static uint64_t builder_id(void)
{
    if (!tl_builder_id) tl_builder_id = atomic_fetch_add(&rc.serials, 1) + 1;
    return tl_builder_id;
}

static void rc_init_stripes(void)
{
    for (int i = 0; i < RC_STRIPES; i++) {
        rc_stripe *s = &rc.stripes[i];
        pthread_mutex_init(&s->lock, NULL);
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&s->built, &ca);
        pthread_condattr_destroy(&ca);
    }
}

void respcache_configure(size_t total_bytes)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, rc_init_stripes);
    rc.enabled = total_bytes > 0;
    rc.stripe_limit = total_bytes / RC_STRIPES;
}

bool respcache_enabled(void)
{
    return rc.enabled;
}

static uint64_t rc_hash(const char *s, size_t n)
{
    return hash64(s, n); /* word at a time: a tournament-states key is ~450 bytes */
}

static rc_stripe *rc_stripe_of(uint64_t h)
{
    return &rc.stripes[(h >> 48) % RC_STRIPES];
}

static rc_entry **rc_slot(rc_stripe *s, const char *key, size_t keylen, uint64_t h)
{
    rc_entry **p = &s->buckets[h % RC_BUCKETS];
    while (*p &&
           !((*p)->hash == h && (*p)->keylen == keylen && memcmp((*p)->key, key, keylen) == 0))
        p = &(*p)->hnext;
    return p;
}

static void rc_unlink_lru(rc_stripe *s, rc_entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        s->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        s->tail = e->prev;
    e->prev = e->next = NULL;
}

static void rc_push_front(rc_stripe *s, rc_entry *e)
{
    e->prev = NULL;
    e->next = s->head;
    if (s->head) s->head->prev = e;
    s->head = e;
    if (!s->tail) s->tail = e;
}

static void rc_account(rc_entry *e, int sign)
{
    atomic_fetch_add_explicit(&rc.entries[e->kind], (uint64_t)(int64_t)sign, memory_order_relaxed);
    atomic_fetch_add_explicit(&rc.bytes[e->kind], (uint64_t)((int64_t)sign * (int64_t)e->bytes),
                              memory_order_relaxed);
}

/* Removes the entry at *slot from the table and the list, and frees it. */
static void rc_drop(rc_stripe *s, rc_entry **slot)
{
    rc_entry *e = *slot;
    *slot = e->hnext;
    rc_unlink_lru(s, e);
    s->bytes -= e->bytes;
    rc_account(e, -1);
    free(e->gz);
    free(e);
}

static bool rc_current(const rc_entry *e)
{
    for (size_t i = 0; i < e->ndeps; i++)
        if (!versions_current(e->deps[i])) return false;
    return true;
}

/* A placeholder (building) entry for key: no body, not counted in the budget. */
static rc_entry *rc_placeholder(rc_kind kind, const char *key, size_t keylen, uint64_t h)
{
    rc_entry *e = calloc(1, sizeof *e + keylen + 1);
    if (!e) return NULL;
    e->key = (char *)e->data;
    memcpy(e->key, key, keylen + 1);
    e->keylen = keylen;
    e->hash = h;
    e->kind = kind;
    e->building = true;
    e->builder = builder_id();
    return e;
}

static void rc_deadline(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_nsec += ms * 1000000L;
    ts->tv_sec += ts->tv_nsec / 1000000000L;
    ts->tv_nsec %= 1000000000L;
}

rc_result respcache_get(rc_kind kind, const char *key, int64_t now, const char *inm,
                        bool accept_gzip, buf *out, rc_answer *ans)
{
    memset(ans, 0, sizeof *ans);
    if (!rc.enabled) {
        COUNT(misses, kind);
        return RC_MISS_NO_SLOT;
    }
    size_t keylen = strlen(key);
    uint64_t h = rc_hash(key, keylen);
    rc_stripe *s = rc_stripe_of(h);
    bool waited = false;
    struct timespec until;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        rc_entry **slot = rc_slot(s, key, keylen, h);
        rc_entry *e = *slot;
        if (e && e->building) {
            if (e->builder == builder_id()) { /* our own (abandoned) build: take it over */
                pthread_mutex_unlock(&s->lock);
                COUNT(misses, kind);
                return RC_MISS;
            }
            if (!waited) {
                waited = true;
                COUNT(waits, kind);
                rc_deadline(&until, RC_WAIT_MS);
            }
            if (pthread_cond_timedwait(&s->built, &s->lock, &until) != 0) {
                pthread_mutex_unlock(&s->lock);
                COUNT(misses, kind);
                return RC_MISS_NO_SLOT;
            }
            continue;
        }
        if (e && (!rc_current(e) || (e->expires && now >= e->expires))) {
            COUNT(stale, kind);
            rc_drop(s, slot);
            e = NULL;
        } else if (!e) {
            COUNT(misses, kind);
        }
        if (!e) {
            rc_entry *p = rc_placeholder(kind, key, keylen, h);
            if (!p) {
                pthread_mutex_unlock(&s->lock);
                return RC_MISS_NO_SLOT;
            }
            slot = rc_slot(s, key, keylen, h);
            p->hnext = *slot;
            *slot = p;
            pthread_mutex_unlock(&s->lock);
            return RC_MISS;
        }
        /* a current entry */
        rc_unlink_lru(s, e);
        rc_push_front(s, e);
        bool gz = accept_gzip && e->gz;
        if (gz)
            etag_variant(e->etag, "gz", ans->etag);
        else
            memcpy(ans->etag, e->etag, ETAG_MAX);
        ans->serial = e->serial;
        if (etag_matches(inm, e->etag) || (e->gz && etag_matches(inm, ans->etag))) {
            pthread_mutex_unlock(&s->lock);
            COUNT(not_modified, kind);
            return RC_NOT_MODIFIED;
        }
        ans->gzip = gz;
        ans->want_gzip_copy = accept_gzip && !e->gz && e->len > RESPCACHE_GZIP_MIN;
        if (gz)
            buf_append(out, e->gz, e->gz_len);
        else
            buf_append(out, e->body, e->len);
        pthread_mutex_unlock(&s->lock);
        COUNT(hits, kind);
        return RC_HIT;
    }
}

/* Removes the calling thread's placeholder for key, if any, and wakes waiters. Returns
 * the slot where an entry for key may be linked. Called with the stripe locked. */
static rc_entry **rc_unplace(rc_stripe *s, const char *key, size_t keylen, uint64_t h)
{
    rc_entry **slot = rc_slot(s, key, keylen, h);
    if (*slot && (*slot)->building && (*slot)->builder == builder_id()) {
        rc_entry *p = *slot;
        *slot = p->hnext;
        free(p);
        pthread_cond_broadcast(&s->built);
    }
    return rc_slot(s, key, keylen, h);
}

void respcache_abandon(const char *key)
{
    if (!rc.enabled) return;
    size_t keylen = strlen(key);
    uint64_t h = rc_hash(key, keylen);
    rc_stripe *s = rc_stripe_of(h);
    pthread_mutex_lock(&s->lock);
    rc_unplace(s, key, keylen, h);
    pthread_mutex_unlock(&s->lock);
}

void respcache_put(rc_kind kind, const char *key, const dep *deps, size_t ndeps, int64_t expires,
                   uint64_t epoch0, const char *body, size_t len, const char *etag, const char *gz,
                   size_t gz_len)
{
    if (!rc.enabled) return;
    size_t keylen = strlen(key);
    uint64_t h = rc_hash(key, keylen);
    rc_stripe *s = rc_stripe_of(h);
    size_t bytes = sizeof(rc_entry) + ndeps * sizeof(dep) + keylen + 1 + len + 1 + gz_len;
    /* built across a commit (its deps may be newer than its data), or too big */
    bool keep = versions_epoch() == epoch0 && bytes <= rc.stripe_limit / 4;
    rc_entry *e = NULL;
    char *gzcopy = NULL;
    if (keep) {
        e = malloc(sizeof(rc_entry) + ndeps * sizeof(dep) + keylen + 1 + len + 1);
        if (gz && e && !(gzcopy = malloc(gz_len))) {
            free(e);
            e = NULL;
        }
    }
    if (e) {
        memset(e, 0, sizeof *e);
        e->deps = (dep *)e->data;
        memcpy(e->deps, deps, ndeps * sizeof(dep));
        e->key = (char *)(e->deps + ndeps);
        memcpy(e->key, key, keylen + 1);
        e->body = e->key + keylen + 1;
        memcpy(e->body, body, len);
        e->body[len] = '\0';
        if (gzcopy) {
            memcpy(gzcopy, gz, gz_len);
            e->gz = gzcopy;
            e->gz_len = gz_len;
        }
        e->hash = h;
        e->kind = kind;
        e->expires = expires;
        e->ndeps = ndeps;
        e->keylen = keylen;
        e->len = len;
        e->bytes = bytes;
        e->serial = atomic_fetch_add(&rc.serials, 1) + 1;
        snprintf(e->etag, ETAG_MAX, "%s", etag);
    }
    pthread_mutex_lock(&s->lock);
    rc_entry **slot = rc_unplace(s, key, keylen, h);
    if (e && *slot && (*slot)->building) { /* another thread builds it now: let it */
        free(e->gz);
        free(e);
        e = NULL;
    }
    if (e) {
        if (*slot) rc_drop(s, slot);
        for (rc_entry *v = s->tail; v && s->bytes + bytes > rc.stripe_limit;) {
            rc_entry *prev = v->prev;
            if (!v->building) {
                atomic_fetch_add_explicit(&rc.evictions[v->kind], 1, memory_order_relaxed);
                rc_drop(s, rc_slot(s, v->key, v->keylen, v->hash));
            }
            v = prev;
        }
        slot = rc_slot(s, key, keylen, h);
        e->hnext = *slot;
        *slot = e;
        rc_push_front(s, e);
        s->bytes += bytes;
        rc_account(e, +1);
    }
    pthread_mutex_unlock(&s->lock);
}

void respcache_attach_gzip(const char *key, uint64_t serial, const char *gz, size_t len)
{
    if (!rc.enabled) return;
    size_t keylen = strlen(key);
    uint64_t h = rc_hash(key, keylen);
    rc_stripe *s = rc_stripe_of(h);
    char *copy = malloc(len);
    if (!copy) return;
    memcpy(copy, gz, len);
    pthread_mutex_lock(&s->lock);
    rc_entry *e = *rc_slot(s, key, keylen, h);
    if (e && !e->building && e->serial == serial && !e->gz && s->bytes + len <= rc.stripe_limit) {
        e->gz = copy;
        e->gz_len = len;
        rc_account(e, -1);
        e->bytes += len;
        s->bytes += len;
        rc_account(e, +1);
        copy = NULL;
    }
    pthread_mutex_unlock(&s->lock);
    free(copy);
}

void respcache_note_build(rc_kind kind)
{
    COUNT(builds, kind);
}

bool respcache_gzip(const char *in, size_t len, buf *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    /* 15 + 16: a gzip header and trailer; level 6 is zlib's default trade-off */
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
    uLong bound = deflateBound(&z, (uLong)len);
    if (!buf_reserve(out, bound)) {
        deflateEnd(&z);
        return false;
    }
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out->data + out->len;
    z.avail_out = (uInt)bound;
    int rc_z = deflate(&z, Z_FINISH);
    size_t produced = (size_t)(bound - z.avail_out);
    deflateEnd(&z);
    if (rc_z != Z_STREAM_END) return false;
    out->len += produced;
    out->data[out->len] = '\0';
    return true;
}

/* One metric family with a value per cache: tourneyd_cache_<name>{cache="..."}. */
static void rc_family(buf *b, const char *name, const char *type, const char *help,
                      const uint64_t v[RC__KINDS])
{
    buf_printf(b, "# HELP tourneyd_cache_%s %s\n# TYPE tourneyd_cache_%s %s\n", name, help, name,
               type);
    for (int k = 0; k < RC__KINDS; k++)
        buf_printf(b, "tourneyd_cache_%s{cache=\"%s\"} %llu\n", name, kind_names[k],
                   (unsigned long long)v[k]);
}

void respcache_render_metrics(buf *b)
{
    uint64_t hits[RC__KINDS] = {0}, misses[RC__KINDS] = {0}, stale[RC__KINDS] = {0},
             nm[RC__KINDS] = {0}, waits[RC__KINDS] = {0}, builds[RC__KINDS] = {0};
    pthread_mutex_lock(&rc.counts_lock);
    for (rc_counts *c = rc.counts; c; c = c->next) {
        for (int k = 0; k < RC__KINDS; k++) {
            hits[k] += atomic_load_explicit(&c->hits[k], memory_order_relaxed);
            misses[k] += atomic_load_explicit(&c->misses[k], memory_order_relaxed);
            stale[k] += atomic_load_explicit(&c->stale[k], memory_order_relaxed);
            nm[k] += atomic_load_explicit(&c->not_modified[k], memory_order_relaxed);
            waits[k] += atomic_load_explicit(&c->waits[k], memory_order_relaxed);
            builds[k] += atomic_load_explicit(&c->builds[k], memory_order_relaxed);
        }
    }
    pthread_mutex_unlock(&rc.counts_lock);
    buf_puts(b, "# HELP tourneyd_cache_requests_total Response cache lookups by cache and result"
                " (hit: body served; not_modified: 304 from the cache; miss: absent; stale:"
                " present for an older version of what it shows).\n"
                "# TYPE tourneyd_cache_requests_total counter\n");
    uint64_t all_hits = 0, all_lookups = 0;
    for (int k = 0; k < RC__KINDS; k++) {
        const char *n = kind_names[k];
        buf_printf(b,
                   "tourneyd_cache_requests_total{cache=\"%s\",result=\"hit\"} %llu\n"
                   "tourneyd_cache_requests_total{cache=\"%s\",result=\"not_modified\"} %llu\n"
                   "tourneyd_cache_requests_total{cache=\"%s\",result=\"miss\"} %llu\n"
                   "tourneyd_cache_requests_total{cache=\"%s\",result=\"stale\"} %llu\n",
                   n, (unsigned long long)hits[k], n, (unsigned long long)nm[k], n,
                   (unsigned long long)misses[k], n, (unsigned long long)stale[k]);
        all_hits += hits[k] + nm[k];
        all_lookups += hits[k] + nm[k] + misses[k] + stale[k];
    }
    buf_puts(b, "# HELP tourneyd_cache_hit_ratio Share of lookups answered from the cache"
                " (hits and 304s over all lookups) since start.\n"
                "# TYPE tourneyd_cache_hit_ratio gauge\n");
    for (int k = 0; k < RC__KINDS; k++) {
        uint64_t l = hits[k] + nm[k] + misses[k] + stale[k];
        buf_printf(b, "tourneyd_cache_hit_ratio{cache=\"%s\"} %.4f\n", kind_names[k],
                   l ? (double)(hits[k] + nm[k]) / (double)l : 0.0);
    }
    buf_printf(b, "tourneyd_cache_hit_ratio{cache=\"all\"} %.4f\n",
               all_lookups ? (double)all_hits / (double)all_lookups : 0.0);
    uint64_t evictions[RC__KINDS], entries[RC__KINDS], bytes[RC__KINDS];
    for (int k = 0; k < RC__KINDS; k++) {
        evictions[k] = atomic_load(&rc.evictions[k]);
        entries[k] = atomic_load(&rc.entries[k]);
        bytes[k] = atomic_load(&rc.bytes[k]);
    }
    rc_family(b, "waits_total", "counter",
              "Misses that waited for another thread building the same body (stampede control).",
              waits);
    rc_family(b, "builds_total", "counter", "Bodies built by a handler after a miss.", builds);
    rc_family(b, "evictions_total", "counter", "Entries evicted to stay within the size.",
              evictions);
    rc_family(b, "entries", "gauge", "Entries held.", entries);
    rc_family(b, "bytes", "gauge", "Bytes held (bodies, gzip copies, keys).", bytes);
    buf_printf(b,
               "# HELP tourneyd_cache_limit_bytes The cache's budget (--cache-mb).\n"
               "# TYPE tourneyd_cache_limit_bytes gauge\ntourneyd_cache_limit_bytes %llu\n",
               (unsigned long long)(rc.stripe_limit * RC_STRIPES));
}

void respcache_shutdown(void)
{
    for (int i = 0; i < RC_STRIPES; i++) {
        rc_stripe *s = &rc.stripes[i];
        pthread_mutex_lock(&s->lock);
        for (int j = 0; j < RC_BUCKETS; j++) {
            rc_entry *e = s->buckets[j];
            while (e) {
                rc_entry *next = e->hnext;
                free(e->gz);
                free(e);
                e = next;
            }
            s->buckets[j] = NULL;
        }
        s->head = s->tail = NULL;
        s->bytes = 0;
        pthread_mutex_unlock(&s->lock);
    }
    pthread_mutex_lock(&rc.counts_lock);
    rc_counts *c = rc.counts;
    rc.counts = NULL;
    pthread_mutex_unlock(&rc.counts_lock);
    tl_counts = NULL; /* the other threads that counted have stopped */
    while (c) {
        rc_counts *next = c->next;
        free(c);
        c = next;
    }
}
