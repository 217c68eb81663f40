"""A payment-provider simulator for development and tests: Alipay-style and WeChat Pay v3-style.

- GET  /pay?provider=&order=&amount=   the pay page a candidate is sent to (确认支付 button)
- POST /pay      {provider, order, amount}    takes the money: records the trade, sends the
                 signed notification to CALLBACK_URL/{provider} as the current mode says
- POST /close    {provider, order}            closes an unpaid trade (a close notice)
- POST /refund   {provider, order}            refunds a paid trade (a refund notice)
- POST /control  {drop, repeat, delayMs, reorder}   how notifications are delivered from now on:
                 dropped, sent N times, delayed, or held and sent in reverse order
- POST /flush    sends what `reorder` held, last first
- POST /alipay/gateway.do        alipay.trade.query (form: method, biz_content, signed with our
                                 app key), signed answer; a bad signature is isv.invalid-signature
- GET  /v3/pay/transactions/out-trade-no/{no}   WeChat Pay query (Authorization signed with our
                                 merchant key), signed headers; a bad signature is 401 SIGN_ERROR
- GET  /statements/{provider}/{YYYY-MM-DD}.csv  the day's statement (reconciliation)
- GET  /health

Keys (ops/payment-sim/make_keys.py): the providers' DIR/alipay_private.pem and
DIR/wechat_private.pem; ours, to check queries with, DIR/alipay_app_public.pem and
DIR/wechat_merchant_public.pem. Settings from the environment, else DIR/payment.env: PORT,
KEYS_DIR, CALLBACK_URL, RETURN_URL, ALIPAY_APP_ID, ALIPAY_SELLER_ID, WECHAT_MERCHANT_ID, WECHAT_APP_ID,
WECHAT_API_V3_KEY, PAYMENT_SIM_WECHAT_SERIAL, WECHAT_MERCHANT_SERIAL.
"""
import base64, datetime, html, json, os, secrets, threading, time, urllib.parse, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEYS = os.environ.get("KEYS_DIR", ".")


def stack_file():
    values = {}
    path = os.path.join(KEYS, "payment.env")
    if os.path.exists(path):
        for line in open(path):
            name, _, value = line.strip().partition("=")
            if name:
                values[name] = value
    return values


env = {**stack_file(), **os.environ}
CALLBACK = env.get("CALLBACK_URL", "http://127.0.0.1:8080/callbacks/payment")
# Where a candidate's browser goes after paying: the portal (the gateway's origin) at its result page.
RETURN_URL = env.get("RETURN_URL", urllib.parse.urljoin(CALLBACK, "/#/paid"))
ALIPAY_APP_ID = env.get("ALIPAY_APP_ID", "2021000000000001")
ALIPAY_SELLER_ID = env.get("ALIPAY_SELLER_ID", "2088000000000001")
WECHAT_MCH_ID = env.get("WECHAT_MERCHANT_ID", "1900000001")
WECHAT_APP_ID = env.get("WECHAT_APP_ID", "wx0000000000000001")
WECHAT_V3 = env["WECHAT_API_V3_KEY"].encode()
WECHAT_SERIAL = env["PAYMENT_SIM_WECHAT_SERIAL"]
MERCHANT_SERIAL = env["WECHAT_MERCHANT_SERIAL"]
CHINA = datetime.timezone(datetime.timedelta(hours=8))


def private_key(name):
    with open(os.path.join(KEYS, name + "_private.pem"), "rb") as file:
        return serialization.load_pem_private_key(file.read(), password=None)


ALIPAY_KEY, WECHAT_KEY = private_key("alipay"), private_key("wechat")


def public_key(name):
    with open(os.path.join(KEYS, name + "_public.pem"), "rb") as file:
        return serialization.load_pem_public_key(file.read())


APP_KEY, MERCHANT_KEY = public_key("alipay_app"), public_key("wechat_merchant")


