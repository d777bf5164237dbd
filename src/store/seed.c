/* seed.c: the data seeder behind `tourneyd seed` (contract in seed.h).
 *
 * Owns the demo and benchmark data set: games, users, teams and members, tournaments in
 * every status, registrations, payments and bracket matches, at the volumes of the Django
 * reference times a scale. It exists so that benchmarks compare like with like and demos
 * show every state the product has, so the rows obey the same rules the server enforces:
 * counters equal the registrations they count, no tournament is over capacity, payments
 * match registration states, brackets are real (links, winners, byes, live rounds) and
 * dates agree with statuses relative to `now`.
 *
 * How: everything that decides counts is planned in memory first (statuses, sizes, bracket
 * shapes, registration and payment totals, each nudged until the totals meet the targets),
 * then each table is written in one pass with one prepared statement, inside a single
 * transaction. The only randomness is a xoshiro256** generator seeded from rng_seed, and
 * the only clock is opt->now, so equal inputs give equal rows. */
#include "store/seed.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_standings.h"

#define SEED_MIN  60
#define SEED_HOUR 3600
#define SEED_DAY  86400
/* Users sign up over the two years before now. */
#define SEED_HISTORY (730 * SEED_DAY)
/* Largest bracket the seeder builds: swiss with 128 players and 20 rounds. */
#define SEED_MAX_NODES   1400
#define SEED_MAX_PLAYERS 128
/* Registrations of one tournament (active plus cancelled) stay below this. */
#define SEED_MAX_REGS 512

/* ---- fixed catalogue ------------------------------------------------------------------ */

typedef struct seed_game {
    const char *slug;
    const char *name;
    const char *label; /* used in tournament names */
    int team_size;
    int weight; /* share of tournaments */
} seed_game;

static const seed_game seed_games[] = {
    {"valorant", "Valorant", "Valorant", 5, 12},
    {"cs2", "Counter-Strike 2", "CS2", 5, 12},
    {"league-of-legends", "League of Legends", "League of Legends", 5, 10},
    {"dota-2", "Dota 2", "Dota 2", 5, 7},
    {"rocket-league", "Rocket League", "Rocket League", 3, 7},
    {"overwatch-2", "Overwatch 2", "Overwatch 2", 5, 5},
    {"rainbow-six-siege", "Rainbow Six Siege", "Rainbow Six", 5, 5},
    {"apex-legends", "Apex Legends", "Apex Legends", 3, 4},
    {"fortnite", "Fortnite", "Fortnite Duos", 2, 6},
    {"brawl-stars", "Brawl Stars", "Brawl Stars", 3, 3},
    {"street-fighter-6", "Street Fighter 6", "Street Fighter 6", 1, 5},
    {"tekken-8", "Tekken 8", "Tekken 8", 1, 5},
    {"super-smash-bros-ultimate", "Super Smash Bros. Ultimate", "Smash Ultimate", 1, 5},
    {"starcraft-2", "StarCraft II", "StarCraft II", 1, 3},
    {"hearthstone", "Hearthstone", "Hearthstone", 1, 3},
    {"ea-sports-fc-25", "EA Sports FC 25", "EA FC 25", 1, 5},
    {"teamfight-tactics", "Teamfight Tactics", "TFT", 1, 3},
    {"clash-royale", "Clash Royale", "Clash Royale", 1, 3},
    {"brawlhalla", "Brawlhalla", "Brawlhalla 2v2", 2, 2},
    {"mobile-legends", "Mobile Legends: Bang Bang", "MLBB", 5, 4},
};
#define SEED_N_GAMES ((int)(sizeof seed_games / sizeof seed_games[0]))

static const char *const seed_handle_a[] = {
    "Shadow", "Frost",   "Nova",  "Blaze", "Viper",   "Ghost",  "Pixel", "Turbo",  "Hyper", "Zero",
    "Nitro",  "Rogue",   "Storm", "Venom", "Lunar",   "Echo",   "Ion",   "Atomic", "Cyber", "Neon",
    "Silent", "Crimson", "Iron",  "Swift", "Phantom", "Mystic", "Rapid", "Dark",   "Solar", "Wild"};
static const char *const seed_handle_b[] = {
    "Fox",   "Wolf",   "Hawk",   "Byte",   "Strike", "Fang",  "Blade", "Rider", "Knight", "Sniper",
    "Ace",   "Hunter", "Titan",  "Raven",  "Spark",  "Pulse", "Shade", "Drift", "Bolt",   "Reaper",
    "Tiger", "Cobra",  "Falcon", "Dragon", "Lynx",   "Owl",   "Shark", "Panda", "Comet",  "Golem"};
static const char *const seed_team_a[] = {
    "Red",     "Blue",     "Iron",   "Silent",  "Rapid",   "Golden", "Shadow",   "Storm",
    "Crimson", "Frozen",   "Savage", "Royal",   "Neon",    "Lunar",  "Solar",    "Wild",
    "Dark",    "Bright",   "Hidden", "Mighty",  "Arctic",  "Cosmic", "Electric", "Toxic",
    "Velvet",  "Obsidian", "Jade",   "Scarlet", "Thunder", "Void"};
static const char *const seed_team_b[] = {
    "Wolves",  "Tigers",  "Falcons", "Dragons", "Knights", "Vipers",   "Titans",  "Ravens",
    "Sharks",  "Phoenix", "Ghosts",  "Lions",   "Hawks",   "Rhinos",   "Cobras",  "Bulls",
    "Owls",    "Foxes",   "Bears",   "Eagles",  "Pandas",  "Spartans", "Samurai", "Nomads",
    "Pirates", "Golems",  "Wizards", "Rebels",  "Outlaws", "Sentinels"};
static const char *const seed_team_suffix[] = {"",        "",         "",      " Esports",
                                               " Gaming", " Academy", " Club", " GG"};
static const char *const seed_tour_adj[] = {
    "Winter",     "Spring",    "Summer",      "Autumn",     "Weekly",  "Monthly",
    "Midnight",   "Spotlight", "Community",   "Pro",        "Amateur", "Rising Stars",
    "Collegiate", "Regional",  "Continental", "Nordic",     "Pacific", "Atlantic",
    "Northern",   "Southern",  "Elite",       "Grassroots", "Weekend", "Night Owl"};
static const char *const seed_tour_kind[] = {
    "Cup",     "Clash",  "Open",      "Series", "Invitational", "Showdown",  "Championship",
    "Masters", "League", "Challenge", "Brawl",  "Classic",      "Qualifier", "Major"};
static const char *const seed_pay_methods[] = {"card", "paypal", "bank_transfer", "crypto"};
static const int seed_pay_method_w[] = {45, 30, 18, 7};
static const char *const seed_reject_reasons[] = {"Payment not received",
                                                  "Amount does not match the entry fee",
                                                  "Reference not found on statement",
                                                  "Duplicate payment",
                                                  "Card payment was declined",
                                                  "Sender name does not match the account"};
static const int seed_fees[] = {500, 1000, 1500, 2000, 2500, 5000, 10000};
static const int seed_sizes[] = {8, 16, 32, 64, 128};

#define SEED_COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Tournament statuses, formats, match states and brackets, in the order of the schema. */
enum { ST_DRAFT, ST_PUBLISHED, ST_OPEN, ST_CLOSED, ST_LIVE, ST_COMPLETED, ST_CANCELLED, ST__N };
static const char *const seed_status_names[] = {
    "draft", "published", "registration_open", "registration_closed",
    "live",  "completed", "cancelled"};
/* Share of tournaments per status: many completed and open, some live, few drafts. */
static const int seed_status_w[ST__N] = {3, 5, 34, 10, 15, 26, 7};

enum { FM_SE, FM_DE, FM_RR, FM_SW };
static const char *const seed_format_names[] = {"single_elimination", "double_elimination",
                                                "round_robin", "swiss"};
static const char *const seed_format_human[] = {"single elimination", "double elimination",
                                                "round robin", "Swiss"};

enum { RS_PENDING, RS_CONFIRMED, RS_CHECKED_IN, RS_CANCELLED };
static const char *const seed_reg_status_names[] = {"pending", "confirmed", "checked_in",
                                                    "cancelled"};

enum { MS_PENDING, MS_READY, MS_LIVE, MS_COMPLETED };
static const char *const seed_match_state_names[] = {"pending", "ready", "live", "completed"};

enum { BR_WINNERS, BR_LOSERS, BR_GRAND_FINAL, BR_THIRD_PLACE, BR_GROUP, BR_SWISS };
static const char *const seed_bracket_names[] = {"winners",     "losers", "grand_final",
                                                 "third_place", "group",  "swiss"};

/* ---- state ---------------------------------------------------------------------------- */

typedef struct seed_rng {
    uint64_t s[4];
} seed_rng;

/* One planned tournament: everything needed to write it, its registrations and matches. */
typedef struct seed_tour {
    int64_t organizer;
    int64_t fee;
    int64_t opens, closes, start, created, updated, cancel_at;
    int64_t pool_time;                        /* only users/teams that existed then may register */
    int64_t close_off, open_len, created_off; /* window shape, drawn once */
    int64_t reg_first;                        /* index of its first registration in seed_ctx.regs */
    int64_t play_off;                         /* index of its seed 1 in seed_ctx.play */
    int32_t max, pool, n, a, x, np, nc, nk;
    int32_t m, cm, cur_round, maxd, d, rounds, gap;
    int32_t name_a, name_b, name_n;
    uint8_t game, status, format, team, checkin, paid, full, nowin, deleted;
    uint8_t opt;   /* third_place_match / grand_final reset / double round robin */
    uint8_t gf2;   /* double elimination: the grand final reset is played */
    uint8_t extra; /* swiss: one round more than ceil(log2 n) */
    uint8_t bo, eur, version;
} seed_tour;

typedef struct seed_team {
    int64_t created;
    int64_t captain;
    int size;
} seed_team;

typedef struct seed_team_ref {
    int64_t created;
    int64_t id;
} seed_team_ref;

typedef struct seed_reg {
    int64_t created;
    int32_t tour;
    uint8_t status;
} seed_reg;

typedef struct seed_node {
    int32_t p[2];   /* participant (seed - 1) per slot; -1 unknown or absent */
    int32_t next;   /* node index the winner moves to, -1 none */
    int32_t lnext;  /* node index the loser moves to, -1 none */
    int32_t winner; /* participant, -1 none (draw or not played) */
    int16_t round, position, depth;
    int16_t score[2];
    uint8_t bracket, slot, lslot, state, bye;
} seed_node;

typedef struct seed_bracket {
    seed_node *v;
    int n;
} seed_bracket;

typedef struct seed_ctx {
    db_conn *conn;
    sqlite3 *db;
    const seed_options *opt;
    char *err;
    size_t errlen;
    bool failed;
    seed_rng rng;
    int64_t now, launch;
    int64_t n_users, n_teams, n_tours, n_regs, n_pays, n_matches;
    int64_t *user_created; /* [n_users + 1], nondecreasing in id */
    seed_team *teams;      /* [n_teams + 1] */
    seed_team_ref *by_size[6];
    int64_t by_size_n[6];
    seed_tour *tours; /* [n_tours] */
    seed_reg *regs;   /* [regs_n] */
    int64_t regs_n;
    int64_t *play; /* registration ids by seed, per live/completed tournament */
    int64_t play_n;
    int32_t *stamp_user, *stamp_team;
    seed_node *nodes; /* [SEED_MAX_NODES] scratch bracket */
    uint8_t *played;  /* [SEED_MAX_PLAYERS^2] swiss: who met whom */
    int64_t pay_cancel_pool, pay_cancel_quota, pay_extra_pool, pay_extra_quota;
    int64_t matches_done, matches_completed;
} seed_ctx;

