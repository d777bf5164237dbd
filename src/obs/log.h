/* log.h: structured logs, one JSON object per line on stderr.
 *
 * Every line has ts (RFC 3339 with milliseconds), level and msg, then the caller's
 * fields. A line is built in a stack buffer and written with one write(2), so lines of
 * different threads never interleave. The level threshold is set once at start. */
#ifndef TOURNEYD_LOG_H
#define TOURNEYD_LOG_H

#include <stdbool.h>
#include <stdint.h>

typedef enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } log_level;

typedef enum { LOGKV_STR, LOGKV_INT, LOGKV_DBL } log_kv_type;
typedef struct log_kv {
    const char *key;
    log_kv_type type;
    const char *s;
    int64_t i;
    double d;
} log_kv;

#define LOG_STR(k, v) ((log_kv){.key = (k), .type = LOGKV_STR, .s = (v)})
#define LOG_INT(k, v) ((log_kv){.key = (k), .type = LOGKV_INT, .i = (int64_t)(v)})
#define LOG_DBL(k, v) ((log_kv){.key = (k), .type = LOGKV_DBL, .d = (double)(v)})

/* Parses "debug", "info", "warn", "error"; false for anything else. */
bool log_level_parse(const char *s, log_level *out);
/* Sets the threshold (call before starting threads). */
void log_set_level(log_level lvl);
bool log_enabled(log_level lvl);
/* Writes one line if lvl passes the threshold. */
void log_emit(log_level lvl, const char *msg, const log_kv *kv, int n);

#define LOG_EMIT(lvl, msg, ...)                                                                    \
    do {                                                                                           \
        const log_kv log_kv_list_[] = {__VA_ARGS__};                                               \
        log_emit((lvl), (msg), log_kv_list_, (int)(sizeof(log_kv_list_) / sizeof(log_kv)));        \
    } while (0)

#endif
