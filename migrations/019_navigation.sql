-- The header navigation and the footer links, as the editors arrange them
-- in the desk. A place with no rows shows the built-in links. A link goes
-- to a static page (in each language where it is published), the language
-- section, the "Tell your story" form, or an outside address; its label
-- may be given per language (labels: {"en": "About", …}), and falls back
-- to the page's title or the interface's own words.
CREATE TABLE nav_links (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    place    text NOT NULL CHECK (place IN ('header', 'footer')),
    position integer NOT NULL,
    kind     text NOT NULL CHECK (kind IN ('page', 'section', 'tell', 'url')),
    page_id  bigint REFERENCES site_pages (id) ON DELETE CASCADE,
    url      text NOT NULL DEFAULT '',
    labels   jsonb NOT NULL DEFAULT '{}',
    CHECK (kind <> 'page' OR page_id IS NOT NULL),
    CHECK (kind <> 'url' OR url ~ '^https?://')
);
CREATE INDEX nav_links_place ON nav_links (place, position);

-- Every public page shows the navigation, and kept pages must not show an
-- old one: a change to the links, or to a page they may name (its title,
-- slug or state), makes every kept page stale (migration 005).
CREATE FUNCTION page_version_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE page_versions SET version = nextval('page_version_seq');
    PERFORM bump_catalog_version();
    PERFORM pg_notify('page_versions', '');
    RETURN NULL;
END $$;
CREATE TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON nav_links
    FOR EACH STATEMENT EXECUTE FUNCTION page_version_all();
CREATE TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON pages
    FOR EACH STATEMENT EXECUTE FUNCTION page_version_all();
