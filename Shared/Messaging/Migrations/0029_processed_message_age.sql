-- Consumers' dedupe rows are kept as long as a copy of their message could still arrive (30 days,
-- far beyond any retry or replay), then deleted by the workers' retention pass. A BRIN index
-- finds the old ones: rows are appended in time order, and it costs the consumers' inserts
-- almost nothing, unlike a b-tree.
CREATE INDEX processed_message_age ON processed_message USING brin (processed_at);
