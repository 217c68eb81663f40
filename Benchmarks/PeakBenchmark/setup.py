"""Prepares `ops/bench peak` after RegistrationBenchmark/setup.py (ACCOUNTS signed-in candidates,
their numbers and one valid form) and PaymentBenchmark/setup.py (signed notifications for open
orders): the point open around the clock, 20 slots of 1,000 seats tomorrow to book and move
between (slots.txt), and every bench candidate's form submitted once, so that bookings find
submitted candidates. Environment: as RegistrationBenchmark/setup.py, OUT.
"""
import concurrent.futures, json, os, random, sys, urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "RegistrationBenchmark"))
from exam_year import psql, query  # noqa: E402

env = os.environ
out = env["OUT"]
psql("""UPDATE confirmation_point SET hours = '[["00:00","24:00"]]' WHERE node_id = 'BENCHPOINT';
        INSERT INTO appointment_slot (point_id, day, starts_at, ends_at, capacity)
        SELECT 'BENCHPOINT', current_date + 1, make_time(h, 0, 0), make_time(h, 59, 0), 1000 FROM generate_series(0, 19) h
        ON CONFLICT DO NOTHING""")
with open(os.path.join(out, "slots.txt"), "w") as file:
    file.write(query("SELECT string_agg(id::text, ' ') FROM appointment_slot WHERE point_id = 'BENCHPOINT' AND day = current_date + 1"))
form = open(os.path.join(out, "body.json"), "rb").read()


def submit(line):
    cookie, token = line.rstrip("\n").split("\t")
    request = urllib.request.Request(env["SERVICE_URL"] + "/registration/submit", method="POST", data=form, headers={
        "Content-Type": "application/json", "Cookie": cookie, "X-CSRF-Token": token,
        "X-Real-IP": "10.%d.%d.%d" % (random.randint(0, 255), random.randint(0, 255), random.randint(1, 254))})
    with urllib.request.urlopen(request) as response:
        return response.status


with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
    statuses = list(pool.map(submit, open(os.path.join(out, "sessions.tsv"))))
print(f"{statuses.count(200)} candidates submitted; {len(json.loads('[' + open(os.path.join(out, 'slots.txt')).read().replace(' ', ',') + ']'))} slots")
