/* server.c: the request life cycle on libmicrohttpd (see server.h and request.h).
 *
 * libmicrohttpd 0.9.75 calls the access handler several times per request: once with
 * the headers, once per body chunk, once more when the body is complete. We allocate the
 * request (and its arena) on the first call, copy body chunks on the next ones, and
 * dispatch on the last. Responses are queued on that later call, never the first (on
 * 0.9.75 a response queued on the first call forces "Connection: close"), except for an
 * announced body over the limit, where closing is what we want. A suspended request is
 * resumed by another thread; libmicrohttpd then calls the handler again and the
 * request's `then` callback answers. Everything is freed in the completion callback,
 * which also runs when the client left. A request answered 101 (req_upgrade) hands its
 * socket to the upgrade callback once the 101 is out; libmicrohttpd keeps the connection
 * suspended (so it never times out) and calls the completion callback only after the
 * new owner gave it back with req_upgraded_close, so until then the request counts as
 * in flight and server_drain waits for it. */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "obs/log.h"
#include "obs/metrics.h"
#include "util/etag.h"
#include "util/timefmt.h"

#define REQ_MAX_HEADERS  12
#define REQ_MAX_CLEANUPS 4
/* pending connections the kernel queues before they are accepted */
#define SERVER_LISTEN_BACKLOG 4096

/* Only the request's io thread reads or writes a request's fields; another thread only
 * calls MHD_resume_connection (whose internal lock orders its writes to the job before
 * the io thread's next look at it). */
typedef enum { PH_NEW, PH_BODY, PH_WAITING, PH_DONE } req_phase;

struct req {
    server *srv;
    struct MHD_Connection *conn;
    arena *a;
    http_method method;
    const char *path;
    route_match m;
    req_phase phase;
    bool too_large;
    buf body;
    uint64_t t0;
    int64_t now;
    char request_id[132];
    char client_addr[INET6_ADDRSTRLEN];
    void *app;
    /* response */
    int status;
    bool has_body;
    buf out;
    jw w;
    bool uses_jw; /* the body was written through w (so w must be complete) */
    const char *content_type;
    char etag[ETAG_MAX];
    int nheaders;
    const char *hname[REQ_MAX_HEADERS], *hvalue[REQ_MAX_HEADERS];
    /* suspension */
    req_then then;
    void *then_arg;
    /* protocol upgrade (status 101) */
    req_upgrade_fn upgrade_fn;
    void *upgrade_arg;
    unsigned queries;
    int ncleanups;
    req_cleanup_fn cleanup_fn[REQ_MAX_CLEANUPS];
    void *cleanup_ptr[REQ_MAX_CLEANUPS];
};

struct server {
    server_config cfg;
    struct MHD_Daemon *daemon;
    _Atomic int in_flight;
    _Atomic bool stopping; /* set by server_quiesce: new connections are refused */
    uint32_t id_prefix;
    /* with more than one io thread: our listening socket and the thread that accepts on
     * it (server_acceptor), which runs whenever listen_fd is not -1; with one io thread
     * libmicrohttpd listens itself */
    int listen_fd;
    _Atomic bool acceptor_stop;
    pthread_t acceptor;
    /* each io thread's spare request arena (server_arena_take): a finished request's arena
     * is emptied and kept for the thread's next request, which then costs no malloc of
     * SERVER_ARENA_FIRST bytes (glibc serves that size outside its per-thread cache, and
     * consolidates its free lists to do it); the key's destructor frees it at thread exit */
    pthread_key_t spare_arena;
};

/* the first block of a request's arena: the request, its path and a small answer */
#define SERVER_ARENA_FIRST 8192

static _Thread_local uint64_t tl_request_seq;

/* ---- request inputs ---- */

arena *req_arena(req *r)
{
    return r->a;
}

http_method req_method(const req *r)
{
    return r->method;
}

const char *req_param(const req *r, int i)
{
    return (i >= 0 && i < r->m.nparams) ? r->m.params[i] : NULL;
}

const char *req_query(req *r, const char *key)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

typedef struct {
    const char **keys, **values;
    size_t n, max;
} req_query_iter;

