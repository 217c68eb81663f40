"""The fault drill's checker (ops/lib/drill/check.py), on the test stack's database: a journal that
claims writes the database does not hold is reported as lost, by kind, with a failing exit; an
acknowledged write that is there is not; 5xx answers are counted against the fault they fell in
or as outside every fault. (ops/drill itself runs for minutes and restarts the servers; its
output is in the operations issue's closing note.)"""
import base64, hashlib, hmac, json, os, subprocess, tempfile, time, unittest, uuid

REPO = os.environ.get("EXAM_REPOSITORY", os.path.join(os.path.dirname(__file__), "..", ".."))


def psql(sql):
    env = {**os.environ, "PGPASSWORD": os.environ["POSTGRES_OWNER_PASSWORD"]}
    return subprocess.run(["psql", "-h", "127.0.0.1", "-p", os.environ["POSTGRES_PORT"], "-U", os.environ["POSTGRES_OWNER_USER"], "-d",
                           os.environ.get("POSTGRES_DATABASE", "exam"), "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql],
                          capture_output=True, text=True, check=True, env=env).stdout.strip()


def resident_id(serial):
    body = "43%04d" % (serial % 10_000) + "19800101" + "%02d" % (serial // 10_000 % 100) + "1"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


class FaultDrillChecker(unittest.TestCase):
    def test_writes_the_journal_claims_but_the_database_lacks_are_counted_as_lost(self):
        lookup_key = base64.b64decode(os.environ["PERSONAL_DATA_LOOKUP_KEY"])
        present, absent = resident_id(int(time.time()) % 900_000 + 1), resident_id(int(time.time()) % 900_000 + 2)
        lookup = hmac.new(lookup_key, b"candidate_account.document_number\x00resident_id:" + present.encode(), hashlib.sha256).hexdigest()
        psql(f"""INSERT INTO candidate_account (document_type, document_number_sealed, document_number_lookup, document_number_masked, name,
                     phone_sealed, phone_masked, personal_data_key_id, password_hash, organisation_node_id, status)
                 VALUES ('resident_id', '\\x01', '\\x{lookup}', '430000********0000', '演练核对', '\\x01', '137****0000', 'k', NULL, '430102', 'registered')""")
        now = time.time()
        journal = [
            {"ack": "sign_up", "document": present, "t": now},            # there: not lost
            {"ack": "sign_up", "document": absent, "t": now},             # not there
            {"ack": "draft", "document": present, "revision": 2, "t": now},  # no registration row holds revision 2
            {"ack": "confirm", "document": present, "candidate": -1, "number": "26430102999999", "t": now},
            {"action": "submit", "status": 502, "t": now + 1},
            {"action": "submit", "status": 200, "t": now + 2},
            {"action": "draft", "status": 0, "t": now + 100},
        ]
        with tempfile.TemporaryDirectory() as directory:
            with open(os.path.join(directory, "journal"), "w") as file:
                file.write("\n".join(json.dumps(entry) for entry in journal) + "\n")
            with open(os.path.join(directory, "faults"), "w") as file:
                file.write(f"Registration-api-SIGKILL {now} {now + 3}\n")
            run = subprocess.run(["python3", os.path.join(REPO, "ops", "lib", "drill", "check.py")], capture_output=True, text=True,
                                 env={**os.environ, "JOURNAL": os.path.join(directory, "journal"), "FAULTS": os.path.join(directory, "faults"),
                                      "BIN_DIR": os.path.join(REPO, ".build", "debug")})
        print(run.stdout)
        self.assertEqual(run.returncode, 1, run.stdout + run.stderr)
        self.assertIn("acknowledged writes lost: 3 (sign-ups 1, draft saves 1, confirmations 1)", run.stdout)
        self.assertRegex(run.stdout, r"Registration-api-SIGKILL\s+3\.0 s\s+1 of\s+2  \(submit 502 x1\)")
        self.assertIn("outside every fault: 1 of 1", run.stdout)


if __name__ == "__main__":
    unittest.main()
