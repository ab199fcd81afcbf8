-- Samizdat's first schema: stories and their translations, static pages,
-- staff and their sessions, and "Tell your story" submissions.

CREATE TABLE stories (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    byline_kind text NOT NULL DEFAULT 'publication'
                CHECK (byline_kind IN ('publication', 'name', 'pseudonym')),
    byline_name text NOT NULL DEFAULT '',
    byline_slug text NOT NULL DEFAULT '',
    cover_image text NOT NULL DEFAULT '',
    pinned      boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stories_byline_slug ON stories (byline_slug) WHERE byline_slug <> '';

-- One row per language a story exists in. The state lives here: each
-- published translation is one ActivityPub Article, sent by its language's
-- actor. object_key names that Article (/ap/articles/{object_key}); it is set
-- on first publication and replaced when a withdrawn translation is published
-- again, because a peer never accepts an id it holds a tombstone for.
CREATE TABLE translations (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    story_id      bigint NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    lang          text NOT NULL,
    title         text NOT NULL,
    teaser        text NOT NULL,
    body_markdown text NOT NULL DEFAULT '',
    body_html     text NOT NULL DEFAULT '',
    slug          text NOT NULL,
    tags          text[] NOT NULL DEFAULT '{}',
    cover_alt     text NOT NULL DEFAULT '',
    state         text NOT NULL DEFAULT 'draft'
                  CHECK (state IN ('draft', 'scheduled', 'published', 'withdrawn')),
    publish_at    timestamptz,
    published_at  timestamptz,
    edited_at     timestamptz,
    object_key    uuid UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (story_id, lang),
    UNIQUE (lang, slug),
    CHECK (state <> 'scheduled' OR publish_at IS NOT NULL),
    CHECK (state <> 'published' OR published_at IS NOT NULL)
);
CREATE INDEX translations_published ON translations (lang, published_at DESC) WHERE state = 'published';
CREATE INDEX translations_tags ON translations USING gin (tags);
CREATE INDEX translations_due ON translations (publish_at) WHERE state = 'scheduled';

-- Old slugs of translations whose slug changed, so old links keep working.
CREATE TABLE slug_redirects (
    lang           text NOT NULL,
    slug           text NOT NULL,
    translation_id bigint NOT NULL REFERENCES translations (id) ON DELETE CASCADE,
    PRIMARY KEY (lang, slug)
);

-- Article ids that were withdrawn: never served again as an Article, never reused.
CREATE TABLE tombstones (
    object_key     uuid PRIMARY KEY,
    translation_id bigint REFERENCES translations (id) ON DELETE SET NULL,
    deleted_at     timestamptz NOT NULL DEFAULT now()
);

-- Static pages (about, team, stance, privacy), one per language.
CREATE TABLE pages (
    lang          text NOT NULL,
    slug          text NOT NULL,
    title         text NOT NULL,
    body_markdown text NOT NULL,
    body_html     text NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (lang, slug)
);

CREATE TABLE staff (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text NOT NULL,
    display_name  text NOT NULL,
    password_hash text NOT NULL,
    roles         text[] NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX staff_email ON staff (lower(email));

-- Server-side staff sessions, in the shape github.com/alexedwards/scs/pgxstore expects.
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);

-- "Tell your story". No IP address, no user agent: only what the sender typed.
CREATE TABLE submissions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lang       text NOT NULL,
    story      text NOT NULL,
    name       text NOT NULL DEFAULT '',
    contact    text NOT NULL DEFAULT '',
    read_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
