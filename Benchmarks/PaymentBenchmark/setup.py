"""Prepares `ops/bench payments`: N confirmed candidates with an open Alipay order each (made
directly in the database; the payment path reads nothing else of them) and one signed Alipay
notification per order, written to OUT/bodies.txt (one form-encoded body per line), signed with
the stack's simulated Alipay key exactly as ops/payment-sim does. Prints the bench's order prefix.

Environment: what ops/lib/stack.sh exports, KEYS_DIR, N, OUT.
"""
import base64, concurrent.futures, os, sys, urllib.parse, uuid
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "RegistrationBenchmark"))
from exam_year import psql, set_up_year  # noqa: E402

env = os.environ
count = int(env.get("N", "20000"))
prefix = "B" + uuid.uuid4().hex[:9].upper()
set_up_year()
psql(f"""
WITH made AS (
    INSERT INTO candidate_account (document_type, document_number_sealed, document_number_lookup, document_number_masked, name,
        phone_sealed, phone_masked, personal_data_key_id, password_hash, organisation_node_id, status)
    SELECT 'resident_id', '\\x01', decode(md5(random()::text || g::text) || md5(random()::text), 'hex'), '430102********0000', '压测缴费',
           '\\x01', '137****0000', 'k', NULL, '430102', 'confirmed'
    FROM generate_series(1, {count}) g
    RETURNING id
)
INSERT INTO payment_order (order_no, candidate_id, year, provider, amount_fen, expires_at)
SELECT '{prefix}' || lpad(row_number() OVER (ORDER BY id)::text, 8, '0'), id, extract(year FROM now())::int, 'alipay', 14500, now() + interval '1 day'
FROM made;
""")
with open(os.path.join(env["KEYS_DIR"], "alipay_private.pem"), "rb") as file:
    key = serialization.load_pem_private_key(file.read(), password=None)


def body(index):
    order = f"{prefix}{index:08d}"
    params = {"notify_id": uuid.uuid4().hex, "notify_time": "2026-09-02 10:00:00", "notify_type": "trade_status_sync",
              "app_id": env.get("ALIPAY_APP_ID", "2021000000000001"), "seller_id": env.get("ALIPAY_SELLER_ID", "2088000000000001"),
              "out_trade_no": order, "trade_no": "2026" + order, "trade_status": "TRADE_SUCCESS", "total_amount": "145.00",
              "gmt_payment": "2026-09-02 10:00:00", "charset": "utf-8", "version": "1.0", "sign_type": "RSA2"}
    content = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in ("sign", "sign_type") and v != "")
    params["sign"] = base64.b64encode(key.sign(content.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
    return urllib.parse.urlencode(params)


with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
    bodies = list(pool.map(body, range(1, count + 1), chunksize=500))
with open(os.path.join(env["OUT"], "bodies.txt"), "w") as file:
    file.write("\n".join(bodies) + "\n")
print(prefix)
