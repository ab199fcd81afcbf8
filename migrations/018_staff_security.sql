-- Staff accounts that can be disabled, a second factor (TOTP, RFC 6238)
-- with single-use recovery codes, and the desk sessions of each account.

ALTER TABLE staff
    ADD COLUMN disabled_at     timestamptz,
    ADD COLUMN totp_secret     text NOT NULL DEFAULT '', -- base32; '' while no second factor is set up
    ADD COLUMN totp_last_step  bigint NOT NULL DEFAULT 0; -- the last 30-second step whose code was used, so no code works twice

-- Recovery codes are random, so a plain SHA-256 is enough to keep them from
-- being read back; each is used once.
CREATE TABLE staff_recovery_codes (
    staff_id  bigint NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    code_hash bytea NOT NULL,
    used_at   timestamptz,
    PRIMARY KEY (staff_id, code_hash)
);

-- Which scs session (table sessions) belongs to whom, so that a member sees
-- their sessions and ends them, and a disabled account's end at once. No
-- address or browser is kept: only when the session began and was last used.
CREATE TABLE staff_sessions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token        text NOT NULL UNIQUE,
    staff_id     bigint NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);
