-- The inbox asks, for every reply it takes in, whether its author already
-- has a visible reply (the "known" policy, content.InitialState). With an
-- index on the author alone, PostgreSQL reads every reply of the author
-- to find one in that state, and an author whose many replies wait for
-- review, or were hidden, made each new one slower. With the state in the
-- index the answer is one index probe. The index still serves every
-- lookup by author alone (the desk's lists, cascades from remote_actors).
CREATE INDEX replies_author_state ON replies (author, state);
DROP INDEX replies_author;
