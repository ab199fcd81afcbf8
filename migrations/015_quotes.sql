-- Quotes of our Articles (FEP-044f, as Mastodon 4.5 does them): each
-- QuoteRequest we accepted, with the key of the QuoteAuthorization we serve
-- for it. A moderator's revocation keeps the row, so that a later request
-- for the same post is refused and the authorization answers 404.
CREATE TABLE quotes (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    auth_key       uuid NOT NULL UNIQUE,            -- /ap/quotes/{auth_key}
    translation_id bigint NOT NULL REFERENCES translations (id) ON DELETE CASCADE,
    actor          text NOT NULL,                   -- who quotes
    post           text NOT NULL UNIQUE,            -- their post that quotes ours
    request_id     text NOT NULL,                   -- the QuoteRequest's id
    state          text NOT NULL DEFAULT 'accepted' CHECK (state IN ('accepted', 'revoked')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz,
    revoked_by     bigint REFERENCES staff (id) ON DELETE SET NULL
);
CREATE INDEX quotes_translation ON quotes (translation_id) WHERE state = 'accepted';

-- Who may quote our Articles without asking a moderator: 'public',
-- 'followers' (of the Article's language actor) or 'nobody'.
INSERT INTO settings (key, value) VALUES ('quote_policy', 'public') ON CONFLICT (key) DO NOTHING;
