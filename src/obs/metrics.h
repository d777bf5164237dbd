/* metrics.h: Prometheus metrics of the process.
 *
 * Request counters and histograms live in per-thread shards: the thread that serves a
 * request is the only writer of its shard (relaxed atomic stores, no locks, no shared
 * cache lines), and /metrics sums the shards when scraped. Writer-thread figures
 * (batch sizes, queue depth, commit time) are owned by the writer thread the same way.
 * Names follow Prometheus conventions (`_total`, `_seconds`, base units). */
#ifndef TOURNEYD_METRICS_H
#define TOURNEYD_METRICS_H

#include <stdint.h>

#include "http/router.h"
#include "util/buf.h"

/* Registers the route labels: route i is labelled route=names[i] and, on the
 * histograms, method=methods[i] (two routes may share a path). Requests that matched no
 * route use route == nroutes, labelled "unmatched". Call once before threads start. */
void metrics_init(const char *const *names, const http_method *methods, int nroutes);
/* Records one finished request on the calling thread's shard. */
void metrics_request(int route, http_method method, int status, uint64_t duration_ns,
                     unsigned queries);
/* Records one writer batch (jobs committed together) and its commit duration. */
void metrics_writer_batch(unsigned jobs, uint64_t duration_ns, int failed);
/* Writer queue depth gauge: +1 when a job is queued, -1 when it is taken. */
void metrics_writer_queue_add(int delta);
/* Open HTTP connections gauge. */
void metrics_connections_add(int delta);
/* Renders every metric in the Prometheus text format 0.0.4. */
void metrics_render(buf *b);
/* Frees the shards (after all threads stopped). */
void metrics_shutdown(void);

#endif
