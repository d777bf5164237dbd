/* tournament_rules.c: the tournament lifecycle of API.md as pure functions.
 *
 * Status moves, the derived registration_state and the spelling of every status,
 * format and participant type are decided here and nowhere else, so the handlers,
 * the store's guarded UPDATEs and the seeder cannot drift apart. Names are kept in
 * tables indexed by the enums; parsing is a linear scan (at most 7 entries). */
#include "core/tournament_rules.h"

#include <stddef.h>
#include <string.h>

static const char *const status_names[TSTATUS__COUNT] = {
    [TSTATUS_DRAFT] = "draft",
    [TSTATUS_PUBLISHED] = "published",
    [TSTATUS_REGISTRATION_OPEN] = "registration_open",
    [TSTATUS_REGISTRATION_CLOSED] = "registration_closed",
    [TSTATUS_LIVE] = "live",
    [TSTATUS_COMPLETED] = "completed",
    [TSTATUS_CANCELLED] = "cancelled",
};

static const char *const regstate_names[] = {
    [REGSTATE_NOT_OPEN] = "not_open",
    [REGSTATE_OPEN] = "open",
    [REGSTATE_FULL] = "full",
    [REGSTATE_CLOSED] = "closed",
};

static const char *const format_names[TFORMAT__COUNT] = {
    [TFORMAT_SINGLE_ELIMINATION] = "single_elimination",
    [TFORMAT_DOUBLE_ELIMINATION] = "double_elimination",
    [TFORMAT_ROUND_ROBIN] = "round_robin",
    [TFORMAT_SWISS] = "swiss",
};

static bool tstatus_valid(tstatus s)
{
    return (int)s >= 0 && (int)s < TSTATUS__COUNT;
}

const char *tstatus_name(tstatus s)
{
    return tstatus_valid(s) ? status_names[s] : NULL;
}

tstatus tstatus_parse(const char *name)
{
    if (!name) return TSTATUS_INVALID;
    for (int i = 0; i < TSTATUS__COUNT; i++) {
        if (strcmp(name, status_names[i]) == 0) return (tstatus)i;
    }
    return TSTATUS_INVALID;
}

bool tstatus_can_move(tstatus from, tstatus to)
{
    if (!tstatus_valid(from) || !tstatus_valid(to)) return false;
    if (to == TSTATUS_CANCELLED) return from != TSTATUS_COMPLETED && from != TSTATUS_CANCELLED;
    /* The forward chain draft .. completed; cancelled is not part of it. */
    return from < TSTATUS_COMPLETED && (int)to == (int)from + 1;
}

bool tstatus_allows_structure_edit(tstatus s)
{
    return tstatus_valid(s) && s < TSTATUS_LIVE;
}

const char *regstate_name(regstate s)
{
    if ((int)s < 0 || (size_t)s >= sizeof regstate_names / sizeof regstate_names[0]) return NULL;
    return regstate_names[s];
}

regstate regstate_of(tstatus status, int64_t now, int64_t opens_at, int64_t closes_at,
                     int64_t active, int64_t max_participants)
{
    switch (status) {
    case TSTATUS_DRAFT:
    case TSTATUS_PUBLISHED:
        return REGSTATE_NOT_OPEN;
    case TSTATUS_REGISTRATION_OPEN:
        /* The window decides first: a full tournament whose window has passed is closed. */
        if (opens_at != 0 && now < opens_at) return REGSTATE_NOT_OPEN;
        if (closes_at != 0 && now >= closes_at) return REGSTATE_CLOSED;
        return active >= max_participants ? REGSTATE_FULL : REGSTATE_OPEN;
    default:
        return REGSTATE_CLOSED;
    }
}

const char *tformat_name(tformat f)
{
    return (int)f >= 0 && (int)f < TFORMAT__COUNT ? format_names[f] : NULL;
}

tformat tformat_parse(const char *name)
{
    if (!name) return TFORMAT_INVALID;
    for (int i = 0; i < TFORMAT__COUNT; i++) {
        if (strcmp(name, format_names[i]) == 0) return (tformat)i;
    }
    return TFORMAT_INVALID;
}

bool participant_type_valid(const char *s)
{
    return s && (strcmp(s, "solo") == 0 || strcmp(s, "team") == 0);
}
