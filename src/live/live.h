/* live.h: live updates of tournaments over WebSocket (API.md "Live updates").
 *
 * A subscriber connects to GET /api/v1/tournaments/{slug}/live; once upgraded, its
 * socket belongs to one of the live threads (each with its own epoll loop and its own
 * read connection to the database). The writer tells this module what each commit
 * changed (live_on_commit, its listener): for tournaments that have subscribers it reads
 * the committed rows on the writer's connection, so every message shows exactly the
 * commit it follows, and queues them to the live threads; each message is serialized
 * once and the same bytes go to every subscriber, in commit order. Slow clients, silent clients and
 * bad frames are closed; the number of connections is capped. Layering: main wires this module to
 * the writer (listener), to the API (the route's hook) and to the JSON writers of api/ (function
 * pointers); it uses http/request.h, store and util, and nothing calls it but main and those hooks.
 */
#ifndef TOURNEYD_LIVE_H
#define TOURNEYD_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "http/request.h"
#include "store/store.h"
#include "util/json.h"

typedef struct live_config {
    const char *db_path;
    unsigned threads;       /* live threads; subscribers are spread over them */
    unsigned max_clients;   /* connections at most; more are refused with 503 */
    unsigned ping_s;        /* a ping every ping_s seconds; no answer in ping_s: closed */
    size_t send_limit;      /* bytes queued for one client before it is dropped (1008) */
    size_t max_message;     /* longest message a client may send (longer: 1009) */
    unsigned close_wait_ms; /* how long a closing handshake may take */
    /* The JSON writers of the two messages' data (api_state_json, api_match_json). */
    void (*state_json)(jw *w, const st_tournament *t, int64_t now);
    void (*match_json)(jw *w, const st_match *m);
} live_config;

/* Opens the live threads' read connections and starts the threads. */
int live_start(const live_config *cfg, char *err, size_t errlen);

/* The route's hook (api_live_fn): on an io thread, for a tournament anyone may see.
 * Checks the handshake (ws.h) and the connection cap, then answers 101; the upgraded
 * connection is handed to the live thread, which sends the current state at once. */
void live_accept(req *r, int64_t tournament_id);

/* The writer's listener (writer_listener_fn): after each commit, before it is
 * acknowledged. Costs one atomic increment and a scan of the change list when no
 * changed tournament has subscribers. */
void live_on_commit(db_conn *w, const db_change *changes, size_t n, void *arg);

/* Closes every connection with 1001 (waiting at most close_wait_ms for the closing
 * handshakes), gives every socket back to the server and stops the threads. Call before
 * the server stops; connections upgraded afterwards are closed at once, and commits
 * afterwards are not looked at. */
void live_stop(void);

#endif
