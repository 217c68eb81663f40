-- Admission tickets to make (准考证, issue 22 renders them), written by the document service from
-- the arrangement's events: one row per candidate of a published run, its version raised by each
-- correction that touches the candidate, so that a document is made once per version.
CREATE TABLE admission_ticket_document (
    run_id        uuid NOT NULL,
    candidate_id  bigint NOT NULL,
    version       integer NOT NULL DEFAULT 1,
    due_since     timestamptz NOT NULL DEFAULT now(),
    -- When the PDF of this version was stored; NULL while it is due.
    made_at       timestamptz,
    PRIMARY KEY (run_id, candidate_id)
);
CREATE INDEX admission_ticket_document_due ON admission_ticket_document (due_since) WHERE made_at IS NULL;
