-- Quotes are counted on the story page beside the boosts: a quote
-- authorized, revoked or deleted changes the page as a reaction does, so it
-- bumps the story's page version through the same function.
CREATE TRIGGER page_version AFTER INSERT OR UPDATE OR DELETE ON quotes
    FOR EACH ROW EXECUTE FUNCTION page_version_reaction();
