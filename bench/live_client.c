/* bench/live_client.c: the measuring client of the live-updates benchmark
 * (bench/live_bench.py builds and runs it; see bench/README.md "Live updates").
 *
 * Why C: 1,000 WebSocket subscribers read by Python's asyncio add milliseconds of their
 * own to every arrival time on a 2-core machine, more than the 10 ms being measured.
 * Here one thread reads every subscriber socket with epoll and stamps each message with
 * CLOCK_MONOTONIC as it is read; the main thread posts the results one after the other
 * on a keep-alive connection, at a fixed rate, and stamps each 200 as it is read. Each
 * result is one commit, so subscriber k's messages after its first state split into one
 * batch per result: the matches of result i, then its state. Latency of a message =
 * its arrival - the acknowledgement of its result. The tool checks that every subscriber
 * got exactly the same stream (hashes), one batch per result holding the reported match
 * completed, no message twice, and writes everything as JSON.
 *
 * usage: live_client --port P --path /api/v1/tournaments/SLUG/live --subs N --token T
 *                    --matches FILE --rate R --out FILE [--settle-ms MS]
 * FILE: one match id per line, in the order to report them (score 1-0). Exit 0 when the
 * run completed (whatever the figures), 1 on an error. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/hash.h" /* the server's hash64: several bytes per cycle */

enum { K_STATE = 1, K_MATCH = 2, K_OTHER = 3 };

typedef struct rec {
    uint64_t t_ns;
    uint64_t hash;
    int64_t id; /* match id, or the state's version */
    uint8_t kind;
    uint8_t completed;
} rec;

typedef struct sub {
    int fd;
    bool upgraded, open, closed;
    uint8_t *buf;
    size_t len, cap;
    rec *recs;
    size_t n, rcap;
    uint64_t frame_bytes; /* bytes of the frames after the first state */
} sub;

static struct {
    int port;
    const char *path, *token, *matches_file, *out;
    int nsubs;
    double rate;
    int settle_ms;
    sub *subs;
    int64_t *mid;
    int nres;
    uint64_t *t_send, *t_ack;
    int *status;
    int nrx; /* receiver threads, each with its own epoll */
    int epfd[8];
    atomic_int opened;      /* subscribers that got their first state */
    atomic_llong delivered; /* state messages seen, all subscribers */
    atomic_bool stop;
} B;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
    fprintf(stderr, "live_client: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int tcp_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)B.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EAGAIN) {
            struct timespec ts = {0, 100000};
            nanosleep(&ts, NULL);
            continue;
        }
        if (w <= 0) die("send");
        c += w;
        n -= (size_t)w;
    }
}

static int64_t int_after(const uint8_t *p, size_t n, const char *key)
{
    const uint8_t *k = memmem(p, n, key, strlen(key));
    if (!k) return -1;
    k += strlen(key);
    int64_t v = 0;
    while (k < p + n && *k >= '0' && *k <= '9') v = v * 10 + (*k++ - '0');
    return v;
}

static void record(sub *s, const uint8_t *p, size_t n, uint64_t t)
{
    if (s->n == s->rcap) {
        s->rcap = s->rcap ? s->rcap * 2 : 1024;
        s->recs = realloc(s->recs, s->rcap * sizeof *s->recs);
        if (!s->recs) die("realloc");
    }
    rec *r = &s->recs[s->n++];
    r->t_ns = t;
    r->hash = hash64(p, n);
    r->completed = 0;
    if (n > 15 && memcmp(p, "{\"type\":\"state\"", 15) == 0) {
        r->kind = K_STATE;
        r->id = int_after(p, n, "\"version\":");
        if (!s->open) {
            s->open = true;
            atomic_fetch_add(&B.opened, 1);
        } else {
            atomic_fetch_add(&B.delivered, 1);
        }
    } else if (n > 15 && memcmp(p, "{\"type\":\"match\"", 15) == 0) {
        r->kind = K_MATCH;
        r->id = int_after(p, n, "\"data\":{\"id\":");
        const char *st = "\"state\":\"completed\"";
        r->completed = memmem(p, n, st, strlen(st)) != NULL;
    } else {
        r->kind = K_OTHER;
        r->id = 0;
    }
}

