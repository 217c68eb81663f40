"""`ops/bench paper-forms`: a point's batch of 10,000 paper draft forms (5% bad rows) imported by one
registration worker (release build). Prepares the exam year, an approved point and its operator,
then stores the batch and its event exactly as `POST /staff/paper-forms` does (file sealed with the
stack's key, `PaperFormBatchUploaded` in the outbox), waits for the worker, and prints the
worker's time (started_at to finished_at) and rows/s.

Environment: what ops/lib/stack.sh exports (ports, PERSONAL_DATA_*, owner credentials), ROWS.
"""
import base64, datetime, json, os, random, subprocess, sys, time, uuid
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "RegistrationBenchmark"))
from exam_year import psql, query, resident_id, set_up_year  # noqa: E402

env = os.environ
rows = int(env.get("ROWS", "10000"))
set_up_year()
psql("""
INSERT INTO staff_account (username, name, phone_sealed, personal_data_key_id, password_hash, organisation_node_id, roles, status)
VALUES ('bench_operator', '压测操作员', '\\x00', 'k', 'x', 'BENCHPOINT', ARRAY['point_operator'], 'active')
ON CONFLICT (username) DO NOTHING;
""")
operator = query("SELECT id FROM staff_account WHERE username = 'bench_operator'")

header = ["rowID", "documentNumber", "name", "phone", "countyID", "gender", "ethnicGroup", "birthDate", "politicalStatus",
          "educationLevel", "foreignLanguage", "candidateCharacteristic", "enrolmentCategory", "graduationDate", "graduatedFrom",
          "occupationCategory", "postalAddress", "postcode", "householdCity", "choice1.level", "choice1.subjectCategory",
          "choice1.studyForm", "choice1.institutionCode", "choice1.majorCode", "choice2.level", "choice2.subjectCategory",
          "choice2.studyForm", "choice2.institutionCode", "choice2.majorCode"]
tag = uuid.uuid4().hex[:8]
lines = [",".join(header)]
numbers = set()
while len(numbers) < rows:
    numbers.add(resident_id())
for index, number in enumerate(sorted(numbers)):
    row = {"rowID": f"{tag}-{index + 1}", "documentNumber": number, "name": "王小明", "phone": "13712345678", "countyID": "430102",
           "gender": "男", "ethnicGroup": "01", "birthDate": "1990-05-05", "politicalStatus": "13", "educationLevel": "1",
           "foreignLanguage": "1", "candidateCharacteristic": "0", "enrolmentCategory": "1", "graduationDate": "2008-06-30",
           "graduatedFrom": "长沙市第一中学", "occupationCategory": "1", "postalAddress": "长沙市芙蓉区五一大道 1 号", "postcode": "410011",
           "householdCity": "430100", "choice1.level": "高起本", "choice1.subjectCategory": "文", "choice1.studyForm": "业余",
           "choice1.institutionCode": "10538", "choice1.majorCode": "A01", "choice2.level": "高起专", "choice2.subjectCategory": "文",
           "choice2.studyForm": "业余", "choice2.institutionCode": "10538", "choice2.majorCode": "B01"}
    if index % 20 == 7:  # 5% bad: a birth date that disagrees with the ID number
        row["birthDate"] = "1960-01-01"
    lines.append(",".join(row[column] for column in header))
file = "\r\n".join(lines).encode()

keys = [entry.split(":", 1) for entry in env["PERSONAL_DATA_KEYS"].split(",")]
key_id, key = keys[0][0], base64.b64decode(keys[0][1])
nonce = os.urandom(12)
sealed = nonce + AESGCM(key).encrypt(nonce, file, b"paper_form_batch.file")
batch = str(uuid.uuid4())
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
envelope = json.dumps({"event": {"batchID": batch.upper(), "confirmationPointID": "BENCHPOINT"}, "id": str(uuid.uuid4()).upper(),
                       "occurredAt": now, "schemaVersion": 1, "type": "PaperFormBatchUploaded"}, separators=(",", ":"), sort_keys=True)
psql(f"""
INSERT INTO paper_form_batch (id, point_id, uploaded_by, uploaded_from, file_name, file_format, file_sealed, key_id)
VALUES ('{batch}', 'BENCHPOINT', {operator}, '127.0.0.1', 'bench.csv', 'csv', '\\x{sealed.hex()}', '{key_id}');
INSERT INTO outbox_event (message_id, aggregate_id, event_type, schema_version, routing_key, payload)
VALUES ('{uuid.uuid4()}', 'paper-forms-BENCHPOINT', 'PaperFormBatchUploaded', 1, 'paper_form.uploaded', convert_to('{envelope}', 'UTF8'));
""")
print(f"uploaded {rows} rows ({len(file) // 1024} KiB)", flush=True)
deadline = time.time() + 600
while time.time() < deadline:
    status = query(f"SELECT status FROM paper_form_import WHERE batch_id = '{batch}'")
    if status in ("done", "failed"):
        break
    time.sleep(0.2)
result = query(f"""
SELECT b.status || ' ' || extract(epoch FROM b.finished_at - b.started_at)::numeric(10,2) || ' ' ||
       count(*) FILTER (WHERE r.outcome = 'created') || ' ' || count(*) FILTER (WHERE r.outcome IN ('updated', 'unchanged')) || ' ' ||
       count(*) FILTER (WHERE r.outcome = 'error')
FROM paper_form_import b LEFT JOIN paper_form_row r ON r.batch_id = b.batch_id WHERE b.batch_id = '{batch}' GROUP BY b.batch_id""")
status, seconds, created, updated, errors = result.split()
print(f"status {status}: {created} created, {updated} updated (accounts of earlier runs), {errors} reported with their field, "
      f"in {seconds} s of worker time "
      f"= {rows / float(seconds):.0f} rows/s")
print(f"WORKER_ROWS_PER_SECOND={rows / float(seconds):.0f}")
