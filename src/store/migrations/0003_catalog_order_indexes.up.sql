-- 0003: indexes in the catalog's exact order (start_at DESC, id DESC) for every filter,
-- so a page is an index range read whatever the filter: O(log n + page), no sort.
CREATE INDEX tournaments_game_start ON tournaments(game_id, start_at DESC, id DESC);
CREATE INDEX tournaments_game_status_start ON tournaments(game_id, status, start_at DESC, id DESC);
DROP INDEX tournaments_status_start;
CREATE INDEX tournaments_status_start ON tournaments(status, start_at DESC, id DESC);
DROP INDEX tournaments_organizer;
CREATE INDEX tournaments_organizer ON tournaments(organizer_id, start_at DESC, id DESC);
