-- Transactional outbox: a service writes its change and the event in one transaction; the relay
-- (a worker role) publishes unpublished rows with confirms and marks them. Rows are found by
-- "not yet published", never by a high-water mark, so a transaction that commits after a later
-- id cannot be skipped.
CREATE TABLE outbox_event (
    id             bigserial PRIMARY KEY,
    message_id     uuid NOT NULL UNIQUE,
    aggregate_id   text NOT NULL,
    -- One relay at a time publishes a partition, in id order: events of one aggregate keep
    -- their order while several relays share the work.
    partition      smallint NOT NULL GENERATED ALWAYS AS (hashtext(aggregate_id) & 15) STORED,
    event_type     text NOT NULL,
    schema_version int NOT NULL,
    routing_key    text NOT NULL,
    payload        bytea NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    published_at   timestamptz,
    -- Set when no queue takes the event (a binding is missing): parked with the reason, not
    -- lost and not blocking its partition. Clearing parked_at sends it again.
    parked_at      timestamptz,
    last_error     text
);
CREATE INDEX outbox_event_unpublished ON outbox_event (partition, id) WHERE published_at IS NULL AND parked_at IS NULL;

-- Idempotent consumers: a handler records each message id in the same transaction as its
-- effects, so a redelivered message finds its id and changes nothing.
CREATE TABLE processed_message (
    consumer      text NOT NULL,
    message_id    uuid NOT NULL,
    processed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, message_id)
);
