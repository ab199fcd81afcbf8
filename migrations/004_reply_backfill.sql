-- What the background backfill of the dialogue needs to know about each
-- reply (issue 4 item 6): where the reply's own replies collection is, as
-- its author's server published it, and when we last read it, so that
-- each run reads the collections it read least recently.
ALTER TABLE replies ADD COLUMN replies_iri text NOT NULL DEFAULT '';
ALTER TABLE replies ADD COLUMN replies_checked_at timestamptz;
CREATE INDEX replies_backfill ON replies (replies_checked_at NULLS FIRST, received_at)
    WHERE state = 'visible' AND visibility IN ('public', 'unlisted');
