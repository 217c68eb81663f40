"""`ops/bench peak`: the first hour of a registration window at national scale, as an open-loop
load through the gateway. Each action's requests arrive as a Poisson process at its own rate,
whatever the answers do (a slow answer does not slow the arrivals, so queueing shows as latency:
each request's time runs from the moment it was due, not from when a connection was free). The
clients are many candidates on many addresses: each connection is bound to its own loopback
address, so the per-address limits see what they would see in production.

Prints one JSON object: per action the requests due and answered, p50/p99/max in ms, the answers
by kind (deliberate rate-limit and busy answers apart from errors); the queues' depths and the outbox and
payment backlogs sampled every 10 s; and the CPU each process took (seconds, and the share of
the machine's cores), this generator included.

Environment: GATEWAY, OUT (setup.py's files), DURATION (s), SCALE (every rate times this),
RATES ("sign_up=30,login=60,...", after SCALE),
PIDS (the stack's PID files), RABBITMQ_METRICS (the broker's Prometheus URL), and what
ops/lib/stack.sh exports for psql.
"""
import asyncio, collections, glob, json, os, random, re, sys, time, urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "RegistrationBenchmark"))
from exam_year import query  # noqa: E402

env = os.environ
host, port = env["GATEWAY"].split("//")[1].split(":")
port = int(port)
out = env["OUT"]
duration = float(env.get("DURATION", "300"))
rates = {"sign_up": 30, "login": 60, "read": 400, "draft": 150, "submit": 100, "booking": 20, "notify": 50}
scale = float(env.get("SCALE", "1"))
rates = {action: rate * scale for action, rate in rates.items()}
for item in filter(None, env.get("RATES", "").split(",")):
    name, rate = item.split("=")
    rates[name.strip()] = float(rate)

sessions = [line.rstrip("\n").split("\t") for line in open(os.path.join(out, "sessions.tsv"))]
numbers = [line.strip() for line in open(os.path.join(out, "numbers.txt"))]
notifications = [line.rstrip("\n") for line in open(os.path.join(out, "bodies.txt"))]
form = open(os.path.join(out, "body.json"), "rb").read()
slots = [int(s) for s in open(os.path.join(out, "slots.txt")).read().split()]
password = "Bench#mark-2026"
origin = env["GATEWAY"]


def resident_id(serial):
    body = "43%04d" % (serial % 10_000) + "19910606" + "%02d" % (serial // 10_000 % 100) + str(1 + 2 * (serial // 1_000_000 % 5))
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


signups = iter(range(1, 10**7))
paid = iter(notifications)


def candidate_request(method, path, body=None):
    cookie, token = random.choice(sessions)
    return method, path, body, {"Cookie": cookie, "X-CSRF-Token": token, "Content-Type": "application/json"}


def make(action):
    """(method, path, body, headers) of the action's next request."""
    if action == "sign_up":
        return "POST", "/api/registration/accounts", json.dumps({
            "documentType": "resident_id", "documentNumber": resident_id(next(signups)), "name": "高峰考生", "phone": "13712345678",
            "password": password, "countyID": "430102"}).encode(), {"Content-Type": "application/json"}
    if action == "login":
        return "POST", "/api/registration/session", json.dumps({"documentNumber": random.choice(numbers), "password": password}).encode(), \
            {"Content-Type": "application/json"}
    if action == "read":
        which = random.random()
        if which < 0.4: return candidate_request("GET", "/api/registration/registration/status")
        if which < 0.6: return "GET", "/api/registration/catalogue?level=high_school_to_bachelor&q=%E6%B1%89%E8%AF%AD", None, {}
        if which < 0.8: return candidate_request("GET", "/api/registration/confirmation-points")
        return candidate_request("GET", "/api/registration/appointment-slots")
    if action == "draft": return candidate_request("PUT", "/api/registration/registration", form)
    if action == "submit": return candidate_request("POST", "/api/registration/registration/submit", form)
    if action == "booking": return candidate_request("POST", "/api/registration/appointment", json.dumps({"slotID": random.choice(slots)}).encode())
    if action == "notify":
        return "POST", "/callbacks/payment/alipay", next(paid).encode(), {"Content-Type": "application/x-www-form-urlencoded"}
    raise ValueError(action)


class Connections:
    """Idle keep-alive connections, each from its own loopback address (new ones as needed)."""

    def __init__(self):
        self.idle = []
        self.made = 0

    async def get(self):
        if self.idle: return self.idle.pop()
        return await self.fresh()

    async def fresh(self):
        self.made += 1
        n = self.made
        address = "127.%d.%d.%d" % (100 + n // 62_500 % 100, n // 250 % 250, 1 + n % 250)
        return await asyncio.open_connection(host, port, local_addr=(address, 0))

    def put(self, connection):
        self.idle.append(connection)


async def exchange(connection, method, path, body, headers):
    reader, writer = connection
    head = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", f"Origin: {origin}"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    if body is not None: head.append(f"Content-Length: {len(body)}")
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + (body or b""))
    status_line = await reader.readline()
    if not status_line: raise ConnectionError("closed")
    status = int(status_line.split()[1])
    length, chunked, close = 0, False, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""): break
        name, _, value = line.decode("latin-1").partition(":")
        name = name.lower()
        if name == "content-length": length = int(value)
        elif name == "transfer-encoding" and "chunked" in value: chunked = True
        elif name == "connection" and "close" in value: close = True
    body = b""
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            body += (await reader.readexactly(size + 2))[:-2]
            if size == 0: break
    elif length:
        body = await reader.readexactly(length)
    return status, close, body


