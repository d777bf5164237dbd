-- 0002: lookups the registration flow needs: a team's registrations (a member's
-- dashboard, overlap checks) and a tournament's payments by status.
CREATE INDEX registrations_team ON registrations(team_id, tournament_id);
CREATE INDEX payments_status ON payments(status, registration_id);
