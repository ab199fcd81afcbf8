-- Who may hold a copy of an Article besides its actor's followers, so that
-- its edits and its withdrawal reach every copy: the instances that fetched
-- it with a signed request. (Repliers, boosters and likers are known from
-- replies and reactions already.) One row per Article and instance; the
-- signer is kept to find the instance's inbox. Nothing here is about
-- readers of the web pages: only signed ActivityPub fetches are recorded.
CREATE TABLE article_fetches (
    translation_id bigint NOT NULL REFERENCES translations (id) ON DELETE CASCADE,
    host           text NOT NULL,
    signer         text NOT NULL,
    fetched_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (translation_id, host)
);

-- Why each inbox got an activity: 'followers', or for an Update or a Delete
-- also 'replied', 'boosted', 'liked', 'quoted' or 'fetched'; '' for
-- activities that go to one actor (an Accept, a report).
ALTER TABLE deliveries ADD COLUMN reach text NOT NULL DEFAULT '';
