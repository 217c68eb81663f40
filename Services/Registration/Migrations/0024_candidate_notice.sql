-- Text messages telling a candidate that a step is done (confirmed, with the candidate number;
-- payment received). The registration worker writes one row per event it consumes, in the
-- transaction that records the event as processed (so a redelivered event writes none), and a
-- sender sends each row once and marks it. The phone is read, sealed, from the account when the
-- message is sent; rows hold no personal data beyond the candidate number.
CREATE TABLE candidate_notice (
    message_id    uuid PRIMARY KEY,
    candidate_id  bigint NOT NULL REFERENCES candidate_account (id),
    kind          text NOT NULL CHECK (kind IN ('confirmed', 'paid')),
    text          text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    sent_at       timestamptz,
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text
);
-- Only those still to send: one given up (five failures) leaves the index.
CREATE INDEX candidate_notice_unsent ON candidate_notice (created_at) WHERE sent_at IS NULL AND attempts < 5;
CREATE INDEX candidate_notice_candidate ON candidate_notice (candidate_id);
