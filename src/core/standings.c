/* standings.c: the standings table of a bracket, computed from its matches alone.
 *
 * Owns the ranking rules so that the standings endpoint, the live page and the
 * leaderboard read one definition. Pure: the bracket is only read.
 *
 * Rules:
 * - Counted: completed, non-removed matches with two participants. A Swiss bye counts as
 *   a played match and a win (1 point, no score); an elimination bye counts for nothing.
 * - Round robin: points win 3 / draw 1 / loss 0; Swiss 1 / 0.5 / 0; then Buchholz (sum
 *   of the points of the opponents met), Sonneborn-Berger (points of the opponents
 *   beaten plus half those of the opponents drawn), head-to-head (against the
 *   participants on the same points, the points taken from them counted 3 / 1 / 0 in
 *   both formats so that it stays an integer), then score difference. Participants
 *   equal on all of these share a rank.
 * - Elimination: every participant gets a progress value 4 * reached + 3 while still in
 *   the running (single elimination: no loss in the winners' bracket; double: fewer than
 *   two losses; once the bracket is complete only the champion), +1 for the winner of
 *   the third-place match; the champion of a complete bracket comes first. reached is
 *   the highest round the participant appears in (byes included): the winners' round, or
 *   in double elimination k + j for losers' round j and 3k - 2 + g for grand-final round
 *   g (k = winners' rounds), so the double-elimination order is that of the losers'
 *   round reached. On a complete bracket this gives champion 1st, final loser 2nd, the
 *   third-place match deciding 3rd/4th (else both semi-final losers 3rd), and everyone
 *   out in the same round sharing the rank (5, 5, 5, 5, 9...). While play goes on it is
 *   a provisional order.
 * - Ranks are competition ranks (1, 2, 2, 4); rows sharing a rank are listed by seed.
 * - A complete round robin or Swiss has exactly one champion: when leaders are level on
 *   every tie-break, the best seed among them takes rank 1 and the others share rank 2
 *   (a final tie-break by seed, applied to the title only). */
#include "core/bracket.h"

#include <stdlib.h>
#include <string.h>

typedef struct standings_ctx {
    const standing *rows; /* by participant */
    const long *progress; /* elimination; NULL otherwise */
} standings_ctx;

/* < 0 when participant a ranks ahead of b, 0 when nothing separates them. */
static int standings_order(const standings_ctx *c, int a, int b)
{
    if (c->progress) {
        if (c->progress[a] != c->progress[b]) return c->progress[a] > c->progress[b] ? -1 : 1;
        return 0;
    }
    const standing *x = &c->rows[a], *y = &c->rows[b];
    if (x->points != y->points) return x->points > y->points ? -1 : 1;
    if (x->buchholz != y->buchholz) return x->buchholz > y->buchholz ? -1 : 1;
    if (x->sonneborn_berger != y->sonneborn_berger)
        return x->sonneborn_berger > y->sonneborn_berger ? -1 : 1;
    if (x->head_to_head != y->head_to_head) return x->head_to_head > y->head_to_head ? -1 : 1;
    int dx = x->score_for - x->score_against, dy = y->score_for - y->score_against;
    if (dx != dy) return dx > dy ? -1 : 1;
    return 0;
}

static int standings_cmp(const standings_ctx *c, int a, int b)
{
    int r = standings_order(c, a, b);
    return r ? r : (a > b) - (a < b);
}

/* Merge sort of idx[0..n) (tmp: scratch of n). */
static void standings_sort(const standings_ctx *c, int *idx, int *tmp, int n)
{
    for (int w = 1; w < n; w *= 2) {
        for (int lo = 0; lo < n; lo += 2 * w) {
            int mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = standings_cmp(c, idx[j], idx[i]) < 0 ? idx[j++] : idx[i++];
            while (i < mid) tmp[k++] = idx[i++];
            while (j < hi) tmp[k++] = idx[j++];
        }
        memcpy(idx, tmp, (size_t)n * sizeof *idx);
    }
}

static bool standings_counted(const bmatch *m)
{
    return !m->removed && m->state == MS_COMPLETED && m->p[0] >= 0 && m->p[1] >= 0;
}

