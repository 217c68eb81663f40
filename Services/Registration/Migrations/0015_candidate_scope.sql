-- Where a candidate sits in the organisation tree, for staff scope: the confirmation point they
-- chose, or before they chose one, their county. One rule for every service that checks it.
CREATE VIEW candidate_scope AS
SELECT c.id AS candidate_id, coalesce(p.path, n.path) AS path
FROM candidate_account c
JOIN organisation_node n ON n.id = c.organisation_node_id
LEFT JOIN registration r ON r.candidate_id = c.id
LEFT JOIN organisation_node p ON p.id = r.confirmation_point_id;
