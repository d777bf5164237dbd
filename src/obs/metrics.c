/* metrics.c: per-thread metric shards and their Prometheus rendering (see metrics.h).
 *
 * A shard is created the first time a thread records a request and is linked into a
 * list (the only lock, taken once per thread and on scrape). Shard fields are written
 * only by their thread with relaxed atomic load+store (no read-modify-write needed for a
 * single writer), and read by the scraper with relaxed loads. */
#include "obs/metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define METRICS_MAX_ROUTES (ROUTER_MAX_ROUTES + 1)

static const int status_codes[] = {101, 200, 201, 204, 304, 400, 401, 403, 404,
                                   405, 409, 413, 415, 426, 429, 500, 503, 0 /* other */};
#define NSTATUS ((int)(sizeof(status_codes) / sizeof(status_codes[0])))

/* latency bucket upper bounds in seconds */
static const double lat_bounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                    0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
#define NLAT ((int)(sizeof(lat_bounds) / sizeof(lat_bounds[0])))
static const unsigned q_bounds[] = {0, 1, 2, 3, 4, 5, 8, 13, 21, 34, 55};
#define NQ ((int)(sizeof(q_bounds) / sizeof(q_bounds[0])))
static const unsigned batch_bounds[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
#define NBATCH ((int)(sizeof(batch_bounds) / sizeof(batch_bounds[0])))

typedef _Atomic uint64_t counter;

typedef struct route_stats {
    counter requests[HTTP__METHODS + 1][NSTATUS];
    counter lat[NLAT + 1]; /* non-cumulative per bucket; last = +Inf */
    counter lat_sum_ns;
    counter q[NQ + 1];
    counter q_sum;
    counter count;
} route_stats;

typedef struct shard {
    struct shard *next;
    route_stats routes[METRICS_MAX_ROUTES];
} shard;

static struct {
    pthread_mutex_t lock;
    shard *shards;
    const char *const *names;
    const http_method *methods;
    int nroutes;
    /* writer thread (single writer) */
    counter batch[NBATCH + 1];
    counter batch_sum;
    counter batch_count;
    counter batch_failed;
    counter commit_lat[NLAT + 1];
    counter commit_sum_ns;
    _Atomic int64_t queue_depth;
    _Atomic int64_t connections;
    /* WebSocket: written by the live threads (and drops by io threads): atomic adds */
    _Atomic int64_t ws_clients;
    _Atomic uint64_t ws_dropped[WS_DROP__COUNT];
    counter ws_sent;
    counter ws_fanout[NLAT + 1];
    counter ws_fanout_sum_ns;
    counter ws_fanout_count;
} metrics = {.lock = PTHREAD_MUTEX_INITIALIZER};

static const char *const ws_drop_names[WS_DROP__COUNT] = {"slow", "ping_timeout", "protocol",
                                                          "capacity"};

static _Thread_local shard *tl_shard;

static inline void counter_add(counter *c, uint64_t v)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + v,
                          memory_order_relaxed);
}

