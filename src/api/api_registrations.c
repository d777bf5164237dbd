/* api_registrations.c: registrations, payments and the two dashboards (API.md
 * "Registrations and payments").
 *
 * Handlers check who may act (from one read) and the shape of the input; the writer
 * job checks everything that depends on current data inside its transaction
 * (store_registrations.c, store_payments.c), which is what keeps capacity and
 * uniqueness exact under concurrent requests. Every list is one query per page. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/cursor.h"
#include "core/validate.h"
#include "store/store_payments.h"
#include "store/store_registrations.h"

static const char *const reg_statuses[] = {"pending", "confirmed", "checked_in", "cancelled", NULL};
static const char *const pay_statuses[] = {"pending", "verified", "rejected", NULL};

/* ---- JSON ---- */

static void api_reg_fields(jw *w, const st_registration *g)
{
    jw_kint(w, "id", g->id);
    jw_key(w, "user");
    jw_obj_begin(w);
    jw_kint(w, "id", g->user.id);
    jw_kstr(w, "username", g->user.username);
    jw_kstr(w, "display_name", g->user.display_name);
    jw_obj_end(w);
    jw_key(w, "team");
    if (g->team_id) {
        jw_obj_begin(w);
        jw_kint(w, "id", g->team_id);
        jw_kstr(w, "name", g->team_name);
        jw_kstr(w, "tag", g->team_tag);
        jw_obj_end(w);
    } else {
        jw_null(w);
    }
    jw_kstr(w, "status", g->status);
    if (g->seed)
        jw_kint(w, "seed", g->seed);
    else
        jw_knull(w, "seed");
    jw_key(w, "payment");
    if (g->payment_id) {
        jw_obj_begin(w);
        jw_kint(w, "id", g->payment_id);
        jw_kstr(w, "status", g->payment_status);
        jw_kint(w, "amount_cents", g->payment_amount_cents);
        jw_obj_end(w);
    } else {
        jw_null(w);
    }
    jw_ktime(w, "created_at", g->created_at, true);
    jw_ktime(w, "checked_in_at", g->checked_in_at, g->checked_in_at != 0);
}

static void api_reg_json(jw *w, const st_registration *g)
{
    jw_obj_begin(w);
    jw_key(w, "tournament");
    jw_obj_begin(w);
    jw_kstr(w, "slug", g->tournament_slug);
    jw_kstr(w, "name", g->tournament_name);
    jw_obj_end(w);
    api_reg_fields(w, g);
    jw_obj_end(w);
}

static void api_payment_json(jw *w, const st_payment *p)
{
    jw_obj_begin(w);
    jw_kint(w, "id", p->id);
    jw_kint(w, "registration_id", p->registration_id);
    jw_kint(w, "amount_cents", p->amount_cents);
    jw_kstr(w, "currency", p->currency);
    jw_kstr(w, "method", p->method);
    jw_kstr(w, "reference", p->reference);
    jw_kstr(w, "status", p->status);
    jw_kstr(w, "reason", p->reason);
    if (p->verified_by)
        jw_kint(w, "verified_by", p->verified_by);
    else
        jw_knull(w, "verified_by");
    jw_ktime(w, "verified_at", p->verified_at, p->verified_at != 0);
    jw_ktime(w, "created_at", p->created_at, true);
    jw_key(w, "user");
    jw_obj_begin(w);
    jw_kint(w, "id", p->user.id);
    jw_kstr(w, "username", p->user.username);
    jw_kstr(w, "display_name", p->user.display_name);
    jw_obj_end(w);
    jw_key(w, "team");
    if (p->team_id) {
        jw_obj_begin(w);
        jw_kint(w, "id", p->team_id);
        jw_kstr(w, "name", p->team_name);
        jw_obj_end(w);
    } else {
        jw_null(w);
    }
    jw_obj_end(w);
}

static void api_reg_answer(req *r, int64_t id, int status)
{
    db_conn *c = api_db(r);
    if (!c) return;
    st_registration g;
    int rc = store_registration_get(c, req_arena(r), id, &g);
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    api_reg_json(req_json(r, status), &g);
}

static void api_payment_answer(req *r, int64_t id, int status)
{
    db_conn *c = api_db(r);
    if (!c) return;
    st_payment p;
    int rc = store_payment_get(c, req_arena(r), id, &p);
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    api_payment_json(req_json(r, status), &p);
}

