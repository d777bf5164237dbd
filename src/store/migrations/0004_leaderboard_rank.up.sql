-- 0004: the leaderboard snapshot stores each row's rank (competition ranking by points,
-- then wins), so a page is an index range read on (game_id, rank); the snapshot's time
-- lives in meta.
ALTER TABLE leaderboard_rows ADD COLUMN rank INTEGER NOT NULL DEFAULT 0;
DROP INDEX leaderboard_rank;
CREATE INDEX leaderboard_rank ON leaderboard_rows(game_id, rank, user_id);
INSERT INTO meta (key, value) VALUES ('leaderboard_computed_at', 0);
