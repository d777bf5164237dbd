/* bracket.c: the bracket engine: generating the matches of every format, recording and
 * reopening results, and the few questions the store asks (complete? which round?).
 *
 * Why here: who meets whom, and what one result changes downstream, must be decided in
 * one pure, deterministic place that unit tests can drive exhaustively; the store only
 * persists what this file says (the `dirty` / `removed` flags and id 0 for new matches).
 * Swiss pairing lives in bracket_swiss.c, standings in standings.c.
 *
 * Rules the issue leaves open, decided here the way Challonge / brackets-manager.js users
 * expect them:
 * - Participant i is seed i + 1. Elimination brackets have 2^k slots filled in the
 *   standard order (bracket_seed_order); in round 1 the higher seed is side 0.
 * - Byes: the missing seeds n+1..2^k are byes, so they meet the top seeds and no match is
 *   bye-vs-bye. A winners' round-1 match with a bye has p[1] = SIDE_BYE, is completed at
 *   generation (winner side 0, has_score false) and its winner is already in round 2.
 * - Third-place match (single elimination, n >= 4 only): BK_THIRD_PLACE, round = the
 *   final's round, position 0, fed by the semi-final losers (semi 0 -> side 0).
 * - Double elimination: winners' rounds 1..k, losers' rounds 1..2(k-1), grand final.
 *   Losers' round 1 pairs the losers of winners' round-1 matches 2i and 2i+1; losers'
 *   round 2(r-1) (r >= 2) is a drop-in round: side 0 is the loser of winners' round r,
 *   side 1 the survivor of the losers' bracket. Drop-in order (to avoid early rematches):
 *   round 2 reversed, round 3 half-shifted, later rounds pair-flipped while a round has
 *   >= 4 matches and natural after that. This is brackets-manager.js's default table up
 *   to 32 slots and 128 slots; at 64 slots its round-4 "reverse" is replaced by a pair
 *   flip, which (unlike it) never lets a dropped player meet someone they beat.
 * - Byes in double elimination: a winners' round-1 bye has no loser, so the losers'
 *   match it would feed gets SIDE_BYE on that side (no link); that match stays pending
 *   until the other side arrives and is then completed at once as a bye (winner = the
 *   arriving side, has_score false) and its winner moved on. A losers' round-1 match both
 *   of whose feeders are byes is not created at all (its position is skipped, so
 *   positions of losers' round 1 may have gaps); the losers' round-2 side it would have
 *   fed is SIDE_BYE. No match is ever bye-vs-bye; every participant is eliminated by
 *   exactly two losses (the champion has 0 or 1; in a "single" grand final the runner-up
 *   may have 1).
 * - Grand final: BK_GRAND_FINAL round 1, winners' champion side 0, losers' champion side
 *   1 (n = 2: the loser of the only winners' match). With reset, when side 1 wins round 1
 *   the reset (round 2, same sides) is appended with id 0, and round 1 is linked to it
 *   (winner -> side 1 via next, loser -> side 0 via loser_next) so that reopening round 1
 *   removes it like any other downstream match.
 * - Round robin: circle method (seed 1 fixed, the others rotate), n-1 rounds for even
 *   n; for odd n a phantom makes n rounds, the participant drawn against it sits the
 *   round out and no bye match is created (each round has floor(n/2) matches,
 *   positions 0..). The double round robin repeats the schedule with sides swapped as
 *   rounds R+1..2R (R = rounds of one cycle). No links; draws allowed (winner -1).
 * - Swiss: see bracket_swiss.c. The number of rounds is opt.swiss_rounds or ceil(log2 n),
 *   clamped to the rounds of a round robin (n-1, or n when odd) so that no rematch is
 *   ever forced by the count alone; b->opt.swiss_rounds holds the effective number.
 *   Round r+1 is appended (id 0) by the report that completes round r. A bye is a match
 *   with p[1] = SIDE_BYE, completed at creation with winner 0 and no score.
 * - Report: accepts a ready or live match whose sides are both known; draws only in
 *   round robin and Swiss. Reopen: only a completed match with two participants (a bye
 *   cannot be reopened: BR_NOT_READY); see bracket_reopen for what it resets.
 * - bracket_current_round: the lowest winners'/group/Swiss round that still has an
 *   unfinished match; once those are all done (losers' bracket, grand final or
 *   third-place match still running, or everything complete) the last such round.
 * - Loading: the store may keep SIDE_EMPTY and SIDE_BYE alike as NULL; bracket_load
 *   tells them apart from the links: an unknown side that no match feeds is a bye.
 *
 * Memory: the match array is owned by the bracket (malloc/realloc, freed by
 * bracket_free); every allocation is checked; there is no global mutable state. */
