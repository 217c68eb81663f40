-- The seats taken in a slot belong to the bookings, which Registration writes, not to the slot,
-- which Confirmation publishes: the count leaves `appointment_slot` for a table of its own, so
-- that each table has one writer. A slot without a row has no seat taken. The trigger keeps the
-- old CHECK's promise (never more than the capacity, whatever the code does); the booking's
-- upsert is the guard that makes a full slot refuse rather than fail.
CREATE TABLE appointment_seat (
    slot_id  bigint PRIMARY KEY REFERENCES appointment_slot (id),
    booked   integer NOT NULL CHECK (booked >= 0)
);
INSERT INTO appointment_seat (slot_id, booked) SELECT id, booked FROM appointment_slot WHERE booked > 0;
ALTER TABLE appointment_slot DROP COLUMN booked;

CREATE FUNCTION appointment_seat_within_capacity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.booked > (SELECT capacity FROM appointment_slot WHERE id = NEW.slot_id) THEN
        RAISE EXCEPTION 'appointment slot % over its capacity', NEW.slot_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER appointment_seat_capacity BEFORE INSERT OR UPDATE ON appointment_seat
    FOR EACH ROW EXECUTE FUNCTION appointment_seat_within_capacity();
