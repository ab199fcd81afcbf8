-- Full-text search of the public site (/{lang}/search): stories and pages
-- of one language, by title, tags, teaser, text and byline.
--
-- Each language is stemmed with PostgreSQL's own configuration for it where
-- there is one, so that a Russian reader typing "войны" finds "война"; a
-- language without one (Ukrainian has none by default) is split into words
-- with 'simple'. samizdat_ts_config maps a bare language code to that
-- configuration. It reads the catalog, so a configuration missing from an
-- older PostgreSQL falls back to 'simple' instead of failing; it is
-- declared immutable because the generated columns below need it to be,
-- and the configurations it names do not change under a running database.
CREATE FUNCTION samizdat_ts_config(lang text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
	SELECT coalesce(
		(SELECT c.oid::regconfig FROM pg_catalog.pg_ts_config c
		 WHERE c.cfgnamespace = 'pg_catalog'::regnamespace
		   AND c.cfgname = CASE lang
			WHEN 'ar' THEN 'arabic'     WHEN 'hy' THEN 'armenian'  WHEN 'eu' THEN 'basque'
			WHEN 'ca' THEN 'catalan'    WHEN 'da' THEN 'danish'    WHEN 'nl' THEN 'dutch'
			WHEN 'en' THEN 'english'    WHEN 'fi' THEN 'finnish'   WHEN 'fr' THEN 'french'
			WHEN 'de' THEN 'german'     WHEN 'el' THEN 'greek'     WHEN 'hi' THEN 'hindi'
			WHEN 'hu' THEN 'hungarian'  WHEN 'id' THEN 'indonesian' WHEN 'ga' THEN 'irish'
			WHEN 'it' THEN 'italian'    WHEN 'lt' THEN 'lithuanian' WHEN 'ne' THEN 'nepali'
			WHEN 'no' THEN 'norwegian'  WHEN 'nb' THEN 'norwegian' WHEN 'nn' THEN 'norwegian'
			WHEN 'pt' THEN 'portuguese' WHEN 'ro' THEN 'romanian'  WHEN 'ru' THEN 'russian'
			WHEN 'sr' THEN 'serbian'    WHEN 'es' THEN 'spanish'   WHEN 'sv' THEN 'swedish'
			WHEN 'ta' THEN 'tamil'      WHEN 'tr' THEN 'turkish'   WHEN 'yi' THEN 'yiddish'
			ELSE 'simple' END),
		'simple'::regconfig)
$$;

-- array_to_string is only stable in general (its element types' output
-- may depend on settings); for text[] it is not, and the generated column
-- needs an immutable expression.
CREATE FUNCTION samizdat_words(words text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ SELECT array_to_string(words, ' ') $$;

-- Title and tags weigh most, then the teaser, then the text.
ALTER TABLE translations ADD COLUMN search tsvector GENERATED ALWAYS AS (
	setweight(to_tsvector(samizdat_ts_config(lang), title), 'A') ||
	setweight(to_tsvector(samizdat_ts_config(lang), samizdat_words(tags)), 'A') ||
	setweight(to_tsvector(samizdat_ts_config(lang), teaser), 'B') ||
	setweight(to_tsvector(samizdat_ts_config(lang), body_markdown), 'C')
) STORED;
CREATE INDEX translations_search ON translations USING gin (search);

-- A byline is a name in any language: split into words, never stemmed.
ALTER TABLE stories ADD COLUMN byline_search tsvector
	GENERATED ALWAYS AS (to_tsvector('simple', byline_name)) STORED;
CREATE INDEX stories_byline_search ON stories USING gin (byline_search);

ALTER TABLE pages ADD COLUMN search tsvector GENERATED ALWAYS AS (
	setweight(to_tsvector(samizdat_ts_config(lang), title), 'A') ||
	setweight(to_tsvector(samizdat_ts_config(lang), body_markdown), 'C')
) STORED;
CREATE INDEX pages_search ON pages USING gin (search);
