-- On-site confirmation (现场确认): the act that locks a registration and gives the candidate
-- number (SPEC §5: 2-digit year + the confirming point's 6-digit county code + a 6-digit
-- sequence within that county). The counter only grows, and confirmations are never deleted,
-- so a number is never given twice.
CREATE TABLE candidate_number_counter (
    year           integer NOT NULL,
    county_id      text NOT NULL REFERENCES organisation_node (id),
    last_sequence  integer NOT NULL CHECK (last_sequence BETWEEN 1 AND 999999),
    PRIMARY KEY (year, county_id)
);

CREATE TABLE candidate_confirmation (
    candidate_id           bigint PRIMARY KEY REFERENCES candidate_account (id),
    year                   integer NOT NULL,
    candidate_number       text NOT NULL UNIQUE CHECK (candidate_number ~ '^[0-9]{14}$'),
    confirmation_point_id  text NOT NULL REFERENCES organisation_node (id),
    confirmed_by           bigint NOT NULL REFERENCES staff_account (id),
    confirmed_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX candidate_confirmation_point ON candidate_confirmation (confirmation_point_id, confirmed_at);