static enum MHD_Result req_query_one(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    req_query_iter *it = cls;
    if (it->n < it->max) {
        it->keys[it->n] = key;
        it->values[it->n] = value;
    }
    it->n++;
    return MHD_YES;
}

size_t req_query_all(req *r, const char **keys, const char **values, size_t max)
{
    req_query_iter it = {keys, values, 0, max};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, req_query_one, &it);
    return it.n;
}

const char *req_path(const req *r)
{
    return r->path;
}

int req_route(const req *r)
{
    return r->m.route;
}

const char *req_header(req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_body(const req *r, size_t *len)
{
    *len = r->body.len;
    return r->body.data ? r->body.data : "";
}

const char *req_client_addr(req *r)
{
    if (r->client_addr[0]) return r->client_addr;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(r->client_addr, sizeof r->client_addr, "unknown");
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                      r->client_addr, sizeof r->client_addr);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                      r->client_addr, sizeof r->client_addr);
    }
    return r->client_addr;
}

int64_t req_now(const req *r)
{
    return r->now;
}

void *req_app(const req *r)
{
    return r->app;
}

void req_set_app(req *r, void *p)
{
    r->app = p;
}

void req_add_queries(req *r, unsigned n)
{
    r->queries += n;
}

bool req_on_cleanup(req *r, req_cleanup_fn fn, void *ptr)
{
    if (r->ncleanups == REQ_MAX_CLEANUPS) return false;
    r->cleanup_fn[r->ncleanups] = fn;
    r->cleanup_ptr[r->ncleanups++] = ptr;
    return true;
}

/* ---- responses ---- */

static void req_reset_response(req *r, int status, const char *ctype)
{
    r->status = status;
    r->upgrade_fn = NULL;
    r->uses_jw = false;
    r->content_type = ctype;
    r->has_body = ctype != NULL;
    if (!r->out.a)
        buf_init(&r->out, r->a, 1024);
    else
        buf_reset(&r->out);
}

jw *req_json(req *r, int status)
{
    req_reset_response(r, status, "application/json");
    r->uses_jw = true;
    jw_init(&r->w, &r->out);
    return &r->w;
}

void req_error(req *r, int status, const char *code, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vsprintf(r->a, fmt, ap);
    va_end(ap);
    jw *w = req_json(r, status);
    jw_obj_begin(w);
    jw_key(w, "error");
    jw_obj_begin(w);
    jw_kstr(w, "code", code);
    jw_kstr(w, "message", msg ? msg : code);
    if (field) jw_kstr(w, "field", field);
    jw_obj_end(w);
    jw_obj_end(w);
}

void req_empty(req *r, int status)
{
    req_reset_response(r, status, NULL);
}

buf *req_body_out(req *r, int status, const char *content_type)
{
    req_reset_response(r, status, content_type);
    return &r->out;
}

void req_set_content_type(req *r, const char *content_type)
{
    if (r->has_body) r->content_type = content_type;
}

int req_response(const req *r, const char **body, size_t *len)
{
    *body = r->out.data;
    *len = r->out.len;
    return r->status;
}

void req_set_body(req *r, const buf *b)
{
    r->out = *b;
    r->uses_jw = false;
}

void req_set_etag(req *r, const char *etag)
{
    size_t n = strnlen(etag, sizeof r->etag - 1);
    memcpy(r->etag, etag, n);
    r->etag[n] = '\0';
}

/* Lowercase hex of v in exactly `digits` characters (no NUL); returns the end. snprintf
 * costs more than the rest of a cached answer's header work. */
static char *server_hex(char *out, uint64_t v, int digits)
{
    static const char hx[] = "0123456789abcdef";
    for (int i = digits - 1; i >= 0; i--, v >>= 4) out[i] = hx[v & 15];
    return out + digits;
}

void req_add_header(req *r, const char *name, const char *value)
{
    if (r->nheaders == REQ_MAX_HEADERS) return;
    r->hname[r->nheaders] = arena_strdup(r->a, name);
    r->hvalue[r->nheaders] = arena_strdup(r->a, value);
    if (r->hname[r->nheaders] && r->hvalue[r->nheaders]) r->nheaders++;
}

