-- National code tables the forms validate against (GB/T 3304 ethnic groups, GB/T 4762 political
-- status). Loaded from Shared/Storage/Reference and replaceable by a newer file each year.
CREATE TABLE ethnic_group (
    code        text PRIMARY KEY CHECK (code ~ '^[0-9]{2}$'),
    name        text NOT NULL,
    active      boolean NOT NULL DEFAULT true,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE political_status (
    code        text PRIMARY KEY CHECK (code ~ '^[0-9]{2}$'),
    name        text NOT NULL,
    active      boolean NOT NULL DEFAULT true,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
