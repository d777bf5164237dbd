/* bench/live_floor.c: the floor under the live-updates benchmark (bench/live_bench.py runs
 * it after the measured run; see bench/README.md "Live updates").
 *
 * Why: the live figure is time from a result's acknowledgement to its messages' arrival at
 * 1,000 subscribers, on 2 cores shared by tourneyd and the measuring client. Most of that
 * time is the kernel's loopback TCP: one write per subscriber and one read per subscriber,
 * each a few microseconds. This program measures that alone, with no server and no
 * WebSocket: --subs connected loopback socket pairs; --send-threads threads own the
 * accepted ends and --rx-threads threads read the connecting ends with epoll (the same
 * shapes as tourneyd --ws-threads and live_client --rx-threads); every --rate-th of a second
 * each sender writes --bytes bytes (one result's messages) to each of its sockets in one
 * send, and each receiver stamps the moment a socket has its --bytes. Latency of a
 * delivery = its arrival - the moment the round started (when a commit would be handed to
 * the live threads). It prints one JSON object: p50/p90/p99/max over every delivery and
 * the CPU time of each side per delivery.
 *
 * usage: live_floor --subs N --bytes B --rounds R --rate HZ --send-threads S --rx-threads T */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
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
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { MAXT = 8 };

static struct {
    int nsubs, bytes, rounds, nsend, nrx;
    double rate;
    int *srv, *cli; /* accepted and connecting ends */
    int *got;       /* bytes of the current round read per subscriber */
    int64_t *lat;   /* ns, [round * nsubs + sub] */
    _Atomic uint64_t round_start;
    atomic_int round; /* the round being sent, -1 before the first */
    atomic_long delivered;
    atomic_bool stop;
    int go[MAXT]; /* eventfd per sender */
    double send_cpu[MAXT], rx_cpu[MAXT];
} F;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static double thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "live_floor: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void *sender(void *arg)
{
    int k = (int)(intptr_t)arg;
    char *msg = malloc((size_t)F.bytes);
    if (!msg) die("malloc");
    memset(msg, 'x', (size_t)F.bytes);
    double cpu = 0;
    for (;;) {
        uint64_t v;
        if (read(F.go[k], &v, sizeof v) != sizeof v) die("read eventfd");
        if (atomic_load(&F.stop)) break;
        double c0 = thread_cpu();
        for (int i = k; i < F.nsubs; i += F.nsend) {
            size_t off = 0;
            while (off < (size_t)F.bytes) {
                ssize_t w = send(F.srv[i], msg + off, (size_t)F.bytes - off, MSG_NOSIGNAL);
                if (w < 0 && errno == EINTR) continue;
                if (w <= 0) die("send");
                off += (size_t)w;
            }
        }
        cpu += thread_cpu() - c0;
    }
    F.send_cpu[k] = cpu;
    free(msg);
    return NULL;
}

