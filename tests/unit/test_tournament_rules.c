/* test_tournament_rules.c: unit tests of the status machine, registration_state and the
 * format and participant-type names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/tournament_rules.h"

static void test_status_names(void **state)
{
    (void)state;
    static const char *const names[TSTATUS__COUNT] = {
        "draft", "published", "registration_open", "registration_closed",
        "live",  "completed", "cancelled",
    };
    for (int i = 0; i < TSTATUS__COUNT; i++) {
        assert_string_equal(tstatus_name((tstatus)i), names[i]);
        assert_int_equal(tstatus_parse(names[i]), i);
    }
    assert_null(tstatus_name(TSTATUS_INVALID));
    assert_null(tstatus_name(TSTATUS__COUNT));
    assert_null(tstatus_name((tstatus)100));
    assert_null(tstatus_name((tstatus)-7));
    static const char *const bad[] = {
        "",
        "Draft",
        "DRAFT",
        "draft ",
        " draft",
        "drafts",
        "open",
        "registration",
        "closed",
        "canceled",
        "live\n",
        "complete",
        "registration-open",
        "unknown",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(tstatus_parse(bad[i]), TSTATUS_INVALID);
    assert_int_equal(tstatus_parse(NULL), TSTATUS_INVALID);
}

static void test_move_matrix(void **state)
{
    (void)state;
    /* allowed[from][to], written out in full from API.md. */
    static const bool allowed[7][7] = {
        /*        D  P  RO RC L  C  X */
        /* D  */ {0, 1, 0, 0, 0, 0, 1},
        /* P  */ {0, 0, 1, 0, 0, 0, 1},
        /* RO */ {0, 0, 0, 1, 0, 0, 1},
        /* RC */ {0, 0, 0, 0, 1, 0, 1},
        /* L  */ {0, 0, 0, 0, 0, 1, 1},
        /* C  */ {0, 0, 0, 0, 0, 0, 0},
        /* X  */ {0, 0, 0, 0, 0, 0, 0},
    };
    static const tstatus order[7] = {
        TSTATUS_DRAFT, TSTATUS_PUBLISHED, TSTATUS_REGISTRATION_OPEN, TSTATUS_REGISTRATION_CLOSED,
        TSTATUS_LIVE,  TSTATUS_COMPLETED, TSTATUS_CANCELLED,
    };
    int count = 0;
    for (int f = 0; f < 7; f++) {
        for (int t = 0; t < 7; t++) {
            bool got = tstatus_can_move(order[f], order[t]);
            if (got != allowed[f][t])
                fail_msg("%s -> %s: got %d", tstatus_name(order[f]), tstatus_name(order[t]), got);
            count += got;
        }
    }
    assert_int_equal(count, 10);
    /* Invalid values on either side never move. */
    const tstatus bad[] = {TSTATUS_INVALID, TSTATUS__COUNT, (tstatus)42, (tstatus)-2};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        for (int s = 0; s < TSTATUS__COUNT; s++) {
            assert_false(tstatus_can_move(bad[i], (tstatus)s));
            assert_false(tstatus_can_move((tstatus)s, bad[i]));
        }
        assert_false(tstatus_can_move(bad[i], bad[i]));
    }
}

static void test_structure_edit(void **state)
{
    (void)state;
    assert_true(tstatus_allows_structure_edit(TSTATUS_DRAFT));
    assert_true(tstatus_allows_structure_edit(TSTATUS_PUBLISHED));
    assert_true(tstatus_allows_structure_edit(TSTATUS_REGISTRATION_OPEN));
    assert_true(tstatus_allows_structure_edit(TSTATUS_REGISTRATION_CLOSED));
    assert_false(tstatus_allows_structure_edit(TSTATUS_LIVE));
    assert_false(tstatus_allows_structure_edit(TSTATUS_COMPLETED));
    assert_false(tstatus_allows_structure_edit(TSTATUS_CANCELLED));
    assert_false(tstatus_allows_structure_edit(TSTATUS_INVALID));
    assert_false(tstatus_allows_structure_edit(TSTATUS__COUNT));
}

static void test_regstate_names(void **state)
{
    (void)state;
    assert_string_equal(regstate_name(REGSTATE_NOT_OPEN), "not_open");
    assert_string_equal(regstate_name(REGSTATE_OPEN), "open");
    assert_string_equal(regstate_name(REGSTATE_FULL), "full");
    assert_string_equal(regstate_name(REGSTATE_CLOSED), "closed");
    assert_null(regstate_name((regstate)4));
    assert_null(regstate_name((regstate)-1));
}

#define NOW 1800000000LL

static void test_regstate_by_status(void **state)
{
    (void)state;
    /* With an open window and room, only registration_open is open. */
    static const regstate want[TSTATUS__COUNT] = {
        REGSTATE_NOT_OPEN, REGSTATE_NOT_OPEN, REGSTATE_OPEN,   REGSTATE_CLOSED,
        REGSTATE_CLOSED,   REGSTATE_CLOSED,   REGSTATE_CLOSED,
    };
    for (int s = 0; s < TSTATUS__COUNT; s++) {
        assert_int_equal(regstate_of((tstatus)s, NOW, 0, 0, 0, 16), want[s]);
        assert_int_equal(regstate_of((tstatus)s, NOW, NOW - 10, NOW + 10, 3, 16), want[s]);
        /* Full only matters while registration_open. */
        regstate full = s == TSTATUS_REGISTRATION_OPEN ? REGSTATE_FULL : want[s];
        assert_int_equal(regstate_of((tstatus)s, NOW, 0, 0, 16, 16), full);
        /* Outside the window the status still decides for every other status. */
        regstate early = s == TSTATUS_REGISTRATION_OPEN ? REGSTATE_NOT_OPEN : want[s];
        assert_int_equal(regstate_of((tstatus)s, NOW, NOW + 1, 0, 0, 16), early);
        regstate late = s == TSTATUS_REGISTRATION_OPEN ? REGSTATE_CLOSED : want[s];
        assert_int_equal(regstate_of((tstatus)s, NOW, 0, NOW, 0, 16), late);
    }
    assert_int_equal(regstate_of(TSTATUS_INVALID, NOW, 0, 0, 0, 16), REGSTATE_CLOSED);
}

