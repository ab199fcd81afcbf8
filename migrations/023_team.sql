-- The team page's list of members, kept in the desk. A member has a name
-- or a pseudonym, a role in each language, and may have a photo and a
-- link; an anonymous member shows only their role. The list shows on the
-- pages marked shows_team: the demo's and migration 017's "team" page.
CREATE TABLE team_members (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    position  integer NOT NULL,
    name      text NOT NULL DEFAULT '',
    anonymous boolean NOT NULL DEFAULT false,
    roles     jsonb NOT NULL DEFAULT '{}',
    photo     text NOT NULL DEFAULT '',
    link      text NOT NULL DEFAULT '',
    CHECK (anonymous OR name <> ''),
    CHECK (link = '' OR link ~ '^https?://')
);

ALTER TABLE site_pages ADD COLUMN shows_team boolean NOT NULL DEFAULT false;
UPDATE site_pages SET shows_team = true WHERE id IN (SELECT page_id FROM pages WHERE slug = 'team');

-- Kept pages show the list: a change to it makes them stale (migration 019).
CREATE TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON team_members
    FOR EACH STATEMENT EXECUTE FUNCTION page_version_all();
CREATE TRIGGER page_version AFTER UPDATE ON site_pages
    FOR EACH STATEMENT EXECUTE FUNCTION page_version_all();
