-- The Review service's read model of the candidates (counts by node, status, level and subject
-- category), kept by its worker from the candidate events. An event appends a mark for its
-- candidate to `statistics_mark` (append-only: consumers take no row locks, so batches of
-- events never wait on each other); one folder at a time takes the marks in sets, replaces each
-- marked candidate's old contribution (`statistics_candidate`, each candidate as last counted)
-- by the new one, updates `statistics_count`, the counts staff read, one row per node (the
-- province, the city and county the candidate registered in, the chosen point) and bucket, and
-- deletes the marks it took. `examctl recount` rebuilds them from the tables and reports any
-- difference.
CREATE TABLE statistics_mark (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    candidate_id  bigint NOT NULL
);

CREATE TABLE statistics_candidate (
    candidate_id      bigint PRIMARY KEY,
    year              integer NOT NULL,
    status            text NOT NULL,
    county_id         text NOT NULL,
    point_id          text,
    level             text NOT NULL,
    subject_category  text NOT NULL
);

CREATE TABLE statistics_count (
    year              integer NOT NULL,
    node_id           text NOT NULL,
    status            text NOT NULL,
    level             text NOT NULL,
    subject_category  text NOT NULL,
    candidates        integer NOT NULL CHECK (candidates >= 0),
    PRIMARY KEY (year, node_id, status, level, subject_category)
);

-- What the counts must be, from the tables that own the data: every candidate who has left
-- `registered` (each such move emits an event), counted at the nodes above their county and at
-- their point. The consumer and `examctl recount` both read candidates through it.
CREATE VIEW statistics_source AS
SELECT c.id AS candidate_id, coalesce(r.year, 0) AS year, c.status, c.organisation_node_id AS county_id, r.confirmation_point_id AS point_id,
       coalesce(r.choices -> 0 ->> 'level', '') AS level, coalesce(r.choices -> 0 ->> 'subjectCategory', '') AS subject_category
FROM candidate_account c LEFT JOIN registration r ON r.candidate_id = c.id
WHERE c.status <> 'registered';

-- The nodes a candidate is counted at.
CREATE FUNCTION statistics_nodes(county text, point text) RETURNS SETOF text LANGUAGE sql STABLE AS $$
    SELECT a.id FROM organisation_node n JOIN organisation_node a ON a.path @> n.path WHERE n.id = county
    UNION
    SELECT point WHERE point IS NOT NULL
$$;
