DROP INDEX payments_tournament_status;
DROP INDEX payments_tournament;
ALTER TABLE payments DROP COLUMN tournament_id;
