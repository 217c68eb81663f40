-- No query looks inside a registration's choices or its sealed basic information, yet every
-- autovacuum ANALYZE of this busy table sorted a sample of both: sorting the jsonb choices was 7%
-- of the machine's CPU during a submission benchmark; ANALYZE of 129k rows took 640 ms with them,
-- 230 ms without. The planner needs no statistics on them.
ALTER TABLE registration ALTER COLUMN choices SET STATISTICS 0;
ALTER TABLE registration ALTER COLUMN basic_sealed SET STATISTICS 0;
