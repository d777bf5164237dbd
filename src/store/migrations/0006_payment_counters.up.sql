-- 0006: pending payments and verified revenue as counters on the tournament row,
-- maintained in the same transaction as every payment change (like the registration
-- counters), so the organizer's dashboard reads rows instead of aggregating payments.
ALTER TABLE tournaments ADD COLUMN n_payments_pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tournaments ADD COLUMN revenue_verified_cents INTEGER NOT NULL DEFAULT 0;
UPDATE tournaments SET
    n_payments_pending = (SELECT count(*) FROM registrations r JOIN payments p
        ON p.registration_id = r.id WHERE r.tournament_id = tournaments.id
        AND p.status = 'pending'),
    revenue_verified_cents = (SELECT coalesce(sum(p.amount_cents), 0) FROM registrations r
        JOIN payments p ON p.registration_id = r.id WHERE r.tournament_id = tournaments.id
        AND p.status = 'verified');
