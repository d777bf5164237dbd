/* api_ops.c: operational endpoints: liveness, readiness, Prometheus metrics. */
#include "api/api.h"

#include <stdatomic.h>
#include "cache/respcache.h"
#include "obs/metrics.h"

void api_healthz(req *r)
{
    jw *w = req_json(r, 200);
    jw_obj_begin(w);
    jw_kstr(w, "status", "ok");
    jw_obj_end(w);
}

static atomic_bool api_ready;

void api_set_ready(bool ready)
{
    atomic_store(&api_ready, ready);
}

void api_readyz(req *r)
{
    db_conn *c = db_reader();
    bool db_ok = c && db_ping(c);
    bool warm = atomic_load(&api_ready);
    jw *w = req_json(r, db_ok && warm ? 200 : 503);
    jw_obj_begin(w);
    jw_kstr(w, "status", !db_ok ? "unavailable" : warm ? "ready" : "starting");
    jw_key(w, "checks");
    jw_obj_begin(w);
    jw_kstr(w, "database", db_ok ? "ok" : "failed");
    jw_kstr(w, "cache", warm ? "ok" : "warming");
    jw_obj_end(w);
    jw_obj_end(w);
}

void api_metrics(req *r)
{
    buf *b = req_body_out(r, 200, "text/plain; version=0.0.4; charset=utf-8");
    metrics_render(b);
    respcache_render_metrics(b);
}
