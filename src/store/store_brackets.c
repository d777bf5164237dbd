/* store_brackets.c: a tournament's bracket between SQL rows and core/bracket.h.
 *
 * Rows store sides as registration ids and links as match ids (slots 1/2); the engine
 * works on participant indexes (seed - 1) and match indexes (slots 0/1). Loading maps
 * one way, saving the other: new matches are inserted first (their ids are needed by
 * the links), then every changed match is written whole, then removed ones deleted.
 * A change therefore costs one statement per touched match, and the read of the
 * tournament's matches is one query. */
#include "store/store_brackets.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_registrations.h"
#include "store/store_standings.h"
#include "store/store_tournaments.h"

static void store_bracket_options(sqlite3_stmt *st, int first, bracket_options *o)
{
    memset(o, 0, sizeof *o);
    o->third_place_match = sqlite3_column_int(st, first) != 0;
    const char *gf = (const char *)sqlite3_column_text(st, first + 1);
    o->grand_final_reset = !gf || strcmp(gf, "single") != 0;
    o->double_round_robin = sqlite3_column_int(st, first + 2) != 0;
    o->swiss_rounds = sqlite3_column_int(st, first + 3);
}

/* The tournament's format, status, organizer, check-in rule and bracket options. */
static int store_br_tournament(db_conn *c, int64_t tid, tformat *format, tstatus *status,
                               int64_t *organizer, bool *check_in, bracket_options *opt)
{
    sqlite3_stmt *st = db_stmt(c, Q_BR_TOURNAMENT,
                               "SELECT format, status, organizer_id, check_in_required,"
                               " coalesce(json_extract(format_options, '$.third_place_match'), 0),"
                               " json_extract(format_options, '$.grand_final'),"
                               " coalesce(json_extract(format_options, '$.double'), 0),"
                               " coalesce(json_extract(format_options, '$.rounds'), 0)"
                               " FROM tournaments WHERE id = ?1 AND is_deleted = 0");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, tid);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) return STORE_NOT_FOUND;
    if (rc != SQLITE_ROW) return STORE_ERROR;
    *format = tformat_parse((const char *)sqlite3_column_text(st, 0));
    *status = tstatus_parse((const char *)sqlite3_column_text(st, 1));
    *organizer = sqlite3_column_int64(st, 2);
    *check_in = sqlite3_column_int(st, 3) != 0;
    store_bracket_options(st, 4, opt);
    return *format == TFORMAT_INVALID ? STORE_ERROR : STORE_OK;
}