void req_upgrade(req *r, req_upgrade_fn fn, void *arg)
{
    req_reset_response(r, 101, NULL);
    r->upgrade_fn = fn;
    r->upgrade_arg = arg;
}

/* libmicrohttpd's handle of an upgraded connection is our opaque req_upgraded. */
void req_upgraded_close(req_upgraded *h)
{
    if (MHD_upgrade_action((struct MHD_UpgradeResponseHandle *)(void *)h,
                           MHD_UPGRADE_ACTION_CLOSE) != MHD_YES)
        LOG_EMIT(LOG_ERROR, "closing an upgraded connection failed");
}

/* Runs on the io thread once the 101 is sent: the socket now belongs to the handler. */
static void server_upgraded(void *cls, struct MHD_Connection *conn, void *con_cls,
                            const char *extra_in, size_t extra_in_size, MHD_socket sock,
                            struct MHD_UpgradeResponseHandle *urh)
{
    (void)conn;
    (void)con_cls;
    req *r = cls;
    r->upgrade_fn(r->upgrade_arg, sock, extra_in, extra_in_size, (req_upgraded *)(void *)urh);
}

void req_suspend(req *r, req_then then, void *arg)
{
    r->then = then;
    r->then_arg = arg;
    r->phase = PH_WAITING;
    MHD_suspend_connection(r->conn);
}

void req_resume(req *r)
{
    /* may run before the io thread even returned from the call that suspended: then
     * libmicrohttpd notes the resume and calls the handler again later */
    MHD_resume_connection(r->conn);
}

/* ---- life cycle ---- */

static void server_request_id(req *r)
{
    const char *given = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Request-Id");
    if (given) {
        size_t n = strlen(given);
        bool ok = n > 0 && n <= 128;
        for (size_t i = 0; ok && i < n; i++) ok = given[i] > 0x20 && given[i] < 0x7f;
        if (ok) {
            memcpy(r->request_id, given, n + 1);
            return;
        }
    }
    /* "%08x-%016llx": the process prefix, then this thread's sequence number */
    uint64_t seq = ++tl_request_seq ^ ((uint64_t)pthread_self() << 40);
    _Static_assert(sizeof r->request_id >= 8 + 1 + 16 + 1, "request id buffer");
    char *p = server_hex(r->request_id, r->srv->id_prefix, 8);
    *p++ = '-';
    p = server_hex(p, seq, 16);
    *p = '\0';
}

static enum MHD_Result server_finish(req *r)
{
    server *s = r->srv;
    if (r->status == 0) req_error(r, 500, "internal", NULL, "the handler produced no response");
    if (r->uses_jw && !jw_ok(&r->w)) {
        /* a JSON writer that failed (OOM or misuse) must not send a half document */
        r->nheaders = 0;
        req_error(r, 500, "internal", NULL, "response could not be built");
    }
    if (!buf_ok(&r->out)) {
        r->nheaders = 0;
        buf_init(&r->out, r->a, 128);
        req_error(r, 500, "internal", NULL, "out of memory");
    }
    int status = r->status;
    char etag[ETAG_MAX] = "";
    if (status == 200 && (r->method == HTTP_GET || r->method == HTTP_HEAD) && r->has_body) {
        if (r->etag[0])
            memcpy(etag, r->etag, sizeof etag);
        else
            etag_of(r->out.data, r->out.len, NULL, etag);
        if (etag_matches(req_header(r, "If-None-Match"), etag)) {
            status = 304;
            r->has_body = false;
        }
    } else if (status == 304) {
        memcpy(etag, r->etag, sizeof etag);
    }
    struct MHD_Response *resp =
        status == 101 && r->upgrade_fn
            ? MHD_create_response_for_upgrade(server_upgraded, r)
            : MHD_create_response_from_buffer(r->has_body ? r->out.len : 0,
                                              r->has_body ? r->out.data : (void *)"",
                                              MHD_RESPMEM_PERSISTENT);
    if (!resp) return MHD_NO;
    if (r->content_type && r->has_body)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    if (etag[0]) MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(resp, "X-Request-Id", r->request_id);
    if (s->cfg.take_queries) r->queries += s->cfg.take_queries();
    buf qc;
    buf_init(&qc, r->a, 16);
    buf_put_u64(&qc, r->queries);
    if (buf_ok(&qc)) MHD_add_response_header(resp, "X-Query-Count", qc.data);
    for (int i = 0; i < r->nheaders; i++) MHD_add_response_header(resp, r->hname[i], r->hvalue[i]);
    /* stopping: answer, then close, so keep-alive clients reconnect elsewhere */
    if (status != 101 && atomic_load_explicit(&s->stopping, memory_order_relaxed))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    r->phase = PH_DONE;