/* ---- randomness ----------------------------------------------------------------------- */

static uint64_t seed_splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void seed_rng_init(seed_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) r->s[i] = seed_splitmix(&seed);
}

static uint64_t seed_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t seed_next(seed_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = seed_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = seed_rotl(s[3], 45);
    return result;
}

/* Uniform in [lo, hi]; lo when the range is empty. */
static int64_t seed_range(seed_rng *r, int64_t lo, int64_t hi)
{
    if (hi <= lo) return lo;
    return lo + (int64_t)(seed_next(r) % (uint64_t)(hi - lo + 1));
}

static int32_t seed_range32(seed_rng *r, int32_t lo, int32_t hi)
{
    return (int32_t)seed_range(r, lo, hi);
}

/* Uniform in [0, 1). */
static double seed_unit(seed_rng *r)
{
    return (double)(seed_next(r) >> 11) * 0x1.0p-53;
}

static bool seed_chance(seed_rng *r, int percent)
{
    return seed_range(r, 0, 99) < percent;
}

static int seed_pick(seed_rng *r, const int *weights, int n)
{
    int total = 0;
    for (int i = 0; i < n; i++) total += weights[i];
    int64_t x = seed_range(r, 0, total - 1);
    for (int i = 0; i < n; i++) {
        if (x < weights[i]) return i;
        x -= weights[i];
    }
    return n - 1;
}

static int seed_pick_size(seed_rng *r, const int weights[5])
{
    return seed_sizes[seed_pick(r, weights, 5)];
}

/* ---- errors and SQL helpers ----------------------------------------------------------- */

static int seed_fail(seed_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int seed_fail(seed_ctx *c, const char *fmt, ...)
{
    if (!c->failed && c->err && c->errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err, c->errlen, fmt, ap);
        va_end(ap);
    }
    c->failed = true;
    return -1;
}

