-- 0005: a tournament's registrations in id order (the index's implicit rowid), so a page
-- of the registration list is an index range read.
CREATE INDEX registrations_tournament ON registrations(tournament_id);
