-- The photo at print size (300x400, made at capture by the point's request), sealed like the
-- original: every document prints this copy, so the document workers never decode photos at
-- the peak. NULL for photos captured before it existed (the documents shrink those themselves).
ALTER TABLE candidate_photo ADD COLUMN print_jpeg_sealed bytea;