static void test_regstate_window_edges(void **state)
{
    (void)state;
    const tstatus ro = TSTATUS_REGISTRATION_OPEN;
    const int64_t o = NOW - 100, c = NOW + 100;
    /* [opens_at, closes_at): open at opens_at, closed at closes_at. */
    assert_int_equal(regstate_of(ro, o - 1, o, c, 0, 8), REGSTATE_NOT_OPEN);
    assert_int_equal(regstate_of(ro, o, o, c, 0, 8), REGSTATE_OPEN);
    assert_int_equal(regstate_of(ro, o + 1, o, c, 0, 8), REGSTATE_OPEN);
    assert_int_equal(regstate_of(ro, c - 1, o, c, 0, 8), REGSTATE_OPEN);
    assert_int_equal(regstate_of(ro, c, o, c, 0, 8), REGSTATE_CLOSED);
    assert_int_equal(regstate_of(ro, c + 1, o, c, 0, 8), REGSTATE_CLOSED);
    /* Only one end set. */
    assert_int_equal(regstate_of(ro, o - 1, o, 0, 0, 8), REGSTATE_NOT_OPEN);
    assert_int_equal(regstate_of(ro, INT64_MAX, o, 0, 0, 8), REGSTATE_OPEN);
    assert_int_equal(regstate_of(ro, INT64_MIN, 0, c, 0, 8), REGSTATE_OPEN);
    assert_int_equal(regstate_of(ro, c, 0, c, 0, 8), REGSTATE_CLOSED);
    /* 0 means unset, even for "now" near 0. */
    assert_int_equal(regstate_of(ro, -5, 0, 0, 0, 8), REGSTATE_OPEN);
    assert_int_equal(regstate_of(ro, 0, 0, 0, 0, 8), REGSTATE_OPEN);
    /* The window decides before capacity: a full tournament outside it is not "full". */
    assert_int_equal(regstate_of(ro, o - 1, o, c, 8, 8), REGSTATE_NOT_OPEN);
    assert_int_equal(regstate_of(ro, c, o, c, 8, 8), REGSTATE_CLOSED);
    assert_int_equal(regstate_of(ro, o, o, c, 8, 8), REGSTATE_FULL);
}

static void test_regstate_capacity(void **state)
{
    (void)state;
    const tstatus ro = TSTATUS_REGISTRATION_OPEN;
    assert_int_equal(regstate_of(ro, NOW, 0, 0, 0, 2), REGSTATE_OPEN);
    assert_int_equal(regstate_of(ro, NOW, 0, 0, 1, 2), REGSTATE_OPEN);
    assert_int_equal(regstate_of(ro, NOW, 0, 0, 2, 2), REGSTATE_FULL);
    assert_int_equal(regstate_of(ro, NOW, 0, 0, 3, 2), REGSTATE_FULL);
    assert_int_equal(regstate_of(ro, NOW, 0, 0, 1023, 1024), REGSTATE_OPEN);
    assert_int_equal(regstate_of(ro, NOW, 0, 0, 1024, 1024), REGSTATE_FULL);
    assert_int_equal(regstate_of(ro, NOW, 0, 0, 0, 0), REGSTATE_FULL);
}

static void test_formats(void **state)
{
    (void)state;
    static const char *const names[TFORMAT__COUNT] = {"single_elimination", "double_elimination",
                                                      "round_robin", "swiss"};
    for (int i = 0; i < TFORMAT__COUNT; i++) {
        assert_string_equal(tformat_name((tformat)i), names[i]);
        assert_int_equal(tformat_parse(names[i]), i);
    }
    assert_null(tformat_name(TFORMAT_INVALID));
    assert_null(tformat_name(TFORMAT__COUNT));
    assert_int_equal(tformat_parse(NULL), TFORMAT_INVALID);
    assert_int_equal(tformat_parse(""), TFORMAT_INVALID);
    assert_int_equal(tformat_parse("Swiss"), TFORMAT_INVALID);
    assert_int_equal(tformat_parse("single-elimination"), TFORMAT_INVALID);
    assert_int_equal(tformat_parse("round_robin "), TFORMAT_INVALID);
    assert_int_equal(tformat_parse("elimination"), TFORMAT_INVALID);
}

static void test_participant_type(void **state)
{
    (void)state;
    assert_true(participant_type_valid("solo"));
    assert_true(participant_type_valid("team"));
    assert_false(participant_type_valid(NULL));
    assert_false(participant_type_valid(""));
    assert_false(participant_type_valid("Solo"));
    assert_false(participant_type_valid("teams"));
    assert_false(participant_type_valid("tea"));
    assert_false(participant_type_valid("duo"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_names),       cmocka_unit_test(test_move_matrix),
        cmocka_unit_test(test_structure_edit),     cmocka_unit_test(test_regstate_names),
        cmocka_unit_test(test_regstate_by_status), cmocka_unit_test(test_regstate_window_edges),
        cmocka_unit_test(test_regstate_capacity),  cmocka_unit_test(test_formats),
        cmocka_unit_test(test_participant_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
