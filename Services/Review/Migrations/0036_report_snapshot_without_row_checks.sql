-- A snapshot's rows are written only by the statement that writes its report row, in the same
-- transaction, and reports are never deleted: the foreign key's check on each of a few hundred
-- thousand rows (a third of the snapshot's time, measured by `ops/bench review`) guards nothing.
ALTER TABLE data_report_candidate DROP CONSTRAINT data_report_candidate_report_id_fkey;