    uint64_t dur = time_mono_ns() - r->t0;
    metrics_request(r->m.route, r->method, status, dur, r->queries);
    bool slow = dur >= (uint64_t)s->cfg.slow_ms * 1000000ULL;
    log_level lvl = status >= 500 ? LOG_ERROR : slow ? LOG_WARN : LOG_DEBUG;
    if (log_enabled(lvl)) {
        LOG_EMIT(lvl,
                 status >= 500 ? "request failed"
                 : slow        ? "slow request"
                               : "request",
                 LOG_STR("request_id", r->request_id),
                 LOG_STR("route", router_pattern(s->cfg.routes, r->m.route)),
                 LOG_STR("method", http_method_name(r->method)), LOG_STR("path", r->path),
                 LOG_INT("status", status), LOG_DBL("duration_ms", (double)dur / 1e6),
                 LOG_INT("queries", r->queries));
    }
    return ret;
}

static bool server_is_json(const char *ctype)
{
    if (!ctype) return false;
    size_t n = strlen("application/json");
    if (strncasecmp(ctype, "application/json", n) != 0) return false;
    return ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ';
}

static void server_dispatch(req *r)
{
    server *s = r->srv;
    if (r->m.status == 404) {
        req_error(r, 404, "not_found", NULL, "no such resource");
        return;
    }
    if (r->m.status == 405) {
        char allow[64];
        router_allow_header(r->m.allow, allow, sizeof allow);
        req_error(r, 405, "method_not_allowed", NULL, "method %s not allowed here; allowed: %s",
                  http_method_name(r->method), allow);
        req_add_header(r, "Allow", allow);
        return;
    }
    if (r->too_large) {
        req_error(r, 413, "payload_too_large", NULL, "request body over %d bytes",
                  SERVER_BODY_LIMIT);
        return;
    }
    if (r->body.len > 0 && !server_is_json(req_header(r, "Content-Type"))) {
        req_error(r, 415, "unsupported_media_type", NULL,
                  "request bodies must be Content-Type: application/json");
        return;
    }
    s->cfg.handlers[r->m.route](r);
}

/* This thread's spare arena, or a new one; NULL on OOM. */
static arena *server_arena_take(server *s)
{
    arena *a = pthread_getspecific(s->spare_arena);
    if (!a) return arena_new(SERVER_ARENA_FIRST);
    pthread_setspecific(s->spare_arena, NULL);
    return a;
}

/* A finished request's arena: emptied and kept as this thread's spare, or freed. */
static void server_arena_give(server *s, arena *a)
{
    if (!pthread_getspecific(s->spare_arena)) {
        arena_reset(a);
        if (pthread_setspecific(s->spare_arena, a) == 0) return;
    }
    arena_free(a);
}

static void server_arena_destroy(void *a)
{
    arena_free(a);
}

static req *server_req_new(server *s, struct MHD_Connection *conn, const char *url,
                           const char *method)
{
    arena *a = server_arena_take(s);
    if (!a) return NULL;
    req *r = arena_calloc(a, 1, sizeof(req));
    char *path = arena_strdup(a, url);
    if (!r || !path) {
        server_arena_give(s, a);
        return NULL;
    }
    r->srv = s;
    r->conn = conn;
    r->a = a;
    r->t0 = time_mono_ns();
    r->now = time_now();
    r->method = http_method_parse(method);
    r->path = arena_strdup(a, url);
    r->phase = PH_NEW;
    router_match(s->cfg.routes, r->method, path, &r->m);
    server_request_id(r);
    return r;
}

