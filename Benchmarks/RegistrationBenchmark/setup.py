"""Prepares `ops/bench registration`: the current exam year, its catalogue and an approved
confirmation point; N candidate accounts (inserted directly, sharing one Argon2id hash made by a
real sign-up, their ID numbers sealed with the stack's key exactly as the service seals them);
each signed in through the service (so every session is a real one) with the pledge signed.
Writes sessions.tsv (cookie, CSRF token) and body.json (one valid submission for all of them:
they share a birth date and a gender).

Environment: what ops/lib/stack.sh exports (ports, PERSONAL_DATA_*, owner credentials), and
SERVICE_URL (the Registration API process, reached directly so that the per-address limits of
logins do not apply to the setup), ACCOUNTS, OUT.
"""
import base64, concurrent.futures, hashlib, hmac, json, os, random, subprocess, sys, urllib.request
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

sys.path.insert(0, os.path.dirname(__file__))
from exam_year import psql, resident_id, set_up_year  # noqa: E402

env = os.environ
service = env["SERVICE_URL"]
accounts = int(env.get("ACCOUNTS", "2000"))
out = env["OUT"]
password = "Bench#mark-2026"


def call(method, path, body=None, cookie=None, csrf=None):
    request = urllib.request.Request(service + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    request.add_header("X-Real-IP", "10.%d.%d.%d" % (random.randint(0, 255), random.randint(0, 255), random.randint(1, 254)))
    if cookie: request.add_header("Cookie", cookie)
    if csrf: request.add_header("X-CSRF-Token", csrf)
    with urllib.request.urlopen(request) as response:
        return response.status, response.headers.get("Set-Cookie", ""), json.loads(response.read() or b"{}")


set_up_year()

# One real sign-up gives the Argon2id hash every bench account shares.
keys = [entry.split(":", 1) for entry in env["PERSONAL_DATA_KEYS"].split(",")]
key_id, key = keys[0][0], base64.b64decode(keys[0][1])
lookup_key = base64.b64decode(env["PERSONAL_DATA_LOOKUP_KEY"])
seed_number = resident_id()
try:
    call("POST", "/accounts", {"documentType": "resident_id", "documentNumber": seed_number, "name": "压测", "phone": "13700000000",
                               "password": password, "countyID": "430102"})
except urllib.error.HTTPError as error:
    if error.code != 409: raise
numbers = set()
rows = []
aes = AESGCM(key)
while len(numbers) < accounts:
    numbers.add(resident_id())
# Accounts from earlier runs keep their lookup hashes; only new ones are inserted.
for number in numbers:
    nonce = os.urandom(12)
    sealed = nonce + aes.encrypt(nonce, number.encode(), b"candidate_account.document_number")
    phone_nonce = os.urandom(12)
    phone = phone_nonce + aes.encrypt(phone_nonce, b"13700000000", b"candidate_account.phone")
    lookup = hmac.new(lookup_key, b"candidate_account.document_number\x00resident_id:" + number.encode(), hashlib.sha256).digest()
    masked = number[:6] + "********" + number[-4:]
    rows.append("\t".join(["resident_id", "\\\\x" + sealed.hex(), "\\\\x" + lookup.hex(), masked, "压测考生", "\\\\x" + phone.hex(),
                           "137****0000", key_id, "430102"]))
subprocess.run(
    ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", env["POSTGRES_PORT"], "-U", env["POSTGRES_OWNER_USER"], "-d",
     env.get("POSTGRES_DATABASE", "exam"), "-c",
     "CREATE TEMP TABLE incoming (document_type text, document_number_sealed bytea, document_number_lookup bytea, document_number_masked text, "
     "name text, phone_sealed bytea, phone_masked text, personal_data_key_id text, organisation_node_id text); "
     "COPY incoming FROM STDIN; "
     "INSERT INTO candidate_account (document_type, document_number_sealed, document_number_lookup, document_number_masked, name, phone_sealed, "
     "phone_masked, personal_data_key_id, password_hash, organisation_node_id) "
     "SELECT i.document_type, i.document_number_sealed, i.document_number_lookup, i.document_number_masked, i.name, i.phone_sealed, i.phone_masked, "
     "i.personal_data_key_id, (SELECT password_hash FROM candidate_account WHERE document_number_masked = '" + seed_number[:6] + "********" + seed_number[-4:] +
     "' ORDER BY id DESC LIMIT 1), i.organisation_node_id FROM incoming i ON CONFLICT (document_number_lookup) DO NOTHING; "
     # The bench's accounts are reused between runs and put back to where they began: no
     # candidate's move, so the legal-moves guard (migration 0023) is set aside for this one reset.
     "ALTER TABLE candidate_account DISABLE TRIGGER candidate_status_guard; "
     "UPDATE candidate_account SET status = 'registered', password_hash = (SELECT password_hash FROM candidate_account WHERE document_number_masked = '"
     + seed_number[:6] + "********" + seed_number[-4:] + "' ORDER BY id DESC LIMIT 1) WHERE document_number_lookup IN (SELECT document_number_lookup FROM incoming); "
     "ALTER TABLE candidate_account ENABLE TRIGGER candidate_status_guard;"],
    input="\n".join(rows) + "\n", text=True, check=True, env={**env, "PGPASSWORD": env["POSTGRES_OWNER_PASSWORD"]}, stdout=subprocess.DEVNULL)


def sign_in(number):
    _, cookie, body = call("POST", "/session", {"documentNumber": number, "password": password})
    cookie = cookie.split(";")[0]
    call("POST", "/registration/pledge", {"version": "bench-1"}, cookie=cookie, csrf=body["csrfToken"])
    return cookie, body["csrfToken"]


with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
    sessions = list(pool.map(sign_in, sorted(numbers)))
# The accounts' numbers, for benches that sign in (their password is `password` above).
with open(os.path.join(out, "numbers.txt"), "w") as file:
    file.write("\n".join(sorted(numbers)) + "\n")
with open(os.path.join(out, "sessions.tsv"), "w") as file:
    for cookie, csrf in sessions:
        file.write(f"{cookie}\t{csrf}\n")
form = {
    "basic": {"gender": "male", "ethnicGroup": "01", "birthDate": "1990-05-05", "politicalStatus": "13", "educationLevel": "1",
              "foreignLanguage": "1", "candidateCharacteristic": "0", "enrolmentCategory": "1", "graduationDate": "2008-06-30",
              "graduatedFrom": "长沙市第一中学", "occupationCategory": "1", "phone": "13712345678", "postalAddress": "长沙市芙蓉区五一大道 1 号",
              "postcode": "410011", "householdCity": "430100"},
    "choices": [{"level": "high_school_to_bachelor", "subjectCategory": "文", "studyForm": "part_time", "institutionCode": "10538", "majorCode": "A01"},
                {"level": "high_school_to_associate", "subjectCategory": "文", "studyForm": "part_time", "institutionCode": "10538", "majorCode": "B01"}],
    "confirmationPointID": "BENCHPOINT",
}
with open(os.path.join(out, "body.json"), "w") as file:
    json.dump(form, file, ensure_ascii=False)
print(f"{len(sessions)} candidates signed in")
