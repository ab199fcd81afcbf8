-- The dialogue: replies from the fediverse gathered under each story,
-- reactions, and what moderators need to keep hostile replies off the page.

-- A reply is a remote object (usually a Note) whose inReplyTo chain leads to
-- one of our Articles. Its HTML is sanitized before it is stored.
CREATE TABLE replies (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ap_id          text NOT NULL UNIQUE,
    story_id       bigint NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    translation_id bigint REFERENCES translations (id) ON DELETE SET NULL, -- the Article answered, when it answers one directly
    parent_id      bigint REFERENCES replies (id) ON DELETE SET NULL,      -- the reply answered, when it answers a reply
    in_reply_to    text NOT NULL,                                         -- the parent's ActivityPub id, as sent
    author         text NOT NULL REFERENCES remote_actors (id) ON DELETE CASCADE,
    author_host    text NOT NULL,
    lang           text NOT NULL DEFAULT '',
    content_html   text NOT NULL,
    summary        text NOT NULL DEFAULT '',                              -- content warning
    sensitive      boolean NOT NULL DEFAULT false,
    url            text NOT NULL DEFAULT '',                              -- the reply on its own instance
    visibility     text NOT NULL CHECK (visibility IN ('public', 'unlisted', 'followers', 'direct')),
    state          text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'visible', 'hidden')),
    hidden_reason  text NOT NULL DEFAULT '',
    held_for       text NOT NULL DEFAULT '',                              -- why it waits for review: policy, keyword, edit
    attachments    jsonb NOT NULL DEFAULT '[]',                           -- [{"media": file, "alt": text, "type": mime}]
    emojis         jsonb NOT NULL DEFAULT '[]',                           -- [{"shortcode": ":x:", "media": file}]
    mentions       jsonb NOT NULL DEFAULT '[]',
    depth          integer NOT NULL DEFAULT 0,
    published      timestamptz NOT NULL,
    updated        timestamptz,
    received_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX replies_story_visible ON replies (story_id, published) WHERE state = 'visible';
CREATE INDEX replies_translation_visible ON replies (translation_id, published) WHERE state = 'visible';
CREATE INDEX replies_pending ON replies (received_at) WHERE state = 'pending';
CREATE INDEX replies_author ON replies (author);
CREATE INDEX replies_author_host ON replies (author_host);
CREATE INDEX replies_parent ON replies (parent_id);

-- Ids of replies deleted by their authors: a later Create for one is ignored (INTEROP P4, P6).
CREATE TABLE reply_tombstones (
    ap_id      text PRIMARY KEY,
    deleted_at timestamptz NOT NULL DEFAULT now()
);

-- Likes and boosts of our Articles, one per (kind, actor, translation).
CREATE TABLE reactions (
    activity_id    text NOT NULL UNIQUE,
    kind           text NOT NULL CHECK (kind IN ('like', 'announce')),
    actor          text NOT NULL,
    translation_id bigint NOT NULL REFERENCES translations (id) ON DELETE CASCADE,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, actor, translation_id)
);

-- Blocked accounts (an actor id) and instances (a host).
CREATE TABLE blocks (
    kind       text NOT NULL CHECK (kind IN ('account', 'instance')),
    target     text NOT NULL,
    reason     text NOT NULL DEFAULT '',
    created_by bigint REFERENCES staff (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, target)
);

-- Incoming Flag reports about our stories or about replies in our dialogues.
CREATE TABLE reports (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    activity_id text NOT NULL UNIQUE,
    reporter    text NOT NULL,                 -- the reporting actor (often an instance actor)
    comment     text NOT NULL DEFAULT '',
    objects     text[] NOT NULL DEFAULT '{}',  -- the reported ids, as sent
    reply_id    bigint REFERENCES replies (id) ON DELETE SET NULL,
    translation_id bigint REFERENCES translations (id) ON DELETE SET NULL,
    state       text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved')),
    resolved_by bigint REFERENCES staff (id) ON DELETE SET NULL,
    resolved_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reports_open ON reports (created_at) WHERE state = 'open';

-- Words and phrases that hold a matching reply for review. Stored normalized
-- (NFKC, case-folded) so matching is a plain substring test.
CREATE TABLE keyword_rules (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    phrase     text NOT NULL UNIQUE,
    created_by bigint REFERENCES staff (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Every moderation action: who, what, when, why.
CREATE TABLE moderation_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    staff_id   bigint REFERENCES staff (id) ON DELETE SET NULL,
    action     text NOT NULL,   -- approve, hide, unhide, block, unblock, report, resolve, keyword_add, keyword_remove, policy
    target     text NOT NULL,   -- a reply's ap_id, an actor id, a host, a phrase…
    reason     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX moderation_log_created ON moderation_log (created_at DESC);

-- Publication-wide settings that staff change at run time.
CREATE TABLE settings (
    key        text PRIMARY KEY,
    value      text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO settings (key, value) VALUES ('moderation_policy', 'known');

-- Remote images (avatars, custom emoji, attachments) copied here so that
-- readers' browsers never contact another instance.
CREATE TABLE media_cache (
    remote_url   text PRIMARY KEY,
    file         text NOT NULL,     -- name under MEDIA_DIR/remote/
    content_type text NOT NULL,
    fetched_at   timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE remote_actors ADD COLUMN icon_file text NOT NULL DEFAULT '';
