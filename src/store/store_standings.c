/* store_standings.c: the stored standings document of each tournament (see
 * store_standings.h).
 *
 * Owns the `standings` table and the JSON of a standings row. Ranking stays in
 * core/standings.c; this file loads the bracket, ranks it, renders the rows once and
 * stores the result. The writer calls store_standings_refresh for every tournament whose
 * matches a batch changed (the DB_CH_MATCH notes), before COMMIT, so the document is
 * exact by construction: no match changes without its tournament's document being
 * rebuilt in the same transaction. A result, which holds the bracket it just saved,
 * stores the document itself (store_standings_keep) and the writer skips that rebuild
 * unless a later note of the batch touches the tournament. Names are rendered into the
 * document: a participant's name (team name, or display name) has no write path after
 * registration; one that adds such a path must refresh the tournaments the name appears
 * in. `tourneyd check` compares every document with a fresh build
 * (store_standings_check). */
#include "store/store_standings.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_brackets.h"
#include "util/buf.h"
#include "util/json.h"

/* One row as API.md gives it. */
static void store_standings_row(jw *w, const standing *s, const int64_t *reg_ids,
                                const char *const *names)
{
    jw_obj_begin(w);
    jw_kint(w, "rank", s->rank);
    jw_key(w, "participant");
    jw_obj_begin(w);
    jw_kint(w, "registration_id", reg_ids[s->participant]);
    jw_kstr(w, "name", names[s->participant]);
    jw_kint(w, "seed", s->participant + 1);
    jw_obj_end(w);
    jw_kint(w, "played", s->played);
    jw_kint(w, "wins", s->wins);
    jw_kint(w, "draws", s->draws);
    jw_kint(w, "losses", s->losses);
    jw_key(w, "points");
    jw_double(w, s->points);
    jw_kint(w, "score_for", s->score_for);
    jw_kint(w, "score_against", s->score_against);
    jw_key(w, "tiebreaks");
    jw_obj_begin(w);
    jw_key(w, "buchholz");
    jw_double(w, s->buchholz);
    jw_key(w, "sonneborn_berger");
    jw_double(w, s->sonneborn_berger);
    jw_kint(w, "head_to_head", s->head_to_head);
    jw_obj_end(w);
    jw_kint(w, "reached_round", s->reached_round);
    jw_obj_end(w);
}

/* The document of a tournament without a bracket. */
static void store_standings_empty(st_standings *out)
{
    memset(out, 0, sizeof *out);
    out->items = "[]";
    out->len = 2;
}

/* The document of a bracket already in memory (the names are read here). */
static int store_standings_of(db_conn *c, arena *a, int64_t tid, const st_bracket *sb,
                              st_standings *out)
{
    store_standings_empty(out);
    int n = sb->b.n;
    if (n == 0) return STORE_OK;
    standing *rows = arena_alloc(a, sizeof(standing) * (size_t)n);
    const char **names = arena_alloc(a, sizeof(char *) * (size_t)n);
    if (!rows || !names || standings_compute(&sb->b, rows) != 0) return STORE_ERROR;
    int rc = store_bracket_names(c, a, tid, names, n);
    if (rc != STORE_OK) return rc;
    buf b;
    buf_init(&b, a, (size_t)n * 300);
    jw w;
    jw_init(&w, &b);
    jw_arr_begin(&w);
    for (int i = 0; i < n; i++) store_standings_row(&w, &rows[i], sb->reg_ids, names);
    jw_arr_end(&w);
    if (!jw_ok(&w) || b.oom) return STORE_ERROR;
    out->items = b.data;
    out->len = b.len;
    out->participants = n;
    out->complete = bracket_complete(&sb->b);
    return STORE_OK;
}

int store_standings_build(db_conn *c, arena *a, int64_t tid, st_standings *out)
{
    st_bracket sb;
    int rc = store_bracket_load(c, a, tid, &sb);
    if (rc == STORE_OK)
        rc = store_standings_of(c, a, tid, &sb, out);
    else
        store_standings_empty(out);
    store_bracket_free(&sb);
    return rc;
}

int store_standings_get(db_conn *c, int64_t tid, st_standings *out)
{
    store_standings_empty(out);
    sqlite3_stmt *st =
        db_stmt(c, Q_ST_GET,
                "SELECT complete, participants, items FROM standings WHERE tournament_id = ?1");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, tid);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) return STORE_OK;
    if (rc != SQLITE_ROW) return STORE_ERROR;
    out->complete = sqlite3_column_int(st, 0) != 0;
    out->participants = sqlite3_column_int(st, 1);
    const char *items = (const char *)sqlite3_column_text(st, 2);
    if (!items) return STORE_ERROR;
    out->items = items;
    out->len = (size_t)sqlite3_column_bytes(st, 2);
    return STORE_OK;
}

