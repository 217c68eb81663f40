-- Data reporting (数据上报): a county certifies its candidates and reports them to its city,
-- which accepts or returns the report with a reason (that may name candidates and fields); the
-- city then reports to the province's information office (信息处), which accepts or returns.
-- A report is a frozen snapshot: the candidates it covered (every paid or exempt candidate
-- registered in the unit) and, for each, one keyed digest per reported field
-- (`field_names`, in order). A later report of the same unit names its previous one, and the
-- difference between them is computed from the two snapshots.
CREATE TABLE data_report (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    year           integer NOT NULL,
    unit_id        text NOT NULL REFERENCES organisation_node (id),
    level          text NOT NULL CHECK (level IN ('county', 'city')),
    status         text NOT NULL DEFAULT 'reported' CHECK (status IN ('reported', 'accepted', 'returned', 'reopened')),
    previous_id    bigint REFERENCES data_report (id),
    field_names    text[] NOT NULL,
    candidates     integer NOT NULL,
    -- SHA-256 over the snapshot's rows in candidate order: two reports of the same data agree.
    digest         text NOT NULL,
    reported_by    bigint NOT NULL REFERENCES staff_account (id),
    reported_at    timestamptz NOT NULL DEFAULT now(),
    decided_by     bigint REFERENCES staff_account (id),
    decided_at     timestamptz,
    return_reason  text,
    -- [{"candidateId": 1, "field": "phone", "note": "..."}]
    return_items   jsonb NOT NULL DEFAULT '[]',
    reopened_by    bigint REFERENCES staff_account (id),
    reopened_at    timestamptz,
    reopen_reason  text
);
-- A unit has at most one report in progress or in force.
CREATE UNIQUE INDEX data_report_one_live ON data_report (year, unit_id) WHERE status IN ('reported', 'accepted');
CREATE INDEX data_report_unit ON data_report (unit_id, year, id);

CREATE TABLE data_report_candidate (
    report_id     bigint NOT NULL REFERENCES data_report (id),
    candidate_id  bigint NOT NULL,
    fields        integer[] NOT NULL,
    PRIMARY KEY (report_id, candidate_id)
);

-- After the province accepts a city's report, its candidates' data changes only once the
-- province reopens it: the one rule every service that corrects candidate data asks.
CREATE FUNCTION candidate_data_locked(candidate bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM candidate_account c
        JOIN organisation_node county ON county.id = c.organisation_node_id
        JOIN data_report d ON d.level = 'city' AND d.status = 'accepted' AND d.unit_id = county.parent_id
        JOIN exam_year y ON y.year = d.year AND y.current
        WHERE c.id = candidate)
$$;
