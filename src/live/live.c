/* live.c: the live thread, its subscribers and the path of change events (see live.h).
 *
 * Owns every upgraded connection (live_client: its libwslay context, its queue of
 * outgoing frames, its timers), the subscriptions (tournament id -> clients), the queue
 * of commits from the writer and the live thread's read connection. Only the live thread
 * touches clients and subscriptions; other threads meet it in three places, each behind
 * this module's functions: the queue of events and of new connections (a mutex and an
 * eventfd), the per-slot subscriber counts the writer's listener reads (atomics: a
 * tournament id hashes to a slot, a non-zero slot means "maybe subscribed"), and the
 * connection count that enforces the cap (an atomic reserved before the 101).
 *
 * Exactly once, in order. The listener numbers every commit (seq). A client that joins
 * first counts itself in its slot, then reads seq (S), then reads the state; events with
 * seq <= S are skipped for it (its snapshot already holds them) and state messages are
 * sent only when their version is above the last one the client got. A commit whose
 * listener saw the slot empty came before the join's count, hence before S and inside
 * the snapshot. So no change is lost and no state is sent twice.
 *
 * Shared bytes. A message is serialized and framed once (live_msg, refcounted); each
 * client's queue holds pointers to messages and is written with sendmsg (iovecs, no
 * copy). libwslay parses what clients send and frames the control frames it answers
 * with (pong, the echo of a close); its send callback copies those few bytes into the
 * client's queue, so one queue orders everything written to a socket. */
#include "live/live.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <wslay/wslay.h>

#include "core/tournament_rules.h"
#include "live/ws.h"
#include "obs/log.h"
#include "obs/metrics.h"
#include "store/db.h"
#include "store/store_matches.h"
#include "store/store_tournaments.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/timefmt.h"

#define LIVE_SLOT_BITS   12 /* 4096 subscriber-count slots */
#define LIVE_SLOTS       (1u << LIVE_SLOT_BITS)
#define LIVE_BUCKETS     1024 /* subscription hash chains */
#define LIVE_CTRL_BUF    512  /* control frames libwslay writes in one go */
#define LIVE_IOV_MAX     64
#define LIVE_MAX_EVENTS  256
#define LIVE_SNDBUF      (64 * 1024) /* SO_SNDBUF of an upgraded socket (the kernel doubles it) */
#define LIVE_WAKE_MARKER ((void *)&live.efd)

/* ---- messages: complete frames shared by every client they are queued for ---- */

typedef struct live_msg {
    int refs;
    bool data; /* a state or match message (counted as sent) */
    size_t len;
    uint8_t bytes[];
} live_msg;

typedef struct live_sub live_sub;
typedef struct live_client live_client;

struct live_client {
    int fd;
    req_upgraded *h;
    int64_t tid;
    wslay_event_context_ptr ws;
    live_sub *sub;
    live_client *sub_prev, *sub_next; /* the subscription's clients */
    live_client *prev, *next;         /* every client */
    live_client *link;                /* the join queue, then the list of dead clients */
    /* bytes libmicrohttpd read past the handshake: served before the socket */
    uint8_t *extra;
    size_t extra_len, extra_off;
    /* frames to write: a ring of messages, the first one written up to head_off */
    live_msg **ring;
    unsigned ring_cap, ring_head, ring_n;
    size_t head_off, queued;
    /* control frames libwslay is writing, until they are queued */
    uint8_t ctrl[LIVE_CTRL_BUF];
    size_t ctrl_len;
    int64_t last_version; /* of the last state message queued */
    uint64_t joined_seq;  /* commits up to this one are in the first state */
    uint64_t last_rx_ns, last_ping_ns, ping_sent_ns, deadline_ns;
    bool close_queued; /* a close frame is in the ring (ours, or the echo of the peer's) */
    bool wslay_off;    /* libwslay's output is abandoned (we wrote a 1002 ourselves) */
    bool shut;         /* our side is shut down (the close frame is out) */
    bool joined, eof, broken, dead;
};

struct live_sub {
    int64_t tid;
    live_client *head;
    unsigned n;
    live_sub *next;
};

/* One tournament of a commit, read on the writer's connection right after the commit. */
typedef struct live_tchange {
    int64_t tid;
    bool deleted;
    st_tournament state;
    int nm;
    int64_t *mid;       /* changed matches, in write order, each once */
    const st_match **m; /* their rows; NULL for a match that was deleted */
} live_tchange;

typedef struct live_event {
    struct live_event *next;
    uint64_t seq, commit_ns;
    bool resync; /* what changed is unknown: every subscribed tournament's state again */
    arena *a;    /* the event and its rows live here */
    int nt;
    live_tchange *t;
} live_event;

/* Whether a client's connection reservation was handed to the live thread. */
typedef struct live_ticket {
    int64_t tid;
    bool handed;
} live_ticket;

static struct {
    live_config cfg;
    bool started;
    pthread_t thread;
    atomic_bool accepting;
    int epfd, efd;
    /* shared with other threads */
    pthread_mutex_t lock;
    bool stopping;                 /* under lock */
    live_event *ev_head, *ev_tail; /* under lock */
    live_client *join_head, *join_tail;
    _Atomic uint32_t slots[LIVE_SLOTS];
    _Atomic uint64_t seq;
    _Atomic unsigned nclients;
    /* the live thread's own */
    db_conn *db;
    ws_encoder *enc;
    live_sub *subs[LIVE_BUCKETS];
    live_client *clients;
    live_client *dead;
    uint64_t now_ns, ping_ns, close_wait_ns, tick_ns, stop_deadline_ns;
    bool closing_all;
} live = {.lock = PTHREAD_MUTEX_INITIALIZER, .epfd = -1, .efd = -1};

