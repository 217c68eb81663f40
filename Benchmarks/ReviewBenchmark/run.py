"""`ops/bench review`: data reporting at province scale. Loads CANDIDATES (300,000) paid candidates
into 湘西州 (433100, which no test uses), spread over its 8 counties, as the tables hold them after
confirmation and payment (photo, candidate number, the form's field digests). Then, through the
gateway and the real routes: each county reports and the city accepts; the city's report (a
snapshot of all of them) is timed; 1% of the candidates change and 500 are added; the province
returns the report, the city reports again (timed) and the difference between the two snapshots
is read (timed). Beside them, in the same run, PostgreSQL's own `COPY` of the same snapshot rows
into an indexed table of the same shape. Prints one JSON line; ops/bench adds the statistics read.

Environment: what ops/lib/stack.sh exports, GATEWAY (the gateway's base URL), CANDIDATES.
"""
import base64, json, os, random, subprocess, sys, tempfile, time, urllib.request
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "RegistrationBenchmark"))
from exam_year import psql, query, resident_id, set_up_year, year  # noqa: E402
from staff_session import Browser, password, staff  # noqa: E402

env = os.environ
gateway = env["GATEWAY"]
total = int(env.get("CANDIDATES", "300000"))
counties = ["433101", "433122", "433123", "433124", "433125", "433126", "433127", "433130"]


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


set_up_year()
admin = f"bench_admin_{random.randrange(10**6)}"
subprocess.run([os.path.join(env["BIN_DIR"], "examctl"), "create-province-admin", admin, "压测管理员", "13800000000"], input=password + "\n",
               text=True, check=True, stdout=subprocess.DEVNULL, env={**env, "POSTGRES_USER": env["POSTGRES_OWNER_USER"], "POSTGRES_PASSWORD": env["POSTGRES_OWNER_PASSWORD"]})
province = Browser().sign_in(admin)
city = staff(province, "433100", "city_officer")
county_officers = {county: staff(province, county, "county_officer") for county in counties}

# The candidates, as confirmation and payment leave them (loaded once; later runs reuse them).
have = int(query(f"SELECT count(*) FROM candidate_account c JOIN registration r ON r.candidate_id = c.id AND r.year = {year} "
                 f"WHERE c.organisation_node_id LIKE '4331%' AND c.name LIKE '压测%'"))
if have < total:
    started = time.perf_counter()
    psql(f"""
    INSERT INTO organisation_node (id, kind, name, parent_id, path) SELECT 'BENCHREVIEW', 'confirmation_point', '压测确认点（湘西）', id, path || 'BENCHREVIEW'::ltree
      FROM organisation_node WHERE id = '433101' ON CONFLICT (id) DO NOTHING;
    INSERT INTO staff_account (username, name, phone_sealed, personal_data_key_id, password_hash, organisation_node_id, roles, status)
    VALUES ('bench_review_operator', '压测操作员', '\\x00', 'k', 'x', 'BENCHREVIEW', ARRAY['point_operator'], 'active') ON CONFLICT (username) DO NOTHING;
    CREATE TEMP TABLE bench_new AS
    SELECT g, (ARRAY{counties})[1 + g % 8] AS county FROM generate_series({have + 1}, {total}) g;
    WITH account AS (
        INSERT INTO candidate_account (document_type, document_number_sealed, document_number_lookup, document_number_masked, name, phone_sealed,
                                       phone_masked, personal_data_key_id, password_hash, organisation_node_id, status)
        SELECT 'resident_id', '\\x01', sha256(convert_to('bench-review-{year}-' || g, 'UTF8')), '433101********0000', '压测' || g, '\\x01', '137****0000',
               'k', 'x', county, 'paid'
        FROM bench_new ORDER BY g
        RETURNING id
    ) SELECT count(*) FROM account;
    CREATE TEMP TABLE bench_ids AS
    SELECT id, row_number() OVER (ORDER BY id) AS n FROM candidate_account c
    WHERE c.name LIKE '压测%' AND c.organisation_node_id LIKE '4331%' AND NOT EXISTS (SELECT 1 FROM registration r WHERE r.candidate_id = c.id);
    INSERT INTO registration (candidate_id, year, basic_sealed, personal_data_key_id, basic_digests, choices, confirmation_point_id, submitted_at)
    SELECT id, {year}, '\\x01', 'k', ARRAY(SELECT hashtext(id || ':' || f) FROM generate_series(1, 19) f),
           '[{{"level":"high_school_to_bachelor","subjectCategory":"文","studyForm":"part_time","institutionCode":"10538","majorCode":"A01"}}]',
           'BENCHREVIEW', now()
    FROM bench_ids;
    INSERT INTO candidate_confirmation (candidate_id, year, candidate_number, confirmation_point_id, confirmed_by)
    SELECT id, {year}, lpad((90000000000000 + id)::text, 14, '0'), 'BENCHREVIEW', (SELECT id FROM staff_account WHERE username = 'bench_review_operator')
    FROM bench_ids;
    INSERT INTO candidate_photo (candidate_id, jpeg_sealed, key_id, width, height, uploaded_format, captured_by)
    SELECT id, '\\x01', 'k', 480, 640, 'jpeg', (SELECT id FROM staff_account WHERE username = 'bench_review_operator') FROM bench_ids;
    """)
    print(f"loaded {total - have} candidates in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    subprocess.run([os.path.join(env["BIN_DIR"], "examctl"), "recount"], check=True, stdout=subprocess.DEVNULL,
                   env={**env, "POSTGRES_USER": env["POSTGRES_OWNER_USER"], "POSTGRES_PASSWORD": env["POSTGRES_OWNER_PASSWORD"]})

