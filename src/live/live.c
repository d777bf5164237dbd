/* live.c: the live threads, their subscribers and the path of change events (live.h).
 *
 * Owns every upgraded connection (live_client: its libwslay context, its queue of
 * outgoing frames, its timers), the subscriptions (tournament id -> clients) and the
 * events of commits. Subscribers are spread over --ws-threads shards; a shard is one
 * thread with its own epoll, eventfd, clients, subscriptions, frame encoder and read
 * connection, and only that thread touches them (on loopback, writing to a socket costs
 * about 10 us of kernel time, so 1,000 subscribers need more than one core to hear of a
 * commit within a few milliseconds). Other threads meet the shards in three places, each
 * behind this module's functions: a shard's queues of events and new connections (a
 * mutex and its eventfd), the subscriber counts per hashed tournament slot that the
 * writer's listener reads (atomics: non-zero means "maybe subscribed"), and the
 * connection count that enforces the cap (an atomic reserved before the 101).
 *
 * One event per commit. The listener reads what the commit changed in subscribed
 * tournaments on the writer's connection (exactly that commit) and hands the same event
 * to every shard; the first shard with subscribers of a tournament serializes its
 * messages (under the event's lock), the others reuse them, and the last shard done
 * frees the event and records the fan-out time. A message is framed once (live_msg,
 * refcounted); each shard copies a commit's frames into one block of its own, which the
 * queue of every client taking them all points at (no count shared between the cores),
 * and queues are written with sendmsg (iovecs, no copy), once per wakeup for all the
 * commits that wakeup took.
 *
 * Exactly once, in order. The listener numbers every commit (seq). A client that joins
 * first counts itself in its slot, then reads seq (S), then reads the state; events with
 * seq <= S are skipped for it (its snapshot holds them) and a state message goes out only
 * with a version above the last one the client got. A commit whose listener saw the slot
 * empty came before the join's count, hence before S and inside the snapshot: no change
 * is lost and no state is sent twice. Each shard takes its events in commit order.
 *
 * libwslay parses what clients send and frames the control frames it answers with (pong,
 * the echo of a close); its send callback copies those few bytes into the client's queue,
 * so one queue orders everything written to a socket. */
#include "live/live.h"

#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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

#define LIVE_SLOT_BITS  12 /* 4096 subscriber-count slots */
#define LIVE_SLOTS      (1u << LIVE_SLOT_BITS)
#define LIVE_BUCKETS    1024 /* subscription hash chains per shard */
#define LIVE_CTRL_BUF   512  /* control frames libwslay writes in one go */
#define LIVE_IOV_MAX    64
#define LIVE_MAX_EVENTS 256
#define LIVE_SNDBUF     (64 * 1024) /* SO_SNDBUF of an upgraded socket (the kernel doubles it) */
#define LIVE_SHARDS_MAX 64

/* ---- messages: complete frames shared by every client they are queued for ---- */

typedef struct live_msg {
    atomic_int refs; /* clients of any shard may hold one */
    unsigned data;   /* state and match messages in it (counted as sent); 0: control */
    size_t len;
    uint8_t bytes[];
} live_msg;

typedef struct live_sub live_sub;
typedef struct live_client live_client;
typedef struct live_shard live_shard;

struct live_client {
    /* what a fan-out touches for every subscriber comes first (a few cache lines) */
    live_client *sub_next;   /* the subscription's clients */
    live_client *dirty_next; /* clients with frames queued but not written yet */
    bool dirty;
    bool ws_out;       /* libwslay may have frames to write (it read, or we queued one) */
    bool close_rcvd;   /* libwslay read the peer's close frame */
    bool close_queued; /* a close frame is in the ring (ours, or the echo of the peer's) */
    bool wslay_off;    /* libwslay's output is abandoned (we wrote a 1002 ourselves) */
    bool shut;         /* our side is shut down (the close frame is out) */
    bool joined, eof, broken, dead;
    int fd;
    int64_t last_version; /* of the last state message queued */
    uint64_t joined_seq;  /* commits up to this one are in the first state */
    uint64_t deadline_ns;
    live_shard *shard;
    /* frames to write: a ring of messages (a power of two), the first one written up to
     * head_off */
    live_msg **ring;
    unsigned ring_cap, ring_head, ring_n;
    size_t head_off, queued;
    /* the rest */
    req_upgraded *h;
    int64_t tid;
    wslay_event_context_ptr ws;
    live_sub *sub;
    live_client *sub_prev;    /* the subscription's clients */
    live_client *prev, *next; /* every client of the shard */
    live_client *link;        /* the join queue, then the list of dead clients */
    uint64_t last_rx_ns, last_ping_ns, ping_sent_ns;
    /* bytes libmicrohttpd read past the handshake: served before the socket */
    uint8_t *extra;
    size_t extra_len, extra_off;
    /* control frames libwslay is writing, until they are queued */
    size_t ctrl_len;
    uint8_t ctrl[LIVE_CTRL_BUF];
};