static uint32_t live_slot(int64_t tid)
{
    return (uint32_t)(((uint64_t)tid * 0x9e3779b97f4a7c15ULL) >> (64 - LIVE_SLOT_BITS));
}

static bool live_subscribed(int64_t tid)
{
    return tid > 0 && atomic_load(&live.slots[live_slot(tid)]) > 0;
}

static live_msg *live_msg_new(size_t cap, bool data)
{
    live_msg *m = malloc(sizeof *m + cap);
    if (!m) return NULL;
    m->refs = 1;
    m->data = data;
    m->len = 0;
    return m;
}

static void live_msg_unref(live_msg *m)
{
    if (m && --m->refs == 0) free(m);
}

/* Frames a payload as one text (or close) frame. */
static live_msg *live_frame(uint8_t opcode, const void *payload, size_t n, bool data)
{
    live_msg *m = live_msg_new(n + WS_FRAME_HEADER_MAX, data);
    if (!m) return NULL;
    m->len = ws_encode(live.enc, opcode, payload, n, m->bytes);
    if (!m->len) {
        free(m);
        return NULL;
    }
    return m;
}

/* {"type": "state", "data": <state>} */
static live_msg *live_state_msg(arena *a, const st_tournament *t)
{
    buf b;
    buf_init(&b, a, 512);
    jw w;
    jw_init(&w, &b);
    jw_obj_begin(&w);
    jw_kstr(&w, "type", "state");
    jw_key(&w, "data");
    live.cfg.state_json(&w, t, time_now());
    jw_obj_end(&w);
    if (!jw_ok(&w)) return NULL;
    return live_frame(WSLAY_TEXT_FRAME, b.data, b.len, true);
}

/* {"type": "match", "data": <match>}; a deleted match (a Swiss round reset) is
 * {"id", "tournament", "state": "deleted"} (docs/API-DECISIONS.md). */
static live_msg *live_match_msg(arena *a, const char *slug, int64_t id, const st_match *m)
{
    buf b;
    buf_init(&b, a, 1024);
    jw w;
    jw_init(&w, &b);
    jw_obj_begin(&w);
    jw_kstr(&w, "type", "match");
    jw_key(&w, "data");
    if (m) {
        live.cfg.match_json(&w, m);
    } else {
        jw_obj_begin(&w);
        jw_kint(&w, "id", id);
        jw_kstr(&w, "tournament", slug);
        jw_kstr(&w, "state", "deleted");
        jw_obj_end(&w);
    }
    jw_obj_end(&w);
    if (!jw_ok(&w)) return NULL;
    return live_frame(WSLAY_TEXT_FRAME, b.data, b.len, true);
}

/* ---- a client's queue of frames ---- */

/* Queues m for c (taking a reference); false when the ring cannot grow. */
static bool client_push(live_client *c, live_msg *m)
{
    if (c->ring_n == c->ring_cap) {
        unsigned cap = c->ring_cap ? c->ring_cap * 2 : 8;
        live_msg **ring = malloc(sizeof *ring * cap);
        if (!ring) {
            c->broken = true;
            return false;
        }
        for (unsigned i = 0; i < c->ring_n; i++)
            ring[i] = c->ring[(c->ring_head + i) % c->ring_cap];
        free(c->ring);
        c->ring = ring;
        c->ring_cap = cap;
        c->ring_head = 0;
    }
    c->ring[(c->ring_head + c->ring_n) % c->ring_cap] = m;
    c->ring_n++;
    c->queued += m->len;
    m->refs++;
    return true;
}

/* Forgets every queued message but a partly written first one (framing stays intact). */
static void client_discard(live_client *c)
{
    unsigned keep = c->head_off > 0 ? 1 : 0;
    while (c->ring_n > keep) {
        live_msg *m = c->ring[(c->ring_head + c->ring_n - 1) % c->ring_cap];
        c->queued -= m->len;
        c->ring_n--;
        live_msg_unref(m);
    }
}

/* Writes as much of the queue as the socket takes. */
static void client_flush(live_client *c)
{
    unsigned sent = 0;
    while (c->ring_n > 0 && !c->broken) {
        struct iovec iov[LIVE_IOV_MAX];
        size_t k = 0;
        for (unsigned i = 0; i < c->ring_n && k < LIVE_IOV_MAX; i++, k++) {
            live_msg *m = c->ring[(c->ring_head + i) % c->ring_cap];
            size_t off = i == 0 ? c->head_off : 0;
            iov[k].iov_base = m->bytes + off;
            iov[k].iov_len = m->len - off;
        }
        struct msghdr mh = {.msg_iov = iov, .msg_iovlen = k};
        ssize_t w = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) c->broken = true;
            break;
        }
        size_t left = (size_t)w;
        c->queued -= left;
        while (left > 0) {
            live_msg *m = c->ring[c->ring_head];
            size_t rest = m->len - c->head_off;
            if (left < rest) {
                c->head_off += left;
                break;
            }
            left -= rest;
            c->head_off = 0;
            c->ring_head = (c->ring_head + 1) % c->ring_cap;
            c->ring_n--;
            if (m->data) sent++;
            live_msg_unref(m);
        }
    }
    if (sent) metrics_ws_sent(sent);
}

/* ---- libwslay callbacks ---- */

