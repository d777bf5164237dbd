/* ratelimit.c: fixed-size table of token buckets (see ratelimit.h). */
#include "http/ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RL_SLOTS 4096
#define RL_KEY   64

typedef struct rl_slot {
    char key[RL_KEY];
    double tokens;
    uint64_t last_ms;
} rl_slot;

struct ratelimit {
    pthread_mutex_t lock;
    double capacity;
    double per_ms;
    rl_slot slots[RL_SLOTS];
};

ratelimit *ratelimit_new(unsigned per_minute)
{
    ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl) return NULL;
    pthread_mutex_init(&rl->lock, NULL);
    rl->capacity = per_minute ? per_minute : 1;
    rl->per_ms = rl->capacity / 60000.0;
    return rl;
}

void ratelimit_free(ratelimit *rl)
{
    if (!rl) return;
    pthread_mutex_destroy(&rl->lock);
    free(rl);
}

static uint32_t rl_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

bool ratelimit_take(ratelimit *rl, const char *key, uint64_t now_ms, unsigned *retry_after_s)
{
    rl_slot *s = &rl->slots[rl_hash(key) % RL_SLOTS];
    bool ok;
    pthread_mutex_lock(&rl->lock);
    if (strncmp(s->key, key, RL_KEY - 1) != 0 || s->key[0] == '\0') {
        strncpy(s->key, key, RL_KEY - 1);
        s->key[RL_KEY - 1] = '\0';
        s->tokens = rl->capacity;
        s->last_ms = now_ms;
    }
    if (now_ms > s->last_ms) {
        s->tokens += (double)(now_ms - s->last_ms) * rl->per_ms;
        if (s->tokens > rl->capacity) s->tokens = rl->capacity;
        s->last_ms = now_ms;
    }
    if (s->tokens >= 1.0) {
        s->tokens -= 1.0;
        ok = true;
    } else {
        double wait_ms = (1.0 - s->tokens) / rl->per_ms;
        *retry_after_s = (unsigned)(wait_ms / 1000.0) + 1;
        ok = false;
    }
    pthread_mutex_unlock(&rl->lock);
    return ok;
}
