-- Media in the database: covers and images uploaded through the desk, the
-- language actors' avatars and headers, and our copies of remote avatars,
-- emoji and attached images (media_cache points at them). Every process
-- serving the publication serves every image, and one pg_dump holds them.
--
-- name is the path the file had under MEDIA_DIR: "<sha256>.<ext>" for an
-- upload, "remote/<sha256>.<ext>" for a copy. A name is the hash of its
-- content, so a row never changes: it is written once and served as
-- immutable.
CREATE TABLE media (
    name         text PRIMARY KEY CHECK (name ~ '^(remote/)?[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$'),
    content_type text NOT NULL,
    size         integer NOT NULL CHECK (size = octet_length(content)),
    content      bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
-- Images are compressed already: PostgreSQL need not try again.
ALTER TABLE media ALTER COLUMN content SET STORAGE EXTERNAL;
