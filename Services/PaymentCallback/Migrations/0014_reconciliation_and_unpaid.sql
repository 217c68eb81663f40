-- Reconciliation (对账): a provider's daily statement against the payments recorded here. Every
-- mismatch is listed for staff; nothing is corrected automatically.
CREATE TABLE payment_reconciliation (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider        text NOT NULL CHECK (provider IN ('alipay', 'wechat')),
    day             date NOT NULL,
    statement_lines integer NOT NULL,
    uploaded_by     bigint NOT NULL REFERENCES staff_account (id),
    uploaded_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE payment_mismatch (
    reconciliation_id  bigint NOT NULL REFERENCES payment_reconciliation (id),
    kind               text NOT NULL CHECK (kind IN ('paid_there_not_here', 'paid_here_not_there', 'amount_differs')),
    trade_no           text NOT NULL,
    order_no           text,
    amount_here_fen    integer,
    amount_there_fen   integer
);
CREATE INDEX payment_mismatch_reconciliation ON payment_mismatch (reconciliation_id);

-- Unpaid follow-up (seed 四.5): a point records why each of its confirmed candidates has not paid.
CREATE TABLE unpaid_follow_up (
    candidate_id    bigint PRIMARY KEY REFERENCES candidate_account (id),
    reason          text NOT NULL,
    recorded_by     bigint NOT NULL REFERENCES staff_account (id),
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
