"""`ops/bench arrangement`: the province's numbering run at national scale. In a database of its
own (the run takes every paid candidate of the year), loads CANDIDATES (500,000) paid candidates
of 40 counties, each county's candidates sitting in a district of their own (40 districts, one
approved site of 999 rooms each, one scope rule per county), in three exam groups. Then, through
the gateway: the province asks for a run and the bench polls until it is done (committed and
visible), twice (the second also drops the first's output). Beside it, in the same run:
PostgreSQL's own COPY of the same 500,000 output rows into a table with the same two unique
indexes, and PostgreSQL ordering the roster by a hash of seed and candidate number. Prints one
JSON line.

Environment: what ops/lib/stack.sh exports, GATEWAY, BIN_DIR, WORKER_LOG, CANDIDATES.
"""
import json, os, random, re, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "RegistrationBenchmark"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "ReviewBenchmark"))
from exam_year import psql, query, set_up_year, year  # noqa: E402
from staff_session import Browser, password  # noqa: E402

env = os.environ
total = int(env.get("CANDIDATES", "500000"))
districts = 40


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


set_up_year()
examination = {"seatsPerRoom": 30, "mixRemainders": True, "groups": [
    {"code": "01", "name": "高起本文科", "level": "high_school_to_bachelor", "subjectCategory": "文",
     "papers": [{"name": "语文", "starts": f"{year}-10-24T09:00:00+08:00", "ends": f"{year}-10-24T11:00:00+08:00"}]},
    {"code": "02", "name": "高起专文科", "level": "high_school_to_associate", "subjectCategory": "文",
     "papers": [{"name": "语文", "starts": f"{year}-10-24T09:00:00+08:00", "ends": f"{year}-10-24T11:00:00+08:00"}]},
    {"code": "03", "name": "专升本经管类", "level": "associate_to_bachelor", "subjectCategory": "经管",
     "papers": [{"name": "政治", "starts": f"{year}-10-24T09:00:00+08:00", "ends": f"{year}-10-24T11:30:00+08:00"}]}]}
psql(f"UPDATE exam_year SET document = jsonb_set(document, '{{examination}}', '{json.dumps(examination, ensure_ascii=False)}'::jsonb) WHERE year = {year}")

# The bench's province administrator, signed in through the gateway.
admin = f"bench_admin_{random.randrange(10**6)}"
subprocess.run([os.path.join(env["BIN_DIR"], "examctl"), "create-province-admin", admin, "压测管理员", "13800000000"], input=password + "\n",
               text=True, check=True, stdout=subprocess.DEVNULL, env={**env, "POSTGRES_USER": env["POSTGRES_OWNER_USER"], "POSTGRES_PASSWORD": env["POSTGRES_OWNER_PASSWORD"]})
province = Browser().sign_in(admin)

# Districts, sites and scope rules (set up directly: not what is measured).
have = int(query(f"SELECT count(*) FROM candidate_account WHERE name LIKE '编排压测%'"))
if have < total:
    psql(f"""
    CREATE TEMP TABLE bench_county AS
      SELECT id AS county, parent_id AS city, row_number() OVER (ORDER BY id) AS n FROM organisation_node WHERE kind = 'county' ORDER BY id LIMIT {districts};
    INSERT INTO exam_district (code, name, city_id, office_id) SELECT '43' || lpad(n::text, 2, '0'), '压测考区' || n, city, city FROM bench_county
      ON CONFLICT (code) DO NOTHING;
    INSERT INTO exam_site (id, name, county_id, district_code, address, contact, phone, rooms, seats_per_room, status)
      SELECT 'BENCHSITE' || n, '压测考点' || n, county, '43' || lpad(n::text, 2, '0'), '压测路 ' || n || ' 号', '张老师', '0731-88880000', 999, 30, 'approved'
      FROM bench_county ON CONFLICT (id) DO NOTHING;
    INSERT INTO exam_scope_rule (year, county_id, exam_group, district_code, set_by)
      SELECT {year}, county, 'all', '43' || lpad(n::text, 2, '0'), (SELECT min(id) FROM staff_account) FROM bench_county ON CONFLICT DO NOTHING;
    CREATE TEMP TABLE bench_new AS
      SELECT g, c.county FROM generate_series({have + 1}, {total}) g JOIN bench_county c ON c.n = 1 + g % {districts};
    CREATE TEMP TABLE bench_ids AS
    WITH account AS (
        INSERT INTO candidate_account (document_type, document_number_sealed, document_number_lookup, document_number_masked, name, phone_sealed,
                                       phone_masked, personal_data_key_id, password_hash, organisation_node_id, status)
        SELECT 'resident_id', '\\x01', sha256(convert_to('bench-arrangement-{year}-' || g, 'UTF8')), '430102********0000', '编排压测' || g, '\\x01',
               '137****0000', 'k', 'x', county, 'paid'
        FROM bench_new ORDER BY g
        RETURNING id, organisation_node_id AS county, substr(name, 5)::int AS g
    ) SELECT * FROM account;
    INSERT INTO registration (candidate_id, year, basic_sealed, personal_data_key_id, choices, confirmation_point_id, submitted_at)
    SELECT id, {year}, '\\x01', 'k',
           (ARRAY['[{{"level":"high_school_to_bachelor","subjectCategory":"文"}}]', '[{{"level":"high_school_to_associate","subjectCategory":"文"}}]',
                  '[{{"level":"associate_to_bachelor","subjectCategory":"经管"}}]'])[1 + g % 3]::jsonb, 'BENCHPOINT', now()
    FROM bench_ids;
    INSERT INTO candidate_confirmation (candidate_id, year, candidate_number, confirmation_point_id, confirmed_by)
    SELECT id, {year}, '{year % 100}' || county || lpad((g / {districts})::text, 6, '0'), 'BENCHPOINT', (SELECT min(id) FROM staff_account)
    FROM bench_ids;
    ANALYZE candidate_account; ANALYZE registration; ANALYZE candidate_confirmation;
    """)
