-- Static pages become the editors' own: any number of them, each in the
-- languages it has, with a slug per language, drafts and publication. A
-- row of pages is now one language of a page of site_pages; the pages
-- loaded until now (about, team, stance, privacy) become ordinary pages,
-- one per slug, already published.
CREATE TABLE site_pages (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE pages ADD COLUMN page_id bigint REFERENCES site_pages (id) ON DELETE CASCADE;
ALTER TABLE pages ADD COLUMN state text NOT NULL DEFAULT 'draft'
    CHECK (state IN ('draft', 'published'));

DO $$
DECLARE
    s  text;
    id bigint;
BEGIN
    FOR s IN SELECT DISTINCT slug FROM pages ORDER BY slug LOOP
        INSERT INTO site_pages DEFAULT VALUES RETURNING site_pages.id INTO id;
        UPDATE pages SET page_id = id, state = 'published' WHERE slug = s;
    END LOOP;
END $$;

ALTER TABLE pages ALTER COLUMN page_id SET NOT NULL;
ALTER TABLE pages ADD CONSTRAINT pages_page_lang UNIQUE (page_id, lang);