static enum MHD_Result server_access(void *cls, struct MHD_Connection *conn, const char *url,
                                     const char *method, const char *version,
                                     const char *upload_data, size_t *upload_data_size,
                                     void **con_cls)
{
    (void)version;
    server *s = cls;
    req *r = *con_cls;
    if (!r) {
        r = server_req_new(s, conn, url, method);
        if (!r) return MHD_NO;
        *con_cls = r;
        atomic_fetch_add(&s->in_flight, 1);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl) {
            char *end;
            errno = 0;
            unsigned long long n = strtoull(cl, &end, 10);
            if (errno || *end || n > SERVER_BODY_LIMIT) {
                r->too_large = true;
                if (r->m.status == 0) return server_finish((server_dispatch(r), r));
            }
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!r->too_large) {
            if (!r->body.a) buf_init(&r->body, r->a, *upload_data_size + 1);
            if (r->body.len + *upload_data_size > SERVER_BODY_LIMIT)
                r->too_large = true;
            else
                buf_append(&r->body, upload_data, *upload_data_size);
        }
        *upload_data_size = 0;
        r->phase = PH_BODY;
        return MHD_YES;
    }
    if (r->phase == PH_DONE) return MHD_YES;
    if (r->phase == PH_WAITING) {
        /* libmicrohttpd calls a suspended request's handler only after its resume */
        r->phase = PH_BODY;
        r->then(r, r->then_arg);
    } else {
        if (r->body.a && !buf_ok(&r->body)) r->too_large = true;
        server_dispatch(r);
    }
    if (r->phase == PH_WAITING) return MHD_YES;
    return server_finish(r);
}

static void server_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                             enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    server *s = cls;
    req *r = *con_cls;
    if (!r) return;
    *con_cls = NULL;
    for (int i = r->ncleanups - 1; i >= 0; i--) r->cleanup_fn[i](r->cleanup_ptr[i]);
    server_arena_give(s, r->a);
    atomic_fetch_sub(&s->in_flight, 1);
}

static void server_conn_notify(void *cls, struct MHD_Connection *conn, void **socket_ctx,
                               enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    (void)conn;
    (void)socket_ctx;
    metrics_connections_add(toe == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1);
}

static void server_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r')) msg[--n] = '\0';
    LOG_EMIT(LOG_DEBUG, "libmicrohttpd", LOG_STR("detail", msg));
}

/* Decodes %HH escapes in paths and query values, like libmicrohttpd's own unescaper,
 * except that %00 is left as is: a decoded NUL would silently cut the C string that
 * handlers see ("/t/abc%00xyz" would look like "/t/abc"). */
static int server_hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

static size_t server_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    /* most paths and arguments have no escape: find the first one at memchr speed */
    char *out = strchr(s, '%');
    if (!out) return strlen(s);
    for (const char *in = out; *in;) {
        int hi, lo;
        if (in[0] == '%' && (hi = server_hexval(in[1])) >= 0 && (lo = server_hexval(in[2])) >= 0 &&
            (hi | lo) != 0) {
            *out++ = (char)(hi * 16 + lo);
            in += 3;
        } else {
            *out++ = *in++;
        }
    }
    *out = '\0';
    return (size_t)(out - s);
}

/* Parses "host:port" / "[v6]:port" into a socket address. */
static bool server_parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof host) return false;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535 || colon[1] == '\0') return false;
    size_t hl = (size_t)(colon - listen);
    memcpy(host, listen, hl);
    host[hl] = '\0';
    memset(ss, 0, sizeof *ss);
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
        if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1) return false;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *len = sizeof *a6;
        return true;
    }
    if (strcmp(host, "localhost") == 0) snprintf(host, sizeof host, "127.0.0.1");
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) != 1) return false;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    *len = sizeof *a4;
    return true;
}

