-- What an editor was typing, saved every few seconds by the desk's script
-- and when the page is left, so that a crash or a lost connection loses at
-- most a few seconds. One copy per person and form (key: "story/12/en",
-- "page/3/ru"); it never touches the text readers see, and goes when the
-- form is saved or the copy is discarded.
CREATE TABLE autosaves (
    staff_id bigint NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    key      text NOT NULL,
    fields   jsonb NOT NULL,
    saved_at timestamptz NOT NULL,
    PRIMARY KEY (staff_id, key)
);
