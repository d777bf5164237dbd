/* bracket.h: brackets of every format and their progression, with no I/O.
 *
 * A bracket is an array of matches linked by index: the winner of match i goes to match
 * m[i].next (side next_slot), the loser (double elimination, third place) to
 * m[i].loser_next. Participants are indexes in seed order (0 = seed 1). The store loads
 * a tournament's matches into a bracket, calls bracket_report / bracket_reopen, and
 * writes back the matches whose `dirty` flag is set (and inserts appended ones, deletes
 * those flagged `removed`). Everything here is deterministic; randomness comes in only
 * through an explicit seed. */
#ifndef TOURNEYD_BRACKET_H
#define TOURNEYD_BRACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "core/tournament_rules.h"

#define BRACKET_MAX_PARTICIPANTS 1024

typedef enum {
    BK_WINNERS,
    BK_LOSERS,
    BK_GRAND_FINAL,
    BK_THIRD_PLACE,
    BK_GROUP, /* round robin */
    BK_SWISS,
    BK__COUNT
} bracket_kind;

typedef enum { MS_PENDING, MS_READY, MS_LIVE, MS_COMPLETED } match_state;

#define SIDE_EMPTY (-1) /* not known yet (fed by an unfinished match) */
#define SIDE_BYE   (-2) /* nobody will come: the match is a bye */

typedef struct bmatch {
    bracket_kind bracket;
    int round;           /* 1-based within its bracket (grand final: 1, and 2 for the reset) */
    int position;        /* 0-based within its round */
    int p[2];            /* participant index, SIDE_EMPTY or SIDE_BYE */
    int next, next_slot; /* winner's match and side (0/1); next = -1: none */
    int loser_next, loser_slot; /* loser's match and side; -1: none */
    match_state state;
    bool has_score;
    int score[2];
    int winner;   /* side 0/1 of the winner; -1 when not completed or a draw */
    bool dirty;   /* changed by the last call (for the store to write back) */
    bool removed; /* no longer part of the bracket (e.g. an unneeded reset final) */
    int64_t id;   /* the store's id; 0 for matches appended by the last call */
} bmatch;

typedef struct bracket_options {
    bool third_place_match; /* single elimination */
    bool grand_final_reset; /* double elimination: true = "reset", false = "single" */
    bool double_round_robin;
    int swiss_rounds; /* 0 = ceil(log2 n) */
} bracket_options;

typedef struct bracket {
    tformat format;
    bracket_options opt;
    int n;  /* participants */
    int nm; /* matches (removed ones included) */
    int cap;
    bmatch *m; /* owned: bracket_free */
} bracket;

const char *bracket_kind_name(bracket_kind k);
bracket_kind bracket_kind_parse(const char *s); /* -1 when unknown */
const char *match_state_name(match_state s);
match_state match_state_parse(const char *s); /* -1 when unknown */

/* Standard seeding order of a bracket of `size` slots (a power of two >= 2): out[slot]
 * = seed index. Start [0, 1]; each step replaces seed s by the pair (s, L-1-s) where L
 * is the new length: 8 slots give seeds 1v8, 4v5, 2v7, 3v6 ([0,7,3,4,1,6,2,5]). */
void bracket_seed_order(int size, int *out);

/* Generates the whole bracket of n participants (2..BRACKET_MAX_PARTICIPANTS) for the
 * format; Swiss generates its first round only. Byes are completed at once with the
 * present side as winner and advanced (a losers'-bracket bye as soon as its participant
 * arrives); no match is bye-vs-bye. Returns 0, or -1 on bad arguments (including
 * opt->swiss_rounds < 0) or out of memory. Every match is dirty with id 0. opt may be
 * NULL (all defaults); b->opt.swiss_rounds is set to the effective number of rounds. */
int bracket_generate(bracket *b, tformat format, int n, const bracket_options *opt);
/* Adopts matches loaded from the store (copies them; ids kept, nothing dirty). Links
 * are indexes into `matches`. A side < 0 may be stored either way (e.g. both as NULL): it
 * is normalized to SIDE_BYE when no match feeds it (next / loser_next) and SIDE_EMPTY
 * otherwise. Returns 0, or -1 on bad arguments (out-of-range fields) or out of memory. */
int bracket_load(bracket *b, tformat format, int n, const bracket_options *opt,
                 const bmatch *matches, int count);
void bracket_free(bracket *b);

typedef enum {
    BR_OK = 0,
    BR_NOT_READY, /* the match has an unknown side, or is completed / removed */
    BR_NO_DRAWS,  /* a draw in an elimination format */
    BR_INVALID,   /* bad index or negative score */
    BR_NOMEM,
} bracket_rc;

/* Records a result for a ready or live match: completes it, moves the winner (and the
 * loser) on, completes byes that this creates, appends the grand-final reset when the
 * losers' side wins the first final (with reset), pairs the next Swiss round when the
 * current one is complete. Marks every changed match dirty (after clearing all flags). */
bracket_rc bracket_report(bracket *b, int match, int score1, int score2);
/* Reopens a completed match (back to ready) and resets every match that depended on its
 * result, transitively: participants that came from it are cleared, their results
 * erased, byes recomputed; appended reset finals and later Swiss rounds are removed.
 * Matches that did not depend on it are untouched (not dirty). BR_NOT_READY if not
 * completed, removed, or a bye; BR_INVALID for a bad index. */
bracket_rc bracket_reopen(bracket *b, int match);
/* True when every (non-removed) match is completed. */
bool bracket_complete(const bracket *b);
/* The lowest round of the winners/group/swiss bracket that still has an unfinished
 * match (round robin plays all rounds at once, byes let round 2 start early: the lowest
 * is what "current" means to a viewer); once all of those are done (losers' bracket,
 * grand final or third-place match still going, or everything complete) the last such
 * round; 0 when there are no matches. */
int bracket_current_round(const bracket *b);

/* Swiss pairing (bracket_swiss.c; bracket_report calls it): the pairings of round
 * `round` from the results of the earlier rounds, as out[2i], out[2i+1] = sides 0 and 1
 * of board i in board order; a bye is (participant, SIDE_BYE), last. `out` holds
 * 2 * (n/2 + 1) ints. Returns the number of pairs, or -1 when out of memory. */
int bracket_swiss_pairings(const bracket *b, int round, int *out);

/* One row of the standings. */
typedef struct standing {
    int participant;
    int rank; /* 1-based; equal ranks for participants that nothing separates */
    int played, wins, draws, losses;
    double points; /* round robin 3/1/0; Swiss 1/0.5/0 (a bye counts as a win);
                      elimination: wins */
    int score_for, score_against;
    double buchholz;         /* sum of opponents' points (Swiss, round robin) */
    double sonneborn_berger; /* sum of beaten opponents' points + half of drawn ones' */
    int head_to_head;        /* among participants level on points: points taken from them,
                                counted win 3 / draw 1 in both formats (an integer) */
    int reached_round;       /* elimination: highest round reached (winners' rounds; in
                                double elimination losers' round j counts as k + j and
                                grand-final round g as 3k - 2 + g, k = winners' rounds) */
} standing;

/* Computes standings into out[0..n) sorted by rank. Round robin and Swiss: points, then
 * Buchholz, Sonneborn-Berger, head-to-head, score difference. Elimination: by the round
 * reached (champion 1st, final loser 2nd, third-place match decides 3rd/4th), then seed.
 * Ranks are competition ranks: rows that nothing separates share the rank (1, 2, 3, 3, 5,
 * 5, 5, 5, 9...) and are listed by seed. Returns 0 or -1 (out of memory). */
int standings_compute(const bracket *b, standing *out);

#endif