/* ---- registrations ---- */

typedef struct reg_job {
    store_reg_new rn;
    st_registration shown; /* what the answer shows, known before the write */
} reg_job;

static void api_registered(req *r, void *arg, int rc)
{
    reg_job *j = arg;
    store_reg_new *rn = &j->rn;
    if (api_write_failed(r, rc, &rn->why)) return;
    /* everything the answer shows is known here: no read-back query */
    st_registration *g = &j->shown;
    g->id = rn->id;
    g->status = rn->status;
    g->team_id = rn->team_id;
    g->team_name = rn->team_name;
    g->team_tag = rn->team_tag;
    g->created_at = rn->now;
    api_reg_json(req_json(r, 201), g);
}

void api_registrations_create(req *r)
{
    const st_user *u = api_require_user(r);
    if (!u) return;
    st_tournament t;
    if (!api_tournament_load(r, &t)) return;
    reg_job *j = api_alloc(r, sizeof *j);
    if (!j) return;
    store_reg_new *rn = &j->rn;
    size_t len;
    req_body(r, &len);
    if (len > 0) {
        json_t *b = api_body(r);
        if (!b || !api_int(r, b, "team_id", false, 1, INT64_MAX, &rn->team_id, NULL)) return;
    }
    rn->tournament_id = t.id;
    rn->user_id = u->id;
    rn->now = req_now(r);
    rn->a = req_arena(r);
    j->shown.tournament_slug = t.slug;
    j->shown.tournament_name = t.name;
    j->shown.user = (st_user_ref){u->id, u->username, u->display_name};
    api_write(r, store_registration_insert, rn, api_registered);
}

void api_registrations_list(req *r)
{
    st_tournament t;
    if (!api_tournament_load(r, &t)) return;
    store_rlist f = {.tournament_id = t.id};
    int limit;
    if (!api_limit(r, &limit) || !api_status_filter(r, reg_statuses, "status", &f.status) ||
        !api_id_cursor(r, 'r', &f.after_id))
        return;
    f.limit = limit + 1;
    db_conn *c = api_db(r);
    if (!c) return;
    st_registration *items;
    int n;
    int rc = store_registrations_list(c, req_arena(r), &f, &items, &n);
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    int shown = n > limit ? limit : n;
    jw *w = req_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (int i = 0; i < shown; i++) api_reg_json(w, &items[i]);
    jw_arr_end(w);
    int64_t last = shown ? items[shown - 1].id : 0;
    api_next_cursor(w, 'r', n > limit, &last, 1);
    jw_obj_end(w);
}

/* Loads the registration of path parameter 0 for the caller: 401 / 404 / 403. With
 * owner_only, organizers may not (check-in and paying are the player's acts). */
static bool api_reg_for(req *r, st_registration *g, bool owner_only)
{
    const st_user *u = api_require_user(r);
    int64_t id;
    if (!u || !api_id_param(r, 0, &id)) return false;
    db_conn *c = api_db(r);
    if (!c) return false;
    int rc = store_registration_get(c, req_arena(r), id, g);
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return false;
    }
    bool owner = g->user.id == u->id;
    bool organizer = g->organizer_id == u->id;
    if (!(owner || api_is_admin(u) || (!owner_only && organizer))) {
        req_error(r, 403, "forbidden", NULL,
                  owner_only ? "only the registered player can do this"
                             : "only the registered player and the organizer can do this");
        return false;
    }
    return true;
}

void api_registration_get(req *r)
{
    st_registration g;
    if (!api_reg_for(r, &g, false)) return;
    api_reg_json(req_json(r, 200), &g);
}

static void api_reg_changed(req *r, void *arg, int rc)
{
    store_reg_change *ch = arg;
    if (api_write_failed(r, rc, &ch->why)) return;
    api_reg_answer(r, ch->id, 200);
}

static void api_reg_change(req *r, bool owner_only, wjob_run_fn run)
{
    st_registration g;
    if (!api_reg_for(r, &g, owner_only)) return;
    store_reg_change *ch = api_alloc(r, sizeof *ch);
    if (!ch) return;
    ch->id = g.id;
    ch->now = req_now(r);
    api_write(r, run, ch, api_reg_changed);
}

