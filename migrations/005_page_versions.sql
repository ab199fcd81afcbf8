-- The version of everything a story's page shows: the story, its
-- translations, its visible replies and their authors, its reactions; and
-- of the lists of stories. It changes in the same transaction as any of
-- those, so the website can keep rendered pages and tell, with one indexed
-- read per request, whether the page it holds is current
-- (web/page_cache.go, issue 5). Triggers keep it, so that no code path
-- writing these tables can forget to.
--
-- Whoever makes a story page show something read from another table adds a
-- trigger for that table here (in a new migration).
CREATE TABLE page_versions (
    story_id bigint PRIMARY KEY, -- no foreign key: a story being deleted bumps its own version on the way out
    version  bigint NOT NULL
);

-- Versions come from one sequence, so a version is never given twice, even
-- to a story deleted and created again.
CREATE SEQUENCE page_version_seq;

CREATE FUNCTION bump_page_version(sid bigint) RETURNS void LANGUAGE sql AS $$
    INSERT INTO page_versions (story_id, version) VALUES (sid, nextval('page_version_seq'))
    ON CONFLICT (story_id) DO UPDATE SET version = EXCLUDED.version
$$;

-- The version of the lists of stories (sections, tags, bylines): they show
-- stories and translations only, so it changes with any change to either.
CREATE TABLE catalog_version (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    version  bigint NOT NULL
);
INSERT INTO catalog_version (version) VALUES (nextval('page_version_seq'));

CREATE FUNCTION bump_catalog_version() RETURNS void LANGUAGE sql AS $$
    UPDATE catalog_version SET version = nextval('page_version_seq')
$$;

-- Stories and translations: any change, to their pages and to the lists.
CREATE FUNCTION page_version_story() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN PERFORM bump_page_version(OLD.id); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM bump_page_version(NEW.id); END IF;
    PERFORM bump_catalog_version();
    RETURN NULL;
END $$;
CREATE TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON stories
    FOR EACH ROW EXECUTE FUNCTION page_version_story();

CREATE FUNCTION page_version_translation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN PERFORM bump_page_version(OLD.story_id); END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.story_id <> OLD.story_id) THEN
        PERFORM bump_page_version(NEW.story_id);
    END IF;
    PERFORM bump_catalog_version();
    RETURN NULL;
END $$;
CREATE TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON translations
    FOR EACH ROW EXECUTE FUNCTION page_version_translation();

-- Replies: only those that are, or were, visible; a pending or hidden reply
-- changes nothing on the page, and most new replies arrive pending.
CREATE FUNCTION page_version_reply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.state = 'visible' THEN PERFORM bump_page_version(OLD.story_id); END IF;
    IF TG_OP <> 'DELETE' AND NEW.state = 'visible'
        AND (TG_OP = 'INSERT' OR OLD.state <> 'visible' OR NEW.story_id <> OLD.story_id) THEN
        PERFORM bump_page_version(NEW.story_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER page_version_insert AFTER INSERT ON replies
    FOR EACH ROW WHEN (NEW.state = 'visible') EXECUTE FUNCTION page_version_reply();
CREATE TRIGGER page_version_update AFTER UPDATE ON replies
    FOR EACH ROW WHEN (OLD.state = 'visible' OR NEW.state = 'visible') EXECUTE FUNCTION page_version_reply();
CREATE TRIGGER page_version_delete AFTER DELETE ON replies
    FOR EACH ROW WHEN (OLD.state = 'visible') EXECUTE FUNCTION page_version_reply();

-- Reactions: counted on the page.
CREATE FUNCTION page_version_reaction() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM bump_page_version(t.story_id) FROM translations t WHERE t.id = OLD.translation_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM bump_page_version(t.story_id) FROM translations t WHERE t.id = NEW.translation_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON reactions
    FOR EACH ROW EXECUTE FUNCTION page_version_reaction();

-- Remote actors: what the dialogue shows of an author (store.replyColumns)
-- is on the page of every story they have a visible reply under.
CREATE FUNCTION page_version_author() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bump_page_version(r.story_id)
        FROM (SELECT DISTINCT story_id FROM replies WHERE author = OLD.id AND state = 'visible') r;
    RETURN NULL;
END $$;
CREATE TRIGGER page_version AFTER UPDATE ON remote_actors
    FOR EACH ROW WHEN ((OLD.username, OLD.host, OLD.name, OLD.url, OLD.icon_file)
        IS DISTINCT FROM (NEW.username, NEW.host, NEW.name, NEW.url, NEW.icon_file))
    EXECUTE FUNCTION page_version_author();