#include "core/bracket.h"

#include <stdlib.h>
#include <string.h>

static const char *const bracket_kind_names[BK__COUNT] = {
    [BK_WINNERS] = "winners",         [BK_LOSERS] = "losers", [BK_GRAND_FINAL] = "grand_final",
    [BK_THIRD_PLACE] = "third_place", [BK_GROUP] = "group",   [BK_SWISS] = "swiss",
};

static const char *const bracket_state_names[] = {
    [MS_PENDING] = "pending",
    [MS_READY] = "ready",
    [MS_LIVE] = "live",
    [MS_COMPLETED] = "completed",
};

#define BRACKET_STATE_COUNT ((int)(sizeof bracket_state_names / sizeof bracket_state_names[0]))

const char *bracket_kind_name(bracket_kind k)
{
    if ((int)k < 0 || (int)k >= BK__COUNT) return NULL;
    return bracket_kind_names[k];
}

bracket_kind bracket_kind_parse(const char *s)
{
    if (s) {
        for (int i = 0; i < BK__COUNT; i++)
            if (strcmp(s, bracket_kind_names[i]) == 0) return (bracket_kind)i;
    }
    return (bracket_kind)-1;
}

const char *match_state_name(match_state s)
{
    if ((int)s < 0 || (int)s >= BRACKET_STATE_COUNT) return NULL;
    return bracket_state_names[s];
}

match_state match_state_parse(const char *s)
{
    if (s) {
        for (int i = 0; i < BRACKET_STATE_COUNT; i++)
            if (strcmp(s, bracket_state_names[i]) == 0) return (match_state)i;
    }
    return (match_state)-1;
}

void bracket_seed_order(int size, int *out)
{
    if (size < 1 || !out) return;
    out[0] = 0;
    /* Grow in place from the back: entry i moves to 2i and 2i+1, never over an unread one. */
    for (int len = 1; len * 2 <= size; len *= 2) {
        for (int i = len - 1; i >= 0; i--) {
            int s = out[i];
            out[2 * i] = s;
            out[2 * i + 1] = 2 * len - 1 - s;
        }
    }
}

static int bracket_ceil_log2(int n)
{
    int k = 0;
    while ((1 << k) < n) k++;
    return k;
}

static int bracket_swiss_total(int n, int wanted)
{
    int most = (n % 2) ? n : n - 1;
    int r = wanted > 0 ? wanted : bracket_ceil_log2(n);
    return r > most ? most : r;
}

static bool bracket_is_elimination(tformat f)
{
    return f == TFORMAT_SINGLE_ELIMINATION || f == TFORMAT_DOUBLE_ELIMINATION;
}

/* Makes room for `extra` more matches. */
static int bracket_reserve(bracket *b, int extra)
{
    if (extra < 0 || b->nm > 1000000 - extra) return -1;
    int need = b->nm + extra;
    if (need <= b->cap) return 0;
    int cap = b->cap ? b->cap : 16;
    while (cap < need) cap *= 2;
    bmatch *m = realloc(b->m, (size_t)cap * sizeof *m);
    if (!m) return -1;
    b->m = m;
    b->cap = cap;
    return 0;
}