struct live_sub {
    int64_t tid;
    live_client *head;
    unsigned n;
    live_sub *next;
};

/* One tournament of a commit, read on the writer's connection right after the commit,
 * and its messages once a shard built them. */
typedef struct live_tchange {
    int64_t tid;
    bool deleted;
    st_tournament state;
    int nm;
    int64_t *mid;       /* changed matches, in write order, each once */
    const st_match **m; /* their rows; NULL for a match that was deleted */
    bool built;         /* under the event's lock */
    int nmsgs;
    live_msg **msgs; /* the match messages */
    live_msg *state_msg;
} live_tchange;

typedef struct live_event {
    struct live_event **next; /* in each shard's queue */
    atomic_uint pending;      /* shards that have not processed it yet */
    atomic_bool delivered;    /* some subscriber got a message */
    pthread_mutex_t lock;     /* building the messages */
    uint64_t seq, commit_ns;
    bool resync; /* what changed is unknown: every subscribed tournament's state again */
    arena *a;    /* the event and its rows live here */
    int nt;
    live_tchange *t;
} live_event;

struct live_shard {
    unsigned index;
    pthread_t thread;
    bool started;
    int epfd, efd;
    /* shared with other threads, under lock */
    pthread_mutex_t lock;
    bool stopping;
    live_event *ev_head, *ev_tail;
    live_client *join_head, *join_tail;
    /* the shard's thread only */
    db_conn *db;
    ws_encoder *enc;
    live_sub *subs[LIVE_BUCKETS];
    live_client *clients;
    live_client *dead;
    live_client *dirty;
    uint64_t now_ns, stop_deadline_ns;
    uint64_t sent; /* messages written since the last report to the metrics */
    bool closing_all;
};

/* Whether a client's connection reservation was handed to a shard. */
typedef struct live_ticket {
    int64_t tid;
    bool handed;
} live_ticket;

static struct {
    live_config cfg;
    uint64_t ping_ns, close_wait_ns, tick_ns;
    live_shard *shards;
    unsigned nshards;
    /* Taken by every other thread that hands work to the shards (the listener, an
     * upgrade) and by live_stop to close the door: behind it, `accepting` false means the
     * shards may be gone. */
    pthread_mutex_t gate;
    atomic_bool accepting;
    _Atomic uint32_t slots[LIVE_SLOTS];
    _Atomic uint64_t seq;
    atomic_uint nclients;
    atomic_uint next_shard;
} live = {.gate = PTHREAD_MUTEX_INITIALIZER};

static uint32_t live_slot(int64_t tid)
{
    return (uint32_t)(((uint64_t)tid * 0x9e3779b97f4a7c15ULL) >> (64 - LIVE_SLOT_BITS));
}

static bool live_subscribed(int64_t tid)
{
    return tid > 0 && atomic_load(&live.slots[live_slot(tid)]) > 0;
}

static live_msg *live_msg_new(size_t cap, unsigned data)
{
    live_msg *m = malloc(sizeof *m + cap);
    if (!m) return NULL;
    atomic_init(&m->refs, 1);
    m->data = data;
    m->len = 0;
    return m;
}

static void live_msg_ref(live_msg *m)
{
    atomic_fetch_add_explicit(&m->refs, 1, memory_order_relaxed);
}

static void live_msg_unref(live_msg *m)
{
    if (m && atomic_fetch_sub_explicit(&m->refs, 1, memory_order_acq_rel) == 1) free(m);
}

/* Frames a payload as one text (or close) frame. */
static live_msg *live_frame(ws_encoder *enc, uint8_t opcode, const void *payload, size_t n,
                            unsigned data)
{
    live_msg *m = live_msg_new(n + WS_FRAME_HEADER_MAX, data);
    if (!m) return NULL;
    m->len = ws_encode(enc, opcode, payload, n, m->bytes);
    if (!m->len) {
        free(m);
        return NULL;
    }
    return m;
}