static ssize_t client_recv_cb(wslay_event_context_ptr ctx, uint8_t *out, size_t len, int flags,
                              void *user)
{
    (void)flags;
    live_client *c = user;
    if (c->extra_off < c->extra_len) {
        size_t n = c->extra_len - c->extra_off;
        if (n > len) n = len;
        memcpy(out, c->extra + c->extra_off, n);
        c->extra_off += n;
        c->last_rx_ns = live.now_ns;
        return (ssize_t)n;
    }
    for (;;) {
        ssize_t n = recv(c->fd, out, len, 0);
        if (n > 0) {
            c->last_rx_ns = live.now_ns;
            return n;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        } else {
            c->eof = true; /* the peer closed (or reset) the connection */
            wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
        }
        return -1;
    }
}

/* libwslay writes control frames here; client_pump moves them to the queue. */
static ssize_t client_send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len,
                              int flags, void *user)
{
    (void)flags;
    live_client *c = user;
    size_t room = sizeof c->ctrl - c->ctrl_len;
    if (room == 0) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    if (len > room) len = room;
    memcpy(c->ctrl + c->ctrl_len, data, len);
    c->ctrl_len += len;
    return (ssize_t)len;
}

/* Queues a close frame (through libwslay, which then stops taking messages). */
static void client_close(live_client *c, uint16_t code, const char *reason)
{
    if (c->close_queued || c->wslay_off) return;
    /* WSLAY_ERR_NO_MORE_MSG: a close is queued already, which is all we want */
    (void)wslay_event_queue_close(c->ws, code, (const uint8_t *)reason, strlen(reason));
    if (!c->deadline_ns) c->deadline_ns = live.now_ns + live.close_wait_ns;
}

/* Is this text message {"type": "ping"}? */
static bool live_is_app_ping(const uint8_t *msg, size_t len)
{
    json_error_t e;
    json_t *j = json_loadb((const char *)msg, len, JSON_REJECT_DUPLICATES, &e);
    if (!j) return false;
    json_t *type = json_object_get(j, "type");
    bool ping =
        json_is_object(j) && json_is_string(type) && strcmp(json_string_value(type), "ping") == 0;
    json_decref(j);
    return ping;
}

/* A complete message from the client: {"type": "ping"} is answered {"type": "pong"};
 * anything else closes the connection with 1003 (docs/API-DECISIONS.md). */
static void client_on_msg(wslay_event_context_ptr ctx,
                          const struct wslay_event_on_msg_recv_arg *arg, void *user)
{
    (void)ctx;
    live_client *c = user;
    if (c->close_queued || c->wslay_off || c->deadline_ns) return;
    if (arg->opcode == WSLAY_TEXT_FRAME && live_is_app_ping(arg->msg, arg->msg_length)) {
        static const char pong[] = "{\"type\":\"pong\"}";
        live_msg *m = live_frame(WSLAY_TEXT_FRAME, pong, sizeof pong - 1, false);
        if (!m || !client_push(c, m)) c->broken = true;
        live_msg_unref(m);
        return;
    }
    if (arg->opcode == WSLAY_TEXT_FRAME || arg->opcode == WSLAY_BINARY_FRAME) {
        metrics_ws_dropped(WS_DROP_PROTOCOL);
        client_close(c, WSLAY_CODE_UNSUPPORTED_DATA,
                     arg->opcode == WSLAY_TEXT_FRAME ? "unknown message"
                                                     : "binary messages are not accepted");
    }
}

/* ---- a client's life ---- */

/* Moves what libwslay wants to write (pongs, pings, closes) into the queue. */
static void client_take_ctrl(live_client *c)
{
    if (!c->ctrl_len) return;
    live_msg *m = live_msg_new(c->ctrl_len, false);
    if (m) {
        memcpy(m->bytes, c->ctrl, c->ctrl_len);
        m->len = c->ctrl_len;
        client_push(c, m);
        live_msg_unref(m);
    } else {
        c->broken = true;
    }
    c->ctrl_len = 0;
}

static void client_pump(live_client *c)
{
    if (c->wslay_off || c->broken) return;
    while (wslay_event_want_write(c->ws)) {
        int rc = wslay_event_send(c->ws);
        client_take_ctrl(c);
        if (rc != 0) {
            c->broken = true;
            return;
        }
    }
    if (!c->close_queued && wslay_event_get_close_sent(c->ws)) {
        c->close_queued = true;
        if (!c->deadline_ns) c->deadline_ns = live.now_ns + live.close_wait_ns;
        uint16_t code = wslay_event_get_status_code_sent(c->ws);
        /* libwslay's own answers to bad frames (the 1003 of an unknown message is counted
         * where it is decided) */
        if (!wslay_event_get_close_received(c->ws) &&
            (code == WSLAY_CODE_PROTOCOL_ERROR || code == WSLAY_CODE_INVALID_FRAME_PAYLOAD_DATA ||
             code == WSLAY_CODE_MESSAGE_TOO_BIG))
            metrics_ws_dropped(WS_DROP_PROTOCOL);
    }
}

/* The frame layer refused a frame (a control frame over 125 bytes or fragmented, a bad
 * length): libwslay queued a close without a code; we send 1002 ourselves instead. */
static void client_fail_protocol(live_client *c)
{
    if (c->close_queued) return;
    c->wslay_off = true;
    static const uint8_t code[2] = {WSLAY_CODE_PROTOCOL_ERROR >> 8,
                                    WSLAY_CODE_PROTOCOL_ERROR & 0xff};
    live_msg *m = live_frame(WSLAY_CONNECTION_CLOSE, code, sizeof code, false);
    if (!m || !client_push(c, m)) c->broken = true;
    live_msg_unref(m);
    c->close_queued = true;
    c->deadline_ns = live.now_ns + live.close_wait_ns;
    metrics_ws_dropped(WS_DROP_PROTOCOL);
}

