"""Backups that restore, on the test stack: ops/backup (pgBackRest, encrypted, with continuous WAL
archiving, and the documents' archive), rows written after it, then ops/restore-drill restoring to
a scratch cluster and finding every table and document as they were at its restore point; and a
document changed behind the backup's back is reported, with a failing exit."""
import os, re, subprocess, unittest, uuid

REPO = os.environ.get("EXAM_REPOSITORY", os.path.join(os.path.dirname(__file__), "..", ".."))
STACK = os.environ.get("STACK_DIR", os.path.join(REPO, ".run-test"))


def ops(*arguments, check=True):
    run = subprocess.run([os.path.join(REPO, "ops", arguments[0]), *arguments[1:]], capture_output=True, text=True)
    if check and run.returncode != 0:
        raise AssertionError(f"ops/{' '.join(arguments)}: {run.returncode}\n{run.stdout}\n{run.stderr}")
    return run


def psql(sql):
    env = {**os.environ, "PGPASSWORD": os.environ["POSTGRES_OWNER_PASSWORD"]}
    return subprocess.run(["psql", "-h", "127.0.0.1", "-p", os.environ["POSTGRES_PORT"], "-U", os.environ["POSTGRES_OWNER_USER"], "-d",
                           os.environ.get("POSTGRES_DATABASE", "exam"), "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql],
                          capture_output=True, text=True, check=True, env=env).stdout.strip()


def figure(output, label):
    return re.search(rf"{label}:\s+(-?[0-9.]+)", output).group(1)


class RestoreDrill(unittest.TestCase):
    def test_a_backup_and_the_wal_after_it_restore_every_table_and_document(self):
        store = os.environ["DOCUMENT_STORE"]
        os.makedirs(os.path.join(store, "drill"), exist_ok=True)
        kept = os.path.join(store, "drill", f"{uuid.uuid4()}.pdf")
        with open(kept, "wb") as file:
            file.write(os.urandom(4096))
        ops("backup", "full")
        # Written after the backup: only the archived WAL brings these back.
        tag = f"drill-{uuid.uuid4()}"
        psql(f"INSERT INTO processed_message (consumer, message_id) SELECT '{tag}', gen_random_uuid() FROM generate_series(1, 2000)")
        drill = ops("restore-drill").stdout
        self.assertEqual(figure(drill, "tables that differ"), "0", drill)
        self.assertGreater(int(figure(drill, "tables compared")), 50, drill)
        self.assertGreaterEqual(int(re.search(r"\((\d+) rows\)", drill).group(1)), 2000, drill)
        self.assertGreaterEqual(int(figure(drill, "documents in the archive")), 1, drill)
        self.assertLessEqual(int(figure(drill, "RPO")), 60, drill)
        self.assertLess(float(figure(drill, "RTO")), 300, drill)
        print(drill)

        # A stored document changed after the backup (as a damaged disk would): the drill says so and fails.
        with open(kept, "wb") as file:
            file.write(b"damaged")
        damaged = ops("restore-drill", check=False)
        self.assertEqual(damaged.returncode, 1, damaged.stdout + damaged.stderr)
        self.assertIn(f"document differs or is gone: drill/{os.path.basename(kept)}", damaged.stdout)
        os.remove(kept)


if __name__ == "__main__":
    unittest.main()