/* A pong for a server ping (client frames are masked; a zero mask keeps it simple). */
static void pong(sub *s, const uint8_t *payload, size_t n)
{
    uint8_t f[2 + 4 + 125];
    f[0] = 0x8a;
    f[1] = (uint8_t)(0x80 | n);
    memset(f + 2, 0, 4);
    memcpy(f + 6, payload, n);
    write_all(s->fd, f, 6 + n);
}

/* Parses every complete frame of p[0..n) for s; returns the bytes consumed (a partial
 * frame at the end is left over). */
static size_t parse(sub *s, const uint8_t *p, size_t n, uint64_t t)
{
    size_t off = 0;
    if (!s->upgraded) { /* the 101 first */
        const uint8_t *end = memmem(p, n, "\r\n\r\n", 4);
        if (!end) return 0;
        if (n < 12 || memcmp(p + 9, "101", 3) != 0) {
            fprintf(stderr, "live_client: handshake refused: %.*s\n", (int)(end - p), p);
            exit(1);
        }
        s->upgraded = true;
        off = (size_t)(end - p) + 4;
    }
    for (;;) {
        if (n - off < 2) break;
        uint8_t b0 = p[off], b1 = p[off + 1];
        uint64_t len = b1 & 0x7f;
        size_t h = 2;
        if (len == 126) {
            if (n - off < 4) break;
            len = (uint64_t)p[off + 2] << 8 | p[off + 3];
            h = 4;
        } else if (len == 127) {
            if (n - off < 10) break;
            len = 0;
            for (int i = 0; i < 8; i++) len = len << 8 | p[off + 2 + i];
            h = 10;
        }
        if (n - off < h + len) break;
        const uint8_t *payload = p + off + h;
        int op = b0 & 0x0f;
        if (s->open) s->frame_bytes += h + len;
        if (op == 1)
            record(s, payload, (size_t)len, t);
        else if (op == 9)
            pong(s, payload, (size_t)len);
        else if (op == 8)
            s->closed = true;
        off += h + (size_t)len;
    }
    return off;
}

/* Keeps the unparsed tail of a read for s (a frame split across reads: rare). */
static void keep(sub *s, const uint8_t *p, size_t n)
{
    s->len = n;
    if (!n) return;
    if (s->cap < n) {
        s->cap = n < 65536 ? 65536 : n;
        free(s->buf);
        s->buf = malloc(s->cap);
        if (!s->buf) die("malloc");
    }
    memmove(s->buf, p, n);
}

/* Reads every subscriber socket into one buffer that stays in the cache (a buffer per
 * subscriber costs cache misses on every read), timestamps each read, parses it at once,
 * and keeps only a partial frame's bytes for the subscriber. */
static void *receiver(void *arg)
{
    int epfd = B.epfd[(intptr_t)arg];
    enum { RX = 1 << 18 };
    uint8_t *rx = malloc(RX);
    if (!rx) die("malloc");
    struct epoll_event evs[512];
    while (!atomic_load(&B.stop)) {
        int n = epoll_wait(epfd, evs, 512, 50);
        for (int i = 0; i < n; i++) {
            sub *s = evs[i].data.ptr;
            for (;;) {
                if (s->len > RX / 2) { /* a huge partial frame: parse from its own buffer */
                    fprintf(stderr, "live_client: a frame over %d bytes\n", RX / 2);
                    exit(1);
                }
                if (s->len) memcpy(rx, s->buf, s->len);
                size_t room = RX - s->len;
                ssize_t r = recv(s->fd, rx + s->len, room, 0);
                if (r > 0) {
                    uint64_t t = now_ns();
                    size_t have = s->len + (size_t)r;
                    size_t used = parse(s, rx, have, t);
                    keep(s, rx + used, have - used);
                    /* level-triggered: a short read drained the socket, and epoll reports
                     * it again if more came (saves a recv that only says EAGAIN) */
                    if ((size_t)r < room) break;
                    continue;
                }
                if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                    s->closed = true;
                    epoll_ctl(epfd, EPOLL_CTL_DEL, s->fd, NULL);
                }
                break;
            }
        }
    }
    free(rx);
    return NULL;
}