/* Reads and discards what a closing client sends, to see its end of the stream. */
static void client_drain(live_client *c)
{
    uint8_t scratch[4096];
    for (;;) {
        ssize_t n = recv(c->fd, scratch, sizeof scratch, 0);
        if (n > 0) continue;
        if (n < 0 && errno == EINTR) continue;
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) c->eof = true;
        return;
    }
}

static void client_read(live_client *c)
{
    if (c->wslay_off || !wslay_event_get_read_enabled(c->ws)) {
        client_drain(c);
        return;
    }
    if (wslay_event_recv(c->ws) != 0 && !c->eof) client_fail_protocol(c);
}

static void client_finish(live_client *c)
{
    if (c->dead) return;
    c->dead = true;
    if (c->joined && epoll_ctl(live.epfd, EPOLL_CTL_DEL, c->fd, NULL) != 0)
        LOG_EMIT(LOG_ERROR, "live: epoll_ctl DEL failed", LOG_STR("error", strerror(errno)));
    req_upgraded_close(c->h); /* exactly once, after the fd left our epoll */
    atomic_fetch_sub(&live.nclients, 1);
    if (c->joined) metrics_ws_clients_add(-1);
    c->link = live.dead;
    live.dead = c;
}

/* After anything happened to c: queue libwslay's frames, enforce the send limit, write,
 * and finish the connection when it is over. */
static void client_progress(live_client *c)
{
    if (c->dead) return;
    client_pump(c);
    client_flush(c);
    if (c->queued > live.cfg.send_limit && !c->close_queued && !c->broken) {
        /* a slow reader: do not let its queue grow; tell it why if it ever reads again */
        client_discard(c);
        metrics_ws_dropped(WS_DROP_SLOW);
        client_close(c, WSLAY_CODE_POLICY_VIOLATION, "send buffer full");
        client_pump(c);
        client_flush(c);
    }
    bool received = !c->wslay_off && wslay_event_get_close_received(c->ws);
    if (c->close_queued && c->ring_n == 0 && !received && !c->shut && !c->broken) {
        /* our close frame is out and the peer has not closed yet: end our half of the
         * stream, so the peer sees the end at once (RFC 6455 7.1.1), and wait for its
         * end (or the deadline) before giving the socket back, so no reset cuts the
         * close frame short */
        c->shut = true;
        if (shutdown(c->fd, SHUT_WR) != 0) c->broken = true;
    }
    bool done = c->broken || c->eof || (c->deadline_ns && live.now_ns >= c->deadline_ns) ||
                (c->close_queued && c->ring_n == 0 && received);
    if (done) client_finish(c);
}

static void client_free(live_client *c)
{
    while (c->ring_n > 0) {
        live_msg_unref(c->ring[c->ring_head]);
        c->ring_head = (c->ring_head + 1) % c->ring_cap;
        c->ring_n--;
    }
    free(c->ring);
    if (c->ws) wslay_event_context_free(c->ws);
    free(c->extra);
    free(c);
}

/* ---- subscriptions (live thread) ---- */

static live_sub **live_sub_bucket(int64_t tid)
{
    return &live.subs[((uint64_t)tid * 0x9e3779b97f4a7c15ULL >> 32) % LIVE_BUCKETS];
}

static live_sub *live_sub_find(int64_t tid)
{
    for (live_sub *s = *live_sub_bucket(tid); s; s = s->next)
        if (s->tid == tid) return s;
    return NULL;
}

static bool live_subscribe(live_client *c)
{
    live_sub *s = live_sub_find(c->tid);
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s) return false;
        s->tid = c->tid;
        live_sub **b = live_sub_bucket(c->tid);
        s->next = *b;
        *b = s;
    }
    c->sub = s;
    c->sub_prev = NULL;
    c->sub_next = s->head;
    if (s->head) s->head->sub_prev = c;
    s->head = c;
    s->n++;
    atomic_fetch_add(&live.slots[live_slot(c->tid)], 1);
    return true;
}

static void live_unsubscribe(live_client *c)
{
    live_sub *s = c->sub;
    if (!s) return;
    if (c->sub_prev)
        c->sub_prev->sub_next = c->sub_next;
    else
        s->head = c->sub_next;
    if (c->sub_next) c->sub_next->sub_prev = c->sub_prev;
    c->sub = NULL;
    atomic_fetch_sub(&live.slots[live_slot(c->tid)], 1);
    if (--s->n > 0) return;
    for (live_sub **p = live_sub_bucket(s->tid); *p; p = &(*p)->next) {
        if (*p == s) {
            *p = s->next;
            break;
        }
    }
    free(s);
}

/* Frees the clients finished since the last call (deferred, so that no list being
 * walked loses an element under it). */
static void live_reap(void)
{
    while (live.dead) {
        live_client *c = live.dead;
        live.dead = c->link;
        live_unsubscribe(c);
        if (c->prev)
            c->prev->next = c->next;
        else if (live.clients == c)
            live.clients = c->next;
        if (c->next) c->next->prev = c->prev;
        client_free(c);
    }
}

/* ---- joining ---- */

