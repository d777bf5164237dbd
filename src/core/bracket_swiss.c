/* bracket_swiss.c: Swiss pairing, the one part of the bracket engine that is a search.
 *
 * Owns the choice of who meets whom in a Swiss round; bracket.c appends the matches.
 * Kept apart because it is the only algorithmic piece (backtracking plus Edmonds'
 * blossom matching) and it must stay polynomial for up to 1024 participants.
 *
 * Rules:
 * - Ranking for pairing: points (win 1, draw 1/2, bye 1) descending, then seed. A score
 *   group is the players on equal points.
 * - The highest-ranked unpaired player is paired first; its preferred opponent is the
 *   one halfway down what is left of its score group (top half meets bottom half, as in
 *   the Dutch system: round 1 is 1 v n/2+1, 2 v n/2+2...), then the rest of that half
 *   downwards, then the upper half upwards, then the players of lower score groups in
 *   rank order (the odd one out floats down).
 * - Never a rematch while one can be avoided: a depth-first search over those
 *   preferences with backtracking, bounded in steps; when the bound is hit, Edmonds'
 *   maximum matching on the "not met yet" graph (started from a greedy matching) finds
 *   a rematch-free pairing if one exists, and otherwise one with as few rematches as
 *   possible (the players it leaves unmatched are paired in rank order).
 * - Odd n: the bye goes to the lowest-ranked player who has not had one, unless that
 *   forces a rematch that another choice avoids (then the next lowest, and so on). If
 *   everybody has had a bye (only with more rounds than players) anybody may get one.
 * - Sides: the higher-ranked player is side 0; boards in rank order, the bye last. */
#include "core/bracket.h"

#include <stdlib.h>
#include <string.h>

typedef struct swiss_ctx {
    int n;                       /* participants */
    const unsigned char *played; /* n * n: met already */
    const int *pts;              /* half points by participant */
    int m;                       /* players being paired, pl[0..m) in rank order */
    int *pl;
    int *mate;  /* index into pl, or -1 */
    int *cand;  /* depth-first search: one candidate list of m per depth */
    long steps; /* search budget left */
    /* blossom */
    int *match, *par, *base, *queue;
    unsigned char *used, *mark, *blossom;
} swiss_ctx;

static bool bracket_swiss_met(const swiss_ctx *c, int i, int j)
{
    return c->played[(size_t)c->pl[i] * (size_t)c->n + (size_t)c->pl[j]] != 0;
}

