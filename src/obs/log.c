/* log.c: JSON log lines on stderr (see log.h). The only state is the level threshold,
 * written once before threads start and read-only afterwards. */
#include "obs/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/timefmt.h"

static log_level log_threshold = LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

bool log_level_parse(const char *s, log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (log_level)i;
            return true;
        }
    }
    if (strcmp(s, "warning") == 0) {
        *out = LOG_WARN;
        return true;
    }
    return false;
}

void log_set_level(log_level lvl)
{
    log_threshold = lvl;
}

bool log_enabled(log_level lvl)
{
    return lvl >= log_threshold;
}

void log_emit(log_level lvl, const char *msg, const log_kv *kv, int n)
{
    if (!log_enabled(lvl)) return;
    arena *a = arena_new(1024);
    if (!a) return;
    buf b;
    buf_init(&b, a, 512);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char when[TIME_RFC3339_LEN + 1];
    time_format((int64_t)ts.tv_sec, when);
    /* "2026-11-22T16:30:00Z" -> "2026-11-22T16:30:00.123Z" */
    buf_puts(&b, "{\"ts\":\"");
    buf_append(&b, when, TIME_RFC3339_LEN - 1);
    buf_printf(&b, ".%03ldZ\",\"level\":\"%s\",\"msg\":", ts.tv_nsec / 1000000, level_names[lvl]);
    json_escape(&b, msg, strlen(msg));
    for (int i = 0; i < n; i++) {
        buf_putc(&b, ',');
        json_escape(&b, kv[i].key, strlen(kv[i].key));
        buf_putc(&b, ':');
        switch (kv[i].type) {
        case LOGKV_STR:
            if (kv[i].s)
                json_escape(&b, kv[i].s, strlen(kv[i].s));
            else
                buf_puts(&b, "null");
            break;
        case LOGKV_INT:
            buf_put_i64(&b, kv[i].i);
            break;
        case LOGKV_DBL:
            buf_printf(&b, "%.3f", kv[i].d);
            break;
        }
    }
    buf_puts(&b, "}\n");
    if (buf_ok(&b)) {
        const char *p = b.data;
        size_t left = b.len;
        while (left > 0) {
            ssize_t w = write(STDERR_FILENO, p, left);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) break;
            p += w;
            left -= (size_t)w;
        }
    }
    arena_free(a);
}
