DROP INDEX tournaments_organizer;
CREATE INDEX tournaments_organizer ON tournaments(organizer_id, start_at DESC);
DROP INDEX tournaments_status_start;
CREATE INDEX tournaments_status_start ON tournaments(status, start_at DESC);
DROP INDEX tournaments_game_status_start;
DROP INDEX tournaments_game_start;