/* Appends a fresh match (room must have been reserved). */
static int bracket_add(bracket *b, bracket_kind kind, int round, int position)
{
    int i = b->nm++;
    b->m[i] = (bmatch){
        .bracket = kind,
        .round = round,
        .position = position,
        .p = {SIDE_EMPTY, SIDE_EMPTY},
        .next = -1,
        .loser_next = -1,
        .state = MS_PENDING,
        .winner = -1,
        .dirty = true,
    };
    return i;
}

static void bracket_place(bracket *b, int t, int slot, int who);

/* Completes a match whose other side is a bye and moves its participant on. */
static void bracket_finish_bye(bracket *b, int t)
{
    bmatch *m = &b->m[t];
    int side = m->p[0] >= 0 ? 0 : 1;
    m->winner = side;
    m->state = MS_COMPLETED;
    m->has_score = false;
    m->score[0] = m->score[1] = 0;
    m->dirty = true;
    if (m->next >= 0) bracket_place(b, m->next, m->next_slot, m->p[side]);
}

/* Puts participant `who` into side `slot` of match t and updates its state. */
static void bracket_place(bracket *b, int t, int slot, int who)
{
    bmatch *m = &b->m[t];
    if (m->removed) return;
    m->p[slot] = who;
    m->dirty = true;
    int other = m->p[1 - slot];
    if (other == SIDE_BYE)
        bracket_finish_bye(b, t);
    else if (other >= 0)
        m->state = m->state == MS_LIVE ? MS_LIVE : MS_READY;
    else
        m->state = MS_PENDING;
}

/* Moves the winner and the loser of completed match t to their next matches. */
static void bracket_advance(bracket *b, int t)
{
    const bmatch *m = &b->m[t];
    if (m->winner < 0) return;
    int w = m->p[m->winner], l = m->p[1 - m->winner];
    int next = m->next, nslot = m->next_slot, lnext = m->loser_next, lslot = m->loser_slot;
    if (next >= 0 && w >= 0) bracket_place(b, next, nslot, w);
    if (lnext >= 0 && l >= 0) bracket_place(b, lnext, lslot, l);
}

/* Losers'-bracket position that the loser of winners' round r (>= 2) match q drops into,
 * in a bracket of `size` slots (see the drop-in order at the top). */
static int bracket_dropin_position(int size, int r, int q)
{
    int m = size >> r;
    if (r == 2) return m - 1 - q;       /* reverse */
    if (r == 3) return (q + m / 2) % m; /* half shift (its own inverse) */
    if (m >= 4) return q ^ 1;           /* pair flip */
    return q;                           /* natural */
}

/* Matches in losers' round j (1-based) of a bracket of `size` slots. */
static int bracket_losers_count(int size, int j)
{
    return size >> ((j + 1) / 2 + 1);
}

