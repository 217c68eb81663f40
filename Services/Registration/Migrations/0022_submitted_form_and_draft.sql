-- A submitted candidate's edits wait beside what was submitted, never over it: a candidate in
-- `submitted` always has a stored form that passed every rule (what the point confirms and the
-- event described). The edits replace it only through a submission that passes; once the
-- candidate is confirmed they are ignored. Sealed like the form itself.
ALTER TABLE registration
    ADD COLUMN draft_basic_sealed bytea,
    ADD COLUMN draft_key_id       text,
    ADD COLUMN draft_choices      jsonb,
    ADD COLUMN draft_point_id     text,
    ADD COLUMN draft_saved_at     timestamptz;
