-- The fediverse profile of each language actor, as the editors set it in the
-- desk. A language with no row, or an empty column, keeps the built-in
-- value (the publication's name and language, the generated avatar and
-- header, one "Website" field). bio is the editors' Markdown and bio_html
-- what goldmark made of it, the actor's summary. avatar and header name
-- files of the media store. fields is a list of {"label", "value"}, four at
-- most, as Mastodon shows.
CREATE TABLE actor_profiles (
    lang         text PRIMARY KEY,
    display_name text NOT NULL DEFAULT '',
    bio          text NOT NULL DEFAULT '',
    bio_html     text NOT NULL DEFAULT '',
    avatar       text NOT NULL DEFAULT '',
    header       text NOT NULL DEFAULT '',
    fields       jsonb NOT NULL DEFAULT '[]',
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- The section pages carry rel="me" links to the profile's fields, so a kept
-- page must not outlive a change (migrations 005 and 019).
CREATE TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON actor_profiles
    FOR EACH STATEMENT EXECUTE FUNCTION page_version_all();