static int64_t *store_find_id(int64_t *sorted, int n, int64_t id)
{
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (sorted[mid] == id) return &sorted[mid];
        if (sorted[mid] < id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

typedef struct reg_index {
    int64_t reg_id;
    int idx;
} reg_index;

static int store_cmp_reg(const void *x, const void *y)
{
    const reg_index *a = x, *b = y;
    return (a->reg_id > b->reg_id) - (a->reg_id < b->reg_id);
}

static int store_side_of(const reg_index *map, int n, int64_t reg_id)
{
    if (!reg_id) return SIDE_EMPTY;
    reg_index key = {reg_id, 0};
    const reg_index *hit = bsearch(&key, map, (size_t)n, sizeof key, store_cmp_reg);
    return hit ? hit->idx : SIDE_EMPTY;
}

int store_bracket_load(db_conn *c, arena *a, int64_t tid, st_bracket *out)
{
    memset(out, 0, sizeof *out);
    bool check_in;
    bracket_options opt;
    int rc = store_br_tournament(c, tid, &out->format, &out->status, &out->organizer_id, &check_in,
                                 &opt);
    if (rc != STORE_OK) return rc;
    /* matches first: without any, the tournament has not started */
    sqlite3_stmt *st = db_stmt(
        c, Q_BR_MATCHES,
        "SELECT id, bracket, round, position, state, p1_registration_id, p2_registration_id,"
        " score1, score2, winner_registration_id, next_match_id, next_slot,"
        " loser_next_match_id, loser_next_slot FROM matches WHERE tournament_id = ?1"
        " ORDER BY id");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, tid);
    /* the sides as stored (registration ids), mapped to participant indexes below */
    typedef struct row_sides {
        int64_t p1, p2, winner;
    } row_sides;
    int cap = 64, sides_cap = 64, count = 0;
    bmatch *ms = arena_reserve(a, NULL, 0, &cap, sizeof *ms);
    row_sides *sides = arena_reserve(a, NULL, 0, &sides_cap, sizeof *sides);
    while (ms && sides && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        ms = arena_reserve(a, ms, count, &cap, sizeof *ms);
        sides = arena_reserve(a, sides, count, &sides_cap, sizeof *sides);
        if (!ms || !sides) return STORE_ERROR;
        bmatch *m = &ms[count];
        memset(m, 0, sizeof *m);
        m->id = sqlite3_column_int64(st, 0);
        m->bracket = bracket_kind_parse((const char *)sqlite3_column_text(st, 1));
        m->round = sqlite3_column_int(st, 2);
        m->position = sqlite3_column_int(st, 3);
        m->state = match_state_parse((const char *)sqlite3_column_text(st, 4));
        sides[count].p1 = sqlite3_column_int64(st, 5);
        sides[count].p2 = sqlite3_column_int64(st, 6);
        m->has_score = sqlite3_column_type(st, 7) != SQLITE_NULL;
        m->score[0] = sqlite3_column_int(st, 7);
        m->score[1] = sqlite3_column_int(st, 8);
        sides[count].winner = sqlite3_column_int64(st, 9);
        m->next = (int)sqlite3_column_int64(st, 10); /* ids for now, indexes below */
        m->next_slot = sqlite3_column_int(st, 11) - 1;
        m->loser_next = (int)sqlite3_column_int64(st, 12);
        m->loser_slot = sqlite3_column_int(st, 13) - 1;
        if ((int)m->bracket < 0 || (int)m->state < 0) return STORE_ERROR;
        count++;
    }
    if (!ms || !sides || rc != SQLITE_DONE) return STORE_ERROR;
    if (count == 0) return STORE_OK;
    /* participants: the registrations with a seed, seed i + 1 = index i */
    st = db_stmt(c, Q_BR_PARTICIPANTS,
                 "SELECT id, seed FROM registrations WHERE tournament_id = ?1"
                 " AND seed IS NOT NULL ORDER BY seed");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, tid);
    int n = 0;
    out->reg_ids = arena_alloc(a, sizeof(int64_t) * BRACKET_MAX_PARTICIPANTS);
    reg_index *map = arena_alloc(a, sizeof(reg_index) * BRACKET_MAX_PARTICIPANTS);
    while (out->reg_ids && map && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == BRACKET_MAX_PARTICIPANTS || sqlite3_column_int64(st, 1) != n + 1)
            return STORE_ERROR;
        out->reg_ids[n] = sqlite3_column_int64(st, 0);
        map[n] = (reg_index){out->reg_ids[n], n};
        n++;
    }
    if (!out->reg_ids || !map || rc != SQLITE_DONE || n < 2) return STORE_ERROR;
    qsort(map, (size_t)n, sizeof *map, store_cmp_reg);
    int64_t *ids = arena_alloc(a, sizeof(int64_t) * (size_t)count);
    if (!ids) return STORE_ERROR;
    for (int i = 0; i < count; i++) ids[i] = ms[i].id;
    for (int i = 0; i < count; i++) {
        bmatch *m = &ms[i];
        const row_sides *sd = &sides[i];
        m->p[0] = store_side_of(map, n, sd->p1);
        m->p[1] = store_side_of(map, n, sd->p2);
        m->winner = sd->winner && sd->winner == sd->p1   ? 0
                    : sd->winner && sd->winner == sd->p2 ? 1
                                                         : -1;
        int64_t *hit = m->next ? store_find_id(ids, count, m->next) : NULL;
        m->next = hit ? (int)(hit - ids) : -1;
        hit = m->loser_next ? store_find_id(ids, count, m->loser_next) : NULL;
        m->loser_next = hit ? (int)(hit - ids) : -1;
    }
    if (bracket_load(&out->b, out->format, n, &opt, ms, count) != 0) return STORE_ERROR;
    return STORE_OK;
}