/* Reads one HTTP response on a keep-alive connection; returns its status. */
static int read_response(int fd)
{
    static char buf[65536];
    size_t len = 0;
    for (;;) {
        ssize_t r = recv(fd, buf + len, sizeof buf - 1 - len, 0);
        if (r <= 0) die("reading a response");
        len += (size_t)r;
        buf[len] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (!end) continue;
        char *cl = strcasestr(buf, "\r\nContent-Length:");
        size_t body = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
        if (len < (size_t)(end - buf) + 4 + body) continue;
        return atoi(buf + 9);
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct(const int64_t *v, size_t n, double p)
{
    if (!n) return 0;
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return (double)v[i] / 1e6;
}

static void print_dist(FILE *f, const char *name, int64_t *v, size_t n, bool last)
{
    qsort(v, n, sizeof *v, cmp_i64);
    double sum = 0;
    size_t early = 0;
    for (size_t i = 0; i < n; i++) {
        sum += (double)v[i];
        if (v[i] < 0) early++;
    }
    fprintf(f,
            "  \"%s\": {\"count\": %zu, \"p50_ms\": %.3f, \"p90_ms\": %.3f, \"p99_ms\": %.3f, "
            "\"p999_ms\": %.3f, \"max_ms\": %.3f, \"min_ms\": %.3f, \"mean_ms\": %.3f, "
            "\"before_ack\": %zu}%s\n",
            name, n, pct(v, n, 0.5), pct(v, n, 0.9), pct(v, n, 0.99), pct(v, n, 0.999),
            n ? (double)v[n - 1] / 1e6 : 0, n ? (double)v[0] / 1e6 : 0,
            n ? sum / (double)n / 1e6 : 0, early, last ? "" : ",");
}

int main(int argc, char **argv)
{
    B.rate = 20;
    B.settle_ms = 5000;
    B.nrx = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--port"))
            B.port = atoi(v);
        else if (!strcmp(k, "--path"))
            B.path = v;
        else if (!strcmp(k, "--subs"))
            B.nsubs = atoi(v);
        else if (!strcmp(k, "--token"))
            B.token = v;
        else if (!strcmp(k, "--matches"))
            B.matches_file = v;
        else if (!strcmp(k, "--rate"))
            B.rate = atof(v);
        else if (!strcmp(k, "--out"))
            B.out = v;
        else if (!strcmp(k, "--rx-threads"))
            B.nrx = atoi(v);
        else if (!strcmp(k, "--settle-ms"))
            B.settle_ms = atoi(v);
        else {
            fprintf(stderr, "live_client: unknown option %s\n", k);
            return 1;
        }
    }
    if (!B.port || !B.path || B.nsubs < 1 || !B.token || !B.matches_file || !B.out || B.rate <= 0 ||
        B.nrx < 1 || B.nrx > 8) {
        fprintf(stderr, "usage: live_client --port P --path PATH --subs N --token T --matches "
                        "FILE --rate R --out FILE [--settle-ms MS]\n");
        return 1;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    FILE *mf = fopen(B.matches_file, "r");
    if (!mf) die(B.matches_file);
    long long id;
    int cap = 256;
    B.mid = malloc(sizeof *B.mid * (size_t)cap);
    while (fscanf(mf, "%lld", &id) == 1) {
        if (B.nres == cap) B.mid = realloc(B.mid, sizeof *B.mid * (size_t)(cap *= 2));
        B.mid[B.nres++] = id;
    }
    fclose(mf);
    B.t_send = calloc((size_t)B.nres, sizeof *B.t_send);
    B.t_ack = calloc((size_t)B.nres, sizeof *B.t_ack);
    B.status = calloc((size_t)B.nres, sizeof *B.status);
    B.subs = calloc((size_t)B.nsubs, sizeof *B.subs);
    if (!B.mid || !B.t_send || !B.t_ack || !B.status || !B.subs) die("setup");
    for (int i = 0; i < B.nrx; i++)
        if ((B.epfd[i] = epoll_create1(0)) < 0) die("epoll_create1");

    /* subscribers: connect, handshake; the receiver reads the 101 and the first state */
    pthread_t th[8];
    for (int i = 0; i < B.nrx; i++)
        if (pthread_create(&th[i], NULL, receiver, (void *)(intptr_t)i) != 0) die("pthread_create");
    uint64_t t_open = now_ns();
    for (int i = 0; i < B.nsubs; i++) {
        sub *s = &B.subs[i];
        s->fd = tcp_connect();
        char req[512];
        int n = snprintf(req, sizeof req,
                         "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                         "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                         "Sec-WebSocket-Version: 13\r\n\r\n",
                         B.path, B.port);
        write_all(s->fd, req, (size_t)n);
        if (fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK) != 0) die("fcntl");
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = s};
        if (epoll_ctl(B.epfd[i % B.nrx], EPOLL_CTL_ADD, s->fd, &ev) != 0) die("epoll_ctl");
    }
    while (atomic_load(&B.opened) < B.nsubs) {
        if (now_ns() - t_open > 60000000000ULL) {
            fprintf(stderr, "live_client: only %d of %d subscribers got their first state\n",
                    atomic_load(&B.opened), B.nsubs);
            return 1;
        }
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    double open_s = (double)(now_ns() - t_open) / 1e9;
    struct timespec calm = {0, 300000000}; /* let the handshakes' work settle */
    nanosleep(&calm, NULL);

    /* results, paced */
    int hfd = tcp_connect();
    uint64_t t0 = now_ns();
    for (int i = 0; i < B.nres; i++) {
        uint64_t due = t0 + (uint64_t)((double)i * 1e9 / B.rate);
        for (uint64_t t = now_ns(); t < due; t = now_ns()) {
            uint64_t d = due - t;
            struct timespec ts = {(time_t)(d / 1000000000ULL), (long)(d % 1000000000ULL)};
            nanosleep(&ts, NULL);
        }
        const char *body = "{\"score1\":1,\"score2\":0}";
        char req[1024];
        int n = snprintf(req, sizeof req,
                         "POST /api/v1/matches/%lld/result HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                         "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                         "Content-Length: %zu\r\n\r\n%s",
                         (long long)B.mid[i], B.port, B.token, strlen(body), body);
        B.t_send[i] = now_ns();
        write_all(hfd, req, (size_t)n);
        B.status[i] = read_response(hfd);
        B.t_ack[i] = now_ns();
    }
    double post_s = (double)(now_ns() - t0) / 1e9;
    /* every subscriber should get one state per result; wait for them, bounded */
    long long want = (long long)B.nsubs * B.nres;
    uint64_t t_settle = now_ns();
    while (atomic_load(&B.delivered) < want &&
           now_ns() - t_settle < (uint64_t)B.settle_ms * 1000000ULL) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    nanosleep(&calm, NULL); /* anything late or extra */
    atomic_store(&B.stop, true);
    for (int i = 0; i < B.nrx; i++) pthread_join(th[i], NULL);
    close(hfd);

    /* analysis */
    size_t total = 0;
    for (int i = 0; i < B.nsubs; i++) total += B.subs[i].n;
    int64_t *lat = malloc(sizeof *lat * (total + 1));
    int64_t *lat_state = malloc(sizeof *lat_state * ((size_t)B.nsubs * (size_t)B.nres + 1));
    uint64_t *hs = malloc(sizeof *hs * (total + 1));
    if (!lat || !lat_state || !hs) die("malloc");
    size_t nlat = 0, nstate = 0;
    long long lost = 0, dup = 0, divergent = 0, extra = 0, closed = 0, bad_status = 0;
    for (int k = 0; k < B.nres; k++)
        if (B.status[k] != 200) bad_status++;
    sub *ref = &B.subs[0];
    for (int i = 0; i < B.nsubs; i++) {
        sub *s = &B.subs[i];
        if (s->closed) closed++;
        /* the stream must equal subscriber 0's (after each one's first state) */
        if (s->n != ref->n) {
            divergent++;
        } else {
            for (size_t j = 1; j < s->n; j++) {
                if (s->recs[j].hash != ref->recs[j].hash) {
                    divergent++;
                    break;
                }
            }
        }
        /* no message twice: sort the hashes */
        size_t m = 0;
        for (size_t j = 1; j < s->n; j++) hs[m++] = s->recs[j].hash;
        qsort(hs, m, sizeof *hs, cmp_u64);
        for (size_t j = 1; j < m; j++)
            if (hs[j] == hs[j - 1]) dup++;
        /* batches: result k's matches then its state */
        int k = 0;
        bool has_match = false;
        int64_t last_version = s->n ? s->recs[0].id : 0;
        for (size_t j = 1; j < s->n; j++) {
            rec *r = &s->recs[j];
            if (r->kind == K_OTHER) continue;
            if (k >= B.nres) {
                extra++;
                continue;
            }
            lat[nlat++] = (int64_t)(r->t_ns - B.t_ack[k]);
            if (r->kind == K_MATCH && r->id == B.mid[k] && r->completed) has_match = true;
            if (r->kind == K_STATE) {
                if (r->id <= last_version) dup++;
                last_version = r->id;
                lat_state[nstate++] = (int64_t)(r->t_ns - B.t_ack[k]);
                if (!has_match) lost++;
                has_match = false;
                k++;
            }
        }
        if (k < B.nres) lost += B.nres - k;
    }
    FILE *f = fopen(B.out, "w");
    if (!f) die(B.out);
    fprintf(f, "{\n  \"subscribers\": %d,\n  \"results\": %d,\n  \"rate_per_s\": %.2f,\n", B.nsubs,
            B.nres, B.rate);
    fprintf(f, "  \"open_seconds\": %.3f,\n  \"post_seconds\": %.3f,\n", open_s, post_s);
    fprintf(f, "  \"messages_received\": %zu,\n", total);
    fprintf(f, "  \"frame_bytes_per_result\": %.0f,\n",
            B.nres ? (double)ref->frame_bytes / B.nres : 0.0);
    fprintf(f,
            "  \"lost\": %lld,\n  \"duplicated\": %lld,\n  \"divergent_subscribers\": %lld,\n"
            "  \"extra\": %lld,\n  \"closed_subscribers\": %lld,\n  \"non_200\": %lld,\n",
            lost, dup, divergent, extra, closed, bad_status);
    int64_t *ack = malloc(sizeof *ack * ((size_t)B.nres + 1));
    for (int k = 0; k < B.nres; k++) ack[k] = (int64_t)(B.t_ack[k] - B.t_send[k]);
    print_dist(f, "ack", ack, (size_t)B.nres, false);
    print_dist(f, "state_after_ack", lat_state, nstate, false);
    print_dist(f, "message_after_ack", lat, nlat, false);
    /* per result: when it was acknowledged (ms from the first post), how long the post
     * took, and when its state reached the median and the last subscriber */
    fprintf(f, "  \"per_result\": [");
    int64_t *col = malloc(sizeof *col * (size_t)B.nsubs);
    if (!col) die("malloc");
    for (int k = 0; k < B.nres; k++) {
        size_t m = 0;
        for (int i = 0; i < B.nsubs; i++) {
            sub *s = &B.subs[i];
            int seen = 0;
            for (size_t j = 1; j < s->n; j++) {
                if (s->recs[j].kind != K_STATE) continue;
                if (seen++ == k) {
                    col[m++] = (int64_t)(s->recs[j].t_ns - B.t_ack[k]);
                    break;
                }
            }
        }
        qsort(col, m, sizeof *col, cmp_i64);
        fprintf(f, "%s[%.1f, %.2f, %.2f, %.2f]", k ? ", " : "", (double)(B.t_ack[k] - t0) / 1e6,
                (double)(B.t_ack[k] - B.t_send[k]) / 1e6, m ? (double)col[m / 2] / 1e6 : 0,
                m ? (double)col[m - 1] / 1e6 : 0);
    }
    fprintf(f, "]\n}\n");
    fclose(f);
    return 0;
}
