-- 0010: a registration names its latest payment, so a page of registrations reads each
-- row's payment with one seek by id instead of a search of the payments index for the
-- highest id of the registration and then that seek. Written with the payment (a
-- payment is never deleted and a newer one has a higher id); `tourneyd check`
-- verifies it.
ALTER TABLE registrations ADD COLUMN payment_id INTEGER;
UPDATE registrations SET payment_id =
    (SELECT max(p.id) FROM payments p WHERE p.registration_id = registrations.id)
    WHERE id IN (SELECT registration_id FROM payments);
