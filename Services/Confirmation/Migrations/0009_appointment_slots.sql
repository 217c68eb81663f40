-- Appointment slots (beyond the plan, to flatten the peak): a point publishes time slots within
-- its working hours, each with a capacity; a submitted candidate holds at most one seat. The
-- CHECK on `booked` makes overbooking impossible whatever the code does.
CREATE TABLE appointment_slot (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    point_id   text NOT NULL REFERENCES organisation_node (id),
    day        date NOT NULL,
    starts_at  time NOT NULL,
    ends_at    time NOT NULL CHECK (ends_at > starts_at),
    capacity   integer NOT NULL CHECK (capacity BETWEEN 1 AND 1000),
    booked     integer NOT NULL DEFAULT 0 CHECK (booked >= 0 AND booked <= capacity),
    UNIQUE (point_id, day, starts_at)
);

CREATE TABLE appointment (
    candidate_id  bigint PRIMARY KEY REFERENCES candidate_account (id),
    slot_id       bigint NOT NULL REFERENCES appointment_slot (id),
    booked_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX appointment_slot_seats ON appointment (slot_id);