static int bracket_gen_elimination(bracket *b)
{
    const int n = b->n, k = bracket_ceil_log2(n), size = 1 << k;
    const bool dbl = b->format == TFORMAT_DOUBLE_ELIMINATION;
    const int lrounds = dbl ? 2 * (k - 1) : 0;
    const bool third = !dbl && b->opt.third_place_match && n >= 4;
    int rc = -1;
    int *order = malloc((size_t)size * sizeof *order);
    int *base = malloc((size_t)(k + lrounds + 2) * sizeof *base); /* first index per round */
    int *lb1 = malloc((size_t)(size / 4 + 1) * sizeof *lb1);      /* losers' round 1 */
    if (!order || !base || !lb1) goto out;
    bracket_seed_order(size, order);

    int total = size - 1 + (third ? 1 : 0) + (dbl ? 1 : 0);
    for (int j = 1; j <= lrounds; j++) total += bracket_losers_count(size, j);
    if (bracket_reserve(b, total + 1)) goto out;

    for (int r = 1; r <= k; r++) {
        base[r] = b->nm;
        for (int j = 0; j < size >> r; j++) bracket_add(b, BK_WINNERS, r, j);
    }
    for (int r = 1; r < k; r++) {
        for (int j = 0; j < size >> r; j++) {
            b->m[base[r] + j].next = base[r + 1] + j / 2;
            b->m[base[r] + j].next_slot = j & 1;
        }
    }
    if (third) {
        int t = bracket_add(b, BK_THIRD_PLACE, k, 0);
        for (int j = 0; j < 2; j++) {
            b->m[base[k - 1] + j].loser_next = t;
            b->m[base[k - 1] + j].loser_slot = j;
        }
    }
    if (dbl && k == 1) {
        int gf = bracket_add(b, BK_GRAND_FINAL, 1, 0);
        b->m[base[1]].next = gf;
        b->m[base[1]].next_slot = 0;
        b->m[base[1]].loser_next = gf;
        b->m[base[1]].loser_slot = 1;
    } else if (dbl) {
        /* A winners' round-1 match j is a bye when its lower seed is missing. */
#define WB1_BYE(j) (order[2 * (j) + 1] >= n)
        for (int i = 0; i < size / 4; i++)
            lb1[i] = (WB1_BYE(2 * i) && WB1_BYE(2 * i + 1)) ? -1 : bracket_add(b, BK_LOSERS, 1, i);
        for (int j = 2; j <= lrounds; j++) {
            base[k + j] = b->nm;
            for (int pos = 0; pos < bracket_losers_count(size, j); pos++)
                bracket_add(b, BK_LOSERS, j, pos);
        }
        int gf = bracket_add(b, BK_GRAND_FINAL, 1, 0);
        for (int j = 0; j < size / 2; j++) {
            bmatch *m = &b->m[base[1] + j];
            if (WB1_BYE(j)) {
                if (lb1[j / 2] >= 0) b->m[lb1[j / 2]].p[j & 1] = SIDE_BYE;
            } else {
                m->loser_next = lb1[j / 2];
                m->loser_slot = j & 1;
            }
        }
#undef WB1_BYE
        for (int r = 2; r <= k; r++) {
            for (int q = 0; q < size >> r; q++) {
                bmatch *m = &b->m[base[r] + q];
                m->loser_next = base[k + 2 * (r - 1)] + bracket_dropin_position(size, r, q);
                m->loser_slot = 0;
            }
        }
        b->m[base[k]].next = gf;
        b->m[base[k]].next_slot = 0;
        for (int i = 0; i < size / 4; i++) {
            if (lb1[i] >= 0) {
                b->m[lb1[i]].next = base[k + 2] + i;
                b->m[lb1[i]].next_slot = 1;
            } else {
                b->m[base[k + 2] + i].p[1] = SIDE_BYE;
            }
        }
        for (int j = 2; j <= lrounds; j++) {
            for (int pos = 0; pos < bracket_losers_count(size, j); pos++) {
                bmatch *m = &b->m[base[k + j] + pos];
                if (j == lrounds) {
                    m->next = gf;
                    m->next_slot = 1;
                } else if (j % 2 == 0) {
                    m->next = base[k + j + 1] + pos / 2;
                    m->next_slot = pos & 1;
                } else {
                    m->next = base[k + j + 1] + pos;
                    m->next_slot = 1;
                }
            }
        }
    }
    /* Seeds into round 1; byes complete at once and move their participant on. */
    for (int j = 0; j < size / 2; j++) {
        int t = base[1] + j;
        b->m[t].p[0] = order[2 * j];
        if (order[2 * j + 1] < n) {
            b->m[t].p[1] = order[2 * j + 1];
            b->m[t].state = MS_READY;
        } else {
            b->m[t].p[1] = SIDE_BYE;
            bracket_finish_bye(b, t);
        }
    }
    rc = 0;
out:
    free(order);
    free(base);
    free(lb1);
    return rc;
}

