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
/* WebSocket live updates. Clients gauge: +1 when a connection is upgraded, -1 when it
 * is closed. Messages: data messages (state, match) completely written to a client's
 * socket, and the time from a commit to its messages having been handed to every
 * subscriber's socket (recorded by the live threads). Drops: connections the server
 * closed or refused for a client's fault or a limit (any thread). All atomic adds. */
typedef enum {
    WS_DROP_SLOW,         /* its send buffer passed the limit (close 1008) */
    WS_DROP_PING_TIMEOUT, /* no answer to a ping in time (close 1011) */
    WS_DROP_PROTOCOL,     /* bad frames or messages (close 1002, 1003, 1007, 1009) */
    WS_DROP_CAPACITY,     /* refused before the upgrade: the connection cap (503) */
    WS_DROP__COUNT
} ws_drop_reason;
void metrics_ws_clients_add(int delta);
void metrics_ws_sent(uint64_t messages);
void metrics_ws_dropped(ws_drop_reason why);
void metrics_ws_fanout(uint64_t duration_ns);
/* Renders every metric in the Prometheus text format 0.0.4. */
void metrics_render(buf *b);
/* Frees the shards (after all threads stopped). */
void metrics_shutdown(void);

#endif
