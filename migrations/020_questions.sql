-- "Ask": readers' questions to the authors (docs/architecture.md#readers-taking-part).

-- A question, from a fediverse post that mentions a language actor with
-- #ask (source 'fediverse', ap_id the post's id) or from the site after the
-- reader signed in (source 'site', ap_id the direct mention our language
-- actor sent the asker). The answer is published as a reply to ap_id.
CREATE TABLE questions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lang         text NOT NULL,
    source       text NOT NULL CHECK (source IN ('fediverse', 'site')),
    ap_id        text,
    asker        text NOT NULL,
    asker_handle text NOT NULL,
    asker_inbox  text NOT NULL DEFAULT '',
    body_html    text NOT NULL,
    state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected', 'answered', 'withdrawn')),
    held_for     text NOT NULL DEFAULT '',
    assigned_to  bigint REFERENCES staff ON DELETE SET NULL,
    answer_md    text NOT NULL DEFAULT '',
    answer_html  text NOT NULL DEFAULT '',
    answered_at  timestamptz,
    created_at   timestamptz NOT NULL,
    CONSTRAINT questions_ap_id UNIQUE (ap_id)
);
CREATE INDEX questions_lang_state ON questions (lang, state, created_at DESC);
CREATE INDEX questions_asker ON questions (asker);

-- The OAuth applications Samizdat registered at readers' instances, one per
-- instance, reused for every reader of that instance.
CREATE TABLE ask_apps (
    instance      text PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('mastodon', 'misskey')),
    client_id     text NOT NULL DEFAULT '',
    client_secret text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL
);