# Their ID numbers and forms sealed as the services seal them (AES-GCM, the column's name
# authenticated), so that the exports open real data.
key_id, key = [entry.split(":", 1) for entry in env["PERSONAL_DATA_KEYS"].split(",")][0]
cipher = AESGCM(base64.b64decode(key))


def sealed(text, column):
    nonce = os.urandom(12)
    return (nonce + cipher.encrypt(nonce, text.encode(), column.encode())).hex()


def seal_unsealed():
    """Seals the data of the bench's candidates loaded with placeholders."""
    unsealed = query("SELECT string_agg(id::text, ',') FROM candidate_account WHERE organisation_node_id LIKE '4331%' AND document_number_sealed = '\\x01'")
    if not unsealed:
        return
    started = time.perf_counter()
    basic = json.dumps({"gender": "male", "ethnicGroup": "01", "birthDate": "1990-05-05", "politicalStatus": "13", "educationLevel": "1",
                        "postalAddress": "湘西州吉首市人民路 1 号", "postcode": "416000", "phone": "13712345678"}, ensure_ascii=False)
    with tempfile.NamedTemporaryFile("w", suffix=".copy") as rows:
        for candidate in unsealed.split(","):
            rows.write(f"{candidate}\t\\\\x{sealed(resident_id(), 'candidate_account.document_number')}\t\\\\x{sealed(basic, 'registration.basic')}\n")
        rows.flush()
        psql(f"""
        CREATE TEMP TABLE bench_seal (id bigint, document bytea, basic bytea);
        \\copy bench_seal FROM '{rows.name}'
        UPDATE candidate_account c SET document_number_sealed = s.document, personal_data_key_id = '{key_id}' FROM bench_seal s WHERE c.id = s.id;
        UPDATE registration r SET basic_sealed = s.basic, personal_data_key_id = '{key_id}' FROM bench_seal s WHERE r.candidate_id = s.id;
        """)
    print(f"sealed {len(unsealed.split(','))} candidates' data in {time.perf_counter() - started:.0f} s", file=sys.stderr)


seal_unsealed()

# Earlier runs' reports of these units step aside, so that this run's chain starts afresh.
psql("UPDATE data_report SET status = 'reopened', reopened_at = now(), reopen_reason = 'ops/bench review' "
     "WHERE unit_id LIKE '4331%' AND status IN ('reported', 'accepted')")

for county, officer in county_officers.items():
    report = officer.call("POST", "/api/review/staff/reports", expect=(201,))
    city.call("POST", f"/api/review/staff/reports/{report['id']}/accept")
first, first_seconds = timed(lambda: city.call("POST", "/api/review/staff/reports", expect=(201,)))

