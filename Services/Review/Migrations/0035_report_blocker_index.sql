-- A report's blockers include the unit's candidates still pending the city's review or
-- confirmed but unpaid: few among hundreds of thousands, found through this partial index
-- instead of a scan of the unit's candidates. (`candidate_account` is Registration's; Review
-- only reads it through the index.)
CREATE INDEX candidate_account_unsettled ON candidate_account (organisation_node_id) WHERE status IN ('pending_city_review', 'confirmed');