static inline uint64_t counter_get(counter *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

void metrics_init(const char *const *names, const http_method *methods, int nroutes)
{
    metrics.names = names;
    metrics.methods = methods;
    metrics.nroutes = nroutes < ROUTER_MAX_ROUTES ? nroutes : ROUTER_MAX_ROUTES;
}

static shard *metrics_shard(void)
{
    if (tl_shard) return tl_shard;
    shard *s = calloc(1, sizeof(shard));
    if (!s) return NULL;
    pthread_mutex_lock(&metrics.lock);
    s->next = metrics.shards;
    metrics.shards = s;
    pthread_mutex_unlock(&metrics.lock);
    tl_shard = s;
    return s;
}

static int lat_bucket(uint64_t ns)
{
    double sec = (double)ns / 1e9;
    for (int i = 0; i < NLAT; i++)
        if (sec <= lat_bounds[i]) return i;
    return NLAT;
}

void metrics_request(int route, http_method method, int status, uint64_t duration_ns,
                     unsigned queries)
{
    shard *s = metrics_shard();
    if (!s) return;
    if (route < 0 || route > metrics.nroutes) route = metrics.nroutes;
    route_stats *rs = &s->routes[route];
    int si = NSTATUS - 1;
    for (int i = 0; i < NSTATUS - 1; i++)
        if (status_codes[i] == status) si = i;
    int mi = (method >= 0 && method < HTTP__METHODS) ? (int)method : HTTP__METHODS;
    counter_add(&rs->requests[mi][si], 1);
    counter_add(&rs->lat[lat_bucket(duration_ns)], 1);
    counter_add(&rs->lat_sum_ns, duration_ns);
    int qi = NQ;
    for (int i = 0; i < NQ; i++) {
        if (queries <= q_bounds[i]) {
            qi = i;
            break;
        }
    }
    counter_add(&rs->q[qi], 1);
    counter_add(&rs->q_sum, queries);
    counter_add(&rs->count, 1);
}

void metrics_writer_batch(unsigned jobs, uint64_t duration_ns, int failed)
{
    int bi = NBATCH;
    for (int i = 0; i < NBATCH; i++) {
        if (jobs <= batch_bounds[i]) {
            bi = i;
            break;
        }
    }
    counter_add(&metrics.batch[bi], 1);
    counter_add(&metrics.batch_sum, jobs);
    counter_add(&metrics.batch_count, 1);
    if (failed) counter_add(&metrics.batch_failed, 1);
    counter_add(&metrics.commit_lat[lat_bucket(duration_ns)], 1);
    counter_add(&metrics.commit_sum_ns, duration_ns);
}

void metrics_writer_queue_add(int delta)
{
    atomic_fetch_add_explicit(&metrics.queue_depth, delta, memory_order_relaxed);
}

void metrics_connections_add(int delta)
{
    atomic_fetch_add_explicit(&metrics.connections, delta, memory_order_relaxed);
}

void metrics_ws_clients_add(int delta)
{
    atomic_fetch_add_explicit(&metrics.ws_clients, delta, memory_order_relaxed);
}

void metrics_ws_sent(uint64_t messages)
{
    atomic_fetch_add_explicit(&metrics.ws_sent, messages, memory_order_relaxed);
}

void metrics_ws_dropped(ws_drop_reason why)
{
    if (why >= 0 && why < WS_DROP__COUNT)
        atomic_fetch_add_explicit(&metrics.ws_dropped[why], 1, memory_order_relaxed);
}

void metrics_ws_fanout(uint64_t duration_ns)
{
    atomic_fetch_add_explicit(&metrics.ws_fanout[lat_bucket(duration_ns)], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&metrics.ws_fanout_sum_ns, duration_ns, memory_order_relaxed);
    atomic_fetch_add_explicit(&metrics.ws_fanout_count, 1, memory_order_relaxed);
}

static const char *route_name(int r)
{
    return r < metrics.nroutes && metrics.names ? metrics.names[r] : "unmatched";
}

/* The method label of a route's histograms ("ANY" for unmatched requests). */
static const char *route_method(int r)
{
    return r < metrics.nroutes && metrics.methods ? http_method_name(metrics.methods[r]) : "ANY";
}

/* Sums one route over all shards into `out` (plain integers). */
typedef struct route_sum {
    uint64_t requests[HTTP__METHODS + 1][NSTATUS];
    uint64_t lat[NLAT + 1], lat_sum_ns, q[NQ + 1], q_sum, count;
} route_sum;

static void metrics_sum_route(int r, route_sum *out)
{
    memset(out, 0, sizeof(*out));
    for (shard *s = metrics.shards; s; s = s->next) {
        route_stats *rs = &s->routes[r];
        for (int m = 0; m <= HTTP__METHODS; m++)
            for (int i = 0; i < NSTATUS; i++)
                out->requests[m][i] += counter_get(&rs->requests[m][i]);
        for (int i = 0; i <= NLAT; i++) out->lat[i] += counter_get(&rs->lat[i]);
        for (int i = 0; i <= NQ; i++) out->q[i] += counter_get(&rs->q[i]);
        out->lat_sum_ns += counter_get(&rs->lat_sum_ns);
        out->q_sum += counter_get(&rs->q_sum);
        out->count += counter_get(&rs->count);
    }
}

static void render_lat_hist(buf *b, const char *name, const char *labels, const uint64_t *bk,
                            uint64_t sum_ns, uint64_t count)
{
    uint64_t cum = 0;
    for (int i = 0; i < NLAT; i++) {
        cum += bk[i];
        buf_printf(b, "%s_bucket{%sle=\"%g\"} %llu\n", name, labels, lat_bounds[i],
                   (unsigned long long)cum);
    }
    cum += bk[NLAT];
    buf_printf(b, "%s_bucket{%sle=\"+Inf\"} %llu\n", name, labels, (unsigned long long)cum);
    /* labels end with ',' when non-empty: without it they wrap sum and count */
    int ll = (int)strlen(labels);
    if (ll) {
        buf_printf(b, "%s_sum{%.*s} %.9f\n", name, ll - 1, labels, (double)sum_ns / 1e9);
        buf_printf(b, "%s_count{%.*s} %llu\n", name, ll - 1, labels, (unsigned long long)count);
    } else {
        buf_printf(b, "%s_sum %.9f\n", name, (double)sum_ns / 1e9);
        buf_printf(b, "%s_count %llu\n", name, (unsigned long long)count);
    }
}

static long metrics_rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return -1;
    long pages_total = 0, pages_rss = 0;
    int n = fscanf(f, "%ld %ld", &pages_total, &pages_rss);
    fclose(f);
    if (n != 2) return -1;
    return pages_rss * sysconf(_SC_PAGESIZE);
}

