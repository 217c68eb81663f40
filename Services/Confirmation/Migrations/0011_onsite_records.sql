-- What a point records on site besides the confirmation itself: the photo, bonus-point claims,
-- and for holders of Hong Kong, Macau, Taiwan or foreign documents the case the city reviews.

-- A permit holder waits for the city between the point's check and confirmation.
ALTER TABLE candidate_account DROP CONSTRAINT candidate_account_status_check;
ALTER TABLE candidate_account ADD CONSTRAINT candidate_account_status_check
    CHECK (status IN ('registered', 'submitted', 'pending_city_review', 'confirmed', 'paid', 'exempt', 'invalid'));

-- The photo (相片), stored once as a normalised JPEG, sealed like other personal data.
CREATE TABLE candidate_photo (
    candidate_id     bigint PRIMARY KEY REFERENCES candidate_account (id),
    jpeg_sealed      bytea NOT NULL,
    key_id           text NOT NULL,
    width            integer NOT NULL,
    height           integer NOT NULL,
    uploaded_format  text NOT NULL,
    captured_by      bigint NOT NULL REFERENCES staff_account (id),
    captured_at      timestamptz NOT NULL DEFAULT now()
);

-- Bonus-point claims (照顾加分) entered at the point with their evidence; the city reviews them
-- later. Policy categories are data of the year.
CREATE TABLE bonus_claim (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    candidate_id     bigint NOT NULL REFERENCES candidate_account (id),
    year             integer NOT NULL,
    policy_code      text NOT NULL,
    evidence         text NOT NULL,
    status           text NOT NULL DEFAULT 'claimed' CHECK (status IN ('claimed', 'accepted', 'rejected')),
    entered_by       bigint NOT NULL REFERENCES staff_account (id),
    entered_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (candidate_id, year, policy_code)
);

-- A permit holder's case: the operator's notes and scans, then the city's decision.
CREATE TABLE permit_review (
    candidate_id     bigint PRIMARY KEY REFERENCES candidate_account (id),
    year             integer NOT NULL,
    point_id         text NOT NULL REFERENCES organisation_node (id),
    notes            text NOT NULL,
    referred_by      bigint NOT NULL REFERENCES staff_account (id),
    referred_at      timestamptz NOT NULL DEFAULT now(),
    decision         text CHECK (decision IN ('approved', 'refused')),
    reason           text,
    decided_by       bigint REFERENCES staff_account (id),
    decided_at       timestamptz
);
CREATE INDEX permit_review_open ON permit_review (point_id) WHERE decision IS NULL;

CREATE TABLE permit_scan (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    candidate_id     bigint NOT NULL REFERENCES candidate_account (id),
    jpeg_sealed      bytea NOT NULL,
    key_id           text NOT NULL,
    uploaded_by      bigint NOT NULL REFERENCES staff_account (id),
    uploaded_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX permit_scan_candidate ON permit_scan (candidate_id);

-- Operators work within their point's hours; the county may open a point for a day beyond them.
CREATE TABLE point_hours_override (
    point_id         text NOT NULL REFERENCES organisation_node (id),
    day              date NOT NULL,
    granted_by       bigint NOT NULL REFERENCES staff_account (id),
    granted_at       timestamptz NOT NULL DEFAULT now(),
    reason           text NOT NULL,
    PRIMARY KEY (point_id, day)
);
