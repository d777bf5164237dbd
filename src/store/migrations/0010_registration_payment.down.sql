ALTER TABLE registrations DROP COLUMN payment_id;