roster = int(query(f"SELECT count(*) FROM exam_roster WHERE year = {year}"))

# The ceilings, in the same run: COPY of 500,000 output rows into a table with the same two unique
# indexes; PostgreSQL ordering the roster by a hash of seed and candidate number.
with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as file:
    run_id = "00000000-0000-0000-0000-000000000001"
    for n in range(roster):
        file.write(f"{run_id},43{n % 40 + 1:02d}0{n % 3 + 1}{n // 30 % 1000:03d}{n % 30 + 1:02d}{n // 30000:01d},{n + 1}\n")
    copy_file = file.name


def copy():
    psql(f"""
    DROP TABLE IF EXISTS bench_ticket_copy;
    CREATE TABLE bench_ticket_copy (run_id uuid NOT NULL, ticket text NOT NULL, candidate_id bigint NOT NULL,
                                    PRIMARY KEY (run_id, ticket), UNIQUE (run_id, candidate_id));
    \\copy bench_ticket_copy FROM '{copy_file}' WITH (FORMAT csv)
    """)


def sort():
    query(f"SELECT count(*) FROM (SELECT candidate_id FROM exam_roster WHERE year = {year} "
          f"ORDER BY sha256(convert_to('seed' || candidate_number, 'UTF8')) OFFSET 0) x")


def numbering(seed):
    started = time.perf_counter()
    run = province.call("POST", "/api/arrangement/staff/numbering-runs", {"seed": seed}, expect=(202,))
    while run["status"] not in ("done", "refused"):
        time.sleep(0.02)
        run = province.call("GET", f"/api/arrangement/staff/numbering-runs/{run['id']}")
    elapsed = time.perf_counter() - started
    if run["status"] != "done":
        sys.exit(f"the run was refused: {json.dumps(run['problems'], ensure_ascii=False)[:800]}")
    return run, elapsed


# Earlier benches' runs are not this one's: the first run starts from an empty output.
psql("DELETE FROM admission_ticket; DELETE FROM room_allocation; DELETE FROM exam_room; DELETE FROM numbering_progress; DELETE FROM numbering_run")
_, copy_s = timed(copy)
_, sort_s = timed(sort)
first, first_s = numbering(f"bench-{random.randrange(10**9)}")
second, second_s = numbering(f"bench-{random.randrange(10**9)}")
_, copy2_s = timed(copy)
psql("DROP TABLE IF EXISTS bench_ticket_copy")
os.unlink(copy_file)
# The worker's own split of each run (reading the roster, placing and ordering, writing), from its log.
log = open(env["WORKER_LOG"], encoding="utf-8", errors="replace").read() if env.get("WORKER_LOG") else ""
split = [{"reading_s": round(float(r), 2), "placing_and_ordering_s": round(float(o), 2), "writing_s": round(float(w), 2)}
         for o, r, run, w in re.findall(r'ordering=([0-9.]+) seconds reading=([0-9.]+) seconds .*?run=(\S+) writing=([0-9.]+) seconds', log)
         if run.lower() in (first["id"].lower(), second["id"].lower())]
print(json.dumps({"candidates": first["candidates"], "rooms": first["rooms"], "districts": districts, "first_s": round(first_s, 2),
                  "second_s": round(second_s, 2), "copy_s": round(copy_s, 2), "copy2_s": round(copy2_s, 2), "sort_s": round(sort_s, 2),
                  "digest": first["digest"], "worker_log": split[-2:]}))