/* {"type": "state", "data": <state>} */
static live_msg *live_state_msg(ws_encoder *enc, arena *a, const st_tournament *t)
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
    return live_frame(enc, WSLAY_TEXT_FRAME, b.data, b.len, 1);
}

/* {"type": "match", "data": <match>}; a deleted match (a Swiss round reset) is
 * {"id", "tournament", "state": "deleted"} (docs/API-DECISIONS.md). */
static live_msg *live_match_msg(ws_encoder *enc, arena *a, const char *slug, int64_t id,
                                const st_match *m)
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
    return live_frame(enc, WSLAY_TEXT_FRAME, b.data, b.len, 1);
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
            ring[i] = c->ring[(c->ring_head + i) & (c->ring_cap - 1)];
        free(c->ring);
        c->ring = ring;
        c->ring_cap = cap;
        c->ring_head = 0;
    }
    c->ring[(c->ring_head + c->ring_n) & (c->ring_cap - 1)] = m;
    c->ring_n++;
    c->queued += m->len;
    live_msg_ref(m);
    return true;
}

/* Forgets every queued message but a partly written first one (framing stays intact). */
static void client_discard(live_client *c)
{
    unsigned keep = c->head_off > 0 ? 1 : 0;
    while (c->ring_n > keep) {
        live_msg *m = c->ring[(c->ring_head + c->ring_n - 1) & (c->ring_cap - 1)];
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
            live_msg *m = c->ring[(c->ring_head + i) & (c->ring_cap - 1)];
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
            c->ring_head = (c->ring_head + 1) & (c->ring_cap - 1);
            c->ring_n--;
            sent += m->data;
            live_msg_unref(m);
        }
    }
    c->shard->sent += sent; /* counted once per wakeup: a shared counter per write bounces */
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
        c->last_rx_ns = c->shard->now_ns;
        return (ssize_t)n;
    }
    for (;;) {
        ssize_t n = recv(c->fd, out, len, 0);
        if (n > 0) {
            c->last_rx_ns = c->shard->now_ns;
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
    c->ws_out = true;
    if (!c->deadline_ns) c->deadline_ns = c->shard->now_ns + live.close_wait_ns;
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
        live_msg *m = live_frame(c->shard->enc, WSLAY_TEXT_FRAME, pong, sizeof pong - 1, 0);
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
    live_msg *m = live_msg_new(c->ctrl_len, 0);
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
    /* a fan-out alone leaves libwslay untouched: no look at its context (a cache miss per
     * subscriber) unless it read or was given something */
    if (!c->ws_out || c->wslay_off || c->broken) return;
    c->ws_out = false;
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
        if (!c->deadline_ns) c->deadline_ns = c->shard->now_ns + live.close_wait_ns;
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
    live_msg *m = live_frame(c->shard->enc, WSLAY_CONNECTION_CLOSE, code, sizeof code, 0);
    if (!m || !client_push(c, m)) c->broken = true;
    live_msg_unref(m);
    c->close_queued = true;
    c->deadline_ns = c->shard->now_ns + live.close_wait_ns;
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
    c->ws_out = true;
    if (wslay_event_recv(c->ws) != 0 && !c->eof) client_fail_protocol(c);
    c->close_rcvd = wslay_event_get_close_received(c->ws);
}

static void client_finish(live_client *c)
{
    if (c->dead) return;
    live_shard *sh = c->shard;
    c->dead = true;
    if (c->joined && epoll_ctl(sh->epfd, EPOLL_CTL_DEL, c->fd, NULL) != 0)
        LOG_EMIT(LOG_ERROR, "live: epoll_ctl DEL failed", LOG_STR("error", strerror(errno)));
    req_upgraded_close(c->h); /* exactly once, after the fd left our epoll */
    atomic_fetch_sub(&live.nclients, 1);
    if (c->joined) metrics_ws_clients_add(-1);
    c->link = sh->dead;
    sh->dead = c;
}

/* After anything happened to c: queue libwslay's frames, write, enforce the send limit,
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
    bool received = !c->wslay_off && c->close_rcvd;
    if (c->close_queued && c->ring_n == 0 && !received && !c->shut && !c->broken) {
        /* our close frame is out and the peer has not closed yet: end our half of the
         * stream, so the peer sees the end at once (RFC 6455 7.1.1), and wait for its
         * end (or the deadline) before giving the socket back, so no reset cuts the
         * close frame short */
        c->shut = true;
        if (shutdown(c->fd, SHUT_WR) != 0) c->broken = true;
    }
    bool done = c->broken || c->eof || (c->deadline_ns && c->shard->now_ns >= c->deadline_ns) ||
                (c->close_queued && c->ring_n == 0 && received);
    if (done) client_finish(c);
}

