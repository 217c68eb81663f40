"""The fault drill's mixed load (`ops/drill`): candidates walking the whole way through the
gateway, each from its own loopback address as real candidates come from their own: sign up,
sign in, save the draft twice, sign the pledge, submit, be confirmed at the point's desk (photo,
then the number), open an Alipay order and have the provider's signed notification posted.

Every answer goes to the journal (one JSON line each: time, action, status; 0 when no answer
came); every write the system acknowledged goes there too, with what identifies it, for
check.py to look for afterwards. A step that got no answer or a 5xx is tried again, as a person
would, after a pause; a step the system refused for good ends that candidate's walk.

Runs until the file STOP exists. Environment: GATEWAY, JOURNAL, STOP, KEYS_DIR (the simulated
Alipay key), OPERATOR_COOKIE and OPERATOR_CSRF (the point's operator), PHOTO (a JPEG as the ID-card
reader gives it), WALKERS (threads).
"""
import base64, http.client, itertools, json, os, threading, time, urllib.parse, uuid
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

env = os.environ
gateway = urllib.parse.urlsplit(env["GATEWAY"])
origin = env["GATEWAY"]
password = "Drill#2026-pass"
journal_lock = threading.Lock()
journal = open(env["JOURNAL"], "a", buffering=1)
with open(os.path.join(env["KEYS_DIR"], "alipay_private.pem"), "rb") as file:
    alipay_key = serialization.load_pem_private_key(file.read(), password=None)
operator = {"Cookie": env["OPERATOR_COOKIE"], "X-CSRF-Token": env["OPERATOR_CSRF"]}
numbers = itertools.count(1)
numbers_lock = threading.Lock()

photo = open(env["PHOTO"], "rb").read()


def record(entry):
    entry["t"] = round(time.time(), 3)
    with journal_lock:
        journal.write(json.dumps(entry, ensure_ascii=False) + "\n")


