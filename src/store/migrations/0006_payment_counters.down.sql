ALTER TABLE tournaments DROP COLUMN revenue_verified_cents;
ALTER TABLE tournaments DROP COLUMN n_payments_pending;