static void client_free(live_client *c)
{
    while (c->ring_n > 0) {
        live_msg_unref(c->ring[c->ring_head]);
        c->ring_head = (c->ring_head + 1) & (c->ring_cap - 1);
        c->ring_n--;
    }
    free(c->ring);
    if (c->ws) wslay_event_context_free(c->ws);
    free(c->extra);
    free(c);
}

/* Notes that c has frames to write; live_flush writes them (one sendmsg for everything
 * the events of one wakeup queued for it). */
static void client_mark(live_client *c)
{
    if (c->dirty) return;
    c->dirty = true;
    c->dirty_next = c->shard->dirty;
    c->shard->dirty = c;
}

static void live_flush(live_shard *sh)
{
    while (sh->dirty) {
        live_client *c = sh->dirty;
        sh->dirty = c->dirty_next;
        c->dirty = false;
        client_progress(c);
    }
}

/* ---- subscriptions (a shard's thread) ---- */

static live_sub **live_sub_bucket(live_shard *sh, int64_t tid)
{
    return &sh->subs[((uint64_t)tid * 0x9e3779b97f4a7c15ULL >> 32) % LIVE_BUCKETS];
}

static live_sub *live_sub_find(live_shard *sh, int64_t tid)
{
    for (live_sub *s = *live_sub_bucket(sh, tid); s; s = s->next)
        if (s->tid == tid) return s;
    return NULL;
}

static bool live_subscribe(live_client *c)
{
    live_shard *sh = c->shard;
    live_sub *s = live_sub_find(sh, c->tid);
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s) return false;
        s->tid = c->tid;
        live_sub **b = live_sub_bucket(sh, c->tid);
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
    for (live_sub **p = live_sub_bucket(c->shard, s->tid); *p; p = &(*p)->next) {
        if (*p == s) {
            *p = s->next;
            break;
        }
    }
    free(s);
}

/* Frees the clients finished since the last call (deferred, so that no list being
 * walked loses an element under it). */
static void live_reap(live_shard *sh)
{
    while (sh->dead) {
        live_client *c = sh->dead;
        sh->dead = c->link;
        live_unsubscribe(c);
        if (c->prev)
            c->prev->next = c->next;
        else if (sh->clients == c)
            sh->clients = c->next;
        if (c->next) c->next->prev = c->prev;
        client_free(c);
    }
}

/* ---- joining ---- */