void metrics_render(buf *b)
{
    pthread_mutex_lock(&metrics.lock);
    route_sum *sums = calloc((size_t)metrics.nroutes + 1, sizeof(route_sum));
    if (!sums) {
        pthread_mutex_unlock(&metrics.lock);
        b->oom = true;
        return;
    }
    for (int r = 0; r <= metrics.nroutes; r++) metrics_sum_route(r, &sums[r]);
    pthread_mutex_unlock(&metrics.lock);

    buf_puts(b, "# HELP tourneyd_http_requests_total HTTP requests served, by route, method "
                "and status.\n# TYPE tourneyd_http_requests_total counter\n");
    for (int r = 0; r <= metrics.nroutes; r++) {
        for (int m = 0; m <= HTTP__METHODS; m++) {
            for (int i = 0; i < NSTATUS; i++) {
                uint64_t v = sums[r].requests[m][i];
                if (!v) continue;
                char st[8];
                if (status_codes[i])
                    snprintf(st, sizeof st, "%d", status_codes[i]);
                else
                    snprintf(st, sizeof st, "other");
                buf_printf(b,
                           "tourneyd_http_requests_total{route=\"%s\",method=\"%s\",status=\"%s\"}"
                           " %llu\n",
                           route_name(r), http_method_name((http_method)m), st,
                           (unsigned long long)v);
            }
        }
    }
    buf_puts(b, "# HELP tourneyd_http_request_duration_seconds Time from the first byte of a "
                "request to its response, by route.\n"
                "# TYPE tourneyd_http_request_duration_seconds histogram\n");
    char labels[200];
    for (int r = 0; r <= metrics.nroutes; r++) {
        if (!sums[r].count) continue;
        snprintf(labels, sizeof labels, "route=\"%s\",method=\"%s\",", route_name(r),
                 route_method(r));
        render_lat_hist(b, "tourneyd_http_request_duration_seconds", labels, sums[r].lat,
                        sums[r].lat_sum_ns, sums[r].count);
    }
    buf_puts(b, "# HELP tourneyd_db_queries_per_request SQL queries run by one request, by "
                "route.\n# TYPE tourneyd_db_queries_per_request histogram\n");
    for (int r = 0; r <= metrics.nroutes; r++) {
        if (!sums[r].count) continue;
        uint64_t cum = 0;
        for (int i = 0; i < NQ; i++) {
            cum += sums[r].q[i];
            buf_printf(b,
                       "tourneyd_db_queries_per_request_bucket{route=\"%s\",method=\"%s\","
                       "le=\"%u\"} %llu\n",
                       route_name(r), route_method(r), q_bounds[i], (unsigned long long)cum);
        }
        cum += sums[r].q[NQ];
        const char *rn = route_name(r), *rm = route_method(r);
        buf_printf(b,
                   "tourneyd_db_queries_per_request_bucket{route=\"%s\",method=\"%s\","
                   "le=\"+Inf\"} %llu\n"
                   "tourneyd_db_queries_per_request_sum{route=\"%s\",method=\"%s\"} %llu\n"
                   "tourneyd_db_queries_per_request_count{route=\"%s\",method=\"%s\"} %llu\n",
                   rn, rm, (unsigned long long)cum, rn, rm, (unsigned long long)sums[r].q_sum, rn,
                   rm, (unsigned long long)sums[r].count);
    }
    free(sums);

    buf_puts(b, "# HELP tourneyd_writer_batch_size Write jobs committed in one transaction.\n"
                "# TYPE tourneyd_writer_batch_size histogram\n");
    uint64_t cum = 0;
    for (int i = 0; i < NBATCH; i++) {
        cum += counter_get(&metrics.batch[i]);
        buf_printf(b, "tourneyd_writer_batch_size_bucket{le=\"%u\"} %llu\n", batch_bounds[i],
                   (unsigned long long)cum);
    }
    cum += counter_get(&metrics.batch[NBATCH]);
    buf_printf(b,
               "tourneyd_writer_batch_size_bucket{le=\"+Inf\"} %llu\n"
               "tourneyd_writer_batch_size_sum %llu\ntourneyd_writer_batch_size_count %llu\n",
               (unsigned long long)cum, (unsigned long long)counter_get(&metrics.batch_sum),
               (unsigned long long)counter_get(&metrics.batch_count));
    buf_puts(b, "# HELP tourneyd_writer_commit_duration_seconds Time to run and commit one "
                "batch.\n# TYPE tourneyd_writer_commit_duration_seconds histogram\n");
    uint64_t commit_bk[NLAT + 1];
    for (int i = 0; i <= NLAT; i++) commit_bk[i] = counter_get(&metrics.commit_lat[i]);
    render_lat_hist(b, "tourneyd_writer_commit_duration_seconds", "", commit_bk,
                    counter_get(&metrics.commit_sum_ns), counter_get(&metrics.batch_count));
    buf_printf(b,
               "# HELP tourneyd_writer_batches_failed_total Batches whose commit failed.\n"
               "# TYPE tourneyd_writer_batches_failed_total counter\n"
               "tourneyd_writer_batches_failed_total %llu\n"
               "# HELP tourneyd_writer_queue_depth Write jobs waiting for the writer.\n"
               "# TYPE tourneyd_writer_queue_depth gauge\ntourneyd_writer_queue_depth %lld\n"
               "# HELP tourneyd_http_connections Open HTTP connections.\n"
               "# TYPE tourneyd_http_connections gauge\ntourneyd_http_connections %lld\n",
               (unsigned long long)counter_get(&metrics.batch_failed),
               (long long)atomic_load(&metrics.queue_depth),
               (long long)atomic_load(&metrics.connections));
    buf_printf(b,
               "# HELP tourneyd_ws_clients Open WebSocket (live updates) connections.\n"
               "# TYPE tourneyd_ws_clients gauge\ntourneyd_ws_clients %lld\n"
               "# HELP tourneyd_ws_messages_sent_total Live update messages written to "
               "clients.\n# TYPE tourneyd_ws_messages_sent_total counter\n"
               "tourneyd_ws_messages_sent_total %llu\n"
               "# HELP tourneyd_ws_clients_dropped_total WebSocket connections closed or "
               "refused by the server, by reason.\n"
               "# TYPE tourneyd_ws_clients_dropped_total counter\n",
               (long long)atomic_load(&metrics.ws_clients),
               (unsigned long long)counter_get(&metrics.ws_sent));
    for (int i = 0; i < WS_DROP__COUNT; i++)
        buf_printf(b, "tourneyd_ws_clients_dropped_total{reason=\"%s\"} %llu\n", ws_drop_names[i],
                   (unsigned long long)atomic_load(&metrics.ws_dropped[i]));
    buf_puts(b, "# HELP tourneyd_ws_fanout_seconds Time from a commit to its live messages "
                "handed to every subscriber's socket.\n"
                "# TYPE tourneyd_ws_fanout_seconds histogram\n");
    uint64_t fan_bk[NLAT + 1];
    for (int i = 0; i <= NLAT; i++) fan_bk[i] = counter_get(&metrics.ws_fanout[i]);
    render_lat_hist(b, "tourneyd_ws_fanout_seconds", "", fan_bk,
                    counter_get(&metrics.ws_fanout_sum_ns), counter_get(&metrics.ws_fanout_count));
    long rss = metrics_rss_bytes();
    if (rss >= 0)
        buf_printf(b,
                   "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
                   "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes "
                   "%ld\n",
                   rss);
}

void metrics_shutdown(void)
{
    pthread_mutex_lock(&metrics.lock);
    shard *s = metrics.shards;
    metrics.shards = NULL;
    pthread_mutex_unlock(&metrics.lock);
    while (s) {
        shard *next = s->next;
        free(s);
        s = next;
    }
}
