-- A reply whose HTML was cleaned down to nothing showed as an empty box.
-- New ones are held for review (held_for 'empty'); those already visible,
-- with no text left once their tags are taken out and no image, go back to
-- the moderators the same way.
UPDATE replies SET state = 'pending', held_for = 'empty'
WHERE state = 'visible'
  AND attachments = '[]'::jsonb
  AND regexp_replace(regexp_replace(content_html, '<[^>]*>', '', 'g'), '(&nbsp;|&#160;|\s)+', '', 'g') = '';

-- Mentions keep only http(s) addresses.
UPDATE replies SET mentions = coalesce(
    (SELECT jsonb_agg(m) FROM jsonb_array_elements(mentions) m WHERE m->>'href' ~ '^https?://[^/]'),
    '[]'::jsonb)
WHERE jsonb_typeof(mentions) = 'array'
  AND EXISTS (SELECT 1 FROM jsonb_array_elements(mentions) m WHERE coalesce(m->>'href', '') !~ '^https?://[^/]');
