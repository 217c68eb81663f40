-- Candidate accounts (the 报名系统's users). The ID number is the login and identifies the
-- person: one account per (document type, number), enforced on its keyed hash. ID and phone
-- numbers are AES-GCM sealed; only their masks (first 6 and last 4) are readable here.
CREATE TABLE candidate_account (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_type           text NOT NULL
        CHECK (document_type IN ('resident_id', 'hmt_permit', 'overseas_chinese_passport', 'foreigner_residence_permit')),
    document_number_sealed  bytea NOT NULL,
    document_number_lookup  bytea NOT NULL UNIQUE,
    document_number_masked  text NOT NULL,
    name                    text NOT NULL CHECK (char_length(name) BETWEEN 2 AND 30),
    phone_sealed            bytea NOT NULL,
    phone_masked            text NOT NULL,
    personal_data_key_id    text NOT NULL,
    password_hash           text NOT NULL,
    -- The county (县市区) the candidate registers in: staff of that subtree see the candidate.
    organisation_node_id    text NOT NULL REFERENCES organisation_node (id),
    status                  text NOT NULL DEFAULT 'registered'
        CHECK (status IN ('registered', 'submitted', 'confirmed', 'paid', 'exempt', 'invalid')),
    created_at              timestamptz NOT NULL DEFAULT now(),
    password_changed_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX candidate_account_node ON candidate_account (organisation_node_id);