/* Accept policy: refuses every new connection once the server is stopping. This is how
 * tourneyd stops accepting: MHD_quiesce_daemon() races its own epoll worker threads over
 * removing the listen socket from their epoll sets and can abort the process
 * ("Failed to remove listen FD from epoll set", libmicrohttpd 0.9.75), so it is not used. */
static enum MHD_Result server_accept_policy(void *cls, const struct sockaddr *addr,
                                            socklen_t addrlen)
{
    (void)addr;
    (void)addrlen;
    server *s = cls;
    return atomic_load_explicit(&s->stopping, memory_order_relaxed) ? MHD_NO : MHD_YES;
}

/* The io threads of a libmicrohttpd 0.9.75 pool share one listening socket and each
 * accepts up to 10 connections per wakeup, so a burst of connections (a proxy's pool, a
 * load generator's 64) can all land on one thread while the others idle: seen as half
 * the throughput in one uncached benchmark run in seven. With several io threads
 * tourneyd therefore accepts on a thread of its own and hands each socket to
 * MHD_add_connection, which gives it to the worker (socket % threads) with room: the
 * sockets of a burst alternate between the threads. */
static void *server_acceptor(void *arg)
{
    server *s = arg;
    (void)pthread_setname_np(pthread_self(), "acceptor"); /* top -H, perf: a hint only */
    unsigned long failures = 0;
    for (;;) {
        struct sockaddr_storage addr;
        socklen_t alen = sizeof addr;
        int fd =
            accept4(s->listen_fd, (struct sockaddr *)&addr, &alen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (atomic_load(&s->acceptor_stop)) {
            if (fd >= 0) close(fd);
            break;
        }
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN) continue;
            /* out of descriptors or memory: wait a little rather than spin */
            if (failures++ % 1000 == 0)
                LOG_EMIT(LOG_WARN, "accept failed", LOG_STR("error", strerror(errno)));
            struct timespec ts = {0, 10 * 1000000L};
            nanosleep(&ts, NULL);
            continue;
        }
        if (server_accept_policy(s, (struct sockaddr *)&addr, alen) == MHD_NO) {
            close(fd);
            continue;
        }
        /* on failure (every worker at its connection limit) libmicrohttpd closes fd */
        (void)MHD_add_connection(s->daemon, fd, (struct sockaddr *)&addr, alen);
    }
    return NULL;
}

