/* warmup.c: a minimal blocking HTTP/1.1 client for warming the cache (see warmup.h).
 *
 * It only needs to read responses of this server: a status line, headers with a
 * Content-Length (every response of ours has one), and the body, which it discards. On
 * any surprise it reconnects once per path; it never retries forever. */
#include "jobs/warmup.h"

#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* The host to connect to: the listen host, or loopback for a wildcard. */
static void warmup_host(const char *listen, char *host, size_t hostlen)
{
    const char *colon = strrchr(listen, ':');
    size_t n = colon ? (size_t)(colon - listen) : strlen(listen);
    if (n >= 2 && listen[0] == '[' && listen[n - 1] == ']') {
        listen++;
        n -= 2;
    }
    if (n == 0 || (n == 7 && memcmp(listen, "0.0.0.0", 7) == 0))
        snprintf(host, hostlen, "127.0.0.1");
    else if (n == 2 && memcmp(listen, "::", 2) == 0)
        snprintf(host, hostlen, "::1");
    else
        snprintf(host, hostlen, "%.*s", (int)n, listen);
}

static int warmup_connect(const char *host, unsigned port)
{
    char ports[16];
    snprintf(ports, sizeof ports, "%u", port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(host, ports, &hints, &res) != 0) return -1;
    int fd = -1;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        struct timeval tv = {.tv_sec = 5};
        if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0 ||
            connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    return fd;
}

static bool warmup_send(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Reads one response; returns its status, or -1 when the connection failed. */
static int warmup_read(int fd, char *b, size_t cap)
{
    size_t have = 0;
    char *end = NULL;
    while (!(end = memmem(b, have, "\r\n\r\n", 4))) {
        if (have == cap) return -1;
        ssize_t r = recv(fd, b + have, cap - have, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        have += (size_t)r;
    }
    *end = '\0';
    int status = 0;
    if (sscanf(b, "HTTP/1.%*d %d", &status) != 1) return -1;
    long long length = -1;
    for (char *line = strstr(b, "\r\n"); line; line = strstr(line + 2, "\r\n"))
        if (strncasecmp(line + 2, "Content-Length:", 15) == 0) length = atoll(line + 17);
    if (length < 0) return -1;
    size_t got = have - (size_t)(end + 4 - b);
    while ((long long)got < length) {
        ssize_t r = recv(fd, b, cap, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        got += (size_t)r;
    }
    return (long long)got == length ? status : -1; /* nothing pipelined: exact */
}

int warmup_run(const char *listen, unsigned port, const char *const *paths, int n, char *err,
               size_t errlen)
{
    char host[256];
    warmup_host(listen, host, sizeof host);
    char *b = malloc(65536);
    if (!b) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int fd = -1, ok = 0;
    for (int i = 0; i < n; i++) {
        for (int attempt = 0; attempt < 2; attempt++) {
            if (fd < 0 && (fd = warmup_connect(host, port)) < 0) {
                snprintf(err, errlen, "cannot connect to %s port %u: %s", host, port,
                         strerror(errno));
                free(b);
                return -1;
            }
            char head[1200];
            int len = snprintf(head, sizeof head,
                               "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: tourneyd-warmup\r\n"
                               "X-Request-Id: warmup\r\n\r\n",
                               paths[i], host);
            if (len < 0 || (size_t)len >= sizeof head) break;
            int status = warmup_send(fd, head, (size_t)len) ? warmup_read(fd, b, 65536) : -1;
            if (status >= 0) {
                if (status == 200) ok++;
                break;
            }
            close(fd);
            fd = -1;
        }
    }
    if (fd >= 0) close(fd);
    free(b);
    return ok;
}