def resident_id(serial):
    """A valid resident ID number, unique per serial below 50 million (born 1990-05-05, a man)."""
    body = "43%04d" % (serial % 10_000) + "19900505" + "%02d" % (serial // 10_000 % 100) + str(1 + 2 * (serial // 1_000_000 % 5))
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


class Refused(Exception):
    """The system answered no for good (a 4xx): this candidate's walk ends here."""


class Client:
    """One keep-alive connection from one loopback address; reconnects after any failure."""

    def __init__(self, address):
        self.address = address
        self.connection = None
        self.cookie = None
        self.csrf = None

    def send(self, action, method, path, body=None, headers=None, raw=None, content_type="application/json"):
        """One try: (status, parsed body, headers); status 0 when no answer came."""
        payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        all_headers = {"Origin": origin, **({"Content-Type": content_type} if payload is not None else {})}
        if self.cookie: all_headers["Cookie"] = self.cookie
        if self.csrf: all_headers["X-CSRF-Token"] = self.csrf
        all_headers.update(headers or {})
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(gateway.hostname, gateway.port, timeout=15, source_address=(self.address, 0))
            self.connection.request(method, path, body=payload, headers=all_headers)
            response = self.connection.getresponse()
            text = response.read()
            status, answer_headers = response.status, response.headers
        except (OSError, http.client.HTTPException):
            if self.connection: self.connection.close()
            self.connection = None
            record({"action": action, "status": 0})
            return 0, None, None
        record({"action": action, "status": status})
        try:
            parsed = json.loads(text) if text and text[:1] in (b"{", b"[") else text.decode(errors="replace")
        except ValueError:
            parsed = None
        return status, parsed, answer_headers

    def step(self, action, method, path, ok=(200, 201, 204), also=(), **options):
        """Tries until a final answer: an expected status returns, `also` returns too (a retry
        that found its first try's effect), any other 4xx ends the walk; no answer or a 5xx
        waits and tries again (for at most two minutes: the drill's longest fault is shorter)."""
        deadline = time.time() + 120
        while True:
            status, parsed, headers = self.send(action, method, path, **options)
            if status in ok or status in also:
                return status, parsed, headers
            if 400 <= status < 500 and status != 429:
                raise Refused(f"{action}: {status} {str(parsed)[:200]}")
            if time.time() > deadline:
                raise Refused(f"{action}: no final answer within 120 s")
            time.sleep(0.5 if status != 429 else 1.0)


def form(serial, revision):
    return {
        "basic": {"gender": "male", "ethnicGroup": "01", "birthDate": "1990-05-05", "politicalStatus": "13", "educationLevel": "1",
                  "foreignLanguage": "1", "candidateCharacteristic": "0", "enrolmentCategory": "1", "graduationDate": "2008-06-30",
                  "graduatedFrom": "长沙市第一中学", "occupationCategory": "1", "phone": "13712345678", "postalAddress": "长沙市芙蓉区五一大道 1 号",
                  "postcode": "410011", "householdCity": "430100", "remarks": f"drill {serial} revision {revision}"},
        "choices": [{"level": "high_school_to_bachelor", "subjectCategory": "文", "studyForm": "part_time", "institutionCode": "10538", "majorCode": "A01"},
                    {"level": "high_school_to_associate", "subjectCategory": "文", "studyForm": "part_time", "institutionCode": "10538", "majorCode": "B01"}],
        "confirmationPointID": "BENCHPOINT",
    }


def notification(order_no):
    params = {"notify_id": uuid.uuid4().hex, "notify_time": time.strftime("%Y-%m-%d %H:%M:%S"), "notify_type": "trade_status_sync",
              "app_id": env.get("ALIPAY_APP_ID", "2021000000000001"), "seller_id": env.get("ALIPAY_SELLER_ID", "2088000000000001"),
              "out_trade_no": order_no, "trade_no": "2026" + order_no, "trade_status": "TRADE_SUCCESS", "total_amount": "145.00",
              "gmt_payment": time.strftime("%Y-%m-%d %H:%M:%S"), "charset": "utf-8", "version": "1.0", "sign_type": "RSA2"}
    content = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in ("sign", "sign_type") and v != "")
    params["sign"] = base64.b64encode(alipay_key.sign(content.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
    return urllib.parse.urlencode(params).encode()


def walk(serial):
    address = "127.%d.%d.%d" % (10 + serial // 65_000 % 200, serial // 250 % 250, 1 + serial % 250)
    number = resident_id(serial)
    candidate = Client(address)
    desk = Client(address)
    status, _, _ = candidate.step("sign_up", "POST", "/api/registration/accounts",
                                  body={"documentType": "resident_id", "documentNumber": number, "name": "演练考生", "phone": "13712345678",
                                        "password": password, "countyID": "430102"}, ok=(201,), also=(409,))
    if status == 201: record({"ack": "sign_up", "document": number})
    _, signed, headers = candidate.step("sign_in", "POST", "/api/registration/session", body={"documentNumber": number, "password": password}, ok=(200,))
    candidate.cookie, candidate.csrf = headers["Set-Cookie"].split(";")[0], signed["csrfToken"]
    for revision in (1, 2):
        candidate.step("draft", "PUT", "/api/registration/registration", body=form(serial, revision), ok=(200,))
        record({"ack": "draft", "document": number, "revision": revision})
    _, pledge, _ = candidate.step("read_pledge", "GET", "/api/registration/pledge", ok=(200,))
    candidate.step("pledge", "POST", "/api/registration/registration/pledge", body={"version": pledge["version"]}, ok=(204,))
    candidate.step("submit", "POST", "/api/registration/registration/submit", body=form(serial, 2), ok=(200,))
    record({"ack": "submit", "document": number})
    candidate.step("read_status", "GET", "/api/registration/registration/status", ok=(200,))

    _, found, _ = desk.step("desk_lookup", "POST", "/api/confirmation/staff/candidate-lookups", body={"documentNumber": number}, ok=(200,), headers=operator)
    desk.step("desk_photo", "PUT", f"/api/confirmation/staff/candidates/{found['candidateID']}/photo", raw=photo, content_type="image/jpeg",
              ok=(200,), headers=operator)
    status, confirmed, _ = desk.step("confirm", "POST", "/api/confirmation/staff/confirmations", body={"documentNumber": number}, ok=(200,),
                                     also=(409,), headers=operator)
    if status == 200: record({"ack": "confirm", "document": number, "candidate": found["candidateID"], "number": confirmed["candidateNumber"]})

    _, order, _ = candidate.step("order", "POST", "/api/payment/orders", body={"provider": "alipay"}, ok=(201,))
    status, answer, _ = candidate.step("notify", "POST", "/callbacks/payment/alipay", raw=notification(order["orderNo"]),
                                       content_type="application/x-www-form-urlencoded", ok=(200,))
    if answer == "success": record({"ack": "paid", "document": number, "candidate": found["candidateID"], "order": order["orderNo"]})


def walker():
    while not os.path.exists(env["STOP"]):
        with numbers_lock:
            serial = next(numbers)
        try:
            walk(serial)
        except Refused as refusal:
            record({"refused": str(refusal)})
        except Exception as error:  # a bug here must not look like a lost write: it is written down
            record({"refused": f"load generator: {error!r}"})


threads = [threading.Thread(target=walker, daemon=True) for _ in range(int(env.get("WALKERS", "6")))]
for thread in threads: thread.start()
for thread in threads: thread.join()
