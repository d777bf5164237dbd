-- 0009: a payment carries its tournament (its registration's, which never changes), so a
-- tournament's payments page is an index range read in id order that stops at the page's
-- limit, like its registrations page, instead of a seek into the payments of each of the
-- tournament's registrations and a sort. Written with the payment; `tourneyd check`
-- verifies it.
ALTER TABLE payments ADD COLUMN tournament_id INTEGER NOT NULL DEFAULT 0;
UPDATE payments SET tournament_id =
    (SELECT r.tournament_id FROM registrations r WHERE r.id = payments.registration_id);
CREATE INDEX payments_tournament ON payments(tournament_id, id);
CREATE INDEX payments_tournament_status ON payments(tournament_id, status, id);
