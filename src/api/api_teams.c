/* api_teams.c: teams and their members (API.md "Games and teams"). */
#include <string.h>

#include "api/api.h"
#include "core/validate.h"
#include "store/store_teams.h"

static void api_user_ref_json(jw *w, const st_user_ref *u)
{
    jw_obj_begin(w);
    jw_kint(w, "id", u->id);
    jw_kstr(w, "username", u->username);
    jw_kstr(w, "display_name", u->display_name);
    jw_obj_end(w);
}

static void api_team_answer(req *r, int64_t id, int status)
{
    db_conn *c = api_db(r);
    if (!c) return;
    st_team t;
    int rc = store_team_get(c, req_arena(r), id, &t);
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    jw *w = req_json(r, status);
    jw_obj_begin(w);
    jw_kint(w, "id", t.id);
    jw_kstr(w, "name", t.name);
    jw_kstr(w, "tag", t.tag);
    jw_key(w, "captain");
    api_user_ref_json(w, &t.captain);
    jw_key(w, "members");
    jw_arr_begin(w);
    for (int i = 0; i < t.nmembers; i++) api_user_ref_json(w, &t.members[i]);
    jw_arr_end(w);
    jw_ktime(w, "created_at", t.created_at, true);
    jw_obj_end(w);
}

static void api_team_created(req *r, void *arg, int rc)
{
    store_team_new *t = arg;
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return;
    }
    api_team_answer(r, t->id, 201);
}

void api_teams_create(req *r)
{
    const st_user *u = api_require_user(r);
    if (!u) return;
    json_t *b = api_body(r);
    if (!b) return;
    store_team_new *t = api_alloc(r, sizeof *t);
    if (!t) return;
    if (!api_str(r, b, "name", true, &t->name) || !api_str(r, b, "tag", true, &t->tag)) return;
    if (!validate_text(t->name, 1, 64)) {
        api_invalid(r, "name", "name must be 1 to 64 printable characters");
        return;
    }
    if (!validate_text(t->tag, 1, 10)) {
        api_invalid(r, "tag", "tag must be 1 to 10 printable characters");
        return;
    }
    t->captain_id = u->id;
    t->now = req_now(r);
    api_write(r, store_team_insert, t, api_team_created);
}

void api_team_get(req *r)
{
    int64_t id;
    if (!api_id_param(r, 0, &id)) return;
    api_team_answer(r, id, 200);
}

/* Loads the team of path parameter 0 for a change: 401, 404, or 403 unless allowed(). */
static bool api_team_for_change(req *r, st_team *t, const st_user **u)
{
    int64_t id;
    *u = api_require_user(r);
    if (!*u || !api_id_param(r, 0, &id)) return false;
    db_conn *c = api_db(r);
    if (!c) return false;
    int rc = store_team_get(c, req_arena(r), id, t);
    if (rc != STORE_OK) {
        api_store_failed(r, rc);
        return false;
    }
    return true;
}

static void api_member_added(req *r, void *arg, int rc)
{
    store_member_add *m = arg;
    if (api_write_failed(r, rc, &m->why)) return;
    api_user_ref_json(req_json(r, 201), &m->added);
}

void api_team_member_add(req *r)
{
    st_team t;
    const st_user *u;
    if (!api_team_for_change(r, &t, &u)) return;
    if (u->id != t.captain.id && !api_is_admin(u)) {
        req_error(r, 403, "forbidden", NULL, "only the captain adds members");
        return;
    }
    json_t *b = api_body(r);
    if (!b) return;
    store_member_add *m = api_alloc(r, sizeof *m);
    if (!m) return;
    if (!api_str(r, b, "username", true, &m->username)) return;
    if (!validate_username(m->username)) {
        api_invalid(r, "username", "no user with that username");
        return;
    }
    m->team_id = t.id;
    m->a = req_arena(r);
    api_write(r, store_team_member_add, m, api_member_added);
}

static void api_member_removed(req *r, void *arg, int rc)
{
    store_member_remove *m = arg;
    if (api_write_failed(r, rc, &m->why)) return;
    req_empty(r, 204);
}

void api_team_member_remove(req *r)
{
    st_team t;
    const st_user *u;
    int64_t user_id;
    if (!api_team_for_change(r, &t, &u) || !api_id_param(r, 1, &user_id)) return;
    if (u->id != t.captain.id && u->id != user_id && !api_is_admin(u)) {
        req_error(r, 403, "forbidden", NULL, "only the captain or the member themself");
        return;
    }
    store_member_remove *m = api_alloc(r, sizeof *m);
    if (!m) return;
    m->team_id = t.id;
    m->user_id = user_id;
    api_write(r, store_team_member_remove, m, api_member_removed);
}
