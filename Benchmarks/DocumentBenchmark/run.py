"""`ops/bench documents`: admission tickets and a site pack at a large site, in a database of its own.

Sets up CANDIDATES (3,000) paid candidates of one county, each with a sealed 480x640 JPEG photo
and its print-size copy (as the points store them at capture), numbered by the real run through the gateway into one district whose
rooms are all at one site, and published. Then one DocumentGeneration worker process is started
and timed: every ticket drawn and stored (tickets/s, and tickets per CPU-second of the worker),
then the site's pack (the county's request through the gateway until the ZIP is stored). Beside
it, in the same run: the same ticket page drawn by the same canvas in a bare C loop on one core
(Benchmarks/DocumentBenchmark/bare_loop.py), single-page files and 100 pages in one file. Prints
one JSON line.

Environment: what ops/lib/stack.sh exports, GATEWAY, BIN_DIR, REPO_DIR, CANDIDATES.
"""
import base64, json, os, random, subprocess, sys, tempfile, time

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "RegistrationBenchmark"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "ReviewBenchmark"))
from exam_year import psql, query, set_up_year, year  # noqa: E402
from staff_session import Browser, password  # noqa: E402

env = os.environ
total = int(env.get("CANDIDATES", "3000"))
repo = env["REPO_DIR"]
work = tempfile.mkdtemp(prefix="bench-documents-")
ticks = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks


def wait(condition, limit=1800):
    deadline = time.time() + limit
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.2)
    sys.exit("timed out")


# A photo as a point stores one: a 480x640 JPEG of about 50 KB, and its print-size copy made at
# capture (Benchmarks/DocumentBenchmark/photo.c, libgd).
photo, printed_photo = os.path.join(work, "photo.jpg"), os.path.join(work, "print.jpg")
subprocess.run(["cc", "-O2", "-o", os.path.join(work, "photo"), os.path.join(repo, "Benchmarks/DocumentBenchmark/photo.c"), "-lgd"], check=True)
subprocess.run([os.path.join(work, "photo"), photo, printed_photo], check=True)
jpeg, printed = open(photo, "rb").read(), open(printed_photo, "rb").read()

set_up_year()
day = f"{year}-10-24T"
examination = {"seatsPerRoom": 30, "mixRemainders": False,
               "candidateRules": "一、考生凭准考证和本人有效身份证件参加考试，开考前 20 分钟进入考场。二、开考 15 分钟后不得进入考场，考试结束前 30 分钟内不得交卷离场。三、严禁携带手机等通讯工具进入考场。四、遵守考场规则，服从监考人员管理，诚信应考。",
               "groups": [{"code": "01", "name": "高起本文科", "level": "high_school_to_bachelor", "subjectCategory": "文",
                           "papers": [{"name": "语文", "starts": day + "09:00:00+08:00", "ends": day + "11:00:00+08:00"},
                                      {"name": "数学（文）", "starts": day + "15:00:00+08:00", "ends": day + "17:00:00+08:00"}]}]}
psql(f"UPDATE exam_year SET document = jsonb_set(document, '{{examination}}', '{json.dumps(examination, ensure_ascii=False)}'::jsonb) WHERE year = {year}")

admin = f"bench_admin_{random.randrange(10**6)}"
subprocess.run([os.path.join(env["BIN_DIR"], "examctl"), "create-province-admin", admin, "压测管理员", "13800000000"], input=password + "\n",
               text=True, check=True, stdout=subprocess.DEVNULL, env={**env, "POSTGRES_USER": env["POSTGRES_OWNER_USER"], "POSTGRES_PASSWORD": env["POSTGRES_OWNER_PASSWORD"]})
province = Browser().sign_in(admin)

# The candidates, their sealed photos, the district, its one site and the scope rule (set up directly: not what is measured).
key_id, key = env["PERSONAL_DATA_KEYS"].split(",")[0].split(":", 1)
cipher = AESGCM(base64.b64decode(key))
county = query("SELECT id FROM organisation_node WHERE kind = 'county' ORDER BY id LIMIT 1")
city = query(f"SELECT parent_id FROM organisation_node WHERE id = '{county}'")
have = int(query("SELECT count(*) FROM candidate_account WHERE name LIKE '文件压测%'"))
rooms = (total + 29) // 30
psql(f"""
INSERT INTO exam_district (code, name, city_id, office_id) VALUES ('4399', '文件压测考区', '{city}', '{city}') ON CONFLICT (code) DO NOTHING;
INSERT INTO exam_site (id, name, county_id, district_code, address, contact, phone, rooms, seats_per_room, status)
  VALUES ('BENCHDOCSITE', '文件压测第一中学', '{county}', '4399', '压测路 1 号', '张老师', '0731-88880000', {rooms}, 30, 'approved') ON CONFLICT (id) DO NOTHING;
INSERT INTO exam_scope_rule (year, county_id, exam_group, district_code, set_by)
  VALUES ({year}, '{county}', 'all', '4399', (SELECT min(id) FROM staff_account)) ON CONFLICT DO NOTHING;
""")
if have < total:
    psql(f"""
    CREATE TEMP TABLE bench_ids AS
    WITH account AS (
        INSERT INTO candidate_account (document_type, document_number_sealed, document_number_lookup, document_number_masked, name, phone_sealed,
                                       phone_masked, personal_data_key_id, password_hash, organisation_node_id, status)
        SELECT 'resident_id', '\\x01', sha256(convert_to('bench-documents-{year}-' || g, 'UTF8')), '430102********0000', '文件压测' || g, '\\x01',
               '137****0000', 'k', 'x', '{county}', 'paid'
        FROM generate_series({have + 1}, {total}) g ORDER BY g
        RETURNING id, substr(name, 5)::int AS g
    ) SELECT * FROM account;
    INSERT INTO registration (candidate_id, year, basic_sealed, personal_data_key_id, choices, confirmation_point_id, submitted_at)
    SELECT id, {year}, '\\x01', 'k', '[{{"level":"high_school_to_bachelor","subjectCategory":"文"}}]'::jsonb, 'BENCHPOINT', now() FROM bench_ids;
    INSERT INTO candidate_confirmation (candidate_id, year, candidate_number, confirmation_point_id, confirmed_by)
    SELECT id, {year}, '{year % 100}' || '{county}' || lpad(g::text, 6, '0'), 'BENCHPOINT', (SELECT min(id) FROM staff_account) FROM bench_ids;
    """)
    ids = query("SELECT string_agg(c.id::text, ',') FROM candidate_account c LEFT JOIN candidate_photo f ON f.candidate_id = c.id WHERE c.name LIKE '文件压测%' AND f.candidate_id IS NULL")

    def sealed(data, column):
        nonce = os.urandom(12)
        return "\\\\x" + (nonce + cipher.encrypt(nonce, data, column)).hex()

    rows = [f"{cid}\t{sealed(jpeg, b'candidate_photo.jpeg')}\t{sealed(printed, b'candidate_photo.print_jpeg')}\t{key_id}\t480\t640\tjpeg\t1\n"
            for cid in ids.split(",")]
    copy = os.path.join(work, "photos.tsv")
    open(copy, "w").writelines(rows)
    psql(f"\\copy candidate_photo (candidate_id, jpeg_sealed, print_jpeg_sealed, key_id, width, height, uploaded_format, captured_by) FROM '{copy}'")

