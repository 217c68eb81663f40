"""The fault drill's checker (`ops/drill`), after the load stopped and the system went quiet:
what the journal says was acknowledged is looked for in the database, and the effects that must
happen once are counted. Prints one line per check and the 5xx answers seen during each fault;
exits 1 when any count that must be 0 is not.

Environment: what ops/lib/stack.sh exports (database, PERSONAL_DATA_*), JOURNAL, FAULTS (lines of
"name start end", Unix times), BIN_DIR (examctl).
"""
import base64, collections, hashlib, hmac, json, os, re, subprocess, sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

env = os.environ


def rows(sql):
    out = subprocess.run(
        ["psql", "-qAt", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", env["POSTGRES_PORT"], "-U", env["POSTGRES_OWNER_USER"],
         "-d", env["POSTGRES_DATABASE"], "-f", "-"],
        input=sql, text=True, check=True, env={**env, "PGPASSWORD": env["POSTGRES_OWNER_PASSWORD"]}, capture_output=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def value(sql):
    return int(rows(sql)[0][0])


lookup_key = base64.b64decode(env["PERSONAL_DATA_LOOKUP_KEY"])
keys = {entry.split(":", 1)[0]: base64.b64decode(entry.split(":", 1)[1]) for entry in env["PERSONAL_DATA_KEYS"].split(",")}


def lookup(number):
    return hmac.new(lookup_key, b"candidate_account.document_number\x00resident_id:" + number.encode(), hashlib.sha256).hexdigest()


def revision(sealed_hex, key_id):
    """The draft revision written into a sealed basic-information field (its remarks)."""
    if not sealed_hex: return 0
    sealed = bytes.fromhex(sealed_hex[2:])
    basic = json.loads(AESGCM(keys[key_id]).decrypt(sealed[:12], sealed[12:], b"registration.basic"))
    found = re.search(r"revision (\d+)", basic.get("remarks") or "")
    return int(found.group(1)) if found else 0


journal = [json.loads(line) for line in open(env["JOURNAL"])]
acks = collections.defaultdict(list)
for entry in journal:
    if "ack" in entry: acks[entry["ack"]].append(entry)
answers = [entry for entry in journal if "status" in entry]
refusals = collections.Counter(entry["refused"].split(":")[0] for entry in journal if "refused" in entry)

# Every acknowledged document's account, by its lookup hash.
documents = {entry["document"] for kind in acks.values() for entry in kind}
accounts = {}
if documents:
    values = ",".join(f"('\\x{lookup(number)}'::bytea, '{number}')" for number in documents)
    for account_id, number, status, basic, basic_key, draft, draft_key in rows(f"""
        SELECT c.id, d.number, c.status, r.basic_sealed, r.personal_data_key_id, r.draft_basic_sealed, r.draft_key_id
          FROM (VALUES {values}) d(lookup, number) JOIN candidate_account c ON c.document_number_lookup = d.lookup
          LEFT JOIN registration r ON r.candidate_id = c.id"""):
        accounts[number] = {"id": int(account_id), "status": status,
                            "revision": max(revision(basic, basic_key), revision(draft, draft_key))}

lost = collections.Counter()
for entry in acks["sign_up"]:
    if entry["document"] not in accounts: lost["sign-ups"] += 1
drafts = {}
for entry in acks["draft"]:
    drafts[entry["document"]] = max(drafts.get(entry["document"], 0), entry["revision"])
for number, acked in drafts.items():
    if accounts.get(number, {}).get("revision", 0) < acked: lost["draft saves"] += 1
for entry in acks["submit"]:
    if accounts.get(entry["document"], {}).get("status") not in ("submitted", "pending_city_review", "confirmed", "paid"): lost["submissions"] += 1
confirmed = {int(candidate): number for candidate, number in rows("SELECT candidate_id, candidate_number FROM candidate_confirmation")}
for entry in acks["confirm"]:
    if confirmed.get(entry["candidate"]) != entry["number"]: lost["confirmations"] += 1
paid_orders = {order for (order,) in rows("SELECT order_no FROM payment_order WHERE status = 'paid'")}
for entry in acks["paid"]:
    if entry["order"] not in paid_orders or accounts.get(entry["document"], {}).get("status") != "paid": lost["payments"] += 1

checks = [
    ("acknowledged writes lost", sum(lost.values()), ", ".join(f"{k} {v}" for k, v in lost.items())),
    ("payments applied more than once", value("""
        SELECT (SELECT count(*) FROM (SELECT order_no FROM payment_notification WHERE outcome = 'applied' GROUP BY order_no HAVING count(*) > 1) o)
             + (SELECT count(*) FROM (SELECT candidate_id FROM payment_order WHERE status = 'paid' GROUP BY candidate_id HAVING count(*) > 1) c)"""), ""),
    ("notices made twice (one event, two SMS)", value("""
        SELECT count(*) FROM (SELECT candidate_id, kind FROM candidate_notice GROUP BY candidate_id, kind HAVING count(*) > 1) n"""), ""),
    ("events unpublished or parked", value("SELECT count(*) FROM outbox_event WHERE published_at IS NULL OR parked_at IS NOT NULL"), ""),
    ("candidate numbers duplicated", value("SELECT count(*) - count(DISTINCT candidate_number) FROM candidate_confirmation"), ""),
    ("candidate numbers with gaps", value("""
        SELECT count(*) FROM (
          SELECT substr(candidate_number, 3, 6) county, count(*) n, max(substr(candidate_number, 9)::int) top
            FROM candidate_confirmation GROUP BY 1) s
          JOIN candidate_number_counter k ON k.county_id = s.county
         WHERE s.n <> s.top OR k.last_sequence <> s.top"""), ""),
]
recount = subprocess.run([os.path.join(env["BIN_DIR"], "examctl"), "recount", "--check"], capture_output=True, text=True,
                         env={**env, "POSTGRES_USER": env["POSTGRES_OWNER_USER"], "POSTGRES_PASSWORD": env["POSTGRES_OWNER_PASSWORD"]})
differences = [line for line in recount.stdout.splitlines() if line.strip()] if recount.returncode == 2 else []
if recount.returncode not in (0, 2): sys.exit(f"examctl recount failed: {recount.stderr[-400:]}")
checks.append(("statistics counted twice or missed (examctl recount --check)", len(differences), "; ".join(differences[:3])))

print(f"load: {len(answers)} answers; acknowledged: " + ", ".join(f"{len(v)} {k}" for k, v in sorted(acks.items()))
      + f"; walks ended by a refusal: {sum(refusals.values())}" + (f" ({dict(refusals)})" if refusals else ""))
failed = False
for name, count, detail in checks:
    print(f"  {name}: {count}" + (f" ({detail})" if detail else ""))
    failed |= count != 0

faults = [(line.split()[0], float(line.split()[1]), float(line.split()[2])) for line in open(env["FAULTS"]) if line.strip()]
print("5xx or no answer during each fault (from the fault until 5 s after it was repaired), of all answers then:")
seen = set()
for name, start, end in faults:
    during = [entry for entry in answers if start <= entry["t"] <= end + 5]
    bad = [entry for entry in during if entry["status"] >= 500 or entry["status"] == 0]
    seen.update(id(entry) for entry in during)
    kinds = collections.Counter(f"{entry['action']} {entry['status'] or 'none'}" for entry in bad)
    print(f"  {name:<34} {end - start:5.1f} s  {len(bad):4} of {len(during):5}" + (f"  ({', '.join(f'{k} x{v}' for k, v in kinds.most_common(4))})" if bad else ""))
outside = [entry for entry in answers if id(entry) not in seen and (entry["status"] >= 500 or entry["status"] == 0)]
print(f"  outside every fault: {len(outside)} of {len(answers) - len(seen)}")
sys.exit(1 if failed else 0)
