/* tournament_rules.h: the tournament's lifecycle, with no I/O.
 *
 * Owns the status state machine of API.md, the derived registration_state, and the
 * names of formats and participant types. Handlers and the store both ask here; nobody
 * else encodes these rules. */
#ifndef TOURNEYD_TOURNAMENT_RULES_H
#define TOURNEYD_TOURNAMENT_RULES_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    TSTATUS_DRAFT,
    TSTATUS_PUBLISHED,
    TSTATUS_REGISTRATION_OPEN,
    TSTATUS_REGISTRATION_CLOSED,
    TSTATUS_LIVE,
    TSTATUS_COMPLETED,
    TSTATUS_CANCELLED,
    TSTATUS__COUNT,
    TSTATUS_INVALID = -1
} tstatus;

typedef enum {
    REGSTATE_NOT_OPEN,
    REGSTATE_OPEN,
    REGSTATE_FULL,
    REGSTATE_CLOSED,
} regstate;

typedef enum {
    TFORMAT_SINGLE_ELIMINATION,
    TFORMAT_DOUBLE_ELIMINATION,
    TFORMAT_ROUND_ROBIN,
    TFORMAT_SWISS,
    TFORMAT__COUNT,
    TFORMAT_INVALID = -1
} tformat;

/* "draft", "published", ...; NULL for an invalid value. */
const char *tstatus_name(tstatus s);
/* TSTATUS_INVALID when the name is not a status. */
tstatus tstatus_parse(const char *name);
/* The moves API.md allows: each status to its successor along
 * draft -> published -> registration_open -> registration_closed -> live -> completed,
 * and any status but completed (and cancelled itself) to cancelled. Everything else,
 * including staying in place, is false. */
bool tstatus_can_move(tstatus from, tstatus to);
/* True while format, participant type and max_participants may still change (before live):
 * draft .. registration_closed. Not for live, completed or cancelled. */
bool tstatus_allows_structure_edit(tstatus s);

const char *regstate_name(regstate s);
/* registration_state of API.md. `opens_at`/`closes_at` of 0 mean unset. Open means status
 * registration_open, now inside [opens_at, closes_at), and active < max; at or over max
 * it is full; before opens_at it is not_open; at or after closes_at it is closed.
 * draft and published are not_open; every later status is closed. The window is checked
 * before capacity (a full tournament whose window has closed is closed, not full). An
 * invalid status is closed. */
regstate regstate_of(tstatus status, int64_t now, int64_t opens_at, int64_t closes_at,
                     int64_t active, int64_t max_participants);

const char *tformat_name(tformat f);
tformat tformat_parse(const char *name);
/* "solo" / "team" */
bool participant_type_valid(const char *s);

#endif