int store_bracket_names(db_conn *c, arena *a, int64_t tid, const char **names, int n)
{
    sqlite3_stmt *st =
        db_stmt(c, Q_BR_NAMES,
                "SELECT r.seed, coalesce(tm.name, u.display_name) FROM registrations r"
                " JOIN users u ON u.id = r.user_id LEFT JOIN teams tm"
                " ON tm.id = r.team_id WHERE r.tournament_id = ?1"
                " AND r.seed IS NOT NULL");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, tid);
    for (int i = 0; i < n; i++) names[i] = NULL;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seed = sqlite3_column_int64(st, 0);
        if (seed >= 1 && seed <= n) names[seed - 1] = db_col_text(st, 1, a);
    }
    return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

void store_bracket_free(st_bracket *sb)
{
    bracket_free(&sb->b);
}

static void store_bind_side(sqlite3_stmt *st, int i, const st_bracket *sb, int side)
{
    if (side >= 0 && side < sb->b.n)
        sqlite3_bind_int64(st, i, sb->reg_ids[side]);
    else
        sqlite3_bind_null(st, i);
}

static void store_bind_link(sqlite3_stmt *st, int i, const bracket *b, int to, int slot)
{
    if (to >= 0 && to < b->nm && !b->m[to].removed && b->m[to].id) {
        sqlite3_bind_int64(st, i, b->m[to].id);
        sqlite3_bind_int(st, i + 1, slot + 1);
    } else {
        sqlite3_bind_null(st, i);
        sqlite3_bind_null(st, i + 1);
    }
}

static bool store_links_removed(const bracket *b, const bmatch *m)
{
    return (m->next >= 0 && b->m[m->next].removed) ||
           (m->loser_next >= 0 && b->m[m->loser_next].removed);
}

/* Writes back what the last engine call changed. */
static int store_bracket_save(db_conn *w, st_bracket *sb, int64_t tid, int64_t now)
{
    bracket *b = &sb->b;
    bool *fresh = calloc((size_t)b->nm + 1, sizeof(bool));
    if (!fresh) return STORE_ERROR;
    int rc = STORE_ERROR;
    for (int i = 0; i < b->nm; i++) {
        bmatch *m = &b->m[i];
        if (m->id || m->removed) continue;
        sqlite3_stmt *st = db_stmt(w, Q_BR_MATCH_INSERT,
                                   "INSERT INTO matches (tournament_id, bracket, round, position,"
                                   " state) VALUES (?1, ?2, ?3, ?4, 'pending')");
        if (!st) goto out;
        sqlite3_bind_int64(st, 1, tid);
        db_bind_text(st, 2, bracket_kind_name(m->bracket));
        sqlite3_bind_int(st, 3, m->round);
        sqlite3_bind_int(st, 4, m->position);
        if (sqlite3_step(st) != SQLITE_DONE) goto out;
        m->id = sqlite3_last_insert_rowid(db_handle(w));
        fresh[i] = true;
        db_note(w, DB_CH_MATCH, m->id, tid);
    }
    for (int i = 0; i < b->nm; i++) {
        bmatch *m = &b->m[i];
        if (m->removed || !(m->dirty || fresh[i] || store_links_removed(b, m))) continue;
        sqlite3_stmt *st = db_stmt(
            w, Q_BR_MATCH_UPDATE,
            "UPDATE matches SET bracket = ?2, round = ?3, position = ?4, state = ?5,"
            " p1_registration_id = ?6, p2_registration_id = ?7, score1 = ?8, score2 = ?9,"
            " winner_registration_id = ?10, next_match_id = ?11, next_slot = ?12,"
            " loser_next_match_id = ?13, loser_next_slot = ?14, completed_at = CASE WHEN"
            " ?5 = 'completed' THEN coalesce(completed_at, ?15) ELSE NULL END WHERE id = ?1");
        if (!st) goto out;
        sqlite3_bind_int64(st, 1, m->id);
        db_bind_text(st, 2, bracket_kind_name(m->bracket));
        sqlite3_bind_int(st, 3, m->round);
        sqlite3_bind_int(st, 4, m->position);
        db_bind_text(st, 5, match_state_name(m->state));
        store_bind_side(st, 6, sb, m->p[0]);
        store_bind_side(st, 7, sb, m->p[1]);
        if (m->has_score) {
            sqlite3_bind_int(st, 8, m->score[0]);
            sqlite3_bind_int(st, 9, m->score[1]);
        }
        if (m->state == MS_COMPLETED && m->winner >= 0)
            store_bind_side(st, 10, sb, m->p[m->winner]);
        store_bind_link(st, 11, b, m->next, m->next_slot);
        store_bind_link(st, 13, b, m->loser_next, m->loser_slot);
        sqlite3_bind_int64(st, 15, now);
        if (sqlite3_step(st) != SQLITE_DONE) goto out;
        if (!fresh[i]) db_note(w, DB_CH_MATCH, m->id, tid);
    }
    for (int i = 0; i < b->nm; i++) {
        if (!b->m[i].removed || !b->m[i].id) continue;
        sqlite3_stmt *st = db_stmt(w, Q_BR_MATCH_DELETE, "DELETE FROM matches WHERE id = ?1");
        if (!st) goto out;
        sqlite3_bind_int64(st, 1, b->m[i].id);
        if (sqlite3_step(st) != SQLITE_DONE) goto out;
        db_note(w, DB_CH_MATCH, b->m[i].id, tid);
        b->m[i].id = 0;
    }
    rc = STORE_OK;
out:
    free(fresh);
    return rc;
}

