-- Online payment (网上缴费, seed 四.4): orders, the providers' notifications as received (the
-- inbox), the payments applied once per provider transaction, refunds owed, anomalies for staff.

-- An order is stored before the candidate goes to the provider, so that a notification always
-- finds it. One open order per candidate.
CREATE TABLE payment_order (
    order_no          text PRIMARY KEY CHECK (order_no ~ '^[A-Z0-9]{8,32}$'),
    candidate_id      bigint NOT NULL REFERENCES candidate_account (id),
    year              integer NOT NULL,
    provider          text NOT NULL CHECK (provider IN ('alipay', 'wechat')),
    amount_fen        integer NOT NULL CHECK (amount_fen > 0),
    status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'expired', 'closed')),
    created_at        timestamptz NOT NULL DEFAULT now(),
    expires_at        timestamptz NOT NULL,
    paid_at           timestamptz,
    trade_no          text,
    last_queried_at   timestamptz
);
CREATE UNIQUE INDEX payment_order_one_open ON payment_order (candidate_id) WHERE status = 'open';
CREATE INDEX payment_order_pending ON payment_order (created_at) WHERE status = 'open';

-- Every verified notification, as received (and every answer of an active query). A repeat of
-- one (same provider, same key) is not stored twice.
CREATE TABLE payment_notification (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider       text NOT NULL,
    source         text NOT NULL CHECK (source IN ('notify', 'query')),
    dedupe_key     text NOT NULL,
    order_no       text NOT NULL,
    trade_no       text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('paid', 'closed', 'refunded', 'other')),
    amount_fen     integer NOT NULL,
    occurred_at    timestamptz,
    raw            bytea NOT NULL,
    received_at    timestamptz NOT NULL DEFAULT now(),
    applied_at     timestamptz,
    outcome        text,
    UNIQUE (provider, dedupe_key)
);

-- A provider transaction that took money: applied to its order, or owed back.
CREATE TABLE payment_transaction (
    provider       text NOT NULL,
    trade_no       text NOT NULL,
    order_no       text NOT NULL,
    candidate_id   bigint,
    amount_fen     integer NOT NULL,
    paid_at        timestamptz,
    disposition    text NOT NULL CHECK (disposition IN ('applied', 'refund_due')),
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, trade_no)
);

-- Money to give back (a second payment, a payment no order can take); refunds are made by staff.
CREATE TABLE payment_refund (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider       text NOT NULL,
    trade_no       text NOT NULL,
    order_no       text NOT NULL,
    candidate_id   bigint,
    amount_fen     integer NOT NULL,
    reason         text NOT NULL,
    status         text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'refunded')),
    queued_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (provider, trade_no)
);

-- What staff must look at: notices out of order, payments after expiry, amounts that differ.
CREATE TABLE payment_anomaly (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider       text NOT NULL,
    order_no       text NOT NULL,
    trade_no       text,
    kind           text NOT NULL,
    detail         text NOT NULL,
    noticed_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_anomaly_order ON payment_anomaly (order_no);
