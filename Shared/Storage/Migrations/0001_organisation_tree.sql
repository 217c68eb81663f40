-- The organisation tree: province -> cities -> counties -> confirmation points (and, later,
-- exam sites). Every staff user belongs to one node and sees only that node's subtree, so the
-- subtree test must be cheap: `path <@ 'province.city'` on a GiST-indexed ltree.
CREATE EXTENSION IF NOT EXISTS ltree;

CREATE TABLE organisation_node (
    id          text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_]{1,32}$'),
    kind        text NOT NULL CHECK (kind IN ('province', 'city', 'county', 'confirmation_point', 'exam_site')),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    parent_id   text REFERENCES organisation_node (id),
    path        ltree NOT NULL UNIQUE,
    -- A division dropped from a newer reference file is retired, never deleted: records keep it.
    active      boolean NOT NULL DEFAULT true,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'province') = (parent_id IS NULL))
);
CREATE INDEX organisation_node_path ON organisation_node USING gist (path);
CREATE INDEX organisation_node_parent ON organisation_node (parent_id);
