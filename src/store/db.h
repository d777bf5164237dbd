/* db.h: SQLite connections: the per-io-thread readers, the writer's connection, the
 * prepared-statement cache and query counting.
 *
 * Every connection runs in WAL mode with synchronous=FULL and foreign keys on. Readers
 * are opened lazily, one per io thread (thread-local, owned by this module), so reads
 * never wait on writes or on each other. Each connection keeps its prepared statements
 * for the life of the process (prepared once, reset after use) and counts the queries
 * it runs, which is how a request's query count is measured. */
#ifndef TOURNEYD_DB_H
#define TOURNEYD_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

/* Statement slots. Each query of the store has one; its SQL lives next to the code
 * that runs it (store_*.c) and is prepared on first use per connection. */
typedef enum {
    Q_USER_BY_NAME,
    Q_USER_BY_ID,
    Q_USER_BY_TOKEN,
    Q_USER_INSERT,
    Q_TOKEN_INSERT,
    Q_TOKEN_DELETE,
    Q_TOKEN_PURGE,
    Q_GAME_LIST,
    Q_GAME_BY_SLUG,
    Q_GAME_INSERT,
    Q_T_BY_SLUG,
    Q_T_STATES,
    Q_T_SLUG_TAKEN,
    Q_T_INSERT,
    Q_T_FOR_UPDATE,
    Q_T_UPDATE,
    Q_T_SET_STATUS,
    Q_T_DELETE,
    Q_T_CHECK_COUNTERS,
    Q_CATALOG_BUMP,
    Q_PING,
    Q_TEAM_GET,
    Q_TEAM_MEMBERS,
    Q_TEAM_INSERT,
    Q_TEAM_MEMBER_INSERT,
    Q_TEAM_MEMBER_DELETE,
    Q_TEAM_MEMBER_COUNT,
    Q_TEAM_JOIN_OVERLAP,
    Q_REG_GET,
    Q_REG_LIST,
    Q_REG_LIST_STATUS,
    Q_REG_MINE,
    Q_REG_T_FOR_WRITE,
    Q_REG_OVERLAP_TEAM,
    Q_REG_OVERLAP_SOLO,
    Q_REG_INSERT,
    Q_T_HOT_SLUGS,
    Q_REG_TEAM_USERS,
    Q_REG_FOR_WRITE,
    Q_REG_SET_STATUS,
    Q_T_TOUCH,
    Q_T_PAY_COUNTERS,
    Q_T_COUNTER_FIRST, /* + index of the status in store_registrations.c (4 slots) */
    Q_T_COUNTER_LAST = Q_T_COUNTER_FIRST + 3,
    Q_PAY_GET,
    Q_PAY_LIST,
    Q_PAY_LIST_STATUS,
    Q_PAY_INSERT,
    Q_PAY_REG_LATEST,
    Q_PAY_FOR_WRITE,
    Q_PAY_SET_STATUS,
    Q_PAY_REJECT_PENDING,
    Q_ORG_DASHBOARD,
    Q_MATCH_GET,
    Q_MATCH_LIST_FIRST, /* + filter mask (8 variants: state, round, bracket) */
    Q_MATCH_LIST_LAST = Q_MATCH_LIST_FIRST + 7,
    Q_MATCH_ALL,
    Q_MATCH_SIDES,
    Q_MATCH_SIDE,
    Q_PAY_CHECK,
    Q_PAY_CHECK_LATEST,
    Q_BR_TOURNAMENT,
    Q_BR_PARTICIPANTS,
    Q_BR_MATCHES,
    Q_BR_MATCH_INSERT,
    Q_BR_MATCH_UPDATE,
    Q_BR_MATCH_DELETE,
    Q_BR_SEED_CLEAR,
    Q_BR_SEED_SET,
    Q_BR_ENTRANTS,
    Q_BR_T_UPDATE,
    Q_BR_MATCH_TOURNAMENT,
    Q_BR_NAMES,
    Q_ST_GET,
    Q_ST_PUT,
    Q_ST_DELETE,
    Q_ST_IDS,
    Q_ST_T_DELETE,
    Q_LB_COMPUTE,
    Q_LB_DELETE,
    Q_LB_DELETE_GAME,
    Q_LB_INSERT,
    Q_LB_STAMP,
    Q_LB_PAGE,
    Q_LB_STAMP_READ,
    Q_T_LIVE_STATE,
    Q_MATCH_BY_IDS,
    Q_T_LIST_FIRST, /* + filter mask (16 variants) */
    Q_T_LIST_LAST = Q_T_LIST_FIRST + 31,
    Q__COUNT
} query_slot;

