-- Page versions are announced as they change: at commit, PostgreSQL sends
-- a notification on the channel page_versions to every session listening
-- there, in the order of commits. The website listens, and so knows
-- without a query per request that the versions it last read are still
-- current (store.PageWatch, web/page_cache.go, issue 5). A transaction
-- that changes many versions sends one notification: PostgreSQL folds
-- identical ones.
CREATE OR REPLACE FUNCTION bump_page_version(sid bigint) RETURNS void LANGUAGE sql AS $$
    INSERT INTO page_versions (story_id, version) VALUES (sid, nextval('page_version_seq'))
    ON CONFLICT (story_id) DO UPDATE SET version = EXCLUDED.version;
    SELECT pg_notify('page_versions', '');
$$;

CREATE OR REPLACE FUNCTION bump_catalog_version() RETURNS void LANGUAGE sql AS $$
    UPDATE catalog_version SET version = nextval('page_version_seq');
    SELECT pg_notify('page_versions', '');
$$;
