-- The infrastructure's ceiling beside `ops/bench registration`: one registration-shaped row
-- (sealed basic information, the choices as jsonb) upserted per transaction by pgbench.
\set id random(1, 2000000000)
INSERT INTO bench_registration (candidate_id, year, basic_sealed, personal_data_key_id, choices, confirmation_point_id, submitted_at)
VALUES (:id, 2026, decode(repeat('5a', 640), 'hex'), 'k1',
        '[{"level":"high_school_to_bachelor","subjectCategory":"文","studyForm":"part_time","institutionCode":"10538","majorCode":"A01"},{"level":"high_school_to_associate","subjectCategory":"文","studyForm":"part_time","institutionCode":"10538","majorCode":"B01"}]'::jsonb,
        'BENCHPOINT', now())
ON CONFLICT (candidate_id) DO UPDATE SET version = bench_registration.version + 1, updated_at = now();