/* A new connection on the live thread: subscribe, then the current state. */
static void live_join(live_client *c)
{
    c->next = live.clients;
    if (live.clients) live.clients->prev = c;
    live.clients = c;
    c->last_rx_ns = c->last_ping_ns = live.now_ns;
    struct wslay_event_callbacks cb = {
        .recv_callback = client_recv_cb,
        .send_callback = client_send_cb,
        .on_msg_recv_callback = client_on_msg,
    };
    if (wslay_event_context_server_init(&c->ws, &cb, c) != 0) {
        c->ws = NULL;
        client_finish(c);
        return;
    }
    wslay_event_config_set_max_recv_msg_length(c->ws, live.cfg.max_message);
    /* the kernel's share of a slow client stays small too: the queue is ours */
    int sndbuf = LIVE_SNDBUF;
    if (setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) != 0)
        LOG_EMIT(LOG_WARN, "live: cannot size a socket's send buffer",
                 LOG_STR("error", strerror(errno)));
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
    if (epoll_ctl(live.epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
        LOG_EMIT(LOG_ERROR, "live: epoll_ctl ADD failed", LOG_STR("error", strerror(errno)));
        client_finish(c);
        return;
    }
    c->joined = true; /* in our epoll and counted in the gauge */
    metrics_ws_clients_add(1);
    if (!live_subscribe(c)) {
        client_finish(c);
        return;
    }
    uint64_t seq = atomic_load(&live.seq);
    arena *a = arena_new(4096);
    st_tournament t;
    bool deleted = false;
    int rc = a ? store_tournament_live_state(live.db, a, c->tid, &t, &deleted) : STORE_ERROR;
    db_take_queries(live.db);
    c->joined_seq = seq;
    if (rc == STORE_OK && !deleted && t.status != TSTATUS_DRAFT) {
        live_msg *m = live_state_msg(a, &t);
        if (!m || !client_push(c, m)) c->broken = true;
        live_msg_unref(m);
        c->last_version = t.version;
    } else if (rc == STORE_OK || rc == STORE_NOT_FOUND) {
        client_close(c, WSLAY_CODE_GOING_AWAY, "tournament deleted");
    } else {
        client_close(c, WSLAY_CODE_INTERNAL_SERVER_ERROR, "the database failed");
    }
    arena_free(a);
    client_read(c); /* the frames libmicrohttpd read already, if any */
    client_progress(c);
}

/* ---- events ---- */

/* Every subscriber of a tournament that is gone gets 1001. */
static void live_close_sub(live_sub *s)
{
    for (live_client *c = s->head; c; c = c->sub_next) {
        if (c->dead) continue;
        client_close(c, WSLAY_CODE_GOING_AWAY, "tournament deleted");
        client_progress(c);
    }
}

/* Sends one tournament's messages of one commit to its subscribers. */
static bool live_fan_out(const live_event *e, const live_tchange *t, arena *scratch)
{
    live_sub *s = live_sub_find(t->tid);
    if (!s) return false;
    if (t->deleted || t->state.status == TSTATUS_DRAFT) {
        live_close_sub(s);
        return true;
    }
    live_msg **msgs = arena_calloc(scratch, (size_t)t->nm + 1, sizeof *msgs);
    if (!msgs) return false;
    int n = 0;
    for (int i = 0; i < t->nm; i++) {
        live_msg *m = live_match_msg(scratch, t->state.slug, t->mid[i], t->m[i]);
        if (m) msgs[n++] = m;
    }
    live_msg *state = live_state_msg(scratch, &t->state);
    bool any = false;
    for (live_client *c = s->head; c; c = c->sub_next) {
        if (c->dead || c->close_queued || c->deadline_ns || e->seq <= c->joined_seq) continue;
        bool ok = true;
        for (int i = 0; ok && i < n; i++) ok = client_push(c, msgs[i]);
        if (ok && state && t->state.version > c->last_version) {
            ok = client_push(c, state);
            c->last_version = t->state.version;
        }
        any = true;
        client_progress(c);
    }
    for (int i = 0; i < n; i++) live_msg_unref(msgs[i]);
    live_msg_unref(state);
    return any;
}

/* The state of every subscribed tournament again, read here (changes were lost). */
static void live_resync(void)
{
    arena *a = arena_new(8192);
    if (!a) return;
    for (size_t b = 0; b < LIVE_BUCKETS; b++) {
        for (live_sub *s = live.subs[b]; s; s = s->next) {
            st_tournament t;
            bool deleted = false;
            int rc = store_tournament_live_state(live.db, a, s->tid, &t, &deleted);
            if (rc == STORE_NOT_FOUND || (rc == STORE_OK && deleted)) {
                live_close_sub(s);
                continue;
            }
            if (rc != STORE_OK) continue;
            live_msg *m = live_state_msg(a, &t);
            if (!m) continue;
            for (live_client *c = s->head; c; c = c->sub_next) {
                if (c->dead || c->close_queued || t.version <= c->last_version) continue;
                client_push(c, m);
                c->last_version = t.version;
                client_progress(c);
            }
            live_msg_unref(m);
        }
    }
    db_take_queries(live.db);
    arena_free(a);
}

static void live_process(live_event *e)
{
    if (e->resync) {
        live_resync();
        return;
    }
    arena *scratch = arena_new(16384);
    if (!scratch) return;
    bool any = false;
    for (int i = 0; i < e->nt; i++) any |= live_fan_out(e, &e->t[i], scratch);
    arena_free(scratch);
    if (any) metrics_ws_fanout(time_mono_ns() - e->commit_ns);
}

/* ---- the thread ---- */

static void live_close_all(void)
{
    live.closing_all = true;
    live.stop_deadline_ns = live.now_ns + live.close_wait_ns;
    for (live_client *c = live.clients; c; c = c->next) {
        if (c->dead) continue;
        client_close(c, WSLAY_CODE_GOING_AWAY, "server shutting down");
        client_progress(c);
    }
}

