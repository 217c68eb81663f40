-- Exam arrangement (考务编排, SPEC §5, seed 四.9-四.11), written by the Arrangement service.

-- Exam districts (考区): data the province loads, each within a city. Its office (the city or
-- one of its counties) holds the officers who allocate the district's rooms to its sites.
CREATE TABLE exam_district (
    code        text PRIMARY KEY CHECK (code ~ '^[0-9]{4}$'),
    name        text NOT NULL,
    city_id     text NOT NULL REFERENCES organisation_node (id),
    office_id   text NOT NULL REFERENCES organisation_node (id),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Exam sites (考点): in a county, serving one district; proposed by the county and reviewed like
-- a confirmation point (`ProposalReview`), within the county's subtree.
CREATE TABLE exam_site (
    id                text PRIMARY KEY,
    name              text NOT NULL,
    county_id         text NOT NULL REFERENCES organisation_node (id),
    district_code     text NOT NULL REFERENCES exam_district (code),
    address           text NOT NULL,
    contact           text NOT NULL,
    phone             text NOT NULL,
    rooms             integer NOT NULL CHECK (rooms BETWEEN 1 AND 999),
    seats_per_room    integer NOT NULL CHECK (seats_per_room BETWEEN 1 AND 99),
    accessible_rooms  integer NOT NULL DEFAULT 0 CHECK (accessible_rooms BETWEEN 0 AND rooms),
    status            text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'city_reviewed', 'approved', 'returned')),
    status_reason     text,
    -- Closed after publication (its rooms moved to another site); never offered again.
    closed            boolean NOT NULL DEFAULT false,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX exam_site_district ON exam_site (district_code, status);

-- Scope rules (参考范围): the district where a county's candidates of an exam group ('all': of
-- every group) sit. A county+group rule and a county-wide rule may both exist; the numbering run
-- refuses the candidates they both cover.
CREATE TABLE exam_scope_rule (
    year           integer NOT NULL REFERENCES exam_year (year),
    county_id      text NOT NULL REFERENCES organisation_node (id),
    exam_group     text NOT NULL CHECK (exam_group ~ '^([0-9]{2}|all)$'),
    district_code  text NOT NULL REFERENCES exam_district (code),
    set_by         bigint NOT NULL REFERENCES staff_account (id),
    set_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (year, county_id, exam_group)
);

-- A numbering run (编排准考证号): asked for by the province, done by the Arrangement worker in
-- one transaction (its tickets appear with `done`, or not at all). Records what it used: the
-- seed, the rules (seats per room, remainders, groups, scope) and the digest of its output.
CREATE TABLE numbering_run (
    id            uuid PRIMARY KEY,
    year          integer NOT NULL REFERENCES exam_year (year),
    seed          text NOT NULL,
    status        text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'done', 'refused')),
    rules         jsonb,
    problems      jsonb,
    digest        text,
    candidates    integer,
    rooms         integer,
    requested_by  bigint NOT NULL REFERENCES staff_account (id),
    requested_at  timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    published_at  timestamptz,
    published_by  bigint REFERENCES staff_account (id),
    CHECK (published_at IS NULL OR status = 'done')
);
CREATE UNIQUE INDEX numbering_run_one_published ON numbering_run (year) WHERE published_at IS NOT NULL;
CREATE UNIQUE INDEX numbering_run_one_queued ON numbering_run (year) WHERE status = 'queued';

-- A run's progress while it works, written beside (not inside) its transaction so that the
-- province sees it move.
CREATE TABLE numbering_progress (
    run_id      uuid PRIMARY KEY REFERENCES numbering_run (id) ON DELETE CASCADE,
    phase       text NOT NULL,
    percent     integer NOT NULL CHECK (percent BETWEEN 0 AND 100),
    updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- The run's output: one admission-ticket number (准考证号: district, group, room, seat) per candidate.
CREATE TABLE admission_ticket (
    run_id        uuid NOT NULL REFERENCES numbering_run (id) ON DELETE CASCADE,
    ticket        text NOT NULL CHECK (ticket ~ '^[0-9]{11}$'),
    candidate_id  bigint NOT NULL,
    PRIMARY KEY (run_id, ticket),
    UNIQUE (run_id, candidate_id)
);

-- The run's rooms in each district, numbered from 1 without gaps, with their groups (more than
-- one only in a mixed remainder room) and, once allocated, their site.
CREATE TABLE exam_room (
    run_id         uuid NOT NULL REFERENCES numbering_run (id) ON DELETE CASCADE,
    district_code  text NOT NULL,
    room           integer NOT NULL CHECK (room BETWEEN 1 AND 999),
    groups         text[] NOT NULL,
    seats          integer NOT NULL,
    site_id        text REFERENCES exam_site (id),
    PRIMARY KEY (run_id, district_code, room)
);

-- A district's allocation of its rooms to sites: the officer saves and submits it, the city
-- accepts or returns it; the province publishes when every district's is accepted.
CREATE TABLE room_allocation (
    run_id         uuid NOT NULL REFERENCES numbering_run (id) ON DELETE CASCADE,
    district_code  text NOT NULL REFERENCES exam_district (code),
    status         text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'accepted', 'returned')),
    status_reason  text,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, district_code)
);

-- Changes after publication (a candidate moved, a site closed), each with who, why and what.
CREATE TABLE arrangement_correction (
    id            bigserial PRIMARY KEY,
    run_id        uuid NOT NULL REFERENCES numbering_run (id),
    kind          text NOT NULL CHECK (kind IN ('candidate_moved', 'site_closed')),
    detail        jsonb NOT NULL,
    reason        text NOT NULL,
    made_by       bigint NOT NULL REFERENCES staff_account (id),
    made_at       timestamptz NOT NULL DEFAULT now()
);