/* Elimination progress (see the top of the file). */
static void standings_progress(const bracket *b, standing *rows, long *progress, int *losses)
{
    const int n = b->n;
    const bool dbl = b->format == TFORMAT_DOUBLE_ELIMINATION;
    int k = 0;
    for (int i = 0; i < b->nm; i++)
        if (!b->m[i].removed && b->m[i].bracket == BK_WINNERS && b->m[i].round > k)
            k = b->m[i].round;
    int champion = -1, deciding_round = 0;
    bool complete = bracket_complete(b);
    for (int i = 0; i < b->nm; i++) {
        const bmatch *m = &b->m[i];
        if (m->removed) continue;
        int reached;
        switch (m->bracket) {
        case BK_WINNERS:
            reached = m->round;
            break;
        case BK_LOSERS:
            reached = k + m->round;
            break;
        case BK_GRAND_FINAL:
            reached = 3 * k - 2 + m->round;
            break;
        default:
            reached = 0;
            break;
        }
        for (int s = 0; s < 2; s++)
            if (m->p[s] >= 0 && reached > rows[m->p[s]].reached_round)
                rows[m->p[s]].reached_round = reached;
        if (!standings_counted(m) || m->winner < 0) continue;
        int w = m->p[m->winner], l = m->p[1 - m->winner];
        if (m->bracket == BK_THIRD_PLACE) {
            progress[w] += 1;
            continue;
        }
        losses[l]++;
        bool deciding =
            dbl ? m->bracket == BK_GRAND_FINAL : (m->bracket == BK_WINNERS && m->round == k);
        if (deciding && m->round >= deciding_round) {
            deciding_round = m->round;
            champion = w;
        }
    }
    for (int p = 0; p < n; p++) {
        bool running = dbl ? losses[p] < 2 : losses[p] == 0;
        if (complete) running = p == champion;
        progress[p] += 4L * rows[p].reached_round + (running ? 3 : 0);
        if (complete && p == champion) progress[p] = 1L << 40;
    }
}

int standings_compute(const bracket *b, standing *out)
{
    if (!b || !out) return -1;
    const int n = b->n;
    const bool rr = b->format == TFORMAT_ROUND_ROBIN, swiss = b->format == TFORMAT_SWISS;
    standing *rows = calloc((size_t)n, sizeof *rows);
    int *idx = malloc((size_t)n * sizeof *idx);
    int *tmp = malloc((size_t)n * sizeof *tmp);
    long *progress = (rr || swiss) ? NULL : calloc((size_t)n, sizeof *progress);
    int *losses = (rr || swiss) ? NULL : calloc((size_t)n, sizeof *losses);
    if (!rows || !idx || !tmp || (!(rr || swiss) && (!progress || !losses))) {
        free(rows);
        free(idx);
        free(tmp);
        free(progress);
        free(losses);
        return -1;
    }
    for (int p = 0; p < n; p++) {
        rows[p].participant = p;
        idx[p] = p;
    }
    for (int i = 0; i < b->nm; i++) {
        const bmatch *m = &b->m[i];
        if (swiss && !m->removed && m->state == MS_COMPLETED && m->p[0] >= 0 &&
            m->p[1] == SIDE_BYE) {
            rows[m->p[0]].played++;
            rows[m->p[0]].wins++;
            continue;
        }
        if (!standings_counted(m)) continue;
        for (int s = 0; s < 2; s++) {
            standing *r = &rows[m->p[s]];
            r->played++;
            if (m->winner < 0)
                r->draws++;
            else if (m->winner == s)
                r->wins++;
            else
                r->losses++;
            if (m->has_score) {
                r->score_for += m->score[s];
                r->score_against += m->score[1 - s];
            }
        }
    }
    for (int p = 0; p < n; p++) {
        standing *r = &rows[p];
        if (rr)
            r->points = 3.0 * r->wins + r->draws;
        else if (swiss)
            r->points = r->wins + 0.5 * r->draws;
        else
            r->points = r->wins;
    }
    if (rr || swiss) {
        for (int i = 0; i < b->nm; i++) {
            const bmatch *m = &b->m[i];
            if (!standings_counted(m)) continue;
            for (int s = 0; s < 2; s++) {
                standing *me = &rows[m->p[s]];
                const standing *op = &rows[m->p[1 - s]];
                me->buchholz += op->points;
                if (m->winner == s)
                    me->sonneborn_berger += op->points;
                else if (m->winner < 0)
                    me->sonneborn_berger += op->points / 2;
                if (me->points == op->points)
                    me->head_to_head += m->winner == s ? 3 : m->winner < 0 ? 1 : 0;
            }
        }
    } else {
        standings_progress(b, rows, progress, losses);
    }
    standings_ctx c = {.rows = rows, .progress = progress};
    standings_sort(&c, idx, tmp, n);
    bool one_title = !progress && bracket_complete(b);
    for (int i = 0; i < n; i++) {
        out[i] = rows[idx[i]];
        bool tied = i > 0 && standings_order(&c, idx[i - 1], idx[i]) == 0 &&
                    !(one_title && out[i - 1].rank == 1);
        out[i].rank = tied ? out[i - 1].rank : i + 1;
    }
    free(rows);
    free(idx);
    free(tmp);
    free(progress);
    free(losses);
    return 0;
}