# PostgreSQL's own COPY of the same rows into an indexed table of the same shape.
with tempfile.NamedTemporaryFile(suffix=".copy") as rows:
    psql(f"DROP TABLE IF EXISTS bench_review_copy; CREATE TABLE bench_review_copy (report_id bigint, candidate_id bigint, fields integer[], "
         f"PRIMARY KEY (report_id, candidate_id)); \\copy (SELECT report_id, candidate_id, fields FROM data_report_candidate WHERE report_id = {first['id']}) TO '{rows.name}'")
    _, copy_seconds = timed(lambda: psql(f"\\copy bench_review_copy FROM '{rows.name}'"))
    psql("DROP TABLE bench_review_copy")

# 1% change (2,000 addresses corrected, 1,000 bonus awards), 500 new candidates; returned, reported again.
psql(f"""
UPDATE registration SET basic_digests[16] = basic_digests[16] + 1
WHERE candidate_id IN (SELECT candidate_id FROM data_report_candidate WHERE report_id = {first['id']} ORDER BY candidate_id LIMIT 2000);
INSERT INTO bonus_award (candidate_id, year, policy_code, source, decision)
SELECT candidate_id, {year}, 'BENCH', 'city_list', 'accepted' FROM data_report_candidate WHERE report_id = {first['id']}
ORDER BY candidate_id DESC LIMIT 1000 ON CONFLICT DO NOTHING;
""")
psql(f"""UPDATE exam_year SET document = jsonb_set(document, '{{codeLists,bonusPolicies}}', '[{{"code":"BENCH","name":"压测加分","points":10}}]') WHERE year = {year}""")
added = 500
psql(f"""
WITH account AS (
    INSERT INTO candidate_account (document_type, document_number_sealed, document_number_lookup, document_number_masked, name, phone_sealed,
                                   phone_masked, personal_data_key_id, password_hash, organisation_node_id, status)
    SELECT 'resident_id', '\\x01', sha256(convert_to('bench-review-added-' || gen_random_uuid(), 'UTF8')), '433101********0000', '增补' || g, '\\x01',
           '137****0000', 'k', 'x', '433101', 'paid'
    FROM generate_series(1, {added}) g RETURNING id
), registered AS (
    INSERT INTO registration (candidate_id, year, basic_sealed, personal_data_key_id, basic_digests, choices, submitted_at)
    SELECT id, {year}, '\\x01', 'k', array_fill(7, ARRAY[19]), '[]', now() FROM account
)
INSERT INTO candidate_photo (candidate_id, jpeg_sealed, key_id, width, height, uploaded_format, captured_by)
SELECT id, '\\x01', 'k', 480, 640, 'jpeg', (SELECT id FROM staff_account WHERE username = 'bench_review_operator') FROM account;
""")
seal_unsealed()
province.call("POST", f"/api/review/staff/reports/{first['id']}/return", {"reason": "压测：退回后重新上报"})
second, second_seconds = timed(lambda: city.call("POST", "/api/review/staff/reports", expect=(201,)))
difference, difference_seconds = timed(lambda: city.call("GET", f"/api/review/staff/reports/{second['id']}/difference"))
# The province accepts; its whole data set (this city's candidates) downloaded as DBF and as CSV.
province.call("POST", f"/api/review/staff/reports/{second['id']}/accept")
def download(path):
    request = urllib.request.Request(gateway + path, headers={"Origin": gateway})
    with province.opener.open(request, timeout=600) as response:
        return len(response.read())
dbf_bytes, dbf_seconds = timed(lambda: download("/api/review/staff/exports/province?format=dbf"))
csv_bytes, csv_seconds = timed(lambda: download("/api/review/staff/exports/province?format=csv"))
changed_fields = {}
for entry in difference["changed"]:
    for field in entry["fields"]:
        changed_fields[field] = changed_fields.get(field, 0) + 1
print(json.dumps({
    "candidates": first["candidates"], "snapshot_s": round(first_seconds, 3), "copy_s": round(copy_seconds, 3),
    "second_candidates": second["candidates"], "second_snapshot_s": round(second_seconds, 3), "difference_s": round(difference_seconds, 3),
    "added": len(difference["added"]), "removed": len(difference["removed"]), "changed": len(difference["changed"]), "changed_fields": changed_fields,
    "dbf_s": round(dbf_seconds, 3), "dbf_mb": round(dbf_bytes / 1e6, 1), "csv_s": round(csv_seconds, 3), "csv_mb": round(csv_bytes / 1e6, 1),
    "cookie": "; ".join(f"{c.name}={c.value}" for c in city.cookies),
}))
