/* api_matches.c: matches and the bracket as stored (API.md "Matches, brackets,
 * standings"): the match list with filters, one match, and every round of every bracket
 * ready to draw. Each is one query after the tournament's (matches carry their sides'
 * names and seeds, joined). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/bracket.h"
#include "jobs/leaderboard.h"
#include "store/store_brackets.h"
#include "store/store_matches.h"
#include "store/store_standings.h"

static const char *const match_states[] = {"pending", "ready", "live", "completed", NULL};
static const char *const bracket_kinds[] = {"winners", "losers", "grand_final", "third_place",
                                            "group",   "swiss",  NULL};

static void api_side_json(jw *w, const char *key, const st_side *s)
{
    jw_key(w, key);
    if (!s->registration_id) {
        jw_null(w);
        return;
    }
    jw_obj_begin(w);
    jw_kint(w, "registration_id", s->registration_id);
    jw_kstr(w, "name", s->name);
    if (s->seed)
        jw_kint(w, "seed", s->seed);
    else
        jw_knull(w, "seed");
    jw_obj_end(w);
}

static void api_link_json(jw *w, const char *key, int64_t id, int64_t slot)
{
    jw_key(w, key);
    if (!id) {
        jw_null(w);
        return;
    }
    jw_obj_begin(w);
    jw_kint(w, "id", id);
    jw_kint(w, "slot", slot);
    jw_obj_end(w);
}

void api_match_json(jw *w, const st_match *m)
{
    jw_obj_begin(w);
    jw_kint(w, "id", m->id);
    jw_kstr(w, "tournament", m->tournament_slug);
    jw_kstr(w, "bracket", m->bracket);
    jw_kint(w, "round", m->round);
    jw_kint(w, "position", m->position);
    jw_kstr(w, "state", m->state);
    api_side_json(w, "participant1", &m->p1);
    api_side_json(w, "participant2", &m->p2);
    if (m->has_score) {
        jw_kint(w, "score1", m->score1);
        jw_kint(w, "score2", m->score2);
    } else {
        jw_knull(w, "score1");
        jw_knull(w, "score2");
    }
    api_side_json(w, "winner", &m->winner);
    api_link_json(w, "next_match", m->next_match_id, m->next_slot);
    api_link_json(w, "loser_next_match", m->loser_next_match_id, m->loser_next_slot);
    jw_ktime(w, "scheduled_at", m->scheduled_at, m->scheduled_at != 0);
    jw_ktime(w, "completed_at", m->completed_at, m->completed_at != 0);
    jw_obj_end(w);
}

void api_matches_list(req *r)
{
    st_tournament t;
    if (!api_tournament_load(r, &t)) return;
    store_mlist f = {.tournament_id = t.id};
    int limit;
    if (!api_limit(r, &limit) || !api_status_filter(r, match_states, "state", &f.state) ||
        !api_status_filter(r, bracket_kinds, "bracket", &f.bracket) ||
        !api_id_cursor(r, 'x', &f.after_id))
        return;
    const char *round = req_query(r, "round");
    if (round && round[0]) {
        char *end;
        long v = strtol(round, &end, 10);
        if (*end || v < 1 || v > 10000) {
            api_invalid(r, "round", "round must be a positive integer");
            return;
        }
        f.round = v;
    }
    f.limit = limit + 1;
    db_conn *c = api_db(r);
    if (!c) return;
    st_match *items;
    int n;
    int rc = store_matches_list(c, req_arena(r), &f, &items, &n);
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    int shown = n > limit ? limit : n;
    jw *w = req_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "items");
    jw_arr_begin(w);
    for (int i = 0; i < shown; i++) api_match_json(w, &items[i]);
    jw_arr_end(w);
    int64_t last = shown ? items[shown - 1].id : 0;
    api_next_cursor(w, 'x', n > limit, &last, 1);
    jw_obj_end(w);
}

void api_match_get(req *r)
{
    int64_t id;
    if (!api_id_param(r, 0, &id)) return;
    db_conn *c = api_db(r);
    if (!c) return;
    st_match m;
    int rc = store_match_get(c, req_arena(r), id, &m);
    if (rc == STORE_OK && m.tournament_status == TSTATUS_DRAFT) {
        const st_user *u = api_user(r);
        if (!u || (u->id != m.organizer_id && !api_is_admin(u))) rc = STORE_NOT_FOUND;
    }
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    api_cache_dep(r, DEP_TOURNAMENT, m.tournament_id); /* a match change raises it */
    if (m.tournament_status == TSTATUS_DRAFT) api_cache_unshared(r);
    api_match_json(req_json(r, 200), &m);
}

