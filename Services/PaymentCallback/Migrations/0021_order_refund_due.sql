-- An order whose payment could not be applied (a second payment, a wrong amount, a candidate no
-- longer confirmed) ends as `refund_due`: the money is queued for a refund and the follow-up stops
-- asking the provider about it. Every path now ends an order in a final state.
ALTER TABLE payment_order DROP CONSTRAINT payment_order_status_check;
ALTER TABLE payment_order ADD CONSTRAINT payment_order_status_check CHECK (status IN ('open', 'paid', 'expired', 'closed', 'refund_due'));
