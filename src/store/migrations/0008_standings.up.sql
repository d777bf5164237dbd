-- 0008: each started tournament's standings, kept as the JSON array GET .../standings
-- serves as `items` (store_standings.c). The writer rebuilds a tournament's row in the
-- same transaction as every change to its matches, so reading the standings is one
-- primary-key probe instead of loading and ranking every match. The rows of the
-- tournaments that already have matches are built by the migration's C step
-- (migrate.c calls store_standings_rebuild_all right after this file).
CREATE TABLE standings (
    tournament_id INTEGER PRIMARY KEY REFERENCES tournaments(id) ON DELETE CASCADE,
    complete INTEGER NOT NULL DEFAULT 0,
    participants INTEGER NOT NULL DEFAULT 0,
    items TEXT NOT NULL
);