/* The tournament row after a bracket change: status, current round, version. */
static int store_br_touch(db_conn *w, int64_t tid, tstatus status, int current_round, int64_t now)
{
    sqlite3_stmt *st = db_stmt(w, Q_BR_T_UPDATE,
                               "UPDATE tournaments SET status = ?2, current_round = ?3,"
                               " version = version + 1, updated_at = ?4 WHERE id = ?1");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, tid);
    db_bind_text(st, 2, tstatus_name(status));
    sqlite3_bind_int(st, 3, current_round);
    sqlite3_bind_int64(st, 4, now);
    if (sqlite3_step(st) != SQLITE_DONE) return STORE_ERROR;
    db_note(w, DB_CH_TOURNAMENT, tid, 0);
    db_mark_catalog(w);
    return STORE_OK;
}

/* Active registrations (or the given ones) numbered 1..n; the others lose their seed. */
static int store_set_seeds(db_conn *w, int64_t tid, const int64_t *ids, int n)
{
    sqlite3_stmt *st = db_stmt(w, Q_BR_SEED_CLEAR,
                               "UPDATE registrations SET seed = NULL WHERE tournament_id = ?1"
                               " AND seed IS NOT NULL");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, tid);
    if (sqlite3_step(st) != SQLITE_DONE) return STORE_ERROR;
    for (int i = 0; i < n; i++) {
        st = db_stmt(w, Q_BR_SEED_SET,
                     "UPDATE registrations SET seed = ?2 WHERE id = ?1 AND tournament_id = ?3");
        if (!st) return STORE_ERROR;
        sqlite3_bind_int64(st, 1, ids[i]);
        sqlite3_bind_int(st, 2, i + 1);
        sqlite3_bind_int64(st, 3, tid);
        if (sqlite3_step(st) != SQLITE_DONE || sqlite3_changes(db_handle(w)) != 1)
            return STORE_ERROR;
    }
    return STORE_OK;
}

/* Registrations that may be seeded or play, best seed first then registration order.
 * which: 0 = active (pending, confirmed, checked in), 1 = confirmed and checked in,
 * 2 = checked in only. */
