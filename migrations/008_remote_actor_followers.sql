-- Every reply the inbox takes in needs its author's followers collection,
-- to tell a followers-only reply from a public one (INTEROP P2). It was
-- read out of the actor document kept as fetched: a few kilobytes of JSON
-- turned to text by PostgreSQL, sent and parsed again for each reply, for
-- one address. The address now has a column of its own, filled when the
-- actor is fetched; the document stays as the record of what was fetched.
ALTER TABLE remote_actors ADD COLUMN followers text NOT NULL DEFAULT '';
UPDATE remote_actors SET followers = CASE jsonb_typeof(document -> 'followers')
        WHEN 'string' THEN document ->> 'followers'
        WHEN 'object' THEN coalesce(document -> 'followers' ->> 'id', '')
        WHEN 'array' THEN CASE jsonb_typeof(document -> 'followers' -> 0)
            WHEN 'string' THEN document -> 'followers' ->> 0
            WHEN 'object' THEN coalesce(document -> 'followers' -> 0 ->> 'id', '')
            ELSE '' END
        ELSE '' END
    WHERE document IS NOT NULL;