/* Stores (or, for a tournament without a bracket, removes) one document. */
static int store_standings_put(db_conn *w, int64_t tid, const st_standings *s)
{
    sqlite3_stmt *st;
    if (s->participants == 0) {
        st = db_stmt(w, Q_ST_DELETE, "DELETE FROM standings WHERE tournament_id = ?1");
        if (!st) return STORE_ERROR;
        sqlite3_bind_int64(st, 1, tid);
    } else {
        st = db_stmt(w, Q_ST_PUT,
                     "INSERT INTO standings (tournament_id, complete, participants, items)"
                     " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (tournament_id) DO UPDATE SET"
                     " complete = excluded.complete, participants = excluded.participants,"
                     " items = excluded.items");
        if (!st) return STORE_ERROR;
        sqlite3_bind_int64(st, 1, tid);
        sqlite3_bind_int(st, 2, s->complete);
        sqlite3_bind_int(st, 3, s->participants);
        sqlite3_bind_text(st, 4, s->items, (int)s->len, SQLITE_STATIC);
    }
    return sqlite3_step(st) == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

int store_standings_refresh(db_conn *w, int64_t tid)
{
    arena *a = arena_new(65536);
    if (!a) return STORE_ERROR;
    st_standings s;
    int rc = store_standings_build(w, a, tid, &s);
    if (rc == STORE_NOT_FOUND) rc = STORE_OK; /* deleted: the empty document, removed */
    if (rc == STORE_OK) rc = store_standings_put(w, tid, &s);
    arena_free(a);
    return rc;
}

int store_standings_keep(db_conn *w, int64_t tid, const st_bracket *sb)
{
    arena *a = arena_new(65536);
    if (!a) return STORE_ERROR;
    st_standings s;
    int rc = store_standings_of(w, a, tid, sb, &s);
    if (rc == STORE_OK) rc = store_standings_put(w, tid, &s);
    arena_free(a);
    if (rc == STORE_OK) db_note(w, DB_CH_STANDINGS, tid, 0);
    return rc;
}

/* Every tournament that has matches or a document, ascending; *out is malloc'd. */
static int store_standings_ids(db_conn *c, int64_t **out, long *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = db_stmt(c, Q_ST_IDS,
                               "SELECT DISTINCT tournament_id FROM matches UNION"
                               " SELECT tournament_id FROM standings ORDER BY 1");
    if (!st) return STORE_ERROR;
    long cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            int64_t *grown = realloc(*out, sizeof(int64_t) * (size_t)cap);
            if (!grown) {
                free(*out);
                *out = NULL;
                return STORE_ERROR;
            }
            *out = grown;
        }
        (*out)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        return STORE_ERROR;
    }
    return STORE_OK;
}

int store_standings_rebuild_all(db_conn *w)
{
    int64_t *ids;
    long n;
    int rc = store_standings_ids(w, &ids, &n);
    for (long i = 0; rc == STORE_OK && i < n; i++) rc = store_standings_refresh(w, ids[i]);
    free(ids);
    return rc;
}

int store_standings_check(db_conn *c, long *checked, long *bad, int64_t *first_bad)
{
    *checked = *bad = 0;
    *first_bad = 0;
    int64_t *ids;
    long n;
    int rc = store_standings_ids(c, &ids, &n);
    for (long i = 0; rc == STORE_OK && i < n; i++) {
        arena *a = arena_new(65536);
        if (!a) {
            rc = STORE_ERROR;
            break;
        }
        st_standings want, have;
        int brc = store_standings_build(c, a, ids[i], &want);
        if (brc == STORE_NOT_FOUND) brc = STORE_OK; /* deleted: must have no document */
        if (brc == STORE_OK) brc = store_standings_get(c, ids[i], &have);
        if (brc != STORE_OK) {
            rc = brc;
        } else {
            (*checked)++;
            if (want.complete != have.complete || want.participants != have.participants ||
                want.len != have.len || memcmp(want.items, have.items, want.len) != 0) {
                if (!*bad) *first_bad = ids[i];
                (*bad)++;
            }
        }
        arena_free(a);
    }
    free(ids);
    return rc;
}
