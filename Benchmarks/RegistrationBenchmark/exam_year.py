"""The bench's exam year (current, with its catalogue and one approved point, BENCHPOINT) and
helpers shared by `ops/bench registration` and `ops/bench paper-forms`."""
import datetime, json, os, random, subprocess

env = os.environ
year = datetime.date.today().year


def psql(sql):
    """Runs `sql` (given on standard input, so it may be megabytes long)."""
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", env["POSTGRES_PORT"], "-U", env["POSTGRES_OWNER_USER"],
         "-d", env.get("POSTGRES_DATABASE", "exam"), "-f", "-"],
        input=sql, text=True, check=True, env={**env, "PGPASSWORD": env["POSTGRES_OWNER_PASSWORD"]}, stdout=subprocess.DEVNULL)


def query(sql):
    """The single value `sql` selects, as text."""
    return subprocess.run(
        ["psql", "-qAt", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", env["POSTGRES_PORT"], "-U", env["POSTGRES_OWNER_USER"],
         "-d", env.get("POSTGRES_DATABASE", "exam"), "-c", sql],
        text=True, check=True, env={**env, "PGPASSWORD": env["POSTGRES_OWNER_PASSWORD"]}, capture_output=True).stdout.strip()


def resident_id():
    """A valid number of a man born on 5 May 1990 (the bench's one form fits them all)."""
    body = "43%04d" % random.randint(0, 9999) + "19900505" + "%02d" % random.randint(0, 99) + str(random.choice([1, 3, 5, 7, 9]))
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


def set_up_year():
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