void api_registration_cancel(req *r)
{
    api_reg_change(r, false, store_registration_cancel);
}

void api_registration_check_in(req *r)
{
    api_reg_change(r, true, store_registration_check_in);
}

void api_me_registrations(req *r)
{
    const st_user *u = api_require_user(r);
    if (!u) return;
    int limit;
    int64_t before;
    if (!api_limit(r, &limit) || !api_id_cursor(r, 'm', &before)) return;
    db_conn *c = api_db(r);
    if (!c) return;
    st_registration *items;
    int n;
    int rc = store_registrations_mine(c, req_arena(r), u->id, before, limit + 1, &items, &n);
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    int shown = n > limit ? limit : n;
    /* which rows: the user's registrations (and their teams'); what a row shows: its
     * tournament (status, payment, next match all raise the tournament's version) */
    api_cache_dep(r, DEP_USER, u->id);
    for (int i = 0; i < n; i++) api_cache_dep(r, DEP_TOURNAMENT, items[i].tournament_id);
    jw *w = req_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (int i = 0; i < shown; i++) {
        const st_registration *g = &items[i];
        jw_obj_begin(w);
        jw_key(w, "tournament");
        jw_obj_begin(w);
        jw_kstr(w, "slug", g->tournament_slug);
        jw_kstr(w, "name", g->tournament_name);
        jw_kstr(w, "status", tstatus_name(g->tournament_status));
        jw_ktime(w, "start_at", g->tournament_start_at, true);
        jw_key(w, "game");
        jw_obj_begin(w);
        jw_kstr(w, "slug", g->game_slug);
        jw_kstr(w, "name", g->game_name);
        jw_obj_end(w);
        jw_obj_end(w);
        api_reg_fields(w, g);
        jw_key(w, "next_match");
        if (g->next_match_id) {
            jw_obj_begin(w);
            jw_kint(w, "id", g->next_match_id);
            jw_kstr(w, "bracket", g->next_match_bracket);
            jw_kint(w, "round", g->next_match_round);
            jw_kstr(w, "state", g->next_match_state);
            jw_obj_end(w);
        } else {
            jw_null(w);
        }
        jw_obj_end(w);
    }
    jw_arr_end(w);
    int64_t last = shown ? items[shown - 1].id : 0;
    api_next_cursor(w, 'm', n > limit, &last, 1);
    jw_obj_end(w);
}

/* ---- payments ---- */

static void api_paid(req *r, void *arg, int rc)
{
    store_pay_new *pn = arg;
    if (api_write_failed(r, rc, &pn->why)) return;
    api_payment_answer(r, pn->id, 201);
}

void api_payments_create(req *r)
{
    st_registration g;
    if (!api_reg_for(r, &g, true)) return;
    json_t *b = api_body(r);
    if (!b) return;
    store_pay_new *pn = api_alloc(r, sizeof *pn);
    if (!pn) return;
    if (!api_int(r, b, "amount_cents", true, 0, 100000000, &pn->amount_cents, NULL) ||
        !api_str(r, b, "method", true, &pn->method) ||
        !api_str(r, b, "reference", false, &pn->reference))
        return;
    if (!validate_text(pn->method, 1, 32)) {
        api_invalid(r, "method", "method must be 1 to 32 printable characters");
        return;
    }
    if (pn->reference && pn->reference[0] && !validate_text(pn->reference, 1, 128)) {
        api_invalid(r, "reference", "reference must be at most 128 printable characters");
        return;
    }
    pn->registration_id = g.id;
    pn->now = req_now(r);
    api_write(r, store_payment_insert, pn, api_paid);
}

void api_payments_list(req *r)
{
    const st_user *u = api_require_user(r);
    st_tournament t;
    if (!u || !api_tournament_load(r, &t)) return;
    if (!api_tournament_manager(&t, u)) {
        req_error(r, 403, "forbidden", NULL, "only the organizer sees payments");
        return;
    }
    store_plist f = {.tournament_id = t.id};
    int limit;
    if (!api_limit(r, &limit) || !api_status_filter(r, pay_statuses, "status", &f.status) ||
        !api_id_cursor(r, 'p', &f.after_id))
        return;
    f.limit = limit + 1;
    db_conn *c = api_db(r);
    if (!c) return;
    st_payment *items;
    int n;
    int rc = store_payments_list(c, req_arena(r), &f, &items, &n);
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    int shown = n > limit ? limit : n;
    jw *w = req_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (int i = 0; i < shown; i++) api_payment_json(w, &items[i]);
    jw_arr_end(w);
    int64_t last = shown ? items[shown - 1].id : 0;
    api_next_cursor(w, 'p', n > limit, &last, 1);
    jw_obj_end(w);
}