/* A new connection on its shard: subscribe, then the current state. */
static void live_join(live_shard *sh, live_client *c)
{
    c->next = sh->clients;
    if (sh->clients) sh->clients->prev = c;
    sh->clients = c;
    c->last_rx_ns = c->last_ping_ns = sh->now_ns;
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
    int sndbuf = LIVE_SNDBUF, one = 1;
    if (setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) != 0)
        LOG_EMIT(LOG_WARN, "live: cannot size a socket's send buffer",
                 LOG_STR("error", strerror(errno)));
    /* libmicrohttpd hands the socket over with Nagle on; we write whole messages, and a
     * message held back for the peer's delayed ACK is tens of milliseconds late */
    if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
        LOG_EMIT(LOG_WARN, "live: cannot set TCP_NODELAY", LOG_STR("error", strerror(errno)));
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
    if (epoll_ctl(sh->epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
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
    int rc = a ? store_tournament_live_state(sh->db, a, c->tid, &t, &deleted) : STORE_ERROR;
    db_take_queries(sh->db);
    c->joined_seq = seq;
    if (rc == STORE_OK && !deleted && t.status != TSTATUS_DRAFT) {
        live_msg *m = live_state_msg(sh->enc, a, &t);
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

static void live_event_free(live_event *e)
{
    for (int i = 0; i < e->nt; i++) {
        live_tchange *t = &e->t[i];
        for (int k = 0; k < t->nmsgs; k++) live_msg_unref(t->msgs[k]);
        live_msg_unref(t->state_msg);
    }
    pthread_mutex_destroy(&e->lock);
    arena_free(e->a);
}

/* A shard is done with e; the last one frees it. */
static void live_event_done(live_event *e)
{
    if (atomic_fetch_sub(&e->pending, 1) != 1) return;
    if (atomic_load(&e->delivered)) metrics_ws_fanout(time_mono_ns() - e->commit_ns);
    live_event_free(e);
}

/* Every subscriber of a tournament that is gone gets 1001. */
static void live_close_sub(live_sub *s)
{
    for (live_client *c = s->head; c; c = c->sub_next) {
        if (c->dead) continue;
        client_close(c, WSLAY_CODE_GOING_AWAY, "tournament deleted");
        client_progress(c);
    }
}

/* The messages of one tournament of e, built by the first shard that needs them. */
static bool live_build(live_shard *sh, live_event *e, live_tchange *t)
{
    pthread_mutex_lock(&e->lock);
    if (!t->built) {
        t->built = true;
        arena *scratch = arena_new(16384);
        t->msgs = scratch ? arena_calloc(e->a, (size_t)t->nm + 1, sizeof *t->msgs) : NULL;
        for (int i = 0; t->msgs && i < t->nm; i++) {
            live_msg *m = live_match_msg(sh->enc, scratch, t->state.slug, t->mid[i], t->m[i]);
            if (m) t->msgs[t->nmsgs++] = m;
        }
        if (scratch) t->state_msg = live_state_msg(sh->enc, scratch, &t->state);
        arena_free(scratch);
    }
    pthread_mutex_unlock(&e->lock);
    return t->msgs != NULL;
}

/* Sends one tournament's messages of one commit to this shard's subscribers. */
static void live_fan_out(live_shard *sh, live_event *e, live_tchange *t)
{
    live_sub *s = live_sub_find(sh, t->tid);
    if (!s) return;
    if (t->deleted || t->state.status == TSTATUS_DRAFT) {
        live_close_sub(s);
        return;
    }
    if (!live_build(sh, e, t)) return;
    /* Every frame of the commit in one block of this shard's own: a subscriber that takes
     * them all (nearly everyone) queues one reference and writes one iovec, and the
     * reference count stays on this core (one shared by every shard, bumped per
     * subscriber, would bounce between the cores). The others take the frames one by one. */
    unsigned n = (unsigned)t->nmsgs + (t->state_msg ? 1u : 0u);
    if (n == 0) return;
    size_t len = 0;
    for (unsigned i = 0; i < n; i++)
        len += (i < (unsigned)t->nmsgs ? t->msgs[i] : t->state_msg)->len;
    live_msg *all = live_msg_new(len, n);
    for (unsigned i = 0; all && i < n; i++) {
        const live_msg *m = i < (unsigned)t->nmsgs ? t->msgs[i] : t->state_msg;
        memcpy(all->bytes + all->len, m->bytes, m->len);
        all->len += m->len;
    }
    bool any = false;
    for (live_client *c = s->head; c; c = c->sub_next) {
        if (c->dead || c->close_queued || c->deadline_ns || e->seq <= c->joined_seq) continue;
        bool state = t->state_msg && t->state.version > c->last_version;
        if (all && (state || !t->state_msg)) {
            client_push(c, all);
        } else {
            bool ok = true;
            for (int i = 0; ok && i < t->nmsgs; i++) ok = client_push(c, t->msgs[i]);
            if (ok && state) client_push(c, t->state_msg);
        }
        if (state) c->last_version = t->state.version;
        any = true;
        client_mark(c);
    }
    live_msg_unref(all);
    if (any) atomic_store(&e->delivered, true);
}

/* The state of every subscribed tournament again, read here (changes were lost). */
static void live_resync(live_shard *sh)
{
    arena *a = arena_new(8192);
    if (!a) return;
    for (size_t b = 0; b < LIVE_BUCKETS; b++) {
        for (live_sub *s = sh->subs[b]; s; s = s->next) {
            st_tournament t;
            bool deleted = false;
            int rc = store_tournament_live_state(sh->db, a, s->tid, &t, &deleted);
            if (rc == STORE_NOT_FOUND || (rc == STORE_OK && deleted)) {
                live_close_sub(s);
                continue;
            }
            if (rc != STORE_OK) continue;
            live_msg *m = live_state_msg(sh->enc, a, &t);
            if (!m) continue;
            for (live_client *c = s->head; c; c = c->sub_next) {
                if (c->dead || c->close_queued || t.version <= c->last_version) continue;
                client_push(c, m);
                c->last_version = t.version;
                client_mark(c);
            }
            live_msg_unref(m);
        }
    }
    db_take_queries(sh->db);
    arena_free(a);
}

/* Queues e's messages for this shard's subscribers (written by live_flush). */
static void live_process(live_shard *sh, live_event *e)
{
    if (e->resync)
        live_resync(sh);
    else
        for (int i = 0; i < e->nt; i++) live_fan_out(sh, e, &e->t[i]);
}

/* ---- a shard's thread ---- */

static void live_close_all(live_shard *sh)
{
    sh->closing_all = true;
    sh->stop_deadline_ns = sh->now_ns + live.close_wait_ns;
    for (live_client *c = sh->clients; c; c = c->next) {
        if (c->dead) continue;
        client_close(c, WSLAY_CODE_GOING_AWAY, "server shutting down");
        client_progress(c);
    }
}

/* The eventfd fired: new connections, commits, or the order to stop. */
static void live_wakeup(live_shard *sh)
{
    uint64_t v;
    if (read(sh->efd, &v, sizeof v) < 0 && errno != EAGAIN)
        LOG_EMIT(LOG_ERROR, "live: reading the eventfd failed", LOG_STR("error", strerror(errno)));
    pthread_mutex_lock(&sh->lock);
    live_client *joins = sh->join_head;
    live_event *events = sh->ev_head;
    sh->join_head = sh->join_tail = NULL;
    sh->ev_head = sh->ev_tail = NULL;
    bool stop = sh->stopping;
    pthread_mutex_unlock(&sh->lock);
    while (joins) {
        live_client *c = joins;
        joins = c->link;
        c->link = NULL;
        live_join(sh, c);
    }
    /* Every commit queued since the last wakeup, in order, then one write per subscriber:
     * a backlog (commits faster than a fan-out) costs one sendmsg, one TCP segment, per
     * subscriber instead of one per commit, so the shard catches up instead of falling
     * further behind. A commit that comes alone is written as soon as it comes. */
    for (live_event *e = events; e; e = e->next[sh->index]) live_process(sh, e);
    live_flush(sh);
    while (events) {
        live_event *e = events;
        events = e->next[sh->index];
        live_event_done(e);
    }
    if (stop && !sh->closing_all) live_close_all(sh);
}

static void live_tick(live_shard *sh)
{
    uint64_t now = sh->now_ns;
    for (live_client *c = sh->clients; c; c = c->next) {
        if (c->dead) continue;
        if (c->deadline_ns) {
            if (now >= c->deadline_ns) client_finish(c);
            continue;
        }
        if (c->ping_sent_ns && c->last_rx_ns < c->ping_sent_ns &&
            now - c->ping_sent_ns >= live.ping_ns) {
            metrics_ws_dropped(WS_DROP_PING_TIMEOUT);
            client_close(c, WSLAY_CODE_INTERNAL_SERVER_ERROR, "ping timeout");
            client_progress(c);
            continue;
        }
        if (now - c->last_ping_ns >= live.ping_ns) {
            struct wslay_event_msg ping = {.opcode = WSLAY_PING, .msg = NULL, .msg_length = 0};
            if (wslay_event_queue_msg(c->ws, &ping) == 0) {
                c->ws_out = true;
                c->last_ping_ns = now;
                if (!c->ping_sent_ns || c->last_rx_ns >= c->ping_sent_ns) c->ping_sent_ns = now;
            }
            client_progress(c);
        }
    }
}

static void *live_main(void *arg)
{
    live_shard *sh = arg;
    (void)pthread_setname_np(pthread_self(), "live"); /* top -H, perf: a hint only */
    struct epoll_event evs[LIVE_MAX_EVENTS];
    sh->now_ns = time_mono_ns();
    uint64_t next_tick = sh->now_ns + live.tick_ns;
    for (;;) {
        int timeout = next_tick > sh->now_ns ? (int)((next_tick - sh->now_ns) / 1000000) + 1 : 0;
        int n = epoll_wait(sh->epfd, evs, LIVE_MAX_EVENTS, timeout);
        if (n < 0 && errno != EINTR) {
            LOG_EMIT(LOG_ERROR, "live: epoll_wait failed", LOG_STR("error", strerror(errno)));
            n = 0;
        }
        sh->now_ns = time_mono_ns();
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == sh) {
                live_wakeup(sh);
                continue;
            }
            live_client *c = evs[i].data.ptr;
            if (c->dead) continue;
            if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) client_read(c);
            client_progress(c);
        }
        if (sh->now_ns >= next_tick) {
            live_tick(sh);
            next_tick = sh->now_ns + live.tick_ns;
        }
        if (sh->closing_all && sh->now_ns >= sh->stop_deadline_ns)
            for (live_client *c = sh->clients; c; c = c->next) client_finish(c);
        live_reap(sh);
        if (sh->sent) {
            metrics_ws_sent(sh->sent);
            sh->sent = 0;
        }
        if (sh->closing_all && !sh->clients) break;
    }
    return NULL;
}

