DROP INDEX registrations_tournament;