static int bracket_gen_round_robin(bracket *b)
{
    const int n = b->n, np = n + (n % 2), rounds = np - 1; /* np - 1 = phantom when n odd */
    const int cycles = b->opt.double_round_robin ? 2 : 1;
    int *arr = malloc((size_t)np * sizeof *arr);
    if (!arr) return -1;
    if (bracket_reserve(b, cycles * rounds * (n / 2))) {
        free(arr);
        return -1;
    }
    for (int c = 0; c < cycles; c++) {
        for (int i = 0; i < np; i++) arr[i] = i;
        for (int r = 0; r < rounds; r++) {
            int pos = 0;
            for (int i = 0; i < np / 2; i++) {
                int a = arr[i], d = arr[np - 1 - i];
                if (a >= n || d >= n) continue; /* against the phantom: sits out */
                if ((i == 0 && r % 2 == 1) != (c == 1)) {
                    int tmp = a;
                    a = d;
                    d = tmp;
                }
                int t = bracket_add(b, BK_GROUP, c * rounds + r + 1, pos++);
                b->m[t].p[0] = a;
                b->m[t].p[1] = d;
                b->m[t].state = MS_READY;
            }
            /* rotate arr[1..np) one step to the right; seed 1 stays */
            int last = arr[np - 1];
            memmove(arr + 2, arr + 1, (size_t)(np - 2) * sizeof *arr);
            arr[1] = last;
        }
    }
    free(arr);
    return 0;
}

/* Appends the pairings of Swiss round `round`. */
static int bracket_swiss_append(bracket *b, int round)
{
    int *pairs = malloc((size_t)(b->n / 2 + 1) * 2 * sizeof *pairs);
    if (!pairs) return -1;
    int cnt = bracket_swiss_pairings(b, round, pairs);
    if (cnt < 0 || bracket_reserve(b, cnt)) {
        free(pairs);
        return -1;
    }
    for (int i = 0; i < cnt; i++) {
        int t = bracket_add(b, BK_SWISS, round, i);
        bmatch *m = &b->m[t];
        m->p[0] = pairs[2 * i];
        m->p[1] = pairs[2 * i + 1];
        if (m->p[1] == SIDE_BYE) {
            m->state = MS_COMPLETED;
            m->winner = 0;
        } else {
            m->state = MS_READY;
        }
    }
    free(pairs);
    return 0;
}

static bool bracket_set_header(bracket *b, tformat format, int n, const bracket_options *opt)
{
    memset(b, 0, sizeof *b);
    if ((int)format < 0 || format >= TFORMAT__COUNT) return false;
    if (n < 2 || n > BRACKET_MAX_PARTICIPANTS) return false;
    if (opt && opt->swiss_rounds < 0) return false;
    b->format = format;
    b->n = n;
    if (opt) b->opt = *opt;
    if (format == TFORMAT_SWISS) b->opt.swiss_rounds = bracket_swiss_total(n, b->opt.swiss_rounds);
    return true;
}

int bracket_generate(bracket *b, tformat format, int n, const bracket_options *opt)
{
    if (!b) return -1;
    if (!bracket_set_header(b, format, n, opt)) return -1;
    int rc;
    switch (format) {
    case TFORMAT_SINGLE_ELIMINATION:
    case TFORMAT_DOUBLE_ELIMINATION:
        rc = bracket_gen_elimination(b);
        break;
    case TFORMAT_ROUND_ROBIN:
        rc = bracket_gen_round_robin(b);
        break;
    default:
        rc = bracket_swiss_append(b, 1);
        break;
    }
    if (rc) bracket_free(b);
    return rc;
}

