-- The candidate's lifecycle (Shared/CandidateLifecycle): every move of a candidate's status is
-- written by `CandidateLifecycle`, with its transition (who, when, from where, why).
ALTER TABLE candidate_transition ADD COLUMN reason text;

-- The legal moves (SPEC §3 and §9), enforced by the database whoever writes the row:
-- a hand-written UPDATE cannot make paid -> submitted or confirmed -> registered. The moves are
-- data, in one place; a status left unchanged is no move.
CREATE TABLE candidate_status_move (
    from_status text NOT NULL,
    to_status   text NOT NULL,
    PRIMARY KEY (from_status, to_status)
);
INSERT INTO candidate_status_move (from_status, to_status) VALUES
    ('registered', 'submitted'), ('registered', 'invalid'),
    ('submitted', 'pending_city_review'), ('submitted', 'confirmed'), ('submitted', 'invalid'),
    ('pending_city_review', 'confirmed'), ('pending_city_review', 'submitted'), ('pending_city_review', 'invalid'),
    ('confirmed', 'paid'), ('confirmed', 'invalid'),
    ('paid', 'exempt');

CREATE FUNCTION candidate_status_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM candidate_status_move m WHERE m.from_status = OLD.status AND m.to_status = NEW.status) THEN
        RAISE EXCEPTION 'illegal candidate status move: % -> %', OLD.status, NEW.status
            USING ERRCODE = 'check_violation', DETAIL = 'candidate ' || OLD.id;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER candidate_status_guard BEFORE UPDATE OF status ON candidate_account
    FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status) EXECUTE FUNCTION candidate_status_guard();

-- The services read the moves; only a migration changes them (the services' role got writes by
-- default privileges: taken back, whatever the role is called).
DO $do$
DECLARE
    holder text;
BEGIN
    FOR holder IN
        SELECT DISTINCT grantee FROM information_schema.role_table_grants
        WHERE table_name = 'candidate_status_move' AND grantee <> current_user
    LOOP
        EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON candidate_status_move FROM %I', holder);
    END LOOP;
END
$do$;
