/* api_matches.c: matches and the bracket as stored (API.md "Matches, brackets,
 * standings"): the match list with filters, one match, and every round of every bracket
 * ready to draw. Each is one query after the tournament's (matches carry their sides'
 * names and seeds, joined). */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "store/store_matches.h"

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

static void api_match_json(jw *w, const st_match *m)
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
    api_next_id_cursor(w, 'x', n > limit, shown ? items[shown - 1].id : 0);
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
    api_match_json(req_json(r, 200), &m);
}

void api_bracket_get(req *r)
{
    st_tournament t;
    if (!api_tournament_load(r, &t)) return;
    db_conn *c = api_db(r);
    if (!c) return;
    store_mlist f = {.tournament_id = t.id, .limit = 0};
    st_match *m;
    int n;
    int rc = store_matches_list(c, req_arena(r), &f, &m, &n);
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