# Numbered by the real run, the rooms at the site, published.
run = province.call("POST", "/api/arrangement/staff/numbering-runs", {"seed": "documents-bench-seed"}, expect=(202,))["id"]
wait(lambda: province.call("GET", f"/api/arrangement/staff/numbering-runs/{run}")["status"] in ("done", "refused"))
psql(f"""
UPDATE exam_room SET site_id = 'BENCHDOCSITE' WHERE run_id = '{run}';
UPDATE room_allocation SET status = 'accepted' WHERE run_id = '{run}';
""")
province.call("POST", f"/api/arrangement/staff/numbering-runs/{run}/publish", expect=(204,))
candidates = int(query(f"SELECT count(*) FROM admission_ticket WHERE run_id = '{run}'"))

# One document worker: every ticket, then the site's pack.
worker = subprocess.Popen([os.path.join(env["BIN_DIR"], "DocumentGeneration")], env={**env, "ROLE": "worker", "HTTP_PORT": "28199", "LOG_LEVEL": "warning"},
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    started, cpu = time.perf_counter(), cpu_seconds(worker.pid)
    wait(lambda: query(f"SELECT count(*) = {candidates} FROM admission_ticket_document WHERE run_id = '{run}' AND made_at IS NOT NULL") == "t")
    tickets_s, tickets_cpu = time.perf_counter() - started, cpu_seconds(worker.pid) - cpu
    sizes = query("SELECT avg(bytes)::int || ',' || max(bytes) FROM stored_document WHERE kind = 'admission_ticket'").split(",")

    started, cpu = time.perf_counter(), cpu_seconds(worker.pid)
    pack = province.call("POST", "/api/documents/staff/exam-sites/BENCHDOCSITE/pack", expect=(202,))["id"]
    wait(lambda: province.call("GET", f"/api/documents/staff/site-packs/{pack}")["status"] == "done")
    pack_s, pack_cpu = time.perf_counter() - started, cpu_seconds(worker.pid) - cpu
    pack_bytes = query(f"SELECT bytes FROM stored_document WHERE kind = 'site_pack' AND subject = '{pack.lower()}'")
    pack_pages = query(f"SELECT sum(pages) FROM stored_document WHERE kind = 'site_pack' AND subject LIKE '{pack.lower()}%'")
finally:
    worker.terminate()
    worker.wait()

# The bare loop: the same page, the same canvas, one core.
source = os.path.join(work, "bare.c")
subprocess.run([sys.executable, os.path.join(repo, "Benchmarks/DocumentBenchmark/bare_loop.py"),
                os.path.join(repo, "Services/DocumentGeneration/Layouts/admission_ticket.json"), photo, source], check=True)
flags = subprocess.run(["pkg-config", "--cflags", "--libs", "pangocairo", "libqrencode"], capture_output=True, text=True, check=True).stdout.split()
subprocess.run(["cc", "-O2", "-o", os.path.join(work, "bare"), source, os.path.join(repo, "Shared/CPDFCanvas/exam_pdf.c"),
                "-I" + os.path.join(repo, "Shared/CPDFCanvas/include"), *flags], check=True)
bare = json.loads(subprocess.run(["taskset", "-c", "0", os.path.join(work, "bare"), photo, "200"], capture_output=True, text=True, check=True).stdout)

print(json.dumps({
    "candidates": candidates, "rooms": rooms, "photo_bytes": len(jpeg), "cores": os.cpu_count(),
    "tickets_s": round(tickets_s, 2), "tickets_per_s": round(candidates / tickets_s, 1), "tickets_per_cpu_s": round(candidates / tickets_cpu, 1),
    "ticket_bytes_avg": int(sizes[0]), "ticket_bytes_max": int(sizes[1]),
    "pack_s": round(pack_s, 2), "pack_cpu_s": round(pack_cpu, 2), "pack_bytes": int(pack_bytes), "pack_pages": int(pack_pages),
    "bare_files_per_s": bare["files_per_s"], "bare_file_bytes": bare["file_bytes"], "bare_pages_per_s_shared": bare["pages_per_s_shared"],
}))
