-- Keyed digests of each basic-information field of the form that counts, one integer per field
-- in the order of `ReportedFields.basic` (Shared/Contracts), written with the sealed form by
-- every save. A data report (Review) compares candidates field by field from them without
-- opening anyone's data; the key keeps a digest of a short value (a gender, a date) from being
-- looked up in a table of all values.
ALTER TABLE registration ADD COLUMN basic_digests integer[];