static int seed_exec(seed_ctx *c, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        seed_fail(c, "seed: %s: %s", sql, msg ? msg : sqlite3_errmsg(c->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static sqlite3_stmt *seed_prepare(seed_ctx *c, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        seed_fail(c, "seed: prepare %.60s...: %s", sql, sqlite3_errmsg(c->db));
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

static void seed_bind_check(seed_ctx *c, int rc, int idx)
{
    if (rc != SQLITE_OK && !c->failed)
        seed_fail(c, "seed: bind parameter %d: %s", idx, sqlite3_errmsg(c->db));
}

static void seed_bind_int(seed_ctx *c, sqlite3_stmt *st, int idx, int64_t v)
{
    if (!c->failed) seed_bind_check(c, sqlite3_bind_int64(st, idx, v), idx);
}

/* Binds v, or NULL when !present. */
static void seed_bind_opt(seed_ctx *c, sqlite3_stmt *st, int idx, int64_t v, bool present)
{
    if (c->failed) return;
    if (present)
        seed_bind_check(c, sqlite3_bind_int64(st, idx, v), idx);
    else
        seed_bind_check(c, sqlite3_bind_null(st, idx), idx);
}

/* Binds s without copying it (NULL when s is NULL): s must stay valid until the row's
 * seed_step, so every caller steps in the scope that owns the buffer. */
static void seed_bind_text(seed_ctx *c, sqlite3_stmt *st, int idx, const char *s)
{
    if (c->failed) return;
    if (s)
        seed_bind_check(c, sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC), idx);
    else
        seed_bind_check(c, sqlite3_bind_null(st, idx), idx);
}

/* Runs an INSERT whose parameters are bound, then resets it for the next row. */
static int seed_step(seed_ctx *c, sqlite3_stmt *st, const char *table)
{
    if (c->failed) return -1;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        seed_fail(c, "seed: insert into %s: %s", table, sqlite3_errmsg(c->db));
        sqlite3_reset(st);
        return -1;
    }
    rc = sqlite3_reset(st);
    if (rc != SQLITE_OK) return seed_fail(c, "seed: reset %s: %s", table, sqlite3_errmsg(c->db));
    return 0;
}

static int seed_finalize(seed_ctx *c, sqlite3_stmt *st)
{
    if (st && sqlite3_finalize(st) != SQLITE_OK && !c->failed)
        return seed_fail(c, "seed: finalize: %s", sqlite3_errmsg(c->db));
    return c->failed ? -1 : 0;
}

/* Reports progress at 0, every ~10% and at the end of a phase. */
static void seed_progress(seed_ctx *c, const char *phase, int64_t done, int64_t total)
{
    if (!c->opt->progress) return;
    int64_t step = total / 10 > 0 ? total / 10 : 1;
    if (done == 0 || done == total || done % step == 0)
        c->opt->progress(phase, done, total, c->opt->progress_ctx);
}

static int64_t seed_round(double x)
{
    return (int64_t)(x + 0.5);
}

static int64_t seed_min(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static int64_t seed_max(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

static int seed_ceil_log2(int n)
{
    int k = 0;
    while ((1 << k) < n) k++;
    return k;
}

static int seed_cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int seed_cmp_team_ref(const void *a, const void *b)
{
    const seed_team_ref *x = a, *y = b;
    if (x->created != y->created) return (x->created > y->created) - (x->created < y->created);
    return (x->id > y->id) - (x->id < y->id);
}

/* Writes a lowercase [a-z0-9-] slug of s into out (no leading/trailing or double '-'). */
static void seed_slugify(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    bool dash = false;
    for (; *s && n + 1 < cap; s++) {
        char ch = *s;
        if (ch >= 'A' && ch <= 'Z') ch = (char)(ch - 'A' + 'a');
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
            if (dash && n > 0 && n + 2 < cap) out[n++] = '-';
            out[n++] = ch;
            dash = false;
        } else {
            dash = true;
        }
    }
    out[n] = '\0';
}

/* ---- games, users, teams -------------------------------------------------------------- */

static int seed_games_phase(seed_ctx *c)
{
    sqlite3_stmt *st =
        seed_prepare(c, "INSERT INTO games (id, slug, name, team_size) VALUES (?, ?, ?, ?)");
    if (!st) return -1;
    for (int i = 0; i < SEED_N_GAMES && !c->failed; i++) {
        seed_bind_int(c, st, 1, i + 1);
        seed_bind_text(c, st, 2, seed_games[i].slug);
        seed_bind_text(c, st, 3, seed_games[i].name);
        seed_bind_int(c, st, 4, seed_games[i].team_size);
        seed_step(c, st, "games");
        seed_progress(c, "games", i + 1, SEED_N_GAMES);
    }
    return seed_finalize(c, st);
}

/* Sign-up times: admin and organizer at launch, players evenly (with jitter) after it, so
 * user ids follow sign-up order and "users that existed at time T" is a prefix of ids. */
static void seed_plan_users(seed_ctx *c)
{
    int64_t *ca = c->user_created;
    int64_t first = c->launch + 3 * SEED_DAY;
    int64_t span = c->now - SEED_HOUR - first;
    int64_t players = c->n_users - 2 > 0 ? c->n_users - 2 : 1;
    int64_t step = span / players;
    for (int64_t i = 1; i <= c->n_users; i++) {
        if (i <= 2) {
            ca[i] = c->launch;
            continue;
        }
        ca[i] = first + (i - 3) * span / players + seed_range(&c->rng, 0, step - 1);
    }
}

/* Number of users that existed at time t (the largest id created at or before t). */
static int64_t seed_users_at(const seed_ctx *c, int64_t t)
{
    int64_t lo = 0, hi = c->n_users;
    while (lo < hi) {
        int64_t mid = (lo + hi + 1) / 2;
        if (c->user_created[mid] <= t)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static void seed_user_row(seed_ctx *c, int64_t id, char *name, char *display, char *email)
{
    if (id == 1) {
        strcpy(name, "admin");
        strcpy(display, "Administrator");
    } else if (id == 2) {
        strcpy(name, "organizer");
        strcpy(display, "Tournament Organizer");
    } else {
        snprintf(name, 40, "player%05lld", (long long)(id - 2));
        int style = (int)seed_range(&c->rng, 0, 9);
        const char *a = seed_handle_a[seed_range(&c->rng, 0, SEED_COUNT(seed_handle_a) - 1)];
        const char *b = seed_handle_b[seed_range(&c->rng, 0, SEED_COUNT(seed_handle_b) - 1)];
        if (style < 2)
            snprintf(display, 64, "Player %lld", (long long)(id - 2));
        else if (style < 6)
            snprintf(display, 64, "%s%s", a, b);
        else
            snprintf(display, 64, "%s%s%d", a, b, (int)seed_range(&c->rng, 1, 999));
    }
    snprintf(email, 80, "%s@example.invalid", name);
}

static int seed_users_phase(seed_ctx *c)
{
    sqlite3_stmt *st = seed_prepare(c, "INSERT INTO users (id, username, display_name, email, "
                                       "password_hash, role, created_at) "
                                       "VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!st) return -1;
    char name[40], display[64], email[80];
    seed_plan_users(c);
    for (int64_t id = 1; id <= c->n_users && !c->failed; id++) {
        seed_user_row(c, id, name, display, email);
        seed_bind_int(c, st, 1, id);
        seed_bind_text(c, st, 2, name);
        seed_bind_text(c, st, 3, display);
        seed_bind_text(c, st, 4, email);
        seed_bind_text(c, st, 5, c->opt->password_hash);
        seed_bind_text(c, st, 6, id == 1 ? "admin" : "player");
        seed_bind_int(c, st, 7, c->user_created[id]);
        seed_step(c, st, "users");
        seed_progress(c, "users", id, c->n_users);
    }
    return seed_finalize(c, st);
}

/* A random player id in [3, upto] not yet stamped with `mark` (linear probe after a few
 * misses); 0 when every candidate is taken. */
static int64_t seed_free_user(seed_ctx *c, int64_t upto, int32_t mark, int64_t skip)
{
    if (upto < 3) return 0;
    for (int tries = 0; tries < 24; tries++) {
        int64_t u = seed_range(&c->rng, 3, upto);
        if (c->stamp_user[u] != mark && u != skip) return u;
    }
    int64_t start = seed_range(&c->rng, 3, upto);
    for (int64_t k = 0; k <= upto - 3; k++) {
        int64_t u = 3 + (start - 3 + k) % (upto - 2);
        if (c->stamp_user[u] != mark && u != skip) return u;
    }
    return 0;
}

/* Team sizes follow the team games' sizes, weighted by how often they are played. */
static int seed_team_size(seed_ctx *c)
{
    static const int sizes[] = {5, 3, 2};
    static const int weights[] = {70, 18, 12};
    return sizes[seed_pick(&c->rng, weights, 3)];
}

/* A player id in [3, upto] that is in no team yet; 0 when there is none. Random tries
 * first (most players are free), then a scan. */
static int64_t seed_member_pick(seed_ctx *c, const uint8_t *in_team, int64_t upto)
{
    for (int64_t tries = 0; tries < 64 + (upto - 2); tries++) {
        int64_t u = tries < 64 ? seed_range(&c->rng, 3, upto) : 3 + (tries - 64);
        if (!in_team[u]) return u;
    }
    return 0;
}

/* Picks the captain and members of a team among the users that existed at `when`. Each
 * player belongs to at most one team: the server refuses a team whose member is already
 * registered in the tournament through another team, so shared members would make seeded
 * team tournaments impossible to reach through the API. Returns the team's created_at
 * (after its members signed up), or -1 when too few players are left. */
static int64_t seed_team_members(seed_ctx *c, uint8_t *in_team, int64_t when, int64_t members[5],
                                 int size)
{
    int64_t upto = seed_users_at(c, when);
    if (upto - 2 < 8 * size) upto = c->n_users;
    int64_t latest = 0;
    for (int k = 0; k < size; k++) {
        int64_t u = seed_member_pick(c, in_team, upto);
        if (!u && upto < c->n_users) u = seed_member_pick(c, in_team, c->n_users);
        if (!u) return -1;
        in_team[u] = 1;
        members[k] = u;
        latest = seed_max(latest, c->user_created[u]);
    }
    int64_t created = seed_max(when, latest + seed_range(&c->rng, SEED_HOUR, 3 * SEED_DAY));
    return seed_min(created, c->now - SEED_HOUR);
}

static void seed_team_names(seed_ctx *c, char *name, char *tag)
{
    int a = (int)seed_range(&c->rng, 0, SEED_COUNT(seed_team_a) - 1);
    int b = (int)seed_range(&c->rng, 0, SEED_COUNT(seed_team_b) - 1);
    int s = (int)seed_range(&c->rng, 0, SEED_COUNT(seed_team_suffix) - 1);
    snprintf(name, 64, "%s %s%s", seed_team_a[a], seed_team_b[b], seed_team_suffix[s]);
    tag[0] = seed_team_a[a][0];
    tag[1] = (char)(seed_team_b[b][0] & ~0x20);
    tag[2] = (char)(seed_team_b[b][1] & ~0x20);
    tag[3] = '\0';
    if (seed_chance(&c->rng, 30)) snprintf(tag + 3, 3, "%d", (int)seed_range(&c->rng, 1, 99));
}

static int seed_teams_rows(seed_ctx *c, sqlite3_stmt *st_teamrow, sqlite3_stmt *st_member,
                           uint8_t *in_team)
{
    char name[64], tag[8];
    int64_t members[5], member_id = 0;
    int64_t first = c->launch + 10 * SEED_DAY;
    int64_t span = c->now - SEED_DAY - first;
    for (int64_t id = 1; id <= c->n_teams && !c->failed; id++) {
        int size = seed_team_size(c);
        int64_t when = first + (id - 1) * span / c->n_teams + seed_range(&c->rng, 0, SEED_DAY);
        int64_t created = seed_team_members(c, in_team, when, members, size);
        if (created < 0)
            return seed_fail(c, "seed: too few users for %lld teams (scale too small)",
                             (long long)c->n_teams);
        seed_team_names(c, name, tag);
        c->teams[id] = (seed_team){.created = created, .captain = members[0], .size = size};
        seed_bind_int(c, st_teamrow, 1, id);
        seed_bind_text(c, st_teamrow, 2, name);
        seed_bind_text(c, st_teamrow, 3, tag);
        seed_bind_int(c, st_teamrow, 4, members[0]);
        seed_bind_int(c, st_teamrow, 5, created);
        seed_step(c, st_teamrow, "teams");
        for (int k = 0; k < size && !c->failed; k++) {
            seed_bind_int(c, st_member, 1, ++member_id);
            seed_bind_int(c, st_member, 2, id);
            seed_bind_int(c, st_member, 3, members[k]);
            seed_step(c, st_member, "team_members");
        }
        seed_progress(c, "teams", id, c->n_teams);
    }
    return c->failed ? -1 : 0;
}

/* Teams of each size ordered by creation, so "teams that existed at T" is a prefix. */
static int seed_index_teams(seed_ctx *c)
{
    for (int s = 0; s < 6; s++) {
        c->by_size[s] = calloc((size_t)c->n_teams + 1, sizeof(seed_team_ref));
        if (!c->by_size[s]) return seed_fail(c, "seed: out of memory");
        c->by_size_n[s] = 0;
    }
    for (int64_t id = 1; id <= c->n_teams; id++) {
        int s = c->teams[id].size;
        c->by_size[s][c->by_size_n[s]++] = (seed_team_ref){c->teams[id].created, id};
    }
    for (int s = 0; s < 6; s++)
        qsort(c->by_size[s], (size_t)c->by_size_n[s], sizeof(seed_team_ref), seed_cmp_team_ref);
    return 0;
}

static int seed_teams_phase(seed_ctx *c)
{
    uint8_t *in_team = calloc((size_t)c->n_users + 1, 1);
    if (!in_team) return seed_fail(c, "seed: out of memory");
    sqlite3_stmt *st_teamrow = seed_prepare(
        c, "INSERT INTO teams (id, name, tag, captain_id, created_at) VALUES (?, ?, ?, ?, ?)");
    sqlite3_stmt *st_member =
        st_teamrow
            ? seed_prepare(c, "INSERT INTO team_members (id, team_id, user_id) VALUES (?, ?, ?)")
            : NULL;
    if (st_teamrow && st_member) seed_teams_rows(c, st_teamrow, st_member, in_team);
    seed_finalize(c, st_teamrow);
    seed_finalize(c, st_member);
    free(in_team);
    if (c->failed) return -1;
    return seed_index_teams(c);
}

/* Number of teams of `size` that existed at time t. */
static int64_t seed_teams_at(const seed_ctx *c, int size, int64_t t)
{
    const seed_team_ref *v = c->by_size[size];
    int64_t lo = 0, hi = c->by_size_n[size];
    while (lo < hi) {
        int64_t mid = (lo + hi) / 2;
        if (v[mid].created <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---- bracket shapes ------------------------------------------------------------------- */

static int seed_node_add(seed_bracket *b, int bracket, int round, int position)
{
    if (b->n >= SEED_MAX_NODES) return -1;
    seed_node *x = &b->v[b->n];
    memset(x, 0, sizeof *x);
    x->p[0] = x->p[1] = -1;
    x->next = x->lnext = x->winner = -1;
    x->bracket = (uint8_t)bracket;
    x->round = (int16_t)round;
    x->position = (int16_t)position;
    return b->n++;
}

static void seed_link(seed_node *from, int to, int slot)
{
    from->next = to;
    from->slot = (uint8_t)slot;
}

static void seed_link_loser(seed_node *from, int to, int slot)
{
    from->lnext = to;
    from->lslot = (uint8_t)slot;
}

/* Standard seeding order of a bracket of size p (1 vs p, then 1/4 meets 2/3 last...):
 * order[2i], order[2i+1] are the seeds (1-based) of first-round match i. */
static void seed_bracket_order(int p, int *order)
{
    order[0] = 1;
    for (int m = 1; m < p; m *= 2) {
        for (int i = m - 1; i >= 0; i--) {
            order[2 * i] = order[i];
            order[2 * i + 1] = 2 * m + 1 - order[i];
        }
    }
}

/* Winners bracket for n participants (byes for the top seeds when n is not a power of 2).
 * base[r] receives the index of round r's first node. Returns the number of rounds. */
static int seed_build_winners(seed_bracket *b, int n, int *base)
{
    int k = seed_ceil_log2(n), p = 1 << k;
    int order[SEED_MAX_PLAYERS];
    seed_bracket_order(p, order);
    for (int r = 1; r <= k; r++) {
        base[r] = b->n;
        for (int i = 0; i < p >> r; i++) seed_node_add(b, BR_WINNERS, r, i);
    }
    for (int i = 0; i < p / 2; i++) {
        seed_node *x = &b->v[base[1] + i];
        x->p[0] = order[2 * i] - 1;
        x->p[1] = order[2 * i + 1] <= n ? order[2 * i + 1] - 1 : -1;
        x->bye = x->p[1] < 0;
    }
    for (int r = 1; r < k; r++)
        for (int i = 0; i < p >> r; i++)
            seed_link(&b->v[base[r] + i], base[r + 1] + i / 2, 1 + i % 2);
    return k;
}

static void seed_build_se(seed_bracket *b, int n, bool third)
{
    int base[9];
    int k = seed_build_winners(b, n, base);
    if (third && n >= 4 && k >= 2) {
        int tp = seed_node_add(b, BR_THIRD_PLACE, k, 0);
        seed_link_loser(&b->v[base[k - 1]], tp, 1);
        seed_link_loser(&b->v[base[k - 1] + 1], tp, 2);
    }
}

/* Size of losers-bracket round lr (1..2k-2) for a bracket of p. */
static int seed_lb_size(int p, int lr)
{
    return lr % 2 ? p >> ((lr + 1) / 2 + 1) : p >> (lr / 2 + 1);
}

/* Double elimination for n = p = 2^k >= 4 participants: winners, losers (losers of
 * winners round 1 pair up, later winners-round losers drop in against losers-bracket
 * survivors), grand final, and the reset match when `reset_played`. */
static void seed_build_de(seed_bracket *b, int n, bool reset_played)
{
    int wb[9], lb[16];
    int k = seed_build_winners(b, n, wb), p = 1 << k, last = 2 * k - 2;
    for (int lr = 1; lr <= last; lr++) {
        lb[lr] = b->n;
        for (int i = 0; i < seed_lb_size(p, lr); i++) seed_node_add(b, BR_LOSERS, lr, i);
    }
    int gf = seed_node_add(b, BR_GRAND_FINAL, 1, 0);
    if (reset_played) {
        int gf2 = seed_node_add(b, BR_GRAND_FINAL, 2, 0);
        seed_link(&b->v[gf], gf2, 1);
        seed_link_loser(&b->v[gf], gf2, 2);
    }
    seed_link(&b->v[wb[k]], gf, 1);
    for (int i = 0; i < p / 2; i++) seed_link_loser(&b->v[wb[1] + i], lb[1] + i / 2, 1 + i % 2);
    for (int r = 2; r <= k; r++)
        for (int i = 0; i < p >> r; i++) seed_link_loser(&b->v[wb[r] + i], lb[2 * (r - 1)] + i, 2);
    for (int lr = 1; lr <= last; lr++) {
        for (int i = 0; i < seed_lb_size(p, lr); i++) {
            seed_node *x = &b->v[lb[lr] + i];
            if (lr == last)
                seed_link(x, gf, 2);
            else if (lr % 2)
                seed_link(x, lb[lr + 1] + i, 1);
            else
                seed_link(x, lb[lr + 1] + i / 2, 1 + i % 2);
        }
    }
}

/* Depth = the step at which a match can be played: byes 0, otherwise one more than the
 * deepest match feeding it. Feeders always precede their targets. Returns the max. */
static int seed_depths(seed_bracket *b)
{
    int maxd = 0;
    for (int i = 0; i < b->n; i++) b->v[i].depth = 0;
    for (int i = 0; i < b->n; i++) {
        seed_node *x = &b->v[i];
        x->depth = x->bye ? 0 : (int16_t)(x->depth + 1);
        if (x->next >= 0 && b->v[x->next].depth < x->depth) b->v[x->next].depth = x->depth;
        if (x->lnext >= 0 && b->v[x->lnext].depth < x->depth) b->v[x->lnext].depth = x->depth;
        if (x->depth > maxd) maxd = x->depth;
    }
    return maxd;
}

/* Swiss rounds: the default ceil(log2 n), or one more; never more than n - 1 or 20. */
static int seed_swiss_rounds(int n, bool extra)
{
    int r = seed_ceil_log2(n) + (extra ? 1 : 0);
    if (r > n - 1) r = n - 1;
    if (r > 20) r = 20;
    return r < 1 ? 1 : r;
}

static int seed_rr_rounds(const seed_tour *t)
{
    int rounds = t->n % 2 ? t->n : t->n - 1;
    return t->opt ? 2 * rounds : rounds;
}

/* Builds the elimination bracket of t (structure only) into b. */
static void seed_build_elim(seed_bracket *b, const seed_tour *t)
{
    b->n = 0;
    if (t->format == FM_DE)
        seed_build_de(b, t->n, t->gf2);
    else
        seed_build_se(b, t->n, t->opt);
    seed_depths(b);
}

/* Fills t's match count (m), completed matches (cm), current_round and the deepest step
 * a live cut may sit at (maxd), from its format, size, options and cut depth d. */
static void seed_shape(seed_ctx *c, seed_tour *t)
{
    bool live = t->status == ST_LIVE;
    if (t->format == FM_SW || t->format == FM_RR) {
        int per = t->format == FM_SW ? (t->n + 1) / 2 : t->n / 2;
        int rounds = t->format == FM_SW ? t->rounds : seed_rr_rounds(t);
        t->maxd = rounds;
        if (t->d > rounds) t->d = rounds;
        int played = live ? t->d : rounds;
        t->m = played * per;
        t->cm = live ? (t->d - 1) * per + t->n % 2 : t->m;
        t->cur_round = played;
        return;
    }
    int k = seed_ceil_log2(t->n);
    if (t->format == FM_DE) {
        t->maxd = 2 * k + (t->opt ? 1 : 0);
        if (live) {
            if (t->d > t->maxd) t->d = t->maxd;
            t->gf2 = t->opt && t->d == 2 * k + 1;
        }
    }
    seed_bracket b = {c->nodes, 0};
    seed_build_elim(&b, t);
    int deepest = 0;
    for (int i = 0; i < b.n; i++) deepest = b.v[i].depth > deepest ? b.v[i].depth : deepest;
    if (t->format == FM_SE) t->maxd = deepest;
    if (live && t->d > t->maxd) t->d = t->maxd;
    t->m = b.n;
    t->cm = 0;
    t->cur_round = 0;
    for (int i = 0; i < b.n; i++) {
        const seed_node *x = &b.v[i];
        bool done = !live || x->depth < t->d;
        t->cm += done;
        if (live ? x->depth == t->d : true)
            t->cur_round = x->round > t->cur_round ? x->round : t->cur_round;
    }
}

/* ---- tournament plan ------------------------------------------------------------------ */

/* Format mix by status: live ones never round robin (all its rounds exist from the
 * start, so it has no single current round). */
static const int seed_fmt_live[] = {60, 25, 0, 15};
static const int seed_fmt_completed[] = {55, 20, 10, 15};
static const int seed_fmt_other[] = {45, 20, 15, 20};

static const int *seed_fmt_weights(const seed_tour *t)
{
    return t->status == ST_LIVE        ? seed_fmt_live
           : t->status == ST_COMPLETED ? seed_fmt_completed
                                       : seed_fmt_other;
}

/* The options of t's format, its series length and the time one round takes. */
static void seed_plan_options(seed_ctx *c, seed_tour *t)
{
    static const int bo_elim[] = {30, 55, 15};
    static const int bo_league[] = {35, 35, 30};
    seed_rng *r = &c->rng;
    if (t->format == FM_RR) t->max = seed_chance(r, 55) ? 8 : 16;
    t->opt = t->format == FM_SE   ? seed_chance(r, 35)
             : t->format == FM_DE ? seed_chance(r, 70)
             : t->format == FM_RR ? t->max == 8 && seed_chance(r, 30)
                                  : 0;
    t->extra = seed_chance(r, 25);
    t->gf2 = t->format == FM_DE && t->opt && seed_chance(r, 35);
    if (t->format == FM_SE || t->format == FM_DE)
        t->bo = (uint8_t)(1 + 2 * seed_pick(r, bo_elim, 3)); /* 1, 3, 5 */
    else
        t->bo = (uint8_t)(1 + seed_pick(r, bo_league, 3)); /* 1, 2 (draws), 3 */
    t->gap = (t->bo == 1 ? 60 : t->bo == 2 ? 90 : t->bo == 3 ? 120 : 180) * SEED_MIN;
}

/* Format and size: live ones run big brackets, completed ones smaller, which is what
 * splits the matches half completed, half still to play. */
static void seed_plan_format(seed_ctx *c, seed_tour *t)
{
    static const int size_completed[] = {34, 34, 22, 8, 2};
    static const int size_live[] = {3, 7, 20, 35, 35};
    static const int size_other[] = {2, 5, 13, 30, 50};
    seed_rng *r = &c->rng;
    t->format = (uint8_t)seed_pick(r, seed_fmt_weights(t), 4);
    t->max = seed_pick_size(r, t->status == ST_LIVE        ? size_live
                               : t->status == ST_COMPLETED ? size_completed
                                                           : size_other);
    seed_plan_options(c, t);
}

/* Dates that agree with the status relative to now. Live start depends on its current
 * round and is set once the bracket is planned (seed_plan_live_dates). */
static void seed_plan_dates(seed_ctx *c, seed_tour *t)
{
    seed_rng *r = &c->rng;
    int64_t now = c->now;
    t->close_off = seed_range(r, 2 * SEED_HOUR, 2 * SEED_DAY);
    t->open_len = seed_range(r, 4 * SEED_DAY, 30 * SEED_DAY);
    t->created_off = seed_range(r, SEED_DAY, 14 * SEED_DAY);
    switch (t->status) {
    case ST_COMPLETED: {
        double u = seed_unit(r);
        t->start = now - 5 * SEED_DAY - (int64_t)(535.0 * SEED_DAY * u * u);
        break;
    }
    case ST_CANCELLED:
        t->start = now - seed_range(r, SEED_DAY, 300 * SEED_DAY);
        break;
    case ST_LIVE:
        t->start = now - 3 * SEED_DAY;
        break; /* a bound; see seed_plan_live_dates */
    case ST_CLOSED:
        t->start = now + seed_range(r, 2 * SEED_HOUR, 3 * SEED_DAY);
        t->close_off = t->start - (now - seed_range(r, SEED_HOUR, 3 * SEED_DAY));
        break;
    case ST_OPEN:
        t->start = now + seed_range(r, 2 * SEED_DAY, 60 * SEED_DAY);
        t->close_off = seed_range(r, SEED_HOUR, t->start - now - SEED_HOUR);
        t->open_len = t->start - t->close_off - (now - seed_range(r, SEED_DAY, 20 * SEED_DAY));
        break;
    default: /* draft, published: registration opens in the future */
        t->start = now + seed_range(r, 5 * SEED_DAY, 60 * SEED_DAY);
        t->close_off = seed_range(r, 2 * SEED_HOUR, 3 * SEED_DAY);
        int64_t room = t->start - t->close_off - now - SEED_DAY; /* opens >= now + 1 day */
        t->open_len = seed_range(r, seed_min(3 * SEED_DAY, room), room);
        break;
    }
    t->closes = t->start - t->close_off;
    t->opens = t->closes - t->open_len;
    t->created = t->opens - t->created_off;
    if (t->status == ST_DRAFT || t->status == ST_PUBLISHED)
        t->created = now - seed_range(r, SEED_HOUR, 40 * SEED_DAY);
    if (t->nowin) t->created = now - seed_range(r, SEED_DAY, 20 * SEED_DAY);
    t->pool_time = t->nowin ? t->created : t->opens;
    if (t->status == ST_CANCELLED)
        t->cancel_at =
            t->opens + (int64_t)((double)(t->start - t->opens) * (0.3 + 0.65 * seed_unit(r)));
}

/* How many distinct users (or teams of the game's size) may register: those that existed
 * when registration opened, minus the organizer. */
static void seed_plan_pool(seed_ctx *c, seed_tour *t)
{
    int ts = seed_games[t->game].team_size;
    if (t->team) {
        int64_t teams = seed_teams_at(c, ts, t->pool_time);
        if (teams >= 4) {
            t->pool = (int32_t)seed_min(teams - 1, SEED_MAX_REGS / 2);
            return;
        }
        t->team = 0;
    }
    int64_t users = seed_users_at(c, t->pool_time);
    t->pool = (int32_t)seed_min(seed_max(users - 3, 0), SEED_MAX_REGS / 2);
}

/* Plans tournament `index`: the first ST__N get one status each (so every status exists
 * at any scale), the rest are drawn by weight. */
static void seed_plan_attrs(seed_ctx *c, seed_tour *t, int64_t index)
{
    int game_w[SEED_N_GAMES];
    seed_rng *r = &c->rng;
    for (int i = 0; i < SEED_N_GAMES; i++) game_w[i] = seed_games[i].weight;
    memset(t, 0, sizeof *t);
    t->status = (uint8_t)seed_pick(r, seed_status_w, ST__N);
    if (index < ST__N) t->status = (uint8_t)index;
    t->game = (uint8_t)seed_pick(r, game_w, SEED_N_GAMES);
    t->team = seed_games[t->game].team_size > 1 && seed_chance(r, 85);
    seed_plan_format(c, t);
    t->checkin = seed_chance(r, 35);
    t->paid = seed_chance(r, 45);
    t->fee = seed_fees[seed_range(r, 0, SEED_COUNT(seed_fees) - 1)];
    t->eur = seed_chance(r, 25);
    t->deleted = seed_range(r, 0, 999) < 10 && index >= ST__N;
    t->nowin = t->status == ST_OPEN && seed_chance(r, 20);
    t->full = t->status == ST_OPEN && seed_chance(r, 15);
    int64_t pool_org = seed_max(1, seed_min(c->n_users - 2, c->n_users / 40));
    t->organizer = c->n_users < 3 || seed_chance(r, 30) ? seed_min(2, c->n_users)
                                                        : seed_range(r, 3, 2 + pool_org);
    t->name_a = seed_range32(r, 0, SEED_COUNT(seed_tour_adj) - 1);
    t->name_b = seed_range32(r, 0, SEED_COUNT(seed_tour_kind) - 1);
    t->name_n = seed_chance(r, 50) ? seed_range32(r, 1, 40) : 0;
    seed_plan_dates(c, t);
    seed_plan_pool(c, t);
}

/* Participants n of a live or completed tournament (and the bracket cut d of a live one),
 * within capacity and the pool. Returns false when too few could register to play. */
static bool seed_plan_size(seed_ctx *c, seed_tour *t, int max)
{
    seed_rng *r = &c->rng;
    int cap = t->pool < max ? t->pool : max;
    if (cap < 2) return false;
    if (t->format == FM_DE) {
        while (max > cap && max > 8) max /= 2;
        if (max > cap) return false;
        t->n = max;
    } else {
        double u = seed_unit(r);
        int n = max - (int)((double)(max / 2 - 1) * u * u); /* mostly full */
        t->n = n < cap ? n : cap;
        if (t->n < 2) return false;
    }
    t->max = max;
    t->rounds = t->format == FM_SW ? seed_swiss_rounds(t->n, t->extra) : 0;
    if (t->status == ST_LIVE) t->d = 1 + (int)(seed_unit(r) * seed_unit(r) * 8.0);
    seed_shape(c, t);
    return true;
}

static void seed_plan_brackets_init(seed_ctx *c, int64_t *lc, int64_t *n_lc, int64_t tot[2])
{
    *n_lc = 0;
    tot[0] = tot[1] = 0;
    for (int64_t i = 0; i < c->n_tours; i++) {
        seed_tour *t = &c->tours[i];
        if (t->status != ST_LIVE && t->status != ST_COMPLETED) continue;
        if (!seed_plan_size(c, t, t->max)) {
            t->status = ST_CANCELLED; /* nobody to play: it was called off */
            t->start = c->now - seed_range(&c->rng, SEED_DAY, 30 * SEED_DAY);
            t->closes = t->start - t->close_off;
            t->opens = t->closes - t->open_len;
            t->created = t->opens - t->created_off;
            t->cancel_at = t->opens + (t->start - t->opens) / 2;
            continue;
        }
        lc[(*n_lc)++] = i;
        tot[0] += t->m;
        tot[1] += t->cm;
    }
}

static int64_t seed_abs(int64_t x)
{
    return x < 0 ? -x : x;
}

/* One random change to a live or completed tournament for the balancing below: its live
 * cut, its size, or (less often) its format or its team/solo type. False if impossible. */
static bool seed_plan_move(seed_ctx *c, seed_tour *t)
{
    seed_rng *r = &c->rng;
    int kind = (int)seed_range(r, 0, 9);
    if (t->status == ST_LIVE && kind < 4) {
        t->d = seed_range32(r, 1, t->maxd);
        seed_shape(c, t);
        return true;
    }
    if (kind >= 8) {
        t->format = (uint8_t)seed_pick(r, seed_fmt_weights(t), 4);
        if (seed_games[t->game].team_size > 1 && seed_chance(r, 50)) {
            t->team = !t->team;
            seed_plan_pool(c, t);
        }
        seed_plan_options(c, t);
        return seed_plan_size(c, t, t->max);
    }
    int max = t->format == FM_RR ? (seed_chance(r, 50) ? 8 : 16) : seed_sizes[seed_range(r, 0, 4)];
    return seed_plan_size(c, t, max);
}

/* Nudges sizes and live cuts until the match total and the completed total are within
 * ~0.3% of their targets (random proposals, kept only when they bring both closer). */
static void seed_plan_brackets(seed_ctx *c, int64_t *lc)
{
    int64_t n_lc, tot[2];
    seed_plan_brackets_init(c, lc, &n_lc, tot);
    if (n_lc == 0) return;
    int64_t want_m = c->n_matches, want_c = c->n_matches / 2;
    int64_t tol = seed_max(2, c->n_matches / 300);
    int64_t f = seed_abs(tot[0] - want_m) + seed_abs(tot[1] - want_c);
    for (int64_t it = 0; it < 200 * n_lc + 2000 && f > tol; it++) {
        seed_tour *t = &c->tours[lc[seed_range(&c->rng, 0, n_lc - 1)]];
        seed_tour keep = *t;
        if (!seed_plan_move(c, t)) {
            *t = keep;
            continue;
        }
        int64_t m = tot[0] - keep.m + t->m, cm = tot[1] - keep.cm + t->cm;
        int64_t f2 = seed_abs(m - want_m) + seed_abs(cm - want_c);
        if (f2 < f) {
            f = f2;
            tot[0] = m;
            tot[1] = cm;
        } else {
            *t = keep;
        }
    }
}

/* Live: started (d-1) steps ago plus part of the current one; registration closed before. */
static void seed_plan_live_dates(seed_ctx *c, seed_tour *t)
{
    int64_t into = seed_range(&c->rng, 15 * SEED_MIN, t->gap - 5 * SEED_MIN);
    t->start = c->now - (int64_t)(t->d - 1) * t->gap - into;
    t->closes = t->start - t->close_off;
    t->opens = t->closes - t->open_len;
    t->created = t->opens - t->created_off;
}

/* updated_at: the last thing that happened to the tournament; version: 1 + its changes. */
static void seed_plan_updated(seed_ctx *c, seed_tour *t)
{
    seed_rng *r = &c->rng;
    switch (t->status) {
    case ST_COMPLETED:
        t->updated = t->start + (int64_t)t->maxd * t->gap;
        break;
    case ST_LIVE:
        t->updated = seed_range(r, t->start + (int64_t)(t->d - 1) * t->gap, c->now);
        break;
    case ST_CANCELLED:
        t->updated = t->cancel_at;
        break;
    case ST_CLOSED:
        t->updated = seed_range(r, t->closes, c->now);
        break;
    case ST_OPEN:
        t->updated = seed_range(r, t->nowin ? t->created : t->opens, c->now);
        break;
    default:
        t->updated = seed_range(r, t->created, c->now);
        break;
    }
    int steps = t->status == ST_CANCELLED ? (int)seed_range(r, 1, 3) : t->status;
    t->version = (uint8_t)(1 + steps + seed_range(r, 0, 3));
}

/* Active (a) and cancelled (x) registrations before the totals are balanced. */
static void seed_plan_reg_counts(seed_ctx *c, seed_tour *t)
{
    seed_rng *r = &c->rng;
    int cap = t->pool < t->max ? t->pool : t->max;
    t->a = t->x = 0;
    switch (t->status) {
    case ST_LIVE:
    case ST_COMPLETED: {
        int noshow = t->checkin ? seed_range32(r, 0, 1 + t->n / 10) : 0;
        if (t->n + noshow > cap) noshow = cap - t->n;
        t->a = t->n + noshow;
        break;
    }
    case ST_OPEN:
        t->a = t->full && t->pool >= t->max ? t->max
                                            : (int32_t)((double)cap * (0.25 + 0.7 * seed_unit(r)));
        t->full = t->a == t->max;
        break;
    case ST_CLOSED:
        t->a = (int32_t)((double)cap * (0.5 + 0.5 * seed_unit(r)));
        break;
    case ST_CANCELLED:
        t->a = (int32_t)((double)cap * (0.1 + 0.6 * seed_unit(r)));
        break;
    default:
        return; /* draft, published: registration has not opened */
    }
    t->x = (int32_t)((double)t->a * 0.18 * seed_unit(r));
    if (t->a + t->x > t->pool) t->x = t->pool - t->a;
}

static bool seed_flexible(const seed_tour *t)
{
    return (t->status == ST_OPEN && !t->full) || t->status == ST_CLOSED ||
           t->status == ST_CANCELLED;
}

/* One step of balancing the registration total: +1 or -1 registration somewhere it is
 * allowed (active counts only where they decide nothing else). */
static int seed_reg_nudge(seed_tour *t, int dir, bool relaxed)
{
    bool regs_open = t->status >= ST_OPEN;
    int cap = t->pool < t->max ? t->pool : t->max;
    if (dir > 0) {
        /* never to exactly full: only the planned share of open tournaments is full */
        if (seed_flexible(t) && t->a + 1 < cap && t->a + t->x < t->pool) {
            t->a++;
            return 1;
        }
        if (regs_open && t->a + t->x < t->pool && (relaxed || t->x < 2 + t->a / 4)) {
            t->x++;
            return 1;
        }
        return 0;
    }
    if (seed_flexible(t) && t->a > 0 && (t->status != ST_CLOSED || t->a > 2)) {
        t->a--;
        return 1;
    }
    if (t->x > 0) {
        t->x--;
        return 1;
    }
    return 0;
}

static void seed_plan_regs(seed_ctx *c)
{
    int64_t total = 0;
    for (int64_t i = 0; i < c->n_tours; i++) {
        seed_plan_reg_counts(c, &c->tours[i]);
        total += c->tours[i].a + c->tours[i].x;
    }
    int64_t diff = c->n_regs - total;
    int64_t limit = 40 * seed_abs(diff) + 20 * c->n_tours + 1000;
    for (int64_t it = 0; it < 2 * limit && diff != 0 && c->n_tours > 0; it++) {
        seed_tour *t = &c->tours[seed_range(&c->rng, 0, c->n_tours - 1)];
        int dir = diff > 0 ? 1 : -1;
        diff -= dir * seed_reg_nudge(t, dir, it >= limit);
    }
    for (int64_t i = 0; i < c->n_tours; i++) {
        seed_tour *t = &c->tours[i];
        if (t->status == ST_OPEN) t->full = t->a == t->max;
    }
}

/* Which tournaments charge a fee: about 45%, then balanced so that one payment per active
 * paid registration is ~85% of the payment target (the rest are rejected attempts). */
static void seed_plan_paid(seed_ctx *c)
{
    int64_t base = 0, want = c->n_pays * 85 / 100;
    for (int64_t i = 0; i < c->n_tours; i++)
        if (c->tours[i].paid) base += c->tours[i].a;
    int64_t limit = 20 * c->n_tours + 1000;
    for (int64_t it = 0; it < limit && seed_abs(base - want) > c->n_pays / 20; it++) {
        seed_tour *t = &c->tours[seed_range(&c->rng, 0, c->n_tours - 1)];
        if (t->a == 0) continue;
        int64_t next = t->paid ? base - t->a : base + t->a;
        if (seed_abs(next - want) >= seed_abs(base - want)) continue;
        t->paid = !t->paid;
        base = next;
    }
    int64_t cancelled = 0;
    for (int64_t i = 0; i < c->n_tours; i++)
        if (c->tours[i].paid) cancelled += c->tours[i].x;
    int64_t rem = seed_max(0, c->n_pays - base);
    c->pay_extra_pool = base;
    c->pay_cancel_pool = cancelled;
    c->pay_cancel_quota = seed_min(cancelled, rem * 2 / 5);
    c->pay_extra_quota = seed_min(base, rem - c->pay_cancel_quota);
    c->pay_cancel_quota = seed_min(cancelled, rem - c->pay_extra_quota);
}

/* Splits the active registrations into pending / confirmed / checked_in by status, fee and
 * check-in: pending only while a payment awaits verification, checked_in only with
 * check-in from registration_closed on. */
static void seed_plan_breakdown(seed_ctx *c, seed_tour *t)
{
    seed_rng *r = &c->rng;
    double pending = 0.0;
    t->np = t->nc = t->nk = 0;
    if (t->paid && t->status == ST_OPEN) pending = 0.15 + 0.2 * seed_unit(r);
    if (t->paid && t->status == ST_CLOSED) pending = 0.05 + 0.1 * seed_unit(r);
    if (t->paid && t->status == ST_CANCELLED) pending = 0.1 + 0.2 * seed_unit(r);
    t->np = (int32_t)((double)t->a * pending);
    int32_t rest = t->a - t->np;
    if ((t->status == ST_LIVE || t->status == ST_COMPLETED) && t->checkin)
        t->nk = t->n;
    else if (t->status == ST_CLOSED && t->checkin)
        t->nk = (int32_t)((double)rest * (0.3 + 0.5 * seed_unit(r)));
    t->nc = rest - t->nk;
    if (!t->paid) t->fee = 0;
}

static int seed_plan(seed_ctx *c)
{
    int64_t *lc = malloc(sizeof(int64_t) * (size_t)(c->n_tours + 1));
    if (!lc) return seed_fail(c, "seed: out of memory");
    for (int64_t i = 0; i < c->n_tours; i++) seed_plan_attrs(c, &c->tours[i], i);
    seed_plan_brackets(c, lc);
    free(lc);
    for (int64_t i = 0; i < c->n_tours; i++)
        if (c->tours[i].status == ST_LIVE) seed_plan_live_dates(c, &c->tours[i]);
    seed_plan_regs(c);
    seed_plan_paid(c);
    int64_t reg = 0, play = 0;
    for (int64_t i = 0; i < c->n_tours; i++) {
        seed_tour *t = &c->tours[i];
        seed_plan_breakdown(c, t);
        seed_plan_updated(c, t);
        t->reg_first = reg;
        reg += t->a + t->x;
        t->play_off = play;
        if (t->status == ST_LIVE || t->status == ST_COMPLETED) play += t->n;
    }
    c->regs_n = reg;
    c->play_n = play;
    c->regs = calloc((size_t)reg + 1, sizeof(seed_reg));
    c->play = calloc((size_t)play + 1, sizeof(int64_t));
    if (!c->regs || !c->play) return seed_fail(c, "seed: out of memory");
    return 0;
}

/* ---- tournaments ---------------------------------------------------------------------- */

static void seed_tour_name(const seed_tour *t, int64_t id, char *name, char *slug)
{
    const char *label = seed_games[t->game].label;
    if (t->name_n > 0)
        snprintf(name, 160, "%s %s %s #%d", label, seed_tour_adj[t->name_a],
                 seed_tour_kind[t->name_b], t->name_n);
    else
        snprintf(name, 160, "%s %s %s", label, seed_tour_adj[t->name_a], seed_tour_kind[t->name_b]);
    char base[80], suffix[24];
    seed_slugify(name, base, sizeof base);
    int n = snprintf(suffix, sizeof suffix, "-%lld", (long long)id);
    size_t keep = strlen(base);
    if (keep + (size_t)n > 64) keep = 64 - (size_t)n;
    while (keep > 0 && base[keep - 1] == '-') keep--;
    memcpy(slug, base, keep);
    memcpy(slug + keep, suffix, (size_t)n + 1);
}

static void seed_tour_description(const seed_tour *t, const char *name, char *out, size_t cap)
{
    int ts = seed_games[t->game].team_size;
    char kind[32], fee[96];
    if (t->team)
        snprintf(kind, sizeof kind, "%dv%d team", ts, ts);
    else
        snprintf(kind, sizeof kind, "%s", ts > 1 ? "solo-queue" : "1v1");
    if (t->fee > 0)
        snprintf(fee, sizeof fee, "Entry fee %lld.%02lld %s per %s, verified by the organizer.",
                 (long long)(t->fee / 100), (long long)(t->fee % 100), t->eur ? "EUR" : "USD",
                 t->team ? "team" : "player");
    else
        snprintf(fee, sizeof fee, "Free entry.");
    snprintf(out, cap,
             "%s is a %s %s tournament for %s. Up to %d %s, best-of-%d series. %s%s "
             "Be on time, respect your opponents and have fun!",
             name, seed_format_human[t->format], kind, seed_games[t->game].name, t->max,
             t->team ? "teams" : "players", t->bo, fee,
             t->checkin ? " Check-in is required and opens one hour before the start." : "");
}

static void seed_tour_options(const seed_tour *t, char *out, size_t cap)
{
    switch (t->format) {
    case FM_SE:
        snprintf(out, cap, "{\"third_place_match\":%s}", t->opt ? "true" : "false");
        break;
    case FM_DE:
        snprintf(out, cap, "{\"grand_final\":\"%s\"}", t->opt ? "reset" : "single");
        break;
    case FM_RR:
        snprintf(out, cap, "{\"double\":%s}", t->opt ? "true" : "false");
        break;
    default: {
        /* before the start the default is shown for a full bracket */
        bool started = t->status == ST_LIVE || t->status == ST_COMPLETED;
        int rounds = started ? t->rounds : seed_swiss_rounds(t->max, t->extra);
        snprintf(out, cap, "{\"rounds\":%d}", rounds);
        break;
    }
    }
}

static int seed_tour_row(seed_ctx *c, sqlite3_stmt *st, const seed_tour *t, int64_t id)
{
    char name[160], slug[72], desc[600], opts[64];
    bool window = !t->nowin;
    seed_tour_name(t, id, name, slug);
    seed_tour_description(t, name, desc, sizeof desc);
    seed_tour_options(t, opts, sizeof opts);
    seed_bind_int(c, st, 1, id);
    seed_bind_text(c, st, 2, slug);
    seed_bind_text(c, st, 3, name);
    seed_bind_text(c, st, 4, desc);
    seed_bind_int(c, st, 5, t->game + 1);
    seed_bind_int(c, st, 6, t->organizer);
    seed_bind_text(c, st, 7, seed_status_names[t->status]);
    seed_bind_text(c, st, 8, seed_format_names[t->format]);
    seed_bind_text(c, st, 9, opts);
    seed_bind_text(c, st, 10, t->team ? "team" : "solo");
    seed_bind_int(c, st, 11, t->max);
    seed_bind_int(c, st, 12, t->fee);
    seed_bind_text(c, st, 13, t->fee > 0 && t->eur ? "EUR" : "USD");
    seed_bind_int(c, st, 14, t->checkin);
    seed_bind_opt(c, st, 15, t->opens, window);
    seed_bind_opt(c, st, 16, t->closes, window);
    seed_bind_int(c, st, 17, t->start);
    seed_bind_int(c, st, 18, t->cur_round);
    seed_bind_int(c, st, 19, t->np);
    seed_bind_int(c, st, 20, t->nc);
    seed_bind_int(c, st, 21, t->nk);
    seed_bind_int(c, st, 22, t->x);
    seed_bind_int(c, st, 23, t->deleted);
    seed_bind_int(c, st, 24, t->version);
    seed_bind_int(c, st, 25, t->created);
    seed_bind_int(c, st, 26, t->updated);
    return seed_step(c, st, "tournaments");
}

static int seed_tournaments_phase(seed_ctx *c)
{
    sqlite3_stmt *st = seed_prepare(
        c, "INSERT INTO tournaments (id, slug, name, description, game_id, organizer_id, status, "
           "format, format_options, participant_type, max_participants, entry_fee_cents, "
           "currency, check_in_required, registration_opens_at, registration_closes_at, "
           "start_at, current_round, n_pending, n_confirmed, n_checked_in, n_cancelled, "
           "is_deleted, version, created_at, updated_at) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return -1;
    for (int64_t i = 0; i < c->n_tours && !c->failed; i++) {
        seed_tour_row(c, st, &c->tours[i], i + 1);
        seed_progress(c, "tournaments", i + 1, c->n_tours);
    }
    return seed_finalize(c, st);
}

/* ---- registrations -------------------------------------------------------------------- */

/* Registration window actually used: [*ws, *we], all in the past. */
static void seed_reg_window(const seed_ctx *c, const seed_tour *t, int64_t *ws, int64_t *we)
{
    *ws = t->nowin ? t->created : t->opens;
    *we = t->closes;
    if (t->status == ST_OPEN) *we = c->now - SEED_MIN;
    if (t->status == ST_CANCELLED) *we = seed_min(t->closes, t->cancel_at);
}

static void seed_shuffle_u8(seed_rng *r, uint8_t *v, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)seed_range(r, 0, i);
        uint8_t tmp = v[i];
        v[i] = v[j];
        v[j] = tmp;
    }
}

static void seed_shuffle_i32(seed_rng *r, int32_t *v, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)seed_range(r, 0, i);
        int32_t tmp = v[i];
        v[i] = v[j];
        v[j] = tmp;
    }
}

/* A team of the game's size that existed when registration opened, not yet registered in
 * this tournament and not captained by its organizer; 0 when none is left. */
static int64_t seed_free_team(seed_ctx *c, const seed_tour *t, int32_t mark)
{
    int size = seed_games[t->game].team_size;
    int64_t cnt = seed_teams_at(c, size, t->pool_time);
    const seed_team_ref *v = c->by_size[size];
    if (cnt <= 0) return 0;
    int64_t start = seed_range(&c->rng, 0, cnt - 1);
    for (int64_t k = 0; k < cnt + 24; k++) {
        int64_t id = k < 24 ? v[seed_range(&c->rng, 0, cnt - 1)].id : v[(start + k) % cnt].id;
        if (c->stamp_team[id] != mark && c->teams[id].captain != t->organizer) return id;
    }
    return 0;
}

static int64_t seed_checkin_time(seed_ctx *c, const seed_tour *t, int64_t created)
{
    if (t->status == ST_CLOSED) return seed_range(&c->rng, seed_max(created, t->closes), c->now);
    return seed_range(&c->rng, seed_max(created, t->start - SEED_HOUR), t->start - SEED_MIN);
}

/* The next entrant of a tournament: a user, or a team (then *team) and its captain. */
static int64_t seed_entrant(seed_ctx *c, const seed_tour *t, int32_t mark, int64_t *team)
{
    if (t->team) {
        *team = seed_free_team(c, t, mark);
        c->stamp_team[*team] = mark;
        return *team ? c->teams[*team].captain : 0;
    }
    int64_t user = seed_free_user(c, seed_users_at(c, t->pool_time), mark, t->organizer);
    c->stamp_user[user] = mark;
    return user;
}

/* Writes the registrations of tournament i: times within the window, statuses shuffled,
 * distinct users (or teams, registered by their captain), seeds for the bracket. */
static int seed_regs_of(seed_ctx *c, sqlite3_stmt *st, int64_t i, int64_t *times, uint8_t *status,
                        int32_t *seeds)
{
    seed_tour *t = &c->tours[i];
    int n = t->a + t->x, mark = (int32_t)(i + 1), play = 0;
    bool started = t->status == ST_LIVE || t->status == ST_COMPLETED;
    uint8_t play_status = t->checkin ? RS_CHECKED_IN : RS_CONFIRMED;
    int64_t ws, we;
    seed_reg_window(c, t, &ws, &we);
    for (int k = 0; k < n; k++) times[k] = seed_range(&c->rng, ws, we);
    qsort(times, (size_t)n, sizeof *times, seed_cmp_i64);
    for (int k = 0; k < n; k++)
        status[k] = k < t->np                   ? RS_PENDING
                    : k < t->np + t->nc         ? RS_CONFIRMED
                    : k < t->np + t->nc + t->nk ? RS_CHECKED_IN
                                                : RS_CANCELLED;
    seed_shuffle_u8(&c->rng, status, n);
    for (int k = 0; k < (started ? t->n : 0); k++) seeds[k] = k + 1;
    if (started) seed_shuffle_i32(&c->rng, seeds, t->n);
    for (int k = 0; k < n && !c->failed; k++) {
        int64_t id = t->reg_first + k + 1, team = 0;
        int64_t user = seed_entrant(c, t, mark, &team);
        if (!user)
            return seed_fail(c, "seed: internal: tournament %lld ran out of entrants",
                             (long long)(i + 1));
        bool playing = started && status[k] == play_status;
        int32_t seed = playing ? seeds[play++] : 0;
        if (playing) c->play[t->play_off + seed - 1] = id;
        seed_bind_int(c, st, 1, id);
        seed_bind_int(c, st, 2, i + 1);
        seed_bind_int(c, st, 3, user);
        seed_bind_opt(c, st, 4, team, team > 0);
        seed_bind_text(c, st, 5, seed_reg_status_names[status[k]]);
        seed_bind_opt(c, st, 6, seed, playing);
        seed_bind_int(c, st, 7, times[k]);
        seed_bind_opt(c, st, 8, status[k] == RS_CHECKED_IN ? seed_checkin_time(c, t, times[k]) : 0,
                      status[k] == RS_CHECKED_IN);
        seed_step(c, st, "registrations");
        c->regs[id - 1] = (seed_reg){.created = times[k], .tour = (int32_t)i, .status = status[k]};
        seed_progress(c, "registrations", id, c->regs_n);
    }
    if (!c->failed && play != (started ? t->n : 0))
        return seed_fail(c, "seed: internal: tournament %lld seeded %d of %d", (long long)(i + 1),
                         play, t->n);
    return c->failed ? -1 : 0;
}

static int seed_registrations_phase(seed_ctx *c)
{
    int64_t *times = malloc(sizeof(int64_t) * SEED_MAX_REGS);
    uint8_t *status = malloc(SEED_MAX_REGS);
    int32_t *seeds = malloc(sizeof(int32_t) * SEED_MAX_REGS);
    sqlite3_stmt *st = NULL;
    if (!times || !status || !seeds) {
        seed_fail(c, "seed: out of memory");
    } else {
        st = seed_prepare(c, "INSERT INTO registrations (id, tournament_id, user_id, team_id, "
                             "status, seed, created_at, checked_in_at) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    }
    seed_progress(c, "registrations", 0, c->regs_n);
    for (int64_t i = 0; st && i < c->n_tours && !c->failed; i++)
        if (c->tours[i].a + c->tours[i].x > 0) seed_regs_of(c, st, i, times, status, seeds);
    seed_finalize(c, st);
    free(times);
    free(status);
    free(seeds);
    return c->failed ? -1 : 0;
}

/* ---- payments ------------------------------------------------------------------------- */

typedef struct seed_payment {
    int64_t registration, amount, verified_by, verified_at, created;
    int status; /* 0 pending, 1 verified, 2 rejected */
} seed_payment;

static int seed_payment_row(seed_ctx *c, sqlite3_stmt *st, int64_t *next_id, const seed_payment *p)
{
    static const char *const names[] = {"pending", "verified", "rejected"};
    int64_t id = ++*next_id;
    char ref[32];
    snprintf(ref, sizeof ref, "PAY-%06lld", (long long)id);
    int method = seed_pick(&c->rng, seed_pay_method_w, SEED_COUNT(seed_pay_methods));
    const char *reason =
        p->status == 2
            ? seed_reject_reasons[seed_range(&c->rng, 0, SEED_COUNT(seed_reject_reasons) - 1)]
            : NULL;
    seed_bind_int(c, st, 1, id);
    seed_bind_int(c, st, 2, p->registration);
    seed_bind_int(c, st, 3, p->amount);
    seed_bind_text(c, st, 4, seed_pay_methods[method]);
    seed_bind_text(c, st, 5, ref);
    seed_bind_text(c, st, 6, names[p->status]);
    seed_bind_text(c, st, 7, reason);
    seed_bind_opt(c, st, 8, p->verified_by, p->status != 0);
    seed_bind_opt(c, st, 9, p->verified_at, p->status != 0);
    seed_bind_int(c, st, 10, p->created);
    seed_bind_int(c, st, 11, c->regs[p->registration - 1].tour + 1); /* its registration's */
    return seed_step(c, st, "payments");
}

/* Selection sampling: picks exactly *quota of the *pool candidates seen in order. */
static bool seed_select(seed_rng *r, int64_t *pool, int64_t *quota)
{
    bool take = *pool > 0 && seed_range(r, 0, *pool - 1) < *quota;
    if (*pool > 0) --*pool;
    if (take) --*quota;
    return take;
}

/* The payments of one registration of a paid tournament: a verified one when it is
 * confirmed or checked in, a pending one when pending, preceded by a rejected attempt for
 * some; cancelled ones sometimes left a rejected payment behind. */
static int seed_payments_of(seed_ctx *c, sqlite3_stmt *st, int64_t *next_id, int64_t reg_id)
{
    const seed_reg *g = &c->regs[reg_id - 1];
    const seed_tour *t = &c->tours[g->tour];
    seed_rng *r = &c->rng;
    int64_t ws, lim;
    seed_reg_window(c, t, &ws, &lim);
    int64_t at = g->created;
    seed_payment p = {.registration = reg_id, .amount = t->fee, .verified_by = t->organizer};
    if (g->status == RS_CANCELLED) {
        if (!seed_select(r, &c->pay_cancel_pool, &c->pay_cancel_quota)) return 0;
        p.status = 2;
        p.created = seed_range(r, at, at + (lim - at) / 2);
        p.verified_at = seed_range(r, p.created, lim);
        return seed_payment_row(c, st, next_id, &p);
    }
    if (seed_select(r, &c->pay_extra_pool, &c->pay_extra_quota)) {
        int64_t mid = at + (lim - at) / 2;
        p.status = 2;
        p.created = seed_range(r, at, at + (mid - at) / 2);
        p.verified_at = seed_range(r, p.created, mid);
        if (seed_payment_row(c, st, next_id, &p) < 0) return -1;
        at = mid;
    }
    p.status = g->status == RS_PENDING ? 0 : 1;
    p.created = seed_range(r, at, at + (lim - at) / 2);
    p.verified_at = seed_range(r, p.created, lim);
    return seed_payment_row(c, st, next_id, &p);
}

static int seed_payments_phase(seed_ctx *c)
{
    sqlite3_stmt *st = seed_prepare(
        c, "INSERT INTO payments (id, registration_id, amount_cents, method, reference, status, "
           "reason, verified_by, verified_at, created_at, tournament_id)"
           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return -1;
    int64_t next_id = 0, total = c->n_pays;
    seed_progress(c, "payments", 0, total);
    for (int64_t id = 1; id <= c->regs_n && !c->failed; id++) {
        if (!c->tours[c->regs[id - 1].tour].paid) continue;
        int64_t before = next_id;
        seed_payments_of(c, st, &next_id, id);
        for (int64_t k = before + 1; k <= next_id && k < total; k++)
            seed_progress(c, "payments", k, total);
    }
    if (!c->failed) seed_progress(c, "payments", next_id, next_id); /* the final count */
    return seed_finalize(c, st);
}

/* ---- matches -------------------------------------------------------------------------- */

/* Plays match x: the better seed wins more often; forced_slot (1 or 2) fixes the winner.
 * Draws only where allowed and only in best-of-2 series. */
static void seed_result(seed_ctx *c, const seed_tour *t, seed_node *x, bool draws, int forced_slot)
{
    seed_rng *r = &c->rng;
    double edge = (double)(x->p[1] - x->p[0]) / (double)(t->n > 2 ? t->n : 2);
    double p1 = 0.5 + 0.35 * edge;
    int slot = forced_slot ? forced_slot : seed_unit(r) < p1 ? 1 : 2;
    int w = t->bo / 2 + 1;
    int l = (int)seed_range(r, 0, w - 1);
    x->state = MS_COMPLETED;
    if (t->bo == 2) {
        w = 2;
        l = 0;
        if (draws && !forced_slot && seed_chance(r, 30)) {
            x->score[0] = x->score[1] = 1;
            x->winner = -1;
            return;
        }
    }
    x->score[slot - 1] = (int16_t)w;
    x->score[2 - slot] = (int16_t)l;
    x->winner = x->p[slot - 1];
}

/* Moves the winner (and, where linked, the loser) of x into their next matches. */
static void seed_advance(seed_bracket *b, const seed_node *x)
{
    if (x->winner < 0) return;
    int loser = x->p[0] == x->winner ? x->p[1] : x->p[0];
    if (x->next >= 0) b->v[x->next].p[x->slot - 1] = x->winner;
    if (x->lnext >= 0 && loser >= 0) b->v[x->lnext].p[x->lslot - 1] = loser;
}

/* Elimination: everything before the live cut (or all, when completed) is played in
 * bracket order; the cut's matches are ready or live; the rest wait for their sides. */
static int seed_play_elim(seed_ctx *c, const seed_tour *t, seed_bracket *b)
{
    bool all = t->status == ST_COMPLETED;
    for (int i = 0; i < b->n; i++) {
        seed_node *x = &b->v[i];
        if (x->bye) {
            x->winner = x->p[0];
            x->state = MS_COMPLETED;
        } else if (all || x->depth < t->d) {
            if (x->p[0] < 0 || x->p[1] < 0)
                return seed_fail(c, "seed: internal: unplayable match in tournament");
            bool gf1 = x->bracket == BR_GRAND_FINAL && x->round == 1 && t->opt;
            seed_result(c, t, x, false, gf1 ? (t->gf2 ? 2 : 1) : 0);
        } else {
            bool known = x->p[0] >= 0 && x->p[1] >= 0;
            x->state = !known ? MS_PENDING : seed_chance(&c->rng, 45) ? MS_LIVE : MS_READY;
        }
        seed_advance(b, x);
    }
    return 0;
}

/* Standings order for swiss pairing: points, then seed. */
static void seed_swiss_order(const int *points, int n, int *order)
{
    for (int i = 0; i < n; i++) {
        int j = i;
        while (j > 0 && points[order[j - 1]] < points[i]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
}

/* One swiss round: a bye for the lowest-ranked player without one (odd n), then pairs
 * down the standings avoiding rematches where possible. */
static void seed_swiss_pair(seed_ctx *c, seed_bracket *b, int n, int round, int *points,
                            uint8_t *had_bye)
{
    int order[SEED_MAX_PLAYERS] = {0}, pos = 0, bye = -1;
    uint8_t used[SEED_MAX_PLAYERS] = {0};
    seed_swiss_order(points, n, order);
    for (int k = n - 1; n % 2 && k >= 0 && bye < 0; k--)
        if (!had_bye[order[k]]) bye = order[k];
    if (n % 2 && bye < 0) bye = order[n - 1];
    if (bye >= 0) used[bye] = 1;
    for (int i = 0; i < n; i++) {
        int a = order[i], opp = -1;
        if (used[a]) continue;
        for (int j = i + 1; j < n && opp < 0; j++)
            if (!used[order[j]] && !c->played[a * SEED_MAX_PLAYERS + order[j]]) opp = order[j];
        for (int j = i + 1; j < n && opp < 0; j++)
            if (!used[order[j]]) opp = order[j];
        if (opp < 0) break;
        used[a] = used[opp] = 1;
        c->played[a * SEED_MAX_PLAYERS + opp] = c->played[opp * SEED_MAX_PLAYERS + a] = 1;
        int idx = seed_node_add(b, BR_SWISS, round, pos++);
        b->v[idx].p[0] = a;
        b->v[idx].p[1] = opp;
        b->v[idx].depth = (int16_t)round;
    }
    if (bye >= 0) {
        int idx = seed_node_add(b, BR_SWISS, round, pos);
        seed_node *x = &b->v[idx];
        x->p[0] = x->winner = bye;
        x->bye = 1;
        x->state = MS_COMPLETED;
        x->depth = (int16_t)round;
        had_bye[bye] = 1;
        points[bye] += 2;
    }
}

static void seed_build_swiss(seed_ctx *c, const seed_tour *t, seed_bracket *b)
{
    int points[SEED_MAX_PLAYERS] = {0};
    uint8_t had_bye[SEED_MAX_PLAYERS] = {0};
    bool all = t->status == ST_COMPLETED;
    int rounds = all ? t->rounds : t->d;
    b->n = 0;
    memset(c->played, 0, SEED_MAX_PLAYERS * SEED_MAX_PLAYERS);
    for (int r = 1; r <= rounds; r++) {
        int first = b->n;
        seed_swiss_pair(c, b, t->n, r, points, had_bye);
        for (int i = first; i < b->n; i++) {
            seed_node *x = &b->v[i];
            if (x->bye) continue;
            if (all || r < t->d) {
                seed_result(c, t, x, true, 0);
                if (x->winner >= 0) {
                    points[x->winner] += 2;
                } else {
                    points[x->p[0]]++;
                    points[x->p[1]]++;
                }
            } else {
                x->state = seed_chance(&c->rng, 45) ? MS_LIVE : MS_READY;
            }
        }
    }
}

/* Round robin (circle method), every match played: only completed ones are seeded. */
static void seed_build_rr(seed_ctx *c, const seed_tour *t, seed_bracket *b)
{
    int n = t->n, np = n + n % 2, arr[SEED_MAX_PLAYERS + 1];
    b->n = 0;
    for (int i = 0; i < np; i++) arr[i] = i;
    for (int leg = 0; leg < (t->opt ? 2 : 1); leg++) {
        for (int r = 0; r < np - 1; r++) {
            int round = leg * (np - 1) + r + 1, pos = 0;
            for (int i = 0; i < np / 2; i++) {
                int a = arr[i], z = arr[np - 1 - i];
                if (a >= n || z >= n) continue;
                seed_node *x = &b->v[seed_node_add(b, BR_GROUP, round, pos++)];
                x->p[0] = (r + leg) % 2 ? z : a;
                x->p[1] = (r + leg) % 2 ? a : z;
                x->depth = (int16_t)round;
                seed_result(c, t, x, true, 0);
            }
            int last = arr[np - 1];
            for (int j = np - 1; j > 1; j--) arr[j] = arr[j - 1];
            arr[1] = last;
        }
    }
}

/* The bracket must come out exactly as planned: the tournament row already holds its
 * current_round, and the totals were balanced on the planned counts. */
static int seed_check_shape(seed_ctx *c, const seed_tour *t, const seed_bracket *b, int64_t id)
{
    int done = 0, cur = 0;
    for (int i = 0; i < b->n; i++) {
        const seed_node *x = &b->v[i];
        done += x->state == MS_COMPLETED;
        bool counts = t->status == ST_COMPLETED || x->state == MS_READY || x->state == MS_LIVE;
        if (counts && x->round > cur) cur = x->round;
    }
    if (b->n != t->m || done != t->cm || cur != t->cur_round)
        return seed_fail(c,
                         "seed: internal: tournament %lld has %d/%d matches (%d/%d completed, "
                         "round %d/%d)",
                         (long long)id, b->n, t->m, done, t->cm, cur, t->cur_round);
    return 0;
}

static int64_t seed_reg_of(const seed_ctx *c, const seed_tour *t, int participant)
{
    return participant >= 0 ? c->play[t->play_off + participant] : 0;
}

static void seed_match_bind(seed_ctx *c, sqlite3_stmt *st, const seed_tour *t, int64_t tid,
                            const seed_node *x, int64_t base)
{
    bool done = x->state == MS_COMPLETED;
    int step = x->depth > 1 ? x->depth : 1;
    int64_t sched = t->start + (int64_t)(step - 1) * t->gap;
    int64_t finished = sched;
    if (!x->bye) {
        sched += (x->position % 3) * 5 * SEED_MIN;
        finished = sched + seed_range(&c->rng, 15 * SEED_MIN, t->gap - 20 * SEED_MIN);
    }
    seed_bind_int(c, st, 1, base + (x - c->nodes));
    seed_bind_int(c, st, 2, tid);
    seed_bind_text(c, st, 3, seed_bracket_names[x->bracket]);
    seed_bind_int(c, st, 4, x->round);
    seed_bind_int(c, st, 5, x->position);
    seed_bind_text(c, st, 6, seed_match_state_names[x->state]);
    seed_bind_opt(c, st, 7, seed_reg_of(c, t, x->p[0]), x->p[0] >= 0);
    seed_bind_opt(c, st, 8, seed_reg_of(c, t, x->p[1]), x->p[1] >= 0);
    seed_bind_opt(c, st, 9, x->score[0], done && !x->bye);
    seed_bind_opt(c, st, 10, x->score[1], done && !x->bye);
    seed_bind_opt(c, st, 11, seed_reg_of(c, t, x->winner), done && x->winner >= 0);
    seed_bind_opt(c, st, 12, base + x->next, x->next >= 0);
    seed_bind_opt(c, st, 13, x->slot, x->next >= 0);
    seed_bind_opt(c, st, 14, base + x->lnext, x->lnext >= 0);
    seed_bind_opt(c, st, 15, x->lslot, x->lnext >= 0);
    seed_bind_int(c, st, 16, sched);
    seed_bind_opt(c, st, 17, finished, done);
}

/* Builds, plays and writes the matches of tournament i. Rows are written last to first so
 * that every next/loser-next match already exists when a row points at it. */
static int seed_matches_of(seed_ctx *c, sqlite3_stmt *st, int64_t i)
{
    const seed_tour *t = &c->tours[i];
    seed_bracket b = {c->nodes, 0};
    if (t->format == FM_SW)
        seed_build_swiss(c, t, &b);
    else if (t->format == FM_RR)
        seed_build_rr(c, t, &b);
    else {
        seed_build_elim(&b, t);
        if (seed_play_elim(c, t, &b) < 0) return -1;
    }
    if (seed_check_shape(c, t, &b, i + 1) < 0) return -1;
    int64_t base = c->matches_done + 1;
    for (int k = b.n - 1; k >= 0 && !c->failed; k--) {
        seed_match_bind(c, st, t, i + 1, &b.v[k], base);
        seed_step(c, st, "matches");
    }
    for (int k = 0; k < b.n; k++) {
        c->matches_completed += b.v[k].state == MS_COMPLETED;
        seed_progress(c, "matches", c->matches_done + k + 1, c->n_matches);
    }
    c->matches_done += b.n;
    return c->failed ? -1 : 0;
}

static int seed_matches_phase(seed_ctx *c)
{
    sqlite3_stmt *st = seed_prepare(
        c, "INSERT INTO matches (id, tournament_id, bracket, round, position, state, "
           "p1_registration_id, p2_registration_id, score1, score2, winner_registration_id, "
           "next_match_id, next_slot, loser_next_match_id, loser_next_slot, scheduled_at, "
           "completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return -1;
    seed_progress(c, "matches", 0, c->n_matches);
    for (int64_t i = 0; i < c->n_tours && !c->failed; i++) {
        uint8_t s = c->tours[i].status;
        if (s == ST_LIVE || s == ST_COMPLETED) seed_matches_of(c, st, i);
    }
    if (!c->failed) seed_progress(c, "matches", c->matches_done, c->matches_done); /* final */
    return seed_finalize(c, st);
}

/* ---- driver --------------------------------------------------------------------------- */

static int seed_check_empty(seed_ctx *c)
{
    sqlite3_stmt *st =
        seed_prepare(c, "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM games) + "
                        "(SELECT count(*) FROM tournaments)");
    if (!st) return -1;
    int rc = sqlite3_step(st);
    int64_t rows = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    if (rc != SQLITE_ROW) seed_fail(c, "seed: checking tables: %s", sqlite3_errmsg(c->db));
    sqlite3_finalize(st);
    if (c->failed) return -1;
    if (rows > 0)
        return seed_fail(c, "seed: database already has data (users, games or "
                            "tournaments); seed only a freshly migrated database");
    return 0;
}

static int seed_alloc(seed_ctx *c)
{
    c->user_created = calloc((size_t)c->n_users + 1, sizeof(int64_t));
    c->teams = calloc((size_t)c->n_teams + 1, sizeof(seed_team));
    c->tours = calloc((size_t)c->n_tours + 1, sizeof(seed_tour));
    c->stamp_user = calloc((size_t)c->n_users + 1, sizeof(int32_t));
    c->stamp_team = calloc((size_t)c->n_teams + 1, sizeof(int32_t));
    c->nodes = calloc(SEED_MAX_NODES, sizeof(seed_node));
    c->played = calloc(SEED_MAX_PLAYERS * SEED_MAX_PLAYERS, 1);
    if (!c->user_created || !c->teams || !c->tours || !c->stamp_user || !c->stamp_team ||
        !c->nodes || !c->played)
        return seed_fail(c, "seed: out of memory");
    return 0;
}

static void seed_free(seed_ctx *c)
{
    free(c->user_created);
    free(c->teams);
    free(c->tours);
    free(c->stamp_user);
    free(c->stamp_team);
    free(c->nodes);
    free(c->played);
    free(c->regs);
    free(c->play);
    for (int s = 0; s < 6; s++) free(c->by_size[s]);
}

static int seed_init(seed_ctx *c, const seed_options *opt)
{
    if (!opt || !opt->password_hash || !opt->password_hash[0])
        return seed_fail(c, "seed: options and a password hash are required");
    if (!(opt->scale > 0.0 && opt->scale <= 1000.0))
        return seed_fail(c, "seed: scale must be > 0 and <= 1000");
    if (opt->now < 3 * SEED_HISTORY)
        return seed_fail(c, "seed: now (%lld) is not a plausible unix time", (long long)opt->now);
    c->now = opt->now;
    c->launch = opt->now - SEED_HISTORY;
    seed_rng_init(&c->rng, opt->rng_seed);
    c->n_users = seed_round(20000.0 * opt->scale);
    c->n_teams = seed_round(1000.0 * opt->scale);
    c->n_tours = seed_round(2000.0 * opt->scale);
    c->n_regs = seed_round(100000.0 * opt->scale);
    c->n_pays = seed_round(50000.0 * opt->scale);
    c->n_matches = seed_round(60000.0 * opt->scale);
    if (c->n_users < 2) c->n_users = 2; /* admin and organizer always exist */
    return seed_alloc(c);
}

/* The tournaments' payment counters (migration 0006), from the payments just written. */
static int seed_payment_counters(seed_ctx *c)
{
    return seed_exec(c, "UPDATE tournaments SET"
                        " n_payments_pending = (SELECT count(*) FROM registrations r CROSS JOIN"
                        " payments p ON p.registration_id = r.id WHERE r.tournament_id ="
                        " tournaments.id AND p.status = 'pending'),"
                        " revenue_verified_cents = (SELECT coalesce(sum(p.amount_cents), 0)"
                        " FROM registrations r CROSS JOIN payments p ON p.registration_id = r.id"
                        " WHERE r.tournament_id = tournaments.id AND p.status = 'verified')");
}

/* Each registration's latest payment (migration 0010), from the payments just written. */
static int seed_payment_latest(seed_ctx *c)
{
    return seed_exec(c, "UPDATE registrations SET payment_id = (SELECT max(p.id) FROM payments p"
                        " WHERE p.registration_id = registrations.id)"
                        " WHERE id IN (SELECT registration_id FROM payments)");
}

static int seed_phases(seed_ctx *c)
{
    if (seed_games_phase(c) < 0 || seed_users_phase(c) < 0 || seed_teams_phase(c) < 0) return -1;
    if (seed_plan(c) < 0 || seed_tournaments_phase(c) < 0) return -1;
    if (seed_registrations_phase(c) < 0 || seed_payments_phase(c) < 0) return -1;
    if (seed_payment_counters(c) < 0 || seed_payment_latest(c) < 0) return -1;
    if (seed_matches_phase(c) < 0) return -1;
    /* the standings documents, as the writer keeps them (store_standings.h) */
    int rc = store_standings_rebuild_all(c->conn);
    db_release(c->conn);
    if (rc != STORE_OK) return seed_fail(c, "seed: standings: %s", sqlite3_errmsg(c->db));
    return 0;
}

/* Reads an integer pragma (cache_size) so it can be restored afterwards. */
static int64_t seed_pragma_value(sqlite3 *db, const char *sql, int64_t fallback)
{
    sqlite3_stmt *st = NULL;
    int64_t v = fallback;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

int seed_run(db_conn *conn, const seed_options *opt, char *err, size_t errlen)
{
    sqlite3 *db = conn ? db_handle(conn) : NULL;
    seed_ctx c = {.conn = conn, .db = db, .opt = opt, .err = err, .errlen = errlen};
    if (err && errlen) err[0] = '\0';
    if (!db) return seed_fail(&c, "seed: no database");
    if (seed_init(&c, opt) < 0 || seed_check_empty(&c) < 0) {
        seed_free(&c);
        return -1;
    }
    /* One big transaction, no sync until the caller's next commit, a larger page cache
     * while it lasts; the caller's cache size and synchronous=FULL come back after. */
    int64_t cache = seed_pragma_value(db, "PRAGMA cache_size", -2000);
    bool began = seed_exec(&c, "PRAGMA synchronous=OFF") == 0 &&
                 seed_exec(&c, "PRAGMA cache_size=-65536") == 0 && seed_exec(&c, "BEGIN") == 0;
    if (began && seed_phases(&c) == 0) seed_exec(&c, "COMMIT");
    if (began && c.failed && !sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size=%lld", (long long)cache);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA synchronous=FULL", NULL, NULL, NULL) != SQLITE_OK)
        seed_fail(&c, "seed: restoring pragmas: %s", sqlite3_errmsg(db)); /* keeps a first error */
    seed_free(&c);
    return c.failed ? -1 : 0;
}
