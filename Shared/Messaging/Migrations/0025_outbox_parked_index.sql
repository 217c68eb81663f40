-- Parked events are counted often (every worker's `outbox_parked_events` gauge, `ops/status`):
-- an index of only those rows, tiny while parking is rare. Marking an event published does not
-- change parked_at, so those updates stay HOT.
CREATE INDEX outbox_event_parked ON outbox_event (id) WHERE parked_at IS NOT NULL;