static int store_entrants(db_conn *w, arena *a, int64_t tid, int which, int64_t **out, int *n)
{
    sqlite3_stmt *st =
        db_stmt(w, Q_BR_ENTRANTS,
                "SELECT id FROM registrations WHERE tournament_id = ?1 AND (status = 'checked_in'"
                " OR (?2 <= 1 AND status = 'confirmed') OR (?2 = 0 AND status = 'pending'))"
                " ORDER BY seed IS NULL, seed, id");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, tid);
    sqlite3_bind_int(st, 2, which);
    int cap = 64, count = 0, rc = SQLITE_ERROR;
    int64_t *ids = arena_reserve(a, NULL, 0, &cap, sizeof *ids);
    while (ids && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        ids = arena_reserve(a, ids, count, &cap, sizeof *ids);
        if (!ids) return STORE_ERROR;
        ids[count++] = sqlite3_column_int64(st, 0);
    }
    if (!ids || rc != SQLITE_DONE) return STORE_ERROR;
    *out = ids;
    *n = count;
    return STORE_OK;
}

static uint64_t store_splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int store_tournament_seed(db_conn *w, void *arg)
{
    store_seeding *sd = arg;
    tformat format;
    tstatus status;
    int64_t organizer;
    bool check_in;
    bracket_options opt;
    int rc =
        store_br_tournament(w, sd->tournament_id, &format, &status, &organizer, &check_in, &opt);
    if (rc != STORE_OK) return rc;
    if (!tstatus_allows_structure_edit(status) || status == TSTATUS_CANCELLED) {
        sd->why = (store_refusal){"invalid_transition", NULL,
                                  "seeding can change only before the tournament starts"};
        return STORE_CONFLICT;
    }
    int64_t *active;
    int nactive;
    if ((rc = store_entrants(w, sd->a, sd->tournament_id, 0, &active, &nactive)) != STORE_OK)
        return rc;
    if (sd->method == 0) {
        for (int i = 0; i < sd->norder; i++) {
            bool found = false;
            for (int k = 0; k < nactive && !found; k++) found = active[k] == sd->order[i];
            if (!found) {
                sd->why = (store_refusal){"validation_failed", "order",
                                          "order must list active registrations of this "
                                          "tournament"};
                return STORE_INVALID;
            }
        }
        sd->seeded = (int64_t *)sd->order;
        sd->nseeded = sd->norder;
    } else {
        /* registration order, shuffled (Fisher-Yates) for "random" */
        int64_t *ids = arena_alloc(sd->a, sizeof(int64_t) * (size_t)(nactive ? nactive : 1));
        if (!ids) return STORE_ERROR;
        for (int i = 0; i < nactive; i++) ids[i] = active[i];
        for (int i = 1; i < nactive; i++)
            for (int j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
                int64_t t = ids[j];
                ids[j] = ids[j - 1];
                ids[j - 1] = t;
            }
        if (sd->method == 1) {
            uint64_t s = sd->rng_seed;
            for (int i = nactive - 1; i > 0; i--) {
                int j = (int)(store_splitmix(&s) % (uint64_t)(i + 1));
                int64_t t = ids[i];
                ids[i] = ids[j];
                ids[j] = t;
            }
        }
        sd->seeded = ids;
        sd->nseeded = nactive;
    }
    if ((rc = store_set_seeds(w, sd->tournament_id, sd->seeded, sd->nseeded)) != STORE_OK)
        return rc;
    return store_tournament_touch(w, sd->tournament_id, sd->now);
}

