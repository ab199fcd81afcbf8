-- Federation: our actors' keys, the remote actors we know, who follows us,
-- the activities we send and the state of each delivery.

-- One RSA-2048 key pair per local actor: 'en', 'ru', … for the language
-- actors and 'instance' for the instance actor. Made on first start.
CREATE TABLE actor_keys (
    actor       text PRIMARY KEY,
    private_pem text NOT NULL,
    public_pem  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Remote actors and their keys, fetched with signed GETs and cached.
CREATE TABLE remote_actors (
    id             text PRIMARY KEY,          -- the actor's ActivityPub id
    host           text NOT NULL,
    inbox          text NOT NULL,
    shared_inbox   text NOT NULL DEFAULT '',
    key_id         text NOT NULL DEFAULT '',
    public_key_pem text NOT NULL DEFAULT '',
    username       text NOT NULL DEFAULT '',  -- preferredUsername
    name           text NOT NULL DEFAULT '',
    url            text NOT NULL DEFAULT '',  -- profile page
    icon_url       text NOT NULL DEFAULT '',
    document       jsonb,
    fetched_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX remote_actors_key_id ON remote_actors (key_id);
CREATE INDEX remote_actors_host ON remote_actors (host);

-- Followers of each language actor. Undo is matched by (actor, follower),
-- never only by the Follow's id (INTEROP F4).
CREATE TABLE followers (
    actor       text NOT NULL,                -- our language code
    follower    text NOT NULL REFERENCES remote_actors (id) ON DELETE CASCADE,
    follow_id   text NOT NULL DEFAULT '',     -- the last Follow activity's id
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (actor, follower)
);
CREATE INDEX followers_follower ON followers (follower);

-- Remote hosts and their delivery health (INTEROP E3): a host failing on
-- 7 distinct days is unavailable until it contacts us or a delivery succeeds.
CREATE TABLE instances (
    host          text PRIMARY KEY,
    failure_days  date[] NOT NULL DEFAULT '{}',
    unavailable   boolean NOT NULL DEFAULT false,
    last_error    text NOT NULL DEFAULT '',
    last_success  timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Every activity we send, as sent: deliveries sign and POST these exact bytes.
CREATE TABLE activities (
    id             text PRIMARY KEY,          -- the activity's id
    actor          text NOT NULL,             -- our actor: a language code or 'instance'
    type           text NOT NULL,
    translation_id bigint REFERENCES translations (id) ON DELETE SET NULL,
    body           bytea NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activities_translation ON activities (translation_id);

-- One row per (activity, inbox): the delivery report, and the record that an
-- inbox acknowledged an activity so it is never sent again.
CREATE TABLE deliveries (
    activity_id  text NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    inbox        text NOT NULL,
    state        text NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'delivered', 'failed', 'skipped')),
    attempts     integer NOT NULL DEFAULT 0,
    last_status  integer,
    last_error   text NOT NULL DEFAULT '',
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (activity_id, inbox)
);
CREATE INDEX deliveries_pending ON deliveries (state) WHERE state IN ('pending', 'failed');
