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
import base64, concurrent.futures, datetime, hashlib, hmac, json, os, random, subprocess, urllib.request
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

env = os.environ
service = env["SERVICE_URL"]
accounts = int(env.get("ACCOUNTS", "2000"))
out = env["OUT"]
year = datetime.date.today().year
password = "Bench#mark-2026"


def psql(sql, stdin=None):
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", env["POSTGRES_PORT"], "-U", env["POSTGRES_OWNER_USER"],
         "-d", env.get("POSTGRES_DATABASE", "exam"), "-c", sql],
        input=stdin, text=True, check=True, env={**env, "PGPASSWORD": env["POSTGRES_OWNER_PASSWORD"]}, stdout=subprocess.DEVNULL)


def call(method, path, body=None, cookie=None, csrf=None):
    request = urllib.request.Request(service + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    request.add_header("X-Real-IP", "10.%d.%d.%d" % (random.randint(0, 255), random.randint(0, 255), random.randint(1, 254)))
    if cookie: request.add_header("Cookie", cookie)
    if csrf: request.add_header("X-CSRF-Token", csrf)
    with urllib.request.urlopen(request) as response:
        return response.status, response.headers.get("Set-Cookie", ""), json.loads(response.read() or b"{}")


def resident_id():
    """A valid number of a man born on 5 May 1990 (the bench's one form fits them all)."""
    body = "43%04d" % random.randint(0, 9999) + "19900505" + "%02d" % random.randint(0, 99) + str(random.choice([1, 3, 5, 7, 9]))
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


now = datetime.datetime.now(datetime.timezone.utc)
document = {
    "year": year,
    "calendar": {"registrationOpens": (now - datetime.timedelta(days=1)).isoformat(timespec="seconds"),
                 "registrationCloses": (now + datetime.timedelta(days=30)).isoformat(timespec="seconds"),
                 "localOnlyCities": [], "paymentDeadline": (now + datetime.timedelta(days=30)).isoformat(timespec="seconds"),
                 "ageReferenceDate": "%d-10-24" % year, "lowAgeBelow": 17},
    "feeFen": 14500,
    "codeLists": {"educationLevels": [{"code": "1", "name": "高中", "levels": ["high_school_to_bachelor", "high_school_to_associate"]}],
                  "foreignLanguages": [{"code": "1", "name": "英语"}], "candidateCharacteristics": [{"code": "0", "name": "无"}],
                  "enrolmentCategories": [{"code": "1", "name": "普通"}], "occupationCategories": [{"code": "1", "name": "工人"}]},
    "pledge": {"version": "bench-1", "text": "本人承诺诚信考试，遵守考试纪律。"},
}
document_sql = json.dumps(document, ensure_ascii=False).replace("'", "''")
psql(f"""
UPDATE exam_year SET current = false WHERE current AND year <> {year};
INSERT INTO exam_year (year, document, current) VALUES ({year}, '{document_sql}'::jsonb, true)
  ON CONFLICT (year) DO UPDATE SET document = excluded.document, current = true;
DELETE FROM catalogue_major WHERE year = {year};
INSERT INTO catalogue_major VALUES ({year}, '10538', '中南林业科技大学', 'A01', '汉语言文学', 'high_school_to_bachelor', '文', '文史', ARRAY['part_time'], '5年', false),
                                   ({year}, '10538', '中南林业科技大学', 'B01', '会计', 'high_school_to_associate', '文', '经管', ARRAY['part_time'], '3年', false);
INSERT INTO organisation_node (id, kind, name, parent_id, path) SELECT 'BENCHPOINT', 'confirmation_point', '压测确认点', id, path || 'BENCHPOINT'::ltree
  FROM organisation_node WHERE id = '430102' ON CONFLICT (id) DO NOTHING;
INSERT INTO confirmation_point (node_id, county_id, address, contact, phone, levels, status)
  VALUES ('BENCHPOINT', '430102', '长沙市芙蓉区', '张老师', '0731-88880000', ARRAY['high_school_to_bachelor', 'high_school_to_associate'], 'approved')
  ON CONFLICT (node_id) DO NOTHING;
""")

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
     "UPDATE candidate_account SET status = 'registered', password_hash = (SELECT password_hash FROM candidate_account WHERE document_number_masked = '"
     + seed_number[:6] + "********" + seed_number[-4:] + "' ORDER BY id DESC LIMIT 1) WHERE document_number_lookup IN (SELECT document_number_lookup FROM incoming);"],
    input="\n".join(rows) + "\n", text=True, check=True, env={**env, "PGPASSWORD": env["POSTGRES_OWNER_PASSWORD"]}, stdout=subprocess.DEVNULL)


def sign_in(number):
    _, cookie, body = call("POST", "/session", {"documentNumber": number, "password": password})
    cookie = cookie.split(";")[0]
    call("POST", "/registration/pledge", {"version": "bench-1"}, cookie=cookie, csrf=body["csrfToken"])
    return cookie, body["csrfToken"]


with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
    sessions = list(pool.map(sign_in, sorted(numbers)))
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
