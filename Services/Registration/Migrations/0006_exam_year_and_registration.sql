-- The exam year as data (SPEC §4, §7: "choice rules, calendar and fees are data"): its calendar,
-- fee, code lists, pledge text and enrolment catalogue, loaded and changed by the province.
CREATE TABLE exam_year (
    year                 integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
    -- The whole validated document as the province loaded it (calendar, fee, code lists, pledge).
    document             jsonb NOT NULL,
    -- One year takes registrations at a time.
    current              boolean NOT NULL DEFAULT false,
    updated_at           timestamptz NOT NULL DEFAULT now(),
    updated_by           bigint REFERENCES staff_account (id)
);
CREATE UNIQUE INDEX exam_year_one_current ON exam_year (current) WHERE current;

-- The enrolment catalogue (招生计划): which institution offers which major at which level.
CREATE TABLE catalogue_major (
    year              integer NOT NULL REFERENCES exam_year (year),
    institution_code  text NOT NULL CHECK (institution_code ~ '^[0-9A-Za-z]{1,10}$'),
    institution_name  text NOT NULL,
    major_code        text NOT NULL CHECK (major_code ~ '^[0-9A-Za-z]{1,10}$'),
    major_name        text NOT NULL,
    level             text NOT NULL CHECK (level IN ('high_school_to_bachelor', 'high_school_to_associate', 'associate_to_bachelor')),
    subject_category  text NOT NULL,
    major_category    text NOT NULL,
    study_forms       text[] NOT NULL CHECK (study_forms <@ ARRAY['part_time', 'correspondence', 'full_time'] AND cardinality(study_forms) > 0),
    duration          text NOT NULL,
    medical           boolean NOT NULL DEFAULT false,
    PRIMARY KEY (year, institution_code, major_code, level)
);

-- A candidate's registration for a year: a draft until submitted. The basic information holds
-- personal data (phone, address, diploma number): it is sealed whole (AES-GCM); the choices,
-- which staff and the numbering run query, are plain.
CREATE TABLE registration (
    candidate_id          bigint PRIMARY KEY REFERENCES candidate_account (id),
    year                  integer NOT NULL REFERENCES exam_year (year),
    basic_sealed          bytea,
    personal_data_key_id  text,
    choices               jsonb NOT NULL DEFAULT '[]',
    confirmation_point_id text REFERENCES organisation_node (id),
    pledge_version        text,
    pledge_signed_at      timestamptz,
    submitted_at          timestamptz,
    updated_at            timestamptz NOT NULL DEFAULT now(),
    -- Optimistic concurrency: a save names the version it started from.
    version               integer NOT NULL DEFAULT 1
);
CREATE INDEX registration_point ON registration (confirmation_point_id);

-- Every change of a candidate's state (SPEC §3): who, when, from where.
CREATE TABLE candidate_transition (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    candidate_id    bigint NOT NULL REFERENCES candidate_account (id),
    from_status     text NOT NULL,
    to_status       text NOT NULL,
    actor_kind      text NOT NULL CHECK (actor_kind IN ('candidate', 'staff', 'system')),
    actor_id        bigint,
    client_address  text NOT NULL,
    occurred_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX candidate_transition_candidate ON candidate_transition (candidate_id, occurred_at);
