/* server.h: the HTTP server: libmicrohttpd in epoll thread-pool mode (fed by an accept
 * thread of ours, so connections spread evenly over the io threads), request life cycle,
 * limits, and dispatch through the router to handlers. */
#ifndef TOURNEYD_SERVER_H
#define TOURNEYD_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "http/request.h"
#include "http/router.h"

#define SERVER_BODY_LIMIT (64 * 1024)

typedef struct server_config {
    const char *listen; /* "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:8080" */
    unsigned threads;
    unsigned max_connections;
    unsigned idle_timeout_s;
    unsigned slow_ms;
    const router *routes;
    const req_handler *handlers; /* handlers[i] serves route i */
    /* Returns and resets the calling thread's query count (for metrics and logs). */
    unsigned (*take_queries)(void);
} server_config;

typedef struct server server;

/* Starts listening and serving; NULL with a message on failure. */
server *server_start(const server_config *cfg, char *err, size_t errlen);
/* The port it listens on (the one chosen by the system when asked for port 0). */
unsigned server_port(server *s);
/* Stops accepting new connections: new ones are closed at once; in-flight requests go
 * on and their answers close the connection. */
void server_quiesce(server *s);
/* Waits up to timeout_ms for in-flight requests to finish; returns how many remain. */
int server_drain(server *s, unsigned timeout_ms);
/* Stops the threads and frees the server. */
void server_stop(server *s);

#endif
