-- One writer per table: the upload (`paper_form_batch`, its file and who sent it) is written by
-- Confirmation when a point uploads; the import's progress moves to a table of Registration's
-- worker, which does the importing. A batch without an import row is queued.
CREATE TABLE paper_form_import (
    batch_id     uuid PRIMARY KEY REFERENCES paper_form_batch (id),
    status       text NOT NULL CHECK (status IN ('importing', 'done', 'failed')),
    -- Known once the worker has read the file.
    total_rows   integer,
    failure      text,
    -- The worker's time on it: from its first start to the end.
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
INSERT INTO paper_form_import (batch_id, status, total_rows, failure, started_at, finished_at)
SELECT id, status, total_rows, failure, coalesce(started_at, uploaded_at), finished_at FROM paper_form_batch WHERE status <> 'queued';
ALTER TABLE paper_form_batch DROP COLUMN status, DROP COLUMN total_rows, DROP COLUMN failure, DROP COLUMN started_at, DROP COLUMN finished_at;
