/* migrate.h: versioned schema migrations, embedded in the binary.
 *
 * Migration N is the pair of files NNNN_name.up.sql / NNNN_name.down.sql of
 * src/store/migrations, compiled into the binary. The schema version is SQLite's
 * user_version; each step runs in its own transaction together with the version change,
 * so a failed step leaves the database at the previous version. */
#ifndef TOURNEYD_MIGRATE_H
#define TOURNEYD_MIGRATE_H

#include <stddef.h>

#include "store/db.h"

/* The newest version this binary knows. */
int migrate_latest(void);
/* The database's version (0 for an empty database); -1 on error. */
int migrate_current(db_conn *c);
/* Applies every migration above the current version. Returns the number applied or -1. */
int migrate_up(db_conn *c, char *err, size_t errlen);
/* Reverts the `steps` newest applied migrations (fewer if not that many). Returns the
 * number reverted or -1. */
int migrate_down(db_conn *c, int steps, char *err, size_t errlen);
/* Name of migration `version` (1-based), e.g. "0001_schema"; NULL if unknown. */
const char *migrate_name(int version);

#endif
