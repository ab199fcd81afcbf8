-- Readers taking part: the newsletter and "Join the team" (docs/architecture.md#readers-taking-part).

-- A newsletter subscriber. The address is stored lowercased. token_hash and
-- token_sent_at exist only until the address is confirmed.
CREATE TABLE newsletter_subscribers (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    address       text NOT NULL,
    langs         text[] NOT NULL,
    confirmed_at  timestamptz,
    token_hash    bytea,
    token_sent_at timestamptz,
    CONSTRAINT newsletter_subscribers_address UNIQUE (address)
);
CREATE INDEX newsletter_subscribers_langs ON newsletter_subscribers USING gin (langs) WHERE confirmed_at IS NOT NULL;
CREATE UNIQUE INDEX newsletter_subscribers_token ON newsletter_subscribers (token_hash) WHERE token_hash IS NOT NULL;

-- An issue: a published story's own mail (translation_id set) or an
-- editor's digest of chosen stories with an introduction.
CREATE TABLE newsletter_issues (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lang            text NOT NULL,
    translation_id  bigint REFERENCES translations ON DELETE SET NULL,
    subject         text NOT NULL,
    intro           text NOT NULL DEFAULT '',
    translation_ids bigint[] NOT NULL,
    created_by      bigint REFERENCES staff ON DELETE SET NULL,
    created_at      timestamptz NOT NULL,
    sent            integer NOT NULL DEFAULT 0,
    failed          integer NOT NULL DEFAULT 0,
    CONSTRAINT newsletter_issues_translation UNIQUE (translation_id)
);

-- One row per issue and subscriber: a send job finds here whether its mail
-- already went out, so nobody gets an issue twice.
CREATE TABLE newsletter_sends (
    issue_id      bigint NOT NULL REFERENCES newsletter_issues ON DELETE CASCADE,
    subscriber_id bigint NOT NULL REFERENCES newsletter_subscribers ON DELETE CASCADE,
    sent_at       timestamptz,
    failed_at     timestamptz,
    error         text NOT NULL DEFAULT '',
    PRIMARY KEY (issue_id, subscriber_id)
);
CREATE INDEX newsletter_sends_subscriber ON newsletter_sends (subscriber_id);

-- "Join the team": volunteer offers, kept like submissions (no IP, no user agent).
CREATE TABLE volunteers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lang        text NOT NULL,
    roles       text[] NOT NULL,
    lang_pairs  text NOT NULL DEFAULT '',
    message     text NOT NULL,
    contact     text NOT NULL,
    read_at     timestamptz,
    archived_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE submissions ADD COLUMN archived_at timestamptz;
CREATE INDEX volunteers_created ON volunteers (created_at);
CREATE INDEX submissions_created ON submissions (created_at);

INSERT INTO settings (key, value) VALUES ('intake_retention_days', '180');