/* ---- other threads ---- */

static void live_signal(live_shard *sh)
{
    uint64_t one = 1;
    if (write(sh->efd, &one, sizeof one) < 0)
        LOG_EMIT(LOG_ERROR, "live: waking a live thread failed", LOG_STR("error", strerror(errno)));
}

static void live_ticket_cleanup(void *p)
{
    live_ticket *t = p;
    if (!t->handed) atomic_fetch_sub(&live.nclients, 1);
}

/* On the io thread, once the 101 is out: hand the socket to a shard (in turn). */
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
    pthread_mutex_lock(&live.gate);
    live_shard *sh = NULL;
    if (atomic_load(&live.accepting)) {
        sh = &live.shards[atomic_fetch_add(&live.next_shard, 1) % live.nshards];
        c->shard = sh;
        pthread_mutex_lock(&sh->lock);
        if (sh->join_tail)
            sh->join_tail->link = c;
        else
            sh->join_head = c;
        sh->join_tail = c;
        pthread_mutex_unlock(&sh->lock);
        live_signal(sh);
    }
    pthread_mutex_unlock(&live.gate);
    if (!sh) { /* stopping: upgraded too late */
        req_upgraded_close(h);
        atomic_fetch_sub(&live.nclients, 1);
        client_free(c);
    }
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