void api_bracket_get(req *r)
{
    st_tournament t;
    if (!api_tournament_load(r, &t)) return;
    db_conn *c = api_db(r);
    if (!c) return;
    st_match *m;
    int n;
    int rc = store_matches_all(c, req_arena(r), &t, &m, &n);
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    /* rows come in bracket, round, position order: group them as they stream by */
    jw *w = req_json(r, 200);
    jw_obj_begin(w);
    jw_kstr(w, "tournament", t.slug);
    jw_kstr(w, "format", t.format);
    jw_kstr(w, "status", tstatus_name(t.status));
    jw_kint(w, "current_round", t.current_round);
    jw_kint(w, "version", t.version);
    jw_key(w, "brackets");
    jw_arr_begin(w);
    for (int i = 0; i < n;) {
        const char *bk = m[i].bracket;
        jw_obj_begin(w);
        jw_kstr(w, "bracket", bk);
        jw_key(w, "rounds");
        jw_arr_begin(w);
        while (i < n && strcmp(m[i].bracket, bk) == 0) {
            int64_t round = m[i].round;
            jw_obj_begin(w);
            jw_kint(w, "round", round);
            jw_key(w, "matches");
            jw_arr_begin(w);
            while (i < n && strcmp(m[i].bracket, bk) == 0 && m[i].round == round)
                api_match_json(w, &m[i++]);
            jw_arr_end(w);
            jw_obj_end(w);
        }
        jw_arr_end(w);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
}

/* ---- seeding, results, standings ---- */

static void api_seeded(req *r, void *arg, int rc)
{
    store_seeding *sd = arg;
    if (api_write_failed(r, rc, &sd->why)) return;
    jw *w = req_json(r, 200);
    jw_obj_begin(w);
    jw_key(w, "seeds");
    jw_arr_begin(w);
    for (int i = 0; i < sd->nseeded; i++) {
        jw_obj_begin(w);
        jw_kint(w, "registration_id", sd->seeded[i]);
        jw_kint(w, "seed", i + 1);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
}

void api_tournament_seeding(req *r)
{
    const st_user *u = api_require_user(r);
    st_tournament t;
    if (!u || !api_tournament_load(r, &t)) return;
    if (!api_tournament_manager(&t, u)) {
        req_error(r, 403, "forbidden", NULL, "only the organizer seeds the tournament");
        return;
    }
    json_t *b = api_body(r);
    if (!b) return;
    store_seeding *sd = api_alloc(r, sizeof *sd);
    if (!sd) return;
    json_t *order = json_object_get(b, "order");
    const char *method;
    if (!api_str(r, b, "method", false, &method)) return;
    if (order && !json_is_null(order)) {
        if (method) {
            api_invalid(r, "method", "give either order or method, not both");
            return;
        }
        if (!json_is_array(order) || json_array_size(order) > BRACKET_MAX_PARTICIPANTS) {
            api_invalid(r, "order", "order must be an array of up to %d registration ids",
                        BRACKET_MAX_PARTICIPANTS);
            return;
        }
        size_t n = json_array_size(order);
        int64_t *ids = arena_alloc(req_arena(r), sizeof(int64_t) * (n ? n : 1));
        if (!ids) {
            req_error(r, 500, "internal", NULL, "out of memory");
            return;
        }
        for (size_t i = 0; i < n; i++) {
            json_t *v = json_array_get(order, i);
            if (!json_is_integer(v) || json_integer_value(v) < 1) {
                api_invalid(r, "order", "order must hold registration ids");
                return;
            }
            ids[i] = (int64_t)json_integer_value(v);
            for (size_t k = 0; k < i; k++) {
                if (ids[k] == ids[i]) {
                    api_invalid(r, "order", "registration %lld is listed twice", (long long)ids[i]);
                    return;
                }
            }
        }
        sd->method = 0;
        sd->order = ids;
        sd->norder = (int)n;
    } else if (method && strcmp(method, "random") == 0) {
        int64_t rng = 0;
        if (!api_int(r, b, "rng_seed", true, 0, INT64_MAX, &rng, NULL)) return;
        sd->method = 1;
        sd->rng_seed = (uint64_t)rng;
    } else if (method && strcmp(method, "registration_order") == 0) {
        sd->method = 2;
    } else {
        api_invalid(r, method ? "method" : "order",
                    "give order (registration ids) or method random / registration_order");
        return;
    }
    sd->tournament_id = t.id;
    sd->now = req_now(r);
    sd->a = req_arena(r);
    api_write(r, store_tournament_seed, sd, api_seeded);
}

static void api_result_done(req *r, void *arg, int rc)
{
    store_result *res = arg;
    if (api_write_failed(r, rc, &res->why)) return;
    /* a completed tournament changes its game's leaderboard (and a reopened one too) */
    if (res->completed || res->reopen) leaderboard_job_kick();
    db_conn *c = api_db(r);
    if (!c) return;
    st_match m;
    rc = store_match_get(c, req_arena(r), res->match_id, &m);
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    api_match_json(req_json(r, 200), &m);
}

static void api_match_result(req *r, bool reopen)
{
    const st_user *u = api_require_user(r);
    int64_t id;
    if (!u || !api_id_param(r, 0, &id)) return;
    db_conn *c = api_db(r);
    if (!c) return;
    st_match m;
    int rc = store_match_get(c, req_arena(r), id, &m);
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    if (m.organizer_id != u->id && !api_is_admin(u)) {
        req_error(r, 403, "forbidden", NULL, "only the organizer reports results");
        return;
    }
    store_result *res = api_alloc(r, sizeof *res);
    if (!res) return;
    if (!reopen) {
        json_t *b = api_body(r);
        int64_t s1, s2;
        if (!b || !api_int(r, b, "score1", true, 0, 1000, &s1, NULL) ||
            !api_int(r, b, "score2", true, 0, 1000, &s2, NULL))
            return;
        res->score1 = (int)s1;
        res->score2 = (int)s2;
    }
    res->match_id = id;
    res->reopen = reopen;
    res->now = req_now(r);
    api_write(r, store_match_result, res, api_result_done);
}

void api_match_result_post(req *r)
{
    api_match_result(r, false);
}

void api_match_result_delete(req *r)
{
    api_match_result(r, true);
}

/* The standings are a stored document the writer rebuilds with every result
 * (store_standings.h): one primary-key probe, no ranking on the read path. */
void api_standings(req *r)
{
    st_tournament t;
    if (!api_tournament_load(r, &t)) return;
    db_conn *c = api_db(r);
    if (!c) return;
    st_standings s;
    int rc = store_standings_get(c, t.id, &s);
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    jw *w = req_json(r, 200);
    jw_obj_begin(w);
    jw_kstr(w, "tournament", t.slug);
    jw_kstr(w, "format", t.format);
    jw_kbool(w, "complete", s.complete);
    jw_key(w, "items");
    jw_raw(w, s.items, s.len);
    jw_obj_end(w);
}