int bracket_load(bracket *b, tformat format, int n, const bracket_options *opt,
                 const bmatch *matches, int count)
{
    if (!b) return -1;
    if (!bracket_set_header(b, format, n, opt)) return -1;
    if (count < 0 || count > 1000000 || (count > 0 && !matches)) return -1;
    for (int i = 0; i < count; i++) {
        const bmatch *m = &matches[i];
        if ((int)m->bracket < 0 || m->bracket >= BK__COUNT) return -1;
        if ((int)m->state < 0 || (int)m->state >= BRACKET_STATE_COUNT) return -1;
        for (int s = 0; s < 2; s++)
            if (m->p[s] < SIDE_BYE || m->p[s] >= n) return -1;
        if (m->next < -1 || m->next >= count || m->loser_next < -1 || m->loser_next >= count)
            return -1;
        if (m->next == i || m->loser_next == i) return -1;
        if ((m->next >= 0 && (m->next_slot < 0 || m->next_slot > 1)) ||
            (m->loser_next >= 0 && (m->loser_slot < 0 || m->loser_slot > 1)))
            return -1;
        if (m->winner < -1 || m->winner > 1) return -1;
    }
    if (bracket_reserve(b, count + 1)) return -1;
    unsigned char *fed = calloc((size_t)count + 1, 2);
    if (!fed) {
        bracket_free(b);
        return -1;
    }
    if (count > 0) memcpy(b->m, matches, (size_t)count * sizeof *matches);
    b->nm = count;
    for (int i = 0; i < count; i++) {
        const bmatch *m = &b->m[i];
        if (m->removed) continue;
        if (m->next >= 0) fed[2 * m->next + m->next_slot] = 1;
        if (m->loser_next >= 0) fed[2 * m->loser_next + m->loser_slot] = 1;
    }
    for (int i = 0; i < count; i++) {
        bmatch *m = &b->m[i];
        m->dirty = false;
        for (int s = 0; s < 2; s++)
            if (m->p[s] < 0) m->p[s] = fed[2 * i + s] ? SIDE_EMPTY : SIDE_BYE;
    }
    free(fed);
    return 0;
}

void bracket_free(bracket *b)
{
    if (!b) return;
    free(b->m);
    b->m = NULL;
    b->nm = b->cap = 0;
}

static void bracket_clear_dirty(bracket *b)
{
    for (bmatch *m = b->m, *end = b->m + b->nm; m < end; m++) m->dirty = false;
}

bracket_rc bracket_report(bracket *b, int match, int score1, int score2)
{
    if (!b || match < 0 || match >= b->nm || score1 < 0 || score2 < 0) return BR_INVALID;
    const bmatch *cur = &b->m[match];
    if (cur->removed || (cur->state != MS_READY && cur->state != MS_LIVE) || cur->p[0] < 0 ||
        cur->p[1] < 0)
        return BR_NOT_READY;
    if (score1 == score2 && bracket_is_elimination(b->format)) return BR_NO_DRAWS;
    bool reset = b->format == TFORMAT_DOUBLE_ELIMINATION && b->opt.grand_final_reset &&
                 cur->bracket == BK_GRAND_FINAL && cur->round == 1 && score2 > score1 &&
                 cur->next < 0;
    /* Room for whatever this call may append, before anything changes. */
    if (bracket_reserve(b, b->format == TFORMAT_SWISS ? b->n / 2 + 1 : 1)) return BR_NOMEM;

    bracket_clear_dirty(b);
    bmatch *m = &b->m[match];
    const bmatch saved = *m;
    m->has_score = true;
    m->score[0] = score1;
    m->score[1] = score2;
    m->winner = score1 > score2 ? 0 : score1 < score2 ? 1 : -1;
    m->state = MS_COMPLETED;
    m->dirty = true;
    bracket_advance(b, match);

    if (reset) {
        int r = bracket_add(b, BK_GRAND_FINAL, 2, 0);
        m = &b->m[match];
        b->m[r].p[0] = m->p[0];
        b->m[r].p[1] = m->p[1];
        b->m[r].state = MS_READY;
        m->next = r;
        m->next_slot = 1;
        m->loser_next = r;
        m->loser_slot = 0;
    }
    if (b->format == TFORMAT_SWISS) {
        int round = b->m[match].round, last = 0;
        bool done = true;
        for (int i = 0; i < b->nm; i++) {
            const bmatch *x = &b->m[i];
            if (x->removed || x->bracket != BK_SWISS) continue;
            if (x->round > last) last = x->round;
            if (x->round == round && x->state != MS_COMPLETED) done = false;
        }
        if (done && round == last && round < b->opt.swiss_rounds &&
            bracket_swiss_append(b, round + 1)) {
            b->m[match] = saved;
            return BR_NOMEM;
        }
    }
    return BR_OK;
}