int store_tournament_start(db_conn *w, void *arg)
{
    store_start *s = arg;
    arena *a = arena_new(16384);
    if (!a) return STORE_ERROR;
    st_bracket sb;
    memset(&sb, 0, sizeof sb);
    tstatus status;
    int64_t organizer;
    bool check_in;
    bracket_options opt;
    int rc =
        store_br_tournament(w, s->tournament_id, &sb.format, &status, &organizer, &check_in, &opt);
    if (rc != STORE_OK) goto out;
    rc = STORE_CONFLICT;
    if (!tstatus_can_move(status, TSTATUS_LIVE)) {
        s->why = (store_refusal){"invalid_transition", "status", "cannot start from this status"};
        goto out;
    }
    int64_t *ids;
    int n;
    if ((rc = store_entrants(w, a, s->tournament_id, check_in ? 2 : 1, &ids, &n)) != STORE_OK)
        goto out;
    rc = STORE_CONFLICT;
    if (n < 2) {
        s->why = (store_refusal){"invalid_transition", "status",
                                 check_in ? "starting needs at least 2 checked-in participants"
                                          : "starting needs at least 2 confirmed participants"};
        goto out;
    }
    if (n > BRACKET_MAX_PARTICIPANTS) n = BRACKET_MAX_PARTICIPANTS;
    if ((rc = store_set_seeds(w, s->tournament_id, ids, n)) != STORE_OK) goto out;
    rc = STORE_ERROR;
    if (bracket_generate(&sb.b, sb.format, n, &opt) != 0) goto out;
    sb.reg_ids = ids;
    if ((rc = store_bracket_save(w, &sb, s->tournament_id, s->now)) != STORE_OK) goto out;
    rc = store_br_touch(w, s->tournament_id, TSTATUS_LIVE, bracket_current_round(&sb.b), s->now);
    s->participants = n;
out:
    bracket_free(&sb.b);
    arena_free(a);
    return rc;
}

int store_match_result(db_conn *w, void *arg)
{
    store_result *res = arg;
    sqlite3_stmt *st =
        db_stmt(w, Q_BR_MATCH_TOURNAMENT, "SELECT tournament_id FROM matches WHERE id = ?1");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, res->match_id);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE) return STORE_NOT_FOUND;
    if (step != SQLITE_ROW) return STORE_ERROR;
    int64_t tid = sqlite3_column_int64(st, 0);
    arena *a = arena_new(65536);
    if (!a) return STORE_ERROR;
    st_bracket sb;
    int rc = store_bracket_load(w, a, tid, &sb);
    if (rc != STORE_OK) goto out;
    res->organizer_id = sb.organizer_id;
    rc = STORE_CONFLICT;
    if (sb.status != TSTATUS_LIVE && !(res->reopen && sb.status == TSTATUS_COMPLETED)) {
        res->why = (store_refusal){"match_not_ready", NULL, "the tournament is not live"};
        goto out;
    }
    int idx = -1;
    for (int i = 0; i < sb.b.nm && idx < 0; i++)
        if (sb.b.m[i].id == res->match_id) idx = i;
    if (idx < 0) {
        rc = STORE_ERROR;
        goto out;
    }
    bracket_rc br = res->reopen ? bracket_reopen(&sb.b, idx)
                                : bracket_report(&sb.b, idx, res->score1, res->score2);
    switch (br) {
    case BR_OK:
        break;
    case BR_NOT_READY:
        res->why = (store_refusal){"match_not_ready", NULL,
                                   res->reopen ? "only a completed match (not a bye) can reopen"
                                               : "the match is not ready: a side is unknown, or "
                                                 "it is already completed"};
        goto out;
    case BR_NO_DRAWS:
        res->why = (store_refusal){"validation_failed", "score2",
                                   "draws are allowed only in round robin and Swiss"};
        rc = STORE_INVALID;
        goto out;
    case BR_INVALID:
        res->why = (store_refusal){"validation_failed", "score1", "invalid score"};
        rc = STORE_INVALID;
        goto out;
    default:
        rc = STORE_ERROR;
        goto out;
    }
    if ((rc = store_bracket_save(w, &sb, tid, res->now)) != STORE_OK) goto out;
    res->completed = bracket_complete(&sb.b);
    rc = store_br_touch(w, tid, res->completed ? TSTATUS_COMPLETED : TSTATUS_LIVE,
                        bracket_current_round(&sb.b), res->now);
    /* the standings from the bracket in hand: the writer need not load it again */
    if (rc == STORE_OK) rc = store_standings_keep(w, tid, &sb);
out:
    store_bracket_free(&sb);
    arena_free(a);
    return rc;
}