latencies = collections.defaultdict(list)
outcomes = collections.defaultdict(collections.Counter)
due = collections.Counter()
pool = Connections()


async def one(action, scheduled):
    method, path, body, headers = make(action)
    # A sign-up or a login is someone arriving: a new connection from a new address.
    arriving = action in ("sign_up", "login")
    connection = None
    status, answer = 0, b""
    # A kept-alive connection the gateway closed meanwhile fails before any answer: as a browser
    # does, the request goes again once on a new connection.
    for attempt in (1, 2):
        reused = not arriving and attempt == 1 and bool(pool.idle)
        try:
            connection = await (pool.get() if reused else pool.fresh())
            status, close, answer = await exchange(connection, method, path, body, headers)
            if close or arriving: connection[1].close()
            else: pool.put(connection)
            break
        except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError, IndexError):
            if connection: connection[1].close()
            status = 0
            if not reused: break
    latencies[action].append((time.perf_counter() - scheduled) * 1000)
    # Deliberate answers to too much at once, apart from errors: rate limits (429) and the
    # password line's "busy" (503 with Retry-After).
    kind = "ok" if 200 <= status < 300 else "rate_limited" if status == 429 \
        else "busy" if status == 503 and b'"busy"' in answer else f"error {status or 'no answer'}"
    outcomes[action][kind] += 1


async def arrivals(action, rate, until, tasks):
    clock = time.perf_counter()
    while True:
        clock += random.expovariate(rate)
        if clock >= until: return
        delay = clock - time.perf_counter()
        if delay > 0: await asyncio.sleep(delay)
        due[action] += 1
        tasks.add(asyncio.ensure_future(one(action, clock)))


def cpu_by_process():
    """CPU seconds so far of each of the stack's processes (by PID file, else by command name)."""
    named = {}
    for path in glob.glob(os.path.join(env["PIDS"], "*.pid")):
        try: named[open(path).read().split()[0]] = os.path.basename(path)[:-4]
        except (OSError, IndexError): pass
    named[str(os.getpid())] = "load generator"
    ticks = os.sysconf("SC_CLK_TCK")
    spent = collections.Counter()
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try: text = open(stat).read()
        except OSError: continue
        pid, comm = text.split(" ", 1)[0], text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()
        name = named.get(pid) or {"postgres": "postgres", "nginx": "nginx", "redis-server": "redis", "beam.smp": "rabbitmq"}.get(comm)
        if name: spent[name] += (int(fields[11]) + int(fields[12])) / ticks
    with open("/proc/stat") as file:
        parts = [int(x) for x in file.readline().split()[1:]]
    spent["machine (all cores, busy)"] = (sum(parts[:3]) + sum(parts[5:8])) / ticks
    return spent


samples = []


def sample(elapsed):
    depths = {}
    try:
        text = urllib.request.urlopen(env["RABBITMQ_METRICS"], timeout=5).read().decode()
        for match in re.finditer(r'^rabbitmq_queue_messages\{[^}]*queue="([^"]+)"[^}]*\} (\S+)', text, re.M):
            if not match.group(1).endswith((".dead",)) and ".retry" not in match.group(1):
                depths[match.group(1)] = int(float(match.group(2)))
    except OSError:
        pass
    backlog = query("SELECT (SELECT count(*) FROM outbox_pending) || ' ' || (SELECT count(*) FROM payment_notification_pending)").split()
    samples.append({"s": round(elapsed), "queues": {k: v for k, v in depths.items() if v}, "outbox": int(backlog[0]), "payments_pending": int(backlog[1])})


async def main():
    tasks = set()
    start = time.perf_counter()
    until = start + duration
    before = cpu_by_process()
    producers = [asyncio.ensure_future(arrivals(action, rate, until, tasks)) for action, rate in rates.items() if rate > 0]
    while time.perf_counter() < until:
        await asyncio.sleep(10)
        tasks -= {t for t in tasks if t.done()}
        await asyncio.get_running_loop().run_in_executor(None, sample, time.perf_counter() - start)
    await asyncio.gather(*producers)
    if tasks: await asyncio.wait(tasks, timeout=60)
    elapsed = time.perf_counter() - start
    after = cpu_by_process()
    cores = os.cpu_count()
    report = {"duration_s": round(elapsed, 1), "connections": pool.made, "actions": {}, "samples": samples,
              "cpu": {name: {"seconds": round(after[name] - before[name], 1), "cores": round((after[name] - before[name]) / elapsed, 2)}
                      for name in sorted(after, key=lambda n: -(after[n] - before[n])) if after[name] - before[name] > 0.05},
              "cores": cores}
    for action in rates:
        values = sorted(latencies[action])
        pick = lambda q: round(values[min(len(values) - 1, int(q * len(values)))], 1) if values else None
        report["actions"][action] = {"rate": rates[action], "due": due[action], "answered": len(values), "p50_ms": pick(0.5),
                                     "p99_ms": pick(0.99), "max_ms": round(values[-1], 1) if values else None, "outcomes": dict(outcomes[action])}
    print(json.dumps(report, ensure_ascii=False))


asyncio.run(main())
