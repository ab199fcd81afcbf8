-- Mail summaries for staff who choose them: new submissions, volunteer
-- offers, questions and replies awaiting moderation, at most one an hour.
ALTER TABLE staff
    ADD COLUMN notify_summary boolean NOT NULL DEFAULT false,
    ADD COLUMN notified_at    timestamptz;