static void bracket_undo_outputs(bracket *b, int t);

/* Takes participant `who` (who came from an upstream match being reset) out of side
 * `slot` of match t, resetting t's own result and everything that followed from it. */
static void bracket_unplace(bracket *b, int t, int slot, int who)
{
    bmatch *m = &b->m[t];
    if (m->removed || m->p[slot] != who) return;
    if (m->state == MS_COMPLETED) bracket_undo_outputs(b, t);
    m = &b->m[t];
    m->p[slot] = SIDE_EMPTY;
    m->has_score = false;
    m->score[0] = m->score[1] = 0;
    m->winner = -1;
    m->state = MS_PENDING;
    m->dirty = true;
    if (m->bracket == BK_GRAND_FINAL && m->round == 2 && m->p[0] == SIDE_EMPTY &&
        m->p[1] == SIDE_EMPTY) {
        /* An appended reset that lost both sides is no longer part of the bracket. */
        m->removed = true;
        for (int i = 0; i < b->nm; i++) {
            bmatch *f = &b->m[i];
            if (f->removed || (f->next != t && f->loser_next != t)) continue;
            f->next = f->loser_next = -1;
            f->next_slot = f->loser_slot = 0;
            f->dirty = true;
        }
    }
}

/* Takes back what completed match t sent downstream. */
static void bracket_undo_outputs(bracket *b, int t)
{
    const bmatch *m = &b->m[t];
    if (m->winner < 0) return;
    int w = m->p[m->winner], l = m->p[1 - m->winner];
    int next = m->next, nslot = m->next_slot, lnext = m->loser_next, lslot = m->loser_slot;
    if (next >= 0 && w >= 0) bracket_unplace(b, next, nslot, w);
    if (lnext >= 0 && l >= 0) bracket_unplace(b, lnext, lslot, l);
}

bracket_rc bracket_reopen(bracket *b, int match)
{
    if (!b || match < 0 || match >= b->nm) return BR_INVALID;
    const bmatch *cur = &b->m[match];
    if (cur->removed || cur->state != MS_COMPLETED || cur->p[0] < 0 || cur->p[1] < 0)
        return BR_NOT_READY;
    bracket_clear_dirty(b);
    bracket_undo_outputs(b, match);
    bmatch *m = &b->m[match];
    m->has_score = false;
    m->score[0] = m->score[1] = 0;
    m->winner = -1;
    m->state = MS_READY;
    m->dirty = true;
    if (b->format == TFORMAT_SWISS) {
        int round = m->round;
        for (int i = 0; i < b->nm; i++) {
            bmatch *x = &b->m[i];
            if (!x->removed && x->bracket == BK_SWISS && x->round > round) {
                x->removed = true;
                x->dirty = true;
            }
        }
    }
    return BR_OK;
}

bool bracket_complete(const bracket *b)
{
    if (!b || b->nm == 0) return false;
    bool any = false;
    for (int i = 0; i < b->nm; i++) {
        if (b->m[i].removed) continue;
        if (b->m[i].state != MS_COMPLETED) return false;
        any = true;
    }
    return any;
}

int bracket_current_round(const bracket *b)
{
    if (!b) return 0;
    int lowest = 0, last = 0;
    for (int i = 0; i < b->nm; i++) {
        const bmatch *m = &b->m[i];
        if (m->removed) continue;
        if (m->bracket != BK_WINNERS && m->bracket != BK_GROUP && m->bracket != BK_SWISS) continue;
        if (m->round > last) last = m->round;
        if (m->state != MS_COMPLETED && (lowest == 0 || m->round < lowest)) lowest = m->round;
    }
    return lowest ? lowest : last;
}
