DELETE FROM meta WHERE key = 'leaderboard_computed_at';
DROP INDEX leaderboard_rank;
ALTER TABLE leaderboard_rows DROP COLUMN rank;
CREATE INDEX leaderboard_rank ON leaderboard_rows(game_id, points DESC, user_id);