/* A new event in its own arena (NULL on OOM). */
static live_event *live_event_new(uint64_t seq, uint64_t commit_ns, size_t first_block)
{
    arena *a = arena_new(first_block);
    live_event *e = a ? arena_calloc(a, 1, sizeof *e) : NULL;
    if (e) e->next = arena_calloc(a, live.nshards, sizeof *e->next);
    if (!e || !e->next || pthread_mutex_init(&e->lock, NULL) != 0) {
        arena_free(a);
        return NULL;
    }
    e->a = a;
    e->seq = seq;
    e->commit_ns = commit_ns;
    atomic_init(&e->pending, live.nshards);
    atomic_init(&e->delivered, false);
    return e;
}

/* Hands e to every shard (each takes its events in commit order). Under the gate. */
static void live_enqueue(live_event *e)
{
    for (unsigned i = 0; i < live.nshards; i++) {
        live_shard *sh = &live.shards[i];
        pthread_mutex_lock(&sh->lock);
        e->next[i] = NULL;
        if (sh->ev_tail)
            sh->ev_tail->next[i] = e;
        else
            sh->ev_head = e;
        sh->ev_tail = e;
        pthread_mutex_unlock(&sh->lock);
        live_signal(sh);
    }
}

static void live_enqueue_resync(uint64_t seq, uint64_t commit_ns)
{
    live_event *e = live_event_new(seq, commit_ns, 256);
    if (!e) {
        LOG_EMIT(LOG_ERROR, "live: out of memory; subscribers may miss a change");
        return;
    }
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
    e->t = arena_reserve(a, NULL, 0, &cap, sizeof *e->t);
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
            e->t = arena_reserve(a, e->t, e->nt, &cap, sizeof *e->t);
            if (!e->t) return STORE_ERROR;
            *ti = e->nt;
            e->t[e->nt++] = (live_tchange){.tid = tid};
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
    live_idmap byid = {0};
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

/* The listener's work, behind the gate. */
static void live_commit(db_conn *w, const db_change *ch, size_t n, uint64_t seq, uint64_t commit_ns)
{
    if (n == 0) {
        live_enqueue_resync(seq, commit_ns);
        return;
    }
    size_t i = 0;
    while (i < n && !live_subscribed(live_change_tid(&ch[i]))) i++;
    if (i == n) return; /* nobody follows what changed: no cost beyond this scan */
    live_event *e = live_event_new(seq, commit_ns, 16384);
    if (!e) {
        live_enqueue_resync(seq, commit_ns);
        return;
    }
    int rc = live_read_commit(w, e, ch, n);
    db_release(w);
    if (rc != STORE_OK) {
        LOG_EMIT(LOG_ERROR, "live: reading a commit's rows failed; resending states",
                 LOG_INT("rc", rc));
        e->nt = 0;
        live_event_free(e);
        live_enqueue_resync(seq, commit_ns);
        return;
    }
    live_enqueue(e);
}

void live_on_commit(db_conn *w, const db_change *ch, size_t n, void *arg)
{
    (void)arg;
    uint64_t commit_ns = time_mono_ns();
    uint64_t seq = atomic_fetch_add(&live.seq, 1) + 1;
    pthread_mutex_lock(&live.gate);
    if (atomic_load(&live.accepting)) live_commit(w, ch, n, seq, commit_ns);
    pthread_mutex_unlock(&live.gate);
}

/* ---- start and stop ---- */

static int live_shard_open(live_shard *sh, unsigned index, char *err, size_t errlen)
{
    sh->index = index;
    sh->epfd = sh->efd = -1;
    sh->lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
    sh->db = db_open(live.cfg.db_path, true, err, errlen);
    if (!sh->db) return -1;
    sh->enc = ws_encoder_new();
    sh->epfd = epoll_create1(EPOLL_CLOEXEC);
    sh->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = sh};
    if (!sh->enc || sh->epfd < 0 || sh->efd < 0 ||
        epoll_ctl(sh->epfd, EPOLL_CTL_ADD, sh->efd, &ev) != 0) {
        snprintf(err, errlen, "cannot set up a live thread: %s", strerror(errno));
        return -1;
    }
    int rc = pthread_create(&sh->thread, NULL, live_main, sh);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start a live thread: %s", strerror(rc));
        return -1;
    }
    sh->started = true;
    return 0;
}

