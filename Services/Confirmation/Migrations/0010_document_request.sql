-- Documents asked for and where they stand: `queued` until the document-generation service
-- renders them (its own issue), then `ready`. The request and its event commit together.
CREATE TABLE document_request (
    id            uuid PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('registration_flow_form')),
    candidate_id  bigint NOT NULL REFERENCES candidate_account (id),
    requested_by  bigint NOT NULL REFERENCES staff_account (id),
    status        text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'ready', 'failed')),
    requested_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX document_request_candidate ON document_request (candidate_id, requested_at);
