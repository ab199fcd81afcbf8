-- Every save of a translation's text is kept, so that editors can see what
-- changed and bring an earlier text back (the desk's revisions). A trigger
-- keeps them, so that no way of saving can forget to. The text is what the
-- editor typed; the HTML is rendered again from it when one is restored.
CREATE TABLE translation_revisions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    translation_id bigint NOT NULL REFERENCES translations (id) ON DELETE CASCADE,
    title          text NOT NULL,
    teaser         text NOT NULL,
    body_markdown  text NOT NULL,
    slug           text NOT NULL,
    tags           text[] NOT NULL,
    cover_alt      text NOT NULL,
    saved_at       timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX translation_revisions_translation ON translation_revisions (translation_id, saved_at DESC, id DESC);

CREATE FUNCTION keep_translation_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO translation_revisions (translation_id, title, teaser, body_markdown, slug, tags, cover_alt)
    VALUES (NEW.id, NEW.title, NEW.teaser, NEW.body_markdown, NEW.slug, NEW.tags, NEW.cover_alt);
    RETURN NULL;
END $$;
CREATE TRIGGER translation_revision_insert AFTER INSERT ON translations
    FOR EACH ROW EXECUTE FUNCTION keep_translation_revision();
CREATE TRIGGER translation_revision_update AFTER UPDATE ON translations
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.teaser IS DISTINCT FROM NEW.teaser
        OR OLD.body_markdown IS DISTINCT FROM NEW.body_markdown OR OLD.slug IS DISTINCT FROM NEW.slug
        OR OLD.tags IS DISTINCT FROM NEW.tags OR OLD.cover_alt IS DISTINCT FROM NEW.cover_alt)
    EXECUTE FUNCTION keep_translation_revision();

-- The texts saved until now are their translations' first revisions.
INSERT INTO translation_revisions (translation_id, title, teaser, body_markdown, slug, tags, cover_alt, saved_at)
SELECT id, title, teaser, body_markdown, slug, tags, cover_alt, updated_at FROM translations;

-- "Translation out of date": when a translator last said a translation
-- follows the original although the original changed after it was saved
-- (the desk's Dismiss). NULL until then.
ALTER TABLE translations ADD COLUMN original_seen_at timestamptz;