/* The eventfd fired: new connections, commits, or the order to stop. */
static void live_wakeup(void)
{
    uint64_t v;
    if (read(live.efd, &v, sizeof v) < 0 && errno != EAGAIN)
        LOG_EMIT(LOG_ERROR, "live: reading the eventfd failed", LOG_STR("error", strerror(errno)));
    pthread_mutex_lock(&live.lock);
    live_client *joins = live.join_head;
    live_event *events = live.ev_head;
    live.join_head = live.join_tail = NULL;
    live.ev_head = live.ev_tail = NULL;
    bool stop = live.stopping;
    pthread_mutex_unlock(&live.lock);
    while (joins) {
        live_client *c = joins;
        joins = c->link;
        c->link = NULL;
        live_join(c);
    }
    while (events) {
        live_event *e = events;
        events = e->next;
        live_process(e);
        arena_free(e->a);
    }
    if (stop && !live.closing_all) live_close_all();
}

static void live_tick(void)
{
    for (live_client *c = live.clients; c; c = c->next) {
        if (c->dead) continue;
        if (c->deadline_ns) {
            if (live.now_ns >= c->deadline_ns) client_finish(c);
            continue;
        }
        if (c->ping_sent_ns && c->last_rx_ns < c->ping_sent_ns &&
            live.now_ns - c->ping_sent_ns >= live.ping_ns) {
            metrics_ws_dropped(WS_DROP_PING_TIMEOUT);
            client_close(c, WSLAY_CODE_INTERNAL_SERVER_ERROR, "ping timeout");
            client_progress(c);
            continue;
        }
        if (live.now_ns - c->last_ping_ns >= live.ping_ns) {
            struct wslay_event_msg ping = {.opcode = WSLAY_PING, .msg = NULL, .msg_length = 0};
            if (wslay_event_queue_msg(c->ws, &ping) == 0) {
                c->last_ping_ns = live.now_ns;
                if (!c->ping_sent_ns || c->last_rx_ns >= c->ping_sent_ns)
                    c->ping_sent_ns = live.now_ns;
            }
            client_progress(c);
        }
    }
}

static void *live_main(void *unused)
{
    (void)unused;
    struct epoll_event evs[LIVE_MAX_EVENTS];
    live.now_ns = time_mono_ns();
    uint64_t next_tick = live.now_ns + live.tick_ns;
    for (;;) {
        int timeout = next_tick > live.now_ns ? (int)((next_tick - live.now_ns) / 1000000) + 1 : 0;
        int n = epoll_wait(live.epfd, evs, LIVE_MAX_EVENTS, timeout);
        if (n < 0 && errno != EINTR) {
            LOG_EMIT(LOG_ERROR, "live: epoll_wait failed", LOG_STR("error", strerror(errno)));
            n = 0;
        }
        live.now_ns = time_mono_ns();
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == LIVE_WAKE_MARKER) {
                live_wakeup();
                continue;
            }
            live_client *c = evs[i].data.ptr;
            if (c->dead) continue;
            if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) client_read(c);
            client_progress(c);
        }
        if (live.now_ns >= next_tick) {
            live_tick();
            next_tick = live.now_ns + live.tick_ns;
        }
        if (live.closing_all && live.now_ns >= live.stop_deadline_ns)
            for (live_client *c = live.clients; c; c = c->next) client_finish(c);
        live_reap();
        if (live.closing_all && !live.clients) break;
    }
    return NULL;
}

/* ---- other threads ---- */

static void live_signal(void)
{
    uint64_t one = 1;
    if (write(live.efd, &one, sizeof one) < 0)
        LOG_EMIT(LOG_ERROR, "live: waking the live thread failed",
                 LOG_STR("error", strerror(errno)));
}

static void live_ticket_cleanup(void *p)
{
    live_ticket *t = p;
    if (!t->handed) atomic_fetch_sub(&live.nclients, 1);
}

/* On the io thread, once the 101 is out: hand the socket to the live thread. */
static void live_upgraded(void *arg, int fd, const char *extra, size_t extra_len, req_upgraded *h)
{
    live_ticket *t = arg;
    live_client *c = calloc(1, sizeof *c);
    uint8_t *copy = extra_len ? malloc(extra_len) : NULL;
    if (!c || (extra_len && !copy)) {
        free(c);
        free(copy);
        req_upgraded_close(h); /* the ticket's cleanup gives the reservation back */
        return;
    }
    if (extra_len) memcpy(copy, extra, extra_len);
    c->fd = fd;
    c->h = h;
    c->tid = t->tid;
    c->extra = copy;
    c->extra_len = extra_len;
    t->handed = true;
    pthread_mutex_lock(&live.lock);
    if (live.stopping) {
        pthread_mutex_unlock(&live.lock);
        req_upgraded_close(h);
        atomic_fetch_sub(&live.nclients, 1);
        client_free(c);
        return;
    }
    if (live.join_tail)
        live.join_tail->link = c;
    else
        live.join_head = c;
    live.join_tail = c;
    pthread_mutex_unlock(&live.lock);
    live_signal();
}

/* Reserves one connection under the cap. */
static bool live_reserve(void)
{
    unsigned n = atomic_load(&live.nclients);
    do {
        if (n >= live.cfg.max_clients) return false;
    } while (!atomic_compare_exchange_weak(&live.nclients, &n, n + 1));
    return true;
}