typedef struct db_conn db_conn;

/* Remembers the database path for readers and checks that it opens. Call once at start. */
int db_init(const char *path, char *err, size_t errlen);
/* Opens a connection with the pragmas above; NULL with a message on failure. */
db_conn *db_open(const char *path, bool readonly, char *err, size_t errlen);
void db_close(db_conn *c);
/* The calling thread's reader (opened on first use); NULL if it cannot be opened. */
db_conn *db_reader(void);
/* Closes every reader opened so far (after the io threads stopped). */
void db_readers_close(void);
sqlite3 *db_handle(db_conn *c);
/* The prepared statement of `slot` (prepared from `sql` on first use), reset and with its
 * bindings cleared; counts one query. NULL on a prepare error (logged). */
sqlite3_stmt *db_stmt(db_conn *c, query_slot slot, const char *sql);
/* Resets every statement handed out since the last call, ending the connection's read
 * transaction so that its next query sees every commit made meanwhile. Called at the end
 * of each request, before a request waits for a write, and after each write job. */
void db_release(db_conn *c);
/* Writer connection: note that the catalog changed in this batch / take that note. */
void db_mark_catalog(db_conn *c);
bool db_take_catalog_mark(db_conn *c);
/* Writer connection: what a write changed, noted by the store as it writes and read by
 * the writer after the commit (to raise the response cache's versions and to publish
 * live events). Notes stay in write order; duplicates are allowed. */
typedef enum {
    DB_CH_TOURNAMENT, /* what the tournament shows (row, counters, registrations, matches) */
    DB_CH_MATCH,      /* one match row (inserted, updated or deleted) */
    DB_CH_USER,       /* the set of registrations a user's dashboard lists */
    DB_CH_GAME,       /* a game's leaderboard snapshot */
    DB_CH_STANDINGS,  /* tournament id's stored standings are built from its matches as the
                         notes before this one left them (store_standings_keep) */
} db_change_kind;
typedef struct {
    db_change_kind kind;
    int64_t id;
    int64_t parent; /* DB_CH_MATCH: its tournament; else 0 */
} db_change;
void db_note(db_conn *c, db_change_kind kind, int64_t id, int64_t parent);
/* The notes taken so far (valid until the next db_note / db_notes_truncate); *lost is
 * set when a note could not be kept (out of memory): then anything may have changed. */
const db_change *db_notes(db_conn *c, size_t *n, bool *lost);
/* Forgets the notes after the first n (a rolled-back job's; 0 also clears *lost). */
void db_notes_truncate(db_conn *c, size_t n);
/* Has the catalog been marked (without taking the mark)? */
bool db_catalog_marked(db_conn *c);
/* Counts one query run outside db_stmt (e.g. sqlite3_exec). */
void db_count(db_conn *c);
/* Queries counted since the last call (and resets the count); also db_release()s. */
unsigned db_take_queries(db_conn *c);
/* Runs one SQL statement with no result rows (BEGIN, SAVEPOINT...); SQLite code. */
int db_exec(db_conn *c, const char *sql);
/* Text of column i copied into the arena ("" for NULL is NOT done: NULL stays NULL). */
struct arena;
const char *db_col_text(sqlite3_stmt *st, int i, struct arena *a);
/* Binds text (NULL binds NULL). */
int db_bind_text(sqlite3_stmt *st, int i, const char *s);
/* True when the database answers a query that reads the schema's meta table. */
bool db_ping(db_conn *c);
/* True when the last error was a UNIQUE/PRIMARY KEY constraint. */
bool db_is_unique_violation(int rc);

#endif
