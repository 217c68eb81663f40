-- The infrastructure's ceiling beside `ops/bench payments`: one inbox row (a notification as the
-- callback stores it) inserted per transaction by pgbench.
INSERT INTO bench_payment_notification (provider, source, dedupe_key, order_no, trade_no, kind, amount_fen, occurred_at, raw)
VALUES ('alipay', 'notify', md5(random()::text), 'B000000000000001', md5(random()::text), 'paid', 14500, now(), decode(repeat('61', 700), 'hex'));