void live_accept(req *r, int64_t tournament_id)
{
    const char *key;
    if (!ws_handshake_check(r, &key)) return;
    if (!atomic_load(&live.accepting)) {
        req_error(r, 503, "unavailable", NULL, "the server is shutting down");
        return;
    }
    if (!live_reserve()) {
        metrics_ws_dropped(WS_DROP_CAPACITY);
        req_error(r, 503, "unavailable", NULL, "too many live connections; try again later");
        req_add_header(r, "Retry-After", "5");
        return;
    }
    live_ticket *t = arena_calloc(req_arena(r), 1, sizeof *t);
    if (!t || !req_on_cleanup(r, live_ticket_cleanup, t)) {
        atomic_fetch_sub(&live.nclients, 1);
        req_error(r, 500, "internal", NULL, "out of memory");
        return;
    }
    t->tid = tournament_id;
    ws_handshake_accept(r, key);
    req_upgrade(r, live_upgraded, t);
}

/* ---- the writer's listener ---- */

/* An open-addressing map of positive ids to indexes, in an arena. */
typedef struct live_idmap {
    int64_t *keys; /* 0 = empty */
    int *vals;
    size_t mask;
} live_idmap;

static bool live_idmap_init(live_idmap *m, arena *a, size_t n)
{
    size_t cap = 16;
    while (cap < n * 2) cap *= 2;
    m->keys = arena_calloc(a, cap, sizeof *m->keys);
    m->vals = arena_calloc(a, cap, sizeof *m->vals);
    m->mask = cap - 1;
    return m->keys && m->vals;
}

/* The value slot of key; *fresh tells whether it was just added. */
static int *live_idmap_put(live_idmap *m, int64_t key, bool *fresh)
{
    size_t i = (size_t)(((uint64_t)key * 0x9e3779b97f4a7c15ULL) >> 17) & m->mask;
    while (m->keys[i] && m->keys[i] != key) i = (i + 1) & m->mask;
    *fresh = m->keys[i] == 0;
    m->keys[i] = key;
    return &m->vals[i];
}

static int live_idmap_get(const live_idmap *m, int64_t key)
{
    size_t i = (size_t)(((uint64_t)key * 0x9e3779b97f4a7c15ULL) >> 17) & m->mask;
    while (m->keys[i]) {
        if (m->keys[i] == key) return m->vals[i];
        i = (i + 1) & m->mask;
    }
    return -1;
}

static void live_enqueue(live_event *e)
{
    pthread_mutex_lock(&live.lock);
    if (live.stopping) {
        pthread_mutex_unlock(&live.lock);
        arena_free(e->a);
        return;
    }
    e->next = NULL;
    if (live.ev_tail)
        live.ev_tail->next = e;
    else
        live.ev_head = e;
    live.ev_tail = e;
    pthread_mutex_unlock(&live.lock);
    live_signal();
}

static void live_enqueue_resync(uint64_t seq, uint64_t commit_ns)
{
    arena *a = arena_new(256);
    live_event *e = a ? arena_calloc(a, 1, sizeof *e) : NULL;
    if (!e) {
        arena_free(a);
        LOG_EMIT(LOG_ERROR, "live: out of memory; subscribers may miss a change");
        return;
    }
    e->a = a;
    e->seq = seq;
    e->commit_ns = commit_ns;
    e->resync = true;
    live_enqueue(e);
}

static int64_t live_change_tid(const db_change *c)
{
    return c->kind == DB_CH_TOURNAMENT ? c->id : c->kind == DB_CH_MATCH ? c->parent : 0;
}

/* Reads what one commit changed in subscribed tournaments into e (on the writer's
 * connection, which sees exactly that commit). */
static int live_read_commit(db_conn *w, live_event *e, const db_change *ch, size_t n)
{
    arena *a = e->a;
    live_idmap tours, seen;
    if (!live_idmap_init(&tours, a, n) || !live_idmap_init(&seen, a, n)) return STORE_ERROR;
    /* pass 1: subscribed tournaments in first-appearance order, their matches counted */
    int cap = 4;
    e->t = arena_calloc(a, (size_t)cap, sizeof *e->t);
    int64_t *order = arena_alloc(a, sizeof *order * n); /* each match once, in write order */
    int *order_t = arena_alloc(a, sizeof *order_t * n);
    if (!e->t || !order || !order_t) return STORE_ERROR;
    size_t norder = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t tid = live_change_tid(&ch[i]);
        if (!live_subscribed(tid)) continue;
        bool fresh;
        int *ti = live_idmap_put(&tours, tid, &fresh);
        if (fresh) {
            if (e->nt == cap) {
                e->t =
                    arena_grow(a, e->t, sizeof *e->t * (size_t)cap, sizeof *e->t * (size_t)cap * 2);
                if (!e->t) return STORE_ERROR;
                memset(e->t + cap, 0, sizeof *e->t * (size_t)cap);
                cap *= 2;
            }
            *ti = e->nt;
            e->t[e->nt++].tid = tid;
        }
        if (ch[i].kind != DB_CH_MATCH) continue;
        int t_index = *ti;
        live_idmap_put(&seen, ch[i].id, &fresh);
        if (!fresh) continue;
        order[norder] = ch[i].id;
        order_t[norder++] = t_index;
        e->t[t_index].nm++;
    }
    /* pass 2: the rows as committed */
    buf ids;
    buf_init(&ids, a, 16 + norder * 12);
    buf_putc(&ids, '[');
    for (size_t i = 0; i < norder; i++) {
        if (i) buf_putc(&ids, ',');
        buf_put_i64(&ids, order[i]);
    }
    buf_putc(&ids, ']');
    if (!buf_ok(&ids)) return STORE_ERROR;
    st_match *rows = NULL;
    int nrows = 0;
    live_idmap byid;
    if (norder) {
        int rc = store_matches_by_ids(w, a, ids.data, &rows, &nrows);
        if (rc != STORE_OK) return rc;
        if (!live_idmap_init(&byid, a, (size_t)nrows)) return STORE_ERROR;
        for (int i = 0; i < nrows; i++) {
            bool fresh;
            *live_idmap_put(&byid, rows[i].id, &fresh) = i;
        }
    }
    for (int k = 0; k < e->nt; k++) {
        live_tchange *t = &e->t[k];
        int rc = store_tournament_live_state(w, a, t->tid, &t->state, &t->deleted);
        if (rc == STORE_NOT_FOUND)
            t->deleted = true;
        else if (rc != STORE_OK)
            return rc;
        t->mid = arena_alloc(a, sizeof *t->mid * ((size_t)t->nm + 1));
        t->m = arena_calloc(a, (size_t)t->nm + 1, sizeof *t->m);
        if (!t->mid || !t->m) return STORE_ERROR;
        t->nm = 0;
    }
    for (size_t i = 0; i < norder; i++) {
        live_tchange *t = &e->t[order_t[i]];
        int row = live_idmap_get(&byid, order[i]);
        t->mid[t->nm] = order[i];
        t->m[t->nm++] = row >= 0 ? &rows[row] : NULL;
    }
    return STORE_OK;
}