static void bracket_swiss_reverse(int *a, int len)
{
    for (int i = 0, j = len - 1; i < j; i++, j--) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

/* Opponents for pl[i] (the highest-ranked unpaired player) in order of preference. */
static int bracket_swiss_candidates(const swiss_ctx *c, int i, int *list)
{
    int pi = c->pts[c->pl[i]], cnt = 0;
    for (int j = i + 1; j < c->m; j++)
        if (c->mate[j] < 0 && c->pts[c->pl[j]] == pi) list[cnt++] = j;
    /* group g[0] = i, g[x] = list[x-1], size k = cnt + 1; want g[t..k) then g[t-1..1]
     * with t = k / 2, i.e. list[t-1..cnt) then list[0..t-1) reversed. */
    if (cnt > 0) {
        int t = (cnt + 1) / 2;
        bracket_swiss_reverse(list, cnt);
        bracket_swiss_reverse(list, cnt - (t - 1));
    }
    for (int j = i + 1; j < c->m; j++)
        if (c->mate[j] < 0 && c->pts[c->pl[j]] < pi) list[cnt++] = j;
    return cnt;
}

static bool bracket_swiss_dfs(swiss_ctx *c, int start, int depth)
{
    int i = start;
    while (i < c->m && c->mate[i] >= 0) i++;
    if (i >= c->m) return true;
    int *list = c->cand + (size_t)depth * (size_t)c->m;
    int cnt = bracket_swiss_candidates(c, i, list);
    for (int x = 0; x < cnt; x++) {
        int j = list[x];
        if (--c->steps < 0) return false;
        if (bracket_swiss_met(c, i, j)) continue;
        c->mate[i] = j;
        c->mate[j] = i;
        if (bracket_swiss_dfs(c, i + 1, depth + 1)) return true;
        c->mate[i] = c->mate[j] = -1;
        if (c->steps < 0) return false;
    }
    return false;
}

/* Edmonds' blossom algorithm (augmenting paths with blossom contraction). */
static int bracket_swiss_lca(swiss_ctx *c, int a, int b)
{
    memset(c->mark, 0, (size_t)c->m);
    for (;;) {
        a = c->base[a];
        c->mark[a] = 1;
        if (c->match[a] < 0) break;
        a = c->par[c->match[a]];
    }
    for (;;) {
        b = c->base[b];
        if (c->mark[b]) return b;
        b = c->par[c->match[b]];
    }
}

static void bracket_swiss_mark_path(swiss_ctx *c, int v, int b, int child)
{
    while (c->base[v] != b) {
        c->blossom[c->base[v]] = c->blossom[c->base[c->match[v]]] = 1;
        c->par[v] = child;
        child = c->match[v];
        v = c->par[c->match[v]];
    }
}

static int bracket_swiss_find_path(swiss_ctx *c, int root)
{
    const int m = c->m;
    memset(c->used, 0, (size_t)m);
    for (int i = 0; i < m; i++) {
        c->par[i] = -1;
        c->base[i] = i;
    }
    int qh = 0, qt = 0;
    c->used[root] = 1;
    c->queue[qt++] = root;
    while (qh < qt) {
        int v = c->queue[qh++];
        for (int to = 0; to < m; to++) {
            if (to == v || bracket_swiss_met(c, v, to)) continue;
            if (c->base[v] == c->base[to] || c->match[v] == to) continue;
            if (to == root || (c->match[to] >= 0 && c->par[c->match[to]] >= 0)) {
                int cur = bracket_swiss_lca(c, v, to);
                memset(c->blossom, 0, (size_t)m);
                bracket_swiss_mark_path(c, v, cur, to);
                bracket_swiss_mark_path(c, to, cur, v);
                for (int i = 0; i < m; i++) {
                    if (!c->blossom[c->base[i]]) continue;
                    c->base[i] = cur;
                    if (!c->used[i]) {
                        c->used[i] = 1;
                        c->queue[qt++] = i;
                    }
                }
            } else if (c->par[to] < 0) {
                c->par[to] = v;
                if (c->match[to] < 0) return to;
                c->used[c->match[to]] = 1;
                c->queue[qt++] = c->match[to];
            }
        }
    }
    return -1;
}

/* Pairs pl[0..m) (m even) into c->mate; returns how many pairs are not rematches. */
static int bracket_swiss_match(swiss_ctx *c)
{
    const int m = c->m;
    for (int i = 0; i < m; i++) c->mate[i] = -1;
    c->steps = 20000 + 50L * m;
    if (bracket_swiss_dfs(c, 0, 0)) return m / 2;

    for (int i = 0; i < m; i++) c->match[i] = -1;
    for (int i = 0; i < m; i++) {
        if (c->match[i] >= 0) continue;
        for (int j = i + 1; j < m; j++) {
            if (c->match[j] < 0 && !bracket_swiss_met(c, i, j)) {
                c->match[i] = j;
                c->match[j] = i;
                break;
            }
        }
    }
    for (int root = 0; root < m; root++) {
        if (c->match[root] >= 0) continue;
        int v = bracket_swiss_find_path(c, root);
        while (v >= 0) {
            int pv = c->par[v], ppv = c->match[pv];
            c->match[v] = pv;
            c->match[pv] = v;
            v = ppv;
        }
    }
    int good = 0, loose = -1;
    for (int i = 0; i < m; i++) {
        c->mate[i] = c->match[i];
        if (c->match[i] > i) good++;
    }
    for (int i = 0; i < m; i++) { /* whoever is left meets again, in rank order */
        if (c->mate[i] >= 0) continue;
        if (loose < 0) {
            loose = i;
        } else {
            c->mate[i] = loose;
            c->mate[loose] = i;
            loose = -1;
        }
    }
    return good;
}

/* The players in rank order without `skip` (-1: none). */
static void bracket_swiss_players(swiss_ctx *c, const int *ord, int skip)
{
    c->m = 0;
    for (int i = 0; i < c->n; i++)
        if (ord[i] != skip) c->pl[c->m++] = ord[i];
}

static int bracket_swiss_emit(const swiss_ctx *c, int bye, int *out)
{
    int cnt = 0;
    for (int i = 0; i < c->m; i++) {
        if (c->mate[i] <= i) continue;
        out[2 * cnt] = c->pl[i];
        out[2 * cnt + 1] = c->pl[c->mate[i]];
        cnt++;
    }
    if (bye >= 0) {
        out[2 * cnt] = bye;
        out[2 * cnt + 1] = SIDE_BYE;
        cnt++;
    }
    return cnt;
}

static int bracket_swiss_cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int bracket_swiss_pairings(const bracket *b, int round, int *out)
{
    const int n = b->n;
    const size_t nn = (size_t)n;
    int rc = -1;
    swiss_ctx c = {.n = n};
    unsigned char *played = calloc(nn * nn, 1);
    unsigned char *had_bye = calloc(nn, 1);
    int *pts = calloc(nn, sizeof *pts);
    int *ord = malloc(nn * sizeof *ord);
    c.pl = malloc(nn * sizeof *c.pl);
    c.mate = malloc(nn * sizeof *c.mate);
    c.cand = malloc((nn / 2 + 1) * nn * sizeof *c.cand);
    c.match = malloc(nn * sizeof *c.match);
    c.par = malloc(nn * sizeof *c.par);
    c.base = malloc(nn * sizeof *c.base);
    c.queue = malloc(nn * sizeof *c.queue);
    c.used = malloc(nn);
    c.mark = malloc(nn);
    c.blossom = malloc(nn);
    if (!played || !had_bye || !pts || !ord || !c.pl || !c.mate || !c.cand || !c.match || !c.par ||
        !c.base || !c.queue || !c.used || !c.mark || !c.blossom)
        goto out;
    c.played = played;
    c.pts = pts;

    for (int i = 0; i < b->nm; i++) {
        const bmatch *m = &b->m[i];
        if (m->removed || m->bracket != BK_SWISS || m->round >= round || m->p[0] < 0) continue;
        int a = m->p[0], d = m->p[1];
        if (d == SIDE_BYE) {
            had_bye[a] = 1;
            pts[a] += 2;
            continue;
        }
        if (d < 0) continue;
        played[(size_t)a * nn + (size_t)d] = played[(size_t)d * nn + (size_t)a] = 1;
        if (m->state != MS_COMPLETED) continue;
        if (m->winner == 0)
            pts[a] += 2;
        else if (m->winner == 1)
            pts[d] += 2;
        else {
            pts[a]++;
            pts[d]++;
        }
    }
    /* rank order: points descending, then seed; key = (max - points) * n + seed */
    int maxp = 0;
    for (int i = 0; i < n; i++)
        if (pts[i] > maxp) maxp = pts[i];
    for (int i = 0; i < n; i++) ord[i] = (maxp - pts[i]) * n + i;
    qsort(ord, nn, sizeof *ord, bracket_swiss_cmp_int);
    for (int i = 0; i < n; i++) ord[i] %= n;

    if (n % 2 == 0) {
        bracket_swiss_players(&c, ord, -1);
        bracket_swiss_match(&c);
        rc = bracket_swiss_emit(&c, -1, out);
        goto out;
    }
    bool any = false;
    for (int i = 0; i < n; i++)
        if (!had_bye[ord[i]]) any = true;
    int best = -1, best_bye = -1;
    for (int x = n - 1; x >= 0; x--) {
        int bye = ord[x];
        if (any && had_bye[bye]) continue;
        bracket_swiss_players(&c, ord, bye);
        int good = bracket_swiss_match(&c);
        if (good == c.m / 2) {
            rc = bracket_swiss_emit(&c, bye, out);
            goto out;
        }
        if (good > best) {
            best = good;
            best_bye = bye;
        }
    }
    bracket_swiss_players(&c, ord, best_bye);
    bracket_swiss_match(&c);
    rc = bracket_swiss_emit(&c, best_bye, out);
out:
    free(played);
    free(had_bye);
    free(pts);
    free(ord);
    free(c.pl);
    free(c.mate);
    free(c.cand);
    free(c.match);
    free(c.par);
    free(c.base);
    free(c.queue);
    free(c.used);
    free(c.mark);
    free(c.blossom);
    return rc;
}