/* The port of an IPv4 or IPv6 socket address. */
static uint16_t server_addr_port(const struct sockaddr_storage *ss)
{
    return ss->ss_family == AF_INET6 ? ntohs(((const struct sockaddr_in6 *)ss)->sin6_port)
                                     : ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

/* A listening socket on ss (as libmicrohttpd would make it); -1 with errno set. */
static int server_listen_socket(const struct sockaddr_storage *ss, socklen_t sl)
{
    int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    bool ok = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
              (ss->ss_family != AF_INET6 ||
               setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) == 0) &&
              bind(fd, (const struct sockaddr *)ss, sl) == 0 &&
              listen(fd, SERVER_LISTEN_BACKLOG) == 0;
    if (!ok) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* After the io threads stopped (their spares went with them): this thread's spare, the
 * key, the server. */
static void server_free(server *s)
{
    arena_free(pthread_getspecific(s->spare_arena));
    pthread_setspecific(s->spare_arena, NULL);
    pthread_key_delete(s->spare_arena);
    free(s);
}

server *server_start(const server_config *cfg, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    if (!server_parse_listen(cfg->listen, &ss, &sl)) {
        snprintf(err, errlen, "cannot parse listen address '%s' (want ADDR:PORT)", cfg->listen);
        return NULL;
    }
    server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->cfg = *cfg;
    int krc = pthread_key_create(&s->spare_arena, server_arena_destroy);
    if (krc != 0) {
        snprintf(err, errlen, "cannot create a thread key: %s", strerror(krc));
        free(s);
        return NULL;
    }
    s->id_prefix = (uint32_t)time_mono_ns() ^ (uint32_t)getpid() << 16;
    s->listen_fd = -1;
    /* one io thread: poll(), not epoll: libmicrohttpd 0.9.75's single-thread epoll loop can
     * miss the wakeup of a resumed connection and sleep until its next timeout (seen as
     * 256 registrations stuck for seconds under load; the pooled epoll loops do not) */
    unsigned flags =
        (cfg->threads > 1 ? MHD_USE_EPOLL_INTERNAL_THREAD : MHD_USE_POLL_INTERNAL_THREAD) |
        MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME | MHD_ALLOW_UPGRADE | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    uint16_t port = server_addr_port(&ss);
    /* one io thread is libmicrohttpd's own thread (a pool of 1 is refused with a warning) */
    unsigned pool = cfg->threads > 1 ? cfg->threads : 0u;
    /* a connection's memory pool (request headers, read buffer, response headers): 16 KiB,
     * since 0.9.75 zeroes the whole pool before every request (docs/OPERATIONS.md) */
    const size_t conn_pool_bytes = 16 * 1024;
    /* a pool gets our listening socket and acceptor (server_acceptor); one io thread
     * listens itself */
    if (pool) {
        s->listen_fd = server_listen_socket(&ss, sl);
        if (s->listen_fd < 0) {
            snprintf(err, errlen, "cannot listen on %s: %s", cfg->listen, strerror(errno));
            server_free(s);
            return NULL;
        }
        flags |= MHD_USE_NO_LISTEN_SOCKET;
    }
    struct MHD_OptionItem pool_opts[] = {
        {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)pool, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_OptionItem listen_opts[] = {
        {MHD_OPTION_SOCK_ADDR, 0, &ss},
        {MHD_OPTION_LISTEN_BACKLOG_SIZE, SERVER_LISTEN_BACKLOG, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    s->daemon = MHD_start_daemon(
        flags, port, server_accept_policy, s, server_access, s, MHD_OPTION_CONNECTION_LIMIT,
        cfg->max_connections ? cfg->max_connections : 10000u, MHD_OPTION_CONNECTION_TIMEOUT,
        cfg->idle_timeout_s ? cfg->idle_timeout_s : 60u, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        conn_pool_bytes, MHD_OPTION_NOTIFY_COMPLETED, server_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, server_conn_notify, s, MHD_OPTION_EXTERNAL_LOGGER,
        server_mhd_log, s, MHD_OPTION_UNESCAPE_CALLBACK, server_unescape, s, MHD_OPTION_ARRAY,
        pool ? pool_opts : listen_opts, MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(err, errlen, "cannot listen on %s: %s", cfg->listen,
                 errno ? strerror(errno) : "libmicrohttpd refused to start");
        if (s->listen_fd >= 0) close(s->listen_fd);
        server_free(s);
        return NULL;
    }
    if (pool) {
        int rc = pthread_create(&s->acceptor, NULL, server_acceptor, s);
        if (rc != 0) {
            snprintf(err, errlen, "cannot start the accepting thread: %s", strerror(rc));
            MHD_stop_daemon(s->daemon);
            close(s->listen_fd);
            server_free(s);
            return NULL;
        }
    }
    return s;
}

unsigned server_port(server *s)
{
    if (s->listen_fd >= 0) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        return getsockname(s->listen_fd, (struct sockaddr *)&ss, &sl) == 0 ? server_addr_port(&ss)
                                                                           : 0;
    }
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return i ? i->port : 0;
}

void server_quiesce(server *s)
{
    atomic_store(&s->stopping, true);
}

int server_drain(server *s, unsigned timeout_ms)
{
    for (unsigned waited = 0; waited < timeout_ms; waited += 10) {
        if (atomic_load(&s->in_flight) == 0) return 0;
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return atomic_load(&s->in_flight);
}

void server_stop(server *s)
{
    if (!s) return;
    if (s->listen_fd >= 0) {
        /* shutdown() wakes an accept4() blocked on the socket (it fails with EINVAL) */
        atomic_store(&s->acceptor_stop, true);
        shutdown(s->listen_fd, SHUT_RDWR);
        pthread_join(s->acceptor, NULL);
        close(s->listen_fd);
    }
    MHD_stop_daemon(s->daemon);
    server_free(s);
}