void live_on_commit(db_conn *w, const db_change *ch, size_t n, void *arg)
{
    (void)arg;
    uint64_t commit_ns = time_mono_ns();
    uint64_t seq = atomic_fetch_add(&live.seq, 1) + 1;
    if (!atomic_load(&live.accepting)) return;
    if (n == 0) {
        live_enqueue_resync(seq, commit_ns);
        return;
    }
    size_t i = 0;
    while (i < n && !live_subscribed(live_change_tid(&ch[i]))) i++;
    if (i == n) return; /* nobody follows what changed: no cost beyond this scan */
    arena *a = arena_new(16384);
    live_event *e = a ? arena_calloc(a, 1, sizeof *e) : NULL;
    if (!e) {
        arena_free(a);
        live_enqueue_resync(seq, commit_ns);
        return;
    }
    e->a = a;
    e->seq = seq;
    e->commit_ns = commit_ns;
    int rc = live_read_commit(w, e, ch, n);
    db_release(w);
    if (rc != STORE_OK) {
        LOG_EMIT(LOG_ERROR, "live: reading a commit's rows failed; resending states",
                 LOG_INT("rc", rc));
        arena_free(a);
        live_enqueue_resync(seq, commit_ns);
        return;
    }
    live_enqueue(e);
}

/* ---- start and stop ---- */

int live_start(const live_config *cfg, char *err, size_t errlen)
{
    live.cfg = *cfg;
    if (live.cfg.max_message < 125) live.cfg.max_message = 125;
    live.ping_ns = (uint64_t)(cfg->ping_s ? cfg->ping_s : 30) * 1000000000ULL;
    live.close_wait_ns = (uint64_t)(cfg->close_wait_ms ? cfg->close_wait_ms : 2000) * 1000000ULL;
    live.tick_ns = live.ping_ns / 4;
    if (live.tick_ns > live.close_wait_ns / 4) live.tick_ns = live.close_wait_ns / 4;
    if (live.tick_ns > 1000000000ULL) live.tick_ns = 1000000000ULL;
    live.db = db_open(cfg->db_path, true, err, errlen);
    if (!live.db) return -1;
    live.enc = ws_encoder_new();
    live.epfd = epoll_create1(EPOLL_CLOEXEC);
    live.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = LIVE_WAKE_MARKER};
    if (!live.enc || live.epfd < 0 || live.efd < 0 ||
        epoll_ctl(live.epfd, EPOLL_CTL_ADD, live.efd, &ev) != 0) {
        snprintf(err, errlen, "cannot set up the live thread: %s", strerror(errno));
        goto fail;
    }
    atomic_store(&live.accepting, true);
    int rc = pthread_create(&live.thread, NULL, live_main, NULL);
    if (rc != 0) {
        atomic_store(&live.accepting, false);
        snprintf(err, errlen, "cannot start the live thread: %s", strerror(rc));
        goto fail;
    }
    live.started = true;
    return 0;
fail:
    if (live.epfd >= 0) close(live.epfd);
    if (live.efd >= 0) close(live.efd);
    live.epfd = live.efd = -1;
    ws_encoder_free(live.enc);
    live.enc = NULL;
    db_close(live.db);
    live.db = NULL;
    return -1;
}

void live_stop(void)
{
    if (!live.started) return;
    atomic_store(&live.accepting, false);
    pthread_mutex_lock(&live.lock);
    live.stopping = true;
    pthread_mutex_unlock(&live.lock);
    live_signal();
    pthread_join(live.thread, NULL);
    live.started = false;
    /* nothing is queued after `stopping`; what was queued before the thread saw it: */
    while (live.ev_head) {
        live_event *e = live.ev_head;
        live.ev_head = e->next;
        arena_free(e->a);
    }
    while (live.join_head) {
        live_client *c = live.join_head;
        live.join_head = c->link;
        req_upgraded_close(c->h);
        atomic_fetch_sub(&live.nclients, 1);
        client_free(c);
    }
    live.ev_tail = NULL;
    live.join_tail = NULL;
    close(live.epfd);
    close(live.efd);
    live.epfd = live.efd = -1;
    ws_encoder_free(live.enc);
    live.enc = NULL;
    db_close(live.db);
    live.db = NULL;
}