static void api_payment_decided(req *r, void *arg, int rc)
{
    store_pay_decide *d = arg;
    if (api_write_failed(r, rc, &d->why)) return;
    api_payment_answer(r, d->id, 200);
}

static void api_payment_decide(req *r, bool verify)
{
    const st_user *u = api_require_user(r);
    int64_t id;
    if (!u || !api_id_param(r, 0, &id)) return;
    db_conn *c = api_db(r);
    if (!c) return;
    st_payment p;
    int rc = store_payment_get(c, req_arena(r), id, &p);
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    if (p.organizer_id != u->id && !api_is_admin(u)) {
        req_error(r, 403, "forbidden", NULL, "only the organizer verifies payments");
        return;
    }
    store_pay_decide *d = api_alloc(r, sizeof *d);
    if (!d) return;
    if (!verify) {
        json_t *b = api_body(r);
        if (!b || !api_str(r, b, "reason", true, &d->reason)) return;
        if (!validate_text(d->reason, 1, 500)) {
            api_invalid(r, "reason", "reason must be 1 to 500 printable characters");
            return;
        }
    }
    d->id = id;
    d->verify = verify;
    d->by_user = u->id;
    d->now = req_now(r);
    api_write(r, store_payment_decide, d, api_payment_decided);
}

void api_payment_verify(req *r)
{
    api_payment_decide(r, true);
}

void api_payment_reject(req *r)
{
    api_payment_decide(r, false);
}

/* ---- organizer dashboard ---- */

void api_organizer_dashboard(req *r)
{
    const st_user *u = api_require_user(r);
    if (!u) return;
    int limit;
    if (!api_limit(r, &limit)) return;
    const char *cursor = req_query(r, "cursor");
    int64_t key[2] = {0, 0};
    bool has_cursor = cursor && cursor[0];
    if (has_cursor && !cursor_decode(cursor, 'o', key, 2)) {
        api_invalid(r, "cursor", "cursor is not one this list gave out");
        return;
    }
    db_conn *c = api_db(r);
    if (!c) return;
    st_dashboard_row *rows;
    int n;
    int rc = store_organizer_dashboard(c, req_arena(r), u->id, has_cursor, key[0], key[1],
                                       limit + 1, &rows, &n);
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    /* which tournaments: the catalog (creation, deletion); their figures: each one */
    api_cache_dep(r, DEP_CATALOG, 0);
    for (int i = 0; i < n; i++) api_cache_dep(r, DEP_TOURNAMENT, rows[i].id);
    int shown = n > limit ? limit : n;
    jw *w = req_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (int i = 0; i < shown; i++) {
        const st_dashboard_row *d = &rows[i];
        jw_obj_begin(w);
        jw_kint(w, "id", d->id);
        jw_kstr(w, "slug", d->slug);
        jw_kstr(w, "name", d->name);
        jw_kstr(w, "status", tstatus_name(d->status));
        jw_ktime(w, "start_at", d->start_at, true);
        jw_kint(w, "max_participants", d->max_participants);
        jw_kint(w, "entry_fee_cents", d->entry_fee_cents);
        jw_kstr(w, "currency", d->currency);
        jw_key(w, "registrations");
        jw_obj_begin(w);
        jw_kint(w, "pending", d->n_pending);
        jw_kint(w, "confirmed", d->n_confirmed);
        jw_kint(w, "checked_in", d->n_checked_in);
        jw_kint(w, "cancelled", d->n_cancelled);
        jw_kint(w, "active", d->n_pending + d->n_confirmed + d->n_checked_in);
        jw_obj_end(w);
        jw_kint(w, "pending_payments", d->pending_payments);
        jw_kint(w, "verified_revenue_cents", d->verified_revenue_cents);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    int64_t k[2] = {shown ? rows[shown - 1].start_at : 0, shown ? rows[shown - 1].id : 0};
    api_next_cursor(w, 'o', n > limit, k, 2);
    jw_obj_end(w);
}
