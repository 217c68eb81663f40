-- Exemption from the exam (免试入学): a candidate applies online after submitting, under one of
-- the year's categories (`codeLists.exemptionCategories`), with a reason. After the payment
-- deadline the city reviews first (pass, or refuse with a reason); the province decides those the
-- city passed. One application per candidate; it can be changed until the city has looked at it.
CREATE TABLE exemption_application (
    candidate_id     bigint PRIMARY KEY REFERENCES candidate_account (id),
    year             integer NOT NULL,
    category_code    text NOT NULL,
    reason           text NOT NULL,
    status           text NOT NULL DEFAULT 'applied'
                     CHECK (status IN ('applied', 'city_passed', 'city_refused', 'approved', 'refused')),
    applied_at       timestamptz NOT NULL DEFAULT now(),
    city_reason      text,
    city_by          bigint REFERENCES staff_account (id),
    city_at          timestamptz,
    province_reason  text,
    province_by      bigint REFERENCES staff_account (id),
    province_at      timestamptz
);
CREATE INDEX exemption_application_status ON exemption_application (year, status);
