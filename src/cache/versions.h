/* versions.h: the change counters the response cache checks its entries against.
 *
 * Every cached body depends on a few things (the catalog, a tournament, a user's set of
 * registrations, a game's leaderboard). Each such thing has a counter here, raised by the
 * writer after a commit that changed it and before the write is acknowledged; a cached
 * body records the counters it was built under and is served only while all of them
 * are unchanged. Counters live in a fixed table of slots indexed by a hash of (kind,
 * id): two things sharing a slot only cost extra misses, never a stale answer. Reads are
 * single atomic loads, so the read path takes no lock.
 *
 * Building a body races with commits. A builder reads versions_epoch() before its first
 * query and again after reading its dependencies' counters; the writer raises the epoch
 * before any counter of a commit. If the epoch moved, the body may predate a commit its
 * counters already show, so it is served but not stored. */
#ifndef TOURNEYD_VERSIONS_H
#define TOURNEYD_VERSIONS_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    DEP_CATALOG,    /* the tournament list, the hub, the games (id 0) */
    DEP_TOURNAMENT, /* everything one tournament shows */
    DEP_USER,       /* which registrations a user's dashboard lists */
    DEP_GAME,       /* a game's leaderboard snapshot */
} dep_kind;

/* One dependency of a cached body: its slot and the counter's value when it was read. */
typedef struct {
    uint32_t slot;
    uint64_t version;
} dep;

/* Test-only fault injection: when on, versions_bump does nothing (so the correctness
 * tests can show they catch a cache that is never invalidated). Off by default. */
void versions_set_frozen(bool frozen);

/* The slot of (kind, id). */
uint32_t versions_slot(dep_kind kind, int64_t id);
/* A dependency on (kind, id) as of now. */
dep versions_dep(dep_kind kind, int64_t id);
/* Is d's counter still at d.version? */
bool versions_current(dep d);

/* Commits published so far (read before building a body and after reading its deps). */
uint64_t versions_epoch(void);

/* Writer only: versions_publish_begin() once per commit, then versions_bump for each
 * thing it changed, all before the commit's writes are acknowledged. */
void versions_publish_begin(void);
void versions_bump(dep_kind kind, int64_t id);
/* Writer only: everything may have changed (a change could not be recorded). */
void versions_bump_all(void);

#endif
