-- Staff accounts (the 管理系统's users) and the audit trail.
--
-- An applicant's row is 'pending' at the node it applied for; an administrator whose subtree
-- holds that node approves it (binding the node, assigning roles) or rejects it with a reason.
CREATE TABLE staff_account (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username              text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9_]{4,32}$'),
    name                  text NOT NULL CHECK (char_length(name) BETWEEN 2 AND 30),
    -- AES-GCM sealed (Shared/Access/PersonalData), never plaintext.
    phone_sealed          bytea NOT NULL,
    personal_data_key_id  text NOT NULL,
    password_hash         text NOT NULL,
    organisation_node_id  text NOT NULL REFERENCES organisation_node (id),
    roles                 text[] NOT NULL DEFAULT '{}'
        CHECK (roles <@ ARRAY['province_admin', 'city_officer', 'county_officer', 'point_operator', 'auditor']),
    status                text NOT NULL CHECK (status IN ('pending', 'active', 'rejected', 'disabled')),
    applied_at            timestamptz NOT NULL DEFAULT now(),
    decided_by            bigint REFERENCES staff_account (id),
    decided_at            timestamptz,
    decision_reason       text CHECK (char_length(decision_reason) <= 200),
    CHECK ((status = 'active') = (cardinality(roles) > 0))
);
CREATE INDEX staff_account_node ON staff_account (organisation_node_id, status);

-- Append-only: written for every staff read or change of candidate data and every refusal.
CREATE TABLE audit_event (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_kind      text NOT NULL CHECK (actor_kind IN ('staff', 'candidate', 'operations')),
    actor_id        bigint,
    actor_node_id   text,
    actor_detail    text,
    action          text NOT NULL,
    target_kind     text NOT NULL,
    target_id       text,
    outcome         text NOT NULL CHECK (outcome IN ('allowed', 'denied')),
    client_address  text NOT NULL
);
CREATE INDEX audit_event_time ON audit_event (occurred_at);
CREATE INDEX audit_event_target ON audit_event (target_kind, target_id);
CREATE INDEX audit_event_actor ON audit_event (actor_kind, actor_id);

CREATE FUNCTION audit_event_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only';
END
$fn$;
CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_is_append_only();

-- The services' role got UPDATE and DELETE by default privileges; take them back, whatever the
-- role is called, so the services can add to the trail and read it, nothing else.
DO $do$
DECLARE
    holder text;
BEGIN
    FOR holder IN
        SELECT DISTINCT grantee FROM information_schema.role_table_grants
        WHERE table_name = 'audit_event' AND grantee <> current_user
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM %I', holder);
    END LOOP;
END
$do$;