static void *receiver(void *arg)
{
    int k = (int)(intptr_t)arg;
    int ep = epoll_create1(0);
    if (ep < 0) die("epoll_create1");
    for (int i = k; i < F.nsubs; i += F.nrx) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, F.cli[i], &ev) != 0) die("epoll_ctl");
    }
    static __thread char buf[1 << 16];
    struct epoll_event evs[512];
    double c0 = thread_cpu();
    while (!atomic_load(&F.stop)) {
        int n = epoll_wait(ep, evs, 512, 20);
        for (int j = 0; j < n; j++) {
            int i = (int)evs[j].data.u32;
            ssize_t r = recv(F.cli[i], buf, sizeof buf, MSG_DONTWAIT);
            if (r <= 0) continue;
            uint64_t t = now_ns();
            F.got[i] += (int)r;
            while (F.got[i] >= F.bytes) { /* a round's bytes complete */
                F.got[i] -= F.bytes;
                int rd = atomic_load(&F.round);
                F.lat[(size_t)rd * (size_t)F.nsubs + (size_t)i] =
                    (int64_t)(t - atomic_load(&F.round_start));
                atomic_fetch_add(&F.delivered, 1);
            }
        }
    }
    F.rx_cpu[k] = thread_cpu() - c0;
    close(ep);
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    F.nsubs = 1000, F.bytes = 1400, F.rounds = 255, F.rate = 20, F.nsend = 2, F.nrx = 2;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i];
        int v = atoi(argv[i + 1]);
        if (!strcmp(k, "--subs"))
            F.nsubs = v;
        else if (!strcmp(k, "--bytes"))
            F.bytes = v;
        else if (!strcmp(k, "--rounds"))
            F.rounds = v;
        else if (!strcmp(k, "--rate"))
            F.rate = atof(argv[i + 1]);
        else if (!strcmp(k, "--send-threads"))
            F.nsend = v;
        else if (!strcmp(k, "--rx-threads"))
            F.nrx = v;
        else {
            fprintf(stderr, "live_floor: unknown option %s\n", k);
            return 1;
        }
    }
    if (F.nsubs < 1 || F.bytes < 1 || F.rounds < 1 || F.rate <= 0 || F.nsend < 1 ||
        F.nsend > MAXT || F.nrx < 1 || F.nrx > MAXT) {
        fprintf(stderr,
                "usage: live_floor --subs N --bytes B --rounds R --rate HZ "
                "--send-threads S --rx-threads T (threads 1..%d)\n",
                MAXT);
        return 1;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    F.srv = calloc((size_t)F.nsubs, sizeof *F.srv);
    F.cli = calloc((size_t)F.nsubs, sizeof *F.cli);
    F.got = calloc((size_t)F.nsubs, sizeof *F.got);
    F.lat = calloc((size_t)F.nsubs * (size_t)F.rounds, sizeof *F.lat);
    if (!F.srv || !F.cli || !F.got || !F.lat) die("calloc");
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 4096) != 0 ||
        getsockname(l, (struct sockaddr *)&a, &al) != 0)
        die("listen");
    int one = 1;
    for (int i = 0; i < F.nsubs; i++) {
        F.cli[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (F.cli[i] < 0 || connect(F.cli[i], (struct sockaddr *)&a, sizeof a) != 0) die("connect");
        F.srv[i] = accept(l, NULL, NULL);
        if (F.srv[i] < 0) die("accept");
        setsockopt(F.srv[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(F.cli[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    close(l);
    atomic_init(&F.round, -1);
    pthread_t st[MAXT], rt[MAXT];
    for (int k = 0; k < F.nsend; k++) {
        if ((F.go[k] = eventfd(0, 0)) < 0) die("eventfd");
        if (pthread_create(&st[k], NULL, sender, (void *)(intptr_t)k) != 0) die("pthread_create");
    }
    for (int k = 0; k < F.nrx; k++)
        if (pthread_create(&rt[k], NULL, receiver, (void *)(intptr_t)k) != 0) die("pthread_create");
    uint64_t t0 = now_ns();
    for (int r = 0; r < F.rounds; r++) {
        uint64_t due = t0 + (uint64_t)((double)r * 1e9 / F.rate);
        for (uint64_t t = now_ns(); t < due; t = now_ns()) {
            uint64_t d = due - t;
            struct timespec ts = {(time_t)(d / 1000000000ULL), (long)(d % 1000000000ULL)};
            nanosleep(&ts, NULL);
        }
        /* the previous round must be complete: a round's deliveries are told apart by count */
        uint64_t wait0 = now_ns();
        while (atomic_load(&F.delivered) < (long)r * F.nsubs) {
            if (now_ns() - wait0 > 10000000000ULL) {
                fprintf(stderr, "live_floor: round %d not delivered after 10 s\n", r - 1);
                return 1;
            }
            struct timespec ts = {0, 100000};
            nanosleep(&ts, NULL);
        }
        atomic_store(&F.round, r);
        atomic_store(&F.round_start, now_ns());
        uint64_t v = 1;
        for (int k = 0; k < F.nsend; k++)
            if (write(F.go[k], &v, sizeof v) != sizeof v) die("write eventfd");
    }
    while (atomic_load(&F.delivered) < (long)F.rounds * F.nsubs) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    atomic_store(&F.stop, true);
    uint64_t v = 1;
    for (int k = 0; k < F.nsend; k++) {
        if (write(F.go[k], &v, sizeof v) != sizeof v) die("write eventfd");
        pthread_join(st[k], NULL);
    }
    for (int k = 0; k < F.nrx; k++) pthread_join(rt[k], NULL);
    size_t n = (size_t)F.rounds * (size_t)F.nsubs;
    qsort(F.lat, n, sizeof *F.lat, cmp_i64);
    double scpu = 0, rcpu = 0;
    for (int k = 0; k < F.nsend; k++) scpu += F.send_cpu[k];
    for (int k = 0; k < F.nrx; k++) rcpu += F.rx_cpu[k];
#define PCT(p) ((double)F.lat[(size_t)((p) * (double)(n - 1) + 0.5)] / 1e6)
    printf("{\"subs\": %d, \"bytes\": %d, \"rounds\": %d, \"rate\": %.2f, \"send_threads\": %d, "
           "\"rx_threads\": %d, \"p50_ms\": %.3f, \"p90_ms\": %.3f, \"p99_ms\": %.3f, "
           "\"max_ms\": %.3f, \"send_cpu_us_per_delivery\": %.2f, "
           "\"rx_cpu_us_per_delivery\": %.2f}\n",
           F.nsubs, F.bytes, F.rounds, F.rate, F.nsend, F.nrx, PCT(0.5), PCT(0.9), PCT(0.99),
           (double)F.lat[n - 1] / 1e6, scpu / (double)n * 1e6, rcpu / (double)n * 1e6);
    return 0;
}