/* Frees what a shard holds once its thread is gone (or never started). */
static void live_shard_close(live_shard *sh)
{
    /* nothing is queued after `stopping`; what was queued before the thread saw it: */
    while (sh->ev_head) {
        live_event *e = sh->ev_head;
        sh->ev_head = e->next[sh->index];
        live_event_done(e);
    }
    while (sh->join_head) {
        live_client *c = sh->join_head;
        sh->join_head = c->link;
        req_upgraded_close(c->h);
        atomic_fetch_sub(&live.nclients, 1);
        client_free(c);
    }
    sh->ev_tail = NULL;
    sh->join_tail = NULL;
    if (sh->epfd >= 0) close(sh->epfd);
    if (sh->efd >= 0) close(sh->efd);
    sh->epfd = sh->efd = -1;
    ws_encoder_free(sh->enc);
    sh->enc = NULL;
    db_close(sh->db);
    sh->db = NULL;
    pthread_mutex_destroy(&sh->lock);
}

int live_start(const live_config *cfg, char *err, size_t errlen)
{
    live.cfg = *cfg;
    if (live.cfg.max_message < 125) live.cfg.max_message = 125;
    live.ping_ns = (uint64_t)(cfg->ping_s ? cfg->ping_s : 30) * 1000000000ULL;
    live.close_wait_ns = (uint64_t)(cfg->close_wait_ms ? cfg->close_wait_ms : 2000) * 1000000ULL;
    live.tick_ns = live.ping_ns / 4;
    if (live.tick_ns > live.close_wait_ns / 4) live.tick_ns = live.close_wait_ns / 4;
    if (live.tick_ns > 1000000000ULL) live.tick_ns = 1000000000ULL;
    live.nshards = cfg->threads < 1                 ? 1
                   : cfg->threads > LIVE_SHARDS_MAX ? LIVE_SHARDS_MAX
                                                    : cfg->threads;
    live.shards = calloc(live.nshards, sizeof *live.shards);
    if (!live.shards) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    atomic_store(&live.accepting, true);
    for (unsigned i = 0; i < live.nshards; i++) {
        if (live_shard_open(&live.shards[i], i, err, errlen) != 0) {
            live_shard_close(&live.shards[i]);
            live.nshards = i; /* the ones started so far */
            live_stop();
            return -1;
        }
    }
    return 0;
}

void live_stop(void)
{
    if (!live.shards) return;
    pthread_mutex_lock(&live.gate); /* wait for a listener or an upgrade in progress */
    atomic_store(&live.accepting, false);
    pthread_mutex_unlock(&live.gate);
    for (unsigned i = 0; i < live.nshards; i++) {
        live_shard *sh = &live.shards[i];
        pthread_mutex_lock(&sh->lock);
        sh->stopping = true;
        pthread_mutex_unlock(&sh->lock);
        live_signal(sh);
    }
    for (unsigned i = 0; i < live.nshards; i++) {
        live_shard *sh = &live.shards[i];
        if (sh->started) pthread_join(sh->thread, NULL);
        sh->started = false;
        live_shard_close(sh);
    }
    free(live.shards);
    live.shards = NULL;
    live.nshards = 0;
}
