-- The signature scheme each instance accepts on the POSTs we send: '' until
-- known (draft-cavage is sent), 'rfc9421' once it refused draft-cavage with
-- 400 or 401 and took an RFC 9421 signature, 'cavage' once it did the
-- reverse (docs/federation.md#rfc9421-signatures).
ALTER TABLE instances ADD COLUMN signature text NOT NULL DEFAULT ''
    CHECK (signature IN ('', 'cavage', 'rfc9421'));
