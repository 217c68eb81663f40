-- The relay's queue: one row per event waiting to be published, kept by the triggers below so
-- that every writer of outbox_event (and an operator clearing parked_at) fills it. It replaces
-- the partial index on published_at and parked_at, which made marking an event published a
-- non-HOT update: a second copy of the row and of its two index entries, for every event. The
-- mark is now a HOT update in the room the fillfactor leaves.
CREATE TABLE outbox_pending (
    partition smallint NOT NULL,
    id        bigint NOT NULL,
    PRIMARY KEY (partition, id)
);
INSERT INTO outbox_pending (partition, id)
SELECT partition, id FROM outbox_event WHERE published_at IS NULL AND parked_at IS NULL;
DROP INDEX outbox_event_unpublished;
ALTER TABLE outbox_event SET (fillfactor = 50);

-- Once per statement, not per row: a bulk import writes thousands of events in one.
CREATE FUNCTION outbox_event_queue_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox_pending (partition, id)
    SELECT partition, id FROM written WHERE published_at IS NULL AND parked_at IS NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_event_written AFTER INSERT ON outbox_event
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION outbox_event_queue_written();

-- Clearing parked_at sends the event again. Per row, and only for such a row (the condition is
-- checked without calling the function; the relay's marks do not name parked_at or do not match).
CREATE FUNCTION outbox_event_queue_unparked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox_pending (partition, id) VALUES (NEW.partition, NEW.id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_event_unparked AFTER UPDATE OF parked_at ON outbox_event
    FOR EACH ROW WHEN (OLD.parked_at IS NOT NULL AND NEW.parked_at IS NULL AND NEW.published_at IS NULL)
    EXECUTE FUNCTION outbox_event_queue_unparked();
