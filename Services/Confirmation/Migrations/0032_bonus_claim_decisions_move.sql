-- A claim's decision is the city's, written by Review (`bonus_award`, migration 0033): the
-- claim keeps what the point recorded.
ALTER TABLE bonus_claim DROP COLUMN status;