def rsa2(key, data):
    return base64.b64encode(key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode()


def signed_by(key, data, signature):
    try:
        key.verify(base64.b64decode(signature, validate=True), data, padding.PKCS1v15(), hashes.SHA256())
        return True
    except Exception:
        return False


def alipay_request_signed(form):
    """Alipay's request signing: every non-empty parameter but `sign`, sorted, k=v joined by &."""
    content = "&".join(f"{k}={v}" for k, v in sorted(form.items()) if k != "sign" and v)
    return form.get("app_id") == ALIPAY_APP_ID and signed_by(APP_KEY, content.encode(), form.get("sign", ""))


def wechat_request_signed(method, path, body, authorization):
    """WeChat Pay v3's request signing: our merchant key over METHOD, path, timestamp, nonce, body."""
    scheme, _, rest = (authorization or "").partition(" ")
    fields = dict(part.split("=", 1) for part in rest.split(",") if "=" in part)
    fields = {k.strip(): v.strip().strip('"') for k, v in fields.items()}
    if scheme != "WECHATPAY2-SHA256-RSA2048" or fields.get("mchid") != WECHAT_MCH_ID or fields.get("serial_no") != MERCHANT_SERIAL:
        return False
    if not fields.get("timestamp", "").isdigit() or abs(time.time() - int(fields["timestamp"])) > 300:
        return False
    message = f"{method}\n{path}\n{fields['timestamp']}\n{fields.get('nonce_str', '')}\n".encode() + body + b"\n"
    return signed_by(MERCHANT_KEY, message, fields.get("signature", ""))


lock = threading.Lock()
trades = {}  # (provider, order) -> {trade_no, amount, status, paid_at}
mode = {"drop": False, "repeat": 1, "delayMs": 0, "reorder": False}
held = []


def yuan(fen):
    return "%d.%02d" % (fen // 100, fen % 100)


def alipay_notification(trade, order, status, refund=False):
    now = datetime.datetime.now(CHINA).strftime("%Y-%m-%d %H:%M:%S")
    params = {"notify_id": secrets.token_hex(16), "notify_time": now, "notify_type": "trade_status_sync", "app_id": ALIPAY_APP_ID,
              "seller_id": ALIPAY_SELLER_ID, "out_trade_no": order, "trade_no": trade["trade_no"], "trade_status": status,
              "total_amount": yuan(trade["amount"]), "gmt_payment": trade.get("paid_at") or now, "charset": "utf-8", "version": "1.0",
              "sign_type": "RSA2", "buyer_logon_id": "138****0000"}
    if refund:
        params["refund_fee"] = yuan(trade["amount"])
    content = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in ("sign", "sign_type") and v != "")
    params["sign"] = rsa2(ALIPAY_KEY, content.encode())
    return urllib.parse.urlencode(params).encode(), {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def wechat_transaction(trade, order):
    return {"appid": WECHAT_APP_ID, "mchid": WECHAT_MCH_ID, "out_trade_no": order, "transaction_id": trade["trade_no"],
            "trade_state": trade["status_wechat"], "amount": {"total": trade["amount"], "payer_total": trade["amount"], "currency": "CNY"},
            "success_time": trade.get("paid_iso")}


def wechat_signed(body):
    timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
    signature = rsa2(WECHAT_KEY, f"{timestamp}\n{nonce}\n".encode() + body + b"\n")
    return {"Content-Type": "application/json", "Wechatpay-Timestamp": timestamp, "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": signature, "Wechatpay-Serial": WECHAT_SERIAL}


def wechat_notification(trade, order, event_type):
    plain = json.dumps(wechat_transaction(trade, order)).encode()
    nonce = secrets.token_hex(6)
    sealed = AESGCM(WECHAT_V3).encrypt(nonce.encode(), plain, b"transaction")
    body = json.dumps({"id": secrets.token_hex(16), "create_time": datetime.datetime.now(CHINA).isoformat(timespec="seconds"),
                       "event_type": event_type, "resource_type": "encrypt-resource", "summary": "支付成功",
                       "resource": {"algorithm": "AEAD_AES_256_GCM", "ciphertext": base64.b64encode(sealed).decode(),
                                    "associated_data": "transaction", "nonce": nonce, "original_type": "transaction"}}).encode()
    return body, wechat_signed(body)


def post(provider, body, headers):
    request = urllib.request.Request(f"{CALLBACK}/{provider}", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def deliver(provider, make):
    """Sends a notification as the mode says; each repeat is the same notification (same id)."""
    with lock:
        current = dict(mode)
        if current["drop"]:
            return
        if current["reorder"]:
            held.append((provider, make))
            return

    def send():
        if current["delayMs"]:
            time.sleep(current["delayMs"] / 1000)
        body, headers = make
        for _ in range(max(1, int(current["repeat"]))):
            post(provider, body, headers)

    threading.Thread(target=send, daemon=True).start()


def notice(provider, order, kind):
    with lock:
        trade = trades.get((provider, order))
    if trade is None:
        return
    if provider == "alipay":
        status = {"paid": "TRADE_SUCCESS", "closed": "TRADE_CLOSED", "refunded": "TRADE_CLOSED"}[kind]
        deliver(provider, alipay_notification(trade, order, status, refund=kind == "refunded"))
    else:
        event = {"paid": "TRANSACTION.SUCCESS", "closed": "TRANSACTION.CLOSED", "refunded": "REFUND.SUCCESS"}[kind]
        deliver(provider, wechat_notification(trade, order, event))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json", headers=None):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            if name != "Content-Type":
                self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def read(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.headers.get("Content-Type", "").startswith("application/json"):
            return json.loads(raw or b"{}")
        return {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        if url.path == "/health":
            return self.reply(200, '{"status":"ok","component":"payment-simulator"}')
        if url.path == "/pay":
            fields = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in query.items())
            page = (f'<!doctype html><meta charset="utf-8"><title>模拟支付</title><h1>模拟{"支付宝" if query.get("provider") == "alipay" else "微信支付"}</h1>'
                    f'<p>订单 {html.escape(query.get("order", ""))}，金额 {html.escape(query.get("amount", ""))} 元</p>'
                    f'<form method="post" action="/pay">{fields}<button>确认支付</button></form>')
            return self.reply(200, page, "text/html; charset=utf-8")
        if url.path.startswith("/v3/pay/transactions/out-trade-no/"):
            if not wechat_request_signed("GET", self.path, b"", self.headers.get("Authorization")):
                body = json.dumps({"code": "SIGN_ERROR", "message": "签名错误"}, ensure_ascii=False).encode()
                return self.reply(401, body, headers=wechat_signed(body))
            order = url.path.rsplit("/", 1)[1]
            with lock:
                trade = trades.get(("wechat", order))
            if trade is None:
                body = json.dumps({"code": "ORDER_NOT_EXIST", "message": "订单不存在"}).encode()
                return self.reply(404, body, headers=wechat_signed(body))
            body = json.dumps(wechat_transaction(trade, order)).encode()
            return self.reply(200, body, headers=wechat_signed(body))
        if url.path.startswith("/statements/"):
            _, _, provider, name = url.path.split("/", 3)
            day = name.removesuffix(".csv")
            with lock:
                lines = [f"{t['trade_no']},{order},{yuan(t['amount'])},{t['paid_at']}" for (p, order), t in trades.items()
                         if p == provider and t.get("paid_at", "").startswith(day) and t["status"] in ("paid", "refunded")]
            return self.reply(200, "trade_no,out_trade_no,amount,paid_at\n" + "\n".join(lines) + "\n", "text/csv; charset=utf-8")
        self.reply(404, '{"code":"NOT_FOUND"}')

    def do_POST(self):
        url = urllib.parse.urlparse(self.path)
        form = self.read()
        if url.path == "/control":
            with lock:
                mode.update({k: form[k] for k in ("drop", "repeat", "delayMs", "reorder") if k in form})
                return self.reply(200, json.dumps(mode))
        if url.path == "/flush":
            with lock:
                waiting, held[:] = list(reversed(held)), []
                mode["reorder"] = False
            for provider, make in waiting:
                deliver(provider, make)
            return self.reply(200, json.dumps({"sent": len(waiting)}))
        if url.path == "/pay":
            provider, order = form.get("provider"), form.get("order", "")
            amount = round(float(form.get("amount", "0")) * 100)
            if provider not in ("alipay", "wechat") or not order or amount <= 0:
                return self.reply(400, '{"code":"INVALID_REQUEST"}')
            now = datetime.datetime.now(CHINA)
            trade = {"trade_no": ("2026" if provider == "alipay" else "4200") + secrets.token_hex(10), "amount": amount, "status": "paid",
                     "status_wechat": "SUCCESS", "paid_at": now.strftime("%Y-%m-%d %H:%M:%S"), "paid_iso": now.isoformat(timespec="seconds")}
            with lock:
                if (provider, order) in trades and trades[(provider, order)]["status"] == "paid" and not form.get("again"):
                    return self.reply(409, '{"code":"TRADE_HAS_SUCCESS"}')
                trades[(provider, order)] = trade
            notice(provider, order, "paid")
            if "text/html" in self.headers.get("Accept", ""):
                # As a provider does: back to the portal's result page, which shows the payment as it arrives.
                self.send_response(303)
                self.send_header("Location", RETURN_URL)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            return self.reply(200, json.dumps({"tradeNo": trade["trade_no"]}))
        if url.path in ("/close", "/refund"):
            provider, order = form.get("provider"), form.get("order", "")
            kind = "closed" if url.path == "/close" else "refunded"
            with lock:
                trade = trades.setdefault((provider, order), {"trade_no": ("2026" if provider == "alipay" else "4200") + secrets.token_hex(10),
                                                              "amount": round(float(form.get("amount", "0.01")) * 100), "status": "open"})
                trade["status"] = kind
                trade["status_wechat"] = "CLOSED" if kind == "closed" else "REFUND"
            notice(provider, order, kind)
            return self.reply(200, json.dumps({"tradeNo": trade["trade_no"]}))
        if url.path == "/alipay/gateway.do":
            order = json.loads(form.get("biz_content", "{}")).get("out_trade_no", "")
            with lock:
                trade = trades.get(("alipay", order))
            if not alipay_request_signed(form):
                answer = {"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-signature", "sub_msg": "验签出错"}
            elif trade is None:
                answer = {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST", "out_trade_no": order}
            else:
                status = {"paid": "TRADE_SUCCESS", "closed": "TRADE_CLOSED", "refunded": "TRADE_CLOSED"}.get(trade["status"], "WAIT_BUYER_PAY")
                answer = {"code": "10000", "msg": "Success", "out_trade_no": order, "trade_no": trade["trade_no"], "trade_status": status,
                          "total_amount": yuan(trade["amount"]), "send_pay_date": trade.get("paid_at", "")}
            content = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
            body = '{"alipay_trade_query_response":' + content + ',"sign":"' + rsa2(ALIPAY_KEY, content.encode()) + '"}'
            return self.reply(200, body.encode(), "application/json; charset=utf-8")
        self.reply(404, '{"code":"NOT_FOUND"}')


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", int(env.get("PORT", "8110"))), Handler).serve_forever()
