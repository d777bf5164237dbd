-- 0007: a registration's matches by side, so "my next match" on the player's dashboard
-- is two index probes instead of a scan of the tournament's open matches.
CREATE INDEX matches_p1 ON matches(p1_registration_id);
CREATE INDEX matches_p2 ON matches(p2_registration_id);
