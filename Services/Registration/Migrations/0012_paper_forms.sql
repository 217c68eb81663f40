-- Paper draft forms (信息采集草表), for overload and outages: a point uploads a batch (CSV or
-- XLSX); the registration worker imports it row by row through the web form's validation.

-- A candidate entered from paper has no password until they set one by a code sent to the
-- phone on the form (a NULL hash never verifies).
ALTER TABLE candidate_account ALTER COLUMN password_hash DROP NOT NULL;

CREATE TABLE paper_form_batch (
    id              uuid PRIMARY KEY,
    point_id        text NOT NULL REFERENCES organisation_node (id),
    uploaded_by     bigint NOT NULL REFERENCES staff_account (id),
    uploaded_from   text NOT NULL,
    file_name       text NOT NULL,
    file_format     text NOT NULL CHECK (file_format IN ('csv', 'xlsx')),
    -- The file holds ID numbers and phones: sealed like every other piece of personal data.
    file_sealed     bytea NOT NULL,
    key_id          text NOT NULL,
    -- Known once the worker has read the file.
    total_rows      integer,
    status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'importing', 'done', 'failed')),
    failure         text,
    uploaded_at     timestamptz NOT NULL DEFAULT now(),
    -- The worker's time on it: from its first start to the end.
    started_at      timestamptz,
    finished_at     timestamptz
);
CREATE INDEX paper_form_batch_point ON paper_form_batch (point_id, uploaded_at);

-- What became of each row: written in the same transaction as the row's effect, so that an
-- import interrupted anywhere resumes exactly after the last row that took effect.
CREATE TABLE paper_form_row (
    batch_id        uuid NOT NULL REFERENCES paper_form_batch (id),
    row_number      integer NOT NULL,
    row_id          text,
    outcome         text NOT NULL CHECK (outcome IN ('created', 'updated', 'unchanged', 'error')),
    candidate_id    bigint REFERENCES candidate_account (id),
    -- For errors: every problem as {field, code, message}.
    problems        jsonb,
    PRIMARY KEY (batch_id, row_number)
);

-- A row id of a point's paper forms stands for one candidate, whichever upload it came in:
-- a re-upload finds it and changes nothing twice.
CREATE TABLE paper_form_entry (
    point_id        text NOT NULL REFERENCES organisation_node (id),
    row_id          text NOT NULL,
    candidate_id    bigint NOT NULL REFERENCES candidate_account (id),
    -- SHA-256 of the row's content: an identical row is `unchanged`.
    content_hash    bytea NOT NULL,
    PRIMARY KEY (point_id, row_id)
);
