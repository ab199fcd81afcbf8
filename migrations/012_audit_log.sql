-- One log of everything staff do: publishing, editing, withdrawing,
-- staff accounts, sign-ins and moderation. The moderation log's rows move
-- here, so that the desk shows one history and the moderation page is this
-- log filtered to moderation actions.
--
-- staff_name keeps the name the member had when they acted, so that the log
-- still says who did what after their account is deleted (staff_id then
-- becomes NULL). An empty staff_name with a NULL staff_id is the program
-- itself.
CREATE TABLE audit_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    staff_id   bigint REFERENCES staff (id) ON DELETE SET NULL,
    staff_name text NOT NULL DEFAULT '',
    action     text NOT NULL,
    target     text NOT NULL DEFAULT '',
    detail     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_created ON audit_log (created_at DESC, id DESC);
CREATE INDEX audit_log_staff ON audit_log (staff_id, created_at DESC);
CREATE INDEX audit_log_action ON audit_log (action, created_at DESC);

INSERT INTO audit_log (staff_id, staff_name, action, target, detail, created_at)
SELECT l.staff_id, coalesce(m.display_name, ''), l.action, l.target, l.reason, l.created_at
FROM moderation_log l LEFT JOIN staff m ON m.id = l.staff_id
ORDER BY l.id;

DROP TABLE moderation_log;
