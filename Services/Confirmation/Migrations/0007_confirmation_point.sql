-- Confirmation points (报名确认点): a node of the organisation tree under its county, with what a
-- candidate choosing it needs to know. A county proposes, the city reviews, the province
-- approves or returns; only approved points are offered to candidates.
CREATE TABLE confirmation_point (
    node_id          text PRIMARY KEY REFERENCES organisation_node (id),
    county_id        text NOT NULL REFERENCES organisation_node (id),
    address          text NOT NULL,
    contact          text NOT NULL,
    phone            text NOT NULL,
    levels           text[] NOT NULL
        CHECK (levels <@ ARRAY['high_school_to_bachelor', 'high_school_to_associate', 'associate_to_bachelor'] AND cardinality(levels) > 0),
    low_age          boolean NOT NULL DEFAULT false,
    medical          boolean NOT NULL DEFAULT false,
    -- Working hours, e.g. [["08:00","12:00"],["15:00","18:00"]]
    hours            jsonb NOT NULL DEFAULT '[["08:00","12:00"],["15:00","18:00"]]',
    daily_capacity   integer NOT NULL DEFAULT 500 CHECK (daily_capacity > 0),
    status           text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'city_reviewed', 'approved', 'returned')),
    status_reason    text,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX confirmation_point_county ON confirmation_point (county_id, status);
