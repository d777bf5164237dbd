DROP INDEX payments_status;
DROP INDEX registrations_team;
