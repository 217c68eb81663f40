-- Bonus points (照顾加分) as the city decides them. A claim recorded at the point
-- (`bonus_claim`, Confirmation's) is open until an award row of the same candidate, year and
-- policy says `accepted` or `rejected` (with a reason). The city may also enter awards from a
-- list file (`city_list`), and a policy with an automatic rule (an age on a date of the year)
-- is awarded from the data by the Review worker (`automatic`). Only the highest accepted award
-- counts (特征分); the points are the year's data.
CREATE TABLE bonus_award (
    candidate_id  bigint NOT NULL REFERENCES candidate_account (id),
    year          integer NOT NULL,
    policy_code   text NOT NULL,
    source        text NOT NULL CHECK (source IN ('point_claim', 'city_list', 'automatic')),
    decision      text NOT NULL CHECK (decision IN ('accepted', 'rejected')),
    reason        text,
    evidence      text,
    decided_by    bigint REFERENCES staff_account (id),
    decided_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (candidate_id, year, policy_code),
    CHECK (decision = 'accepted' OR reason IS NOT NULL)
);

-- A city's exemption list, submitted to the province once the city has reviewed every
-- application of its paid candidates; the province decides only submitted cities' cases.
CREATE TABLE exemption_city_list (
    city_id       text NOT NULL REFERENCES organisation_node (id),
    year          integer NOT NULL,
    submitted_by  bigint NOT NULL REFERENCES staff_account (id),
    submitted_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (city_id, year)
);

-- The statistics gain the exemption (the application's status, '' for none) and the counted
-- bonus (its points, '' for none) as dimensions.
ALTER TABLE statistics_candidate ADD COLUMN exemption text NOT NULL DEFAULT '', ADD COLUMN bonus text NOT NULL DEFAULT '';
ALTER TABLE statistics_count ADD COLUMN exemption text NOT NULL DEFAULT '', ADD COLUMN bonus text NOT NULL DEFAULT '';
ALTER TABLE statistics_count DROP CONSTRAINT statistics_count_pkey;
ALTER TABLE statistics_count ADD PRIMARY KEY (year, node_id, status, level, subject_category, exemption, bonus);

-- The year's bonus policies and their points, from the exam-year document (Registration's).
CREATE VIEW bonus_policy AS
SELECT y.year, p->>'code' AS code, p->>'name' AS name, (p->>'points')::int AS points
FROM exam_year y, jsonb_array_elements(coalesce(y.document->'codeLists'->'bonusPolicies', '[]')) p;

-- Each candidate's counted bonus (特征分): the highest accepted award of the year.
CREATE VIEW counted_bonus AS
SELECT DISTINCT ON (a.candidate_id, a.year) a.candidate_id, a.year, a.policy_code, p.points
FROM bonus_award a JOIN bonus_policy p ON p.year = a.year AND p.code = a.policy_code
WHERE a.decision = 'accepted'
ORDER BY a.candidate_id, a.year, p.points DESC, a.policy_code;

DROP VIEW statistics_source;
CREATE VIEW statistics_source AS
SELECT c.id AS candidate_id, coalesce(r.year, 0) AS year, c.status, c.organisation_node_id AS county_id, r.confirmation_point_id AS point_id,
       coalesce(r.choices -> 0 ->> 'level', '') AS level, coalesce(r.choices -> 0 ->> 'subjectCategory', '') AS subject_category,
       coalesce(e.status, '') AS exemption, coalesce(b.points::text, '') AS bonus
FROM candidate_account c LEFT JOIN registration r ON r.candidate_id = c.id
LEFT JOIN exemption_application e ON e.candidate_id = c.id
LEFT JOIN counted_bonus b ON b.candidate_id = c.id AND b.year = r.year
WHERE c.status <> 'registered';

-- What the numbering (Arrangement) reads: every paid candidate of the current year. An
-- approved exemption moved its candidate to `exempt`, so they are not here.
CREATE VIEW exam_roster AS
SELECT c.id AS candidate_id, r.year, c.organisation_node_id AS county_id, n.candidate_number,
       r.choices -> 0 ->> 'level' AS level, r.choices -> 0 ->> 'subjectCategory' AS subject_category
FROM candidate_account c
JOIN registration r ON r.candidate_id = c.id
JOIN exam_year y ON y.year = r.year AND y.current
JOIN candidate_confirmation n ON n.candidate_id = c.id
WHERE c.status = 'paid';
