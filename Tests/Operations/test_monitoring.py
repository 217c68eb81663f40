"""Metrics and alerts against the test stack: the alert rules checked and unit-tested by promtool
(every alert once firing, once quiet), and Prometheus, started by ops/test as ops/run starts it,
scraping every service process, the exporters and RabbitMQ, and following ops/scale."""
import json, os, subprocess, time, unittest, urllib.parse, urllib.request

import yaml

REPO = os.environ.get("EXAM_REPOSITORY", os.path.join(os.path.dirname(__file__), "..", ".."))
MONITORING = os.path.join(REPO, "ops", "monitoring")
PROMETHEUS = os.environ.get("EXAM_PROMETHEUS_URL", "http://127.0.0.1:29090")


def query(expression):
    url = f"{PROMETHEUS}/api/v1/query?{urllib.parse.urlencode({'query': expression})}"
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.load(answer)["data"]["result"]


def targets():
    with urllib.request.urlopen(f"{PROMETHEUS}/api/v1/targets?state=active", timeout=10) as answer:
        return json.load(answer)["data"]["activeTargets"]


def eventually(check, timeout=60, what=""):
    last = None
    for _ in range(timeout * 2):
        last = check()
        if last:
            return last
        time.sleep(0.5)
    raise AssertionError(f"not within {timeout} s: {what} (last: {last})")


class AlertRules(unittest.TestCase):
    def test_the_rules_are_valid_and_each_alert_is_tested_firing_and_quiet(self):
        subprocess.run(["promtool", "check", "rules", "alerts.yml"], cwd=MONITORING, check=True, capture_output=True)
        run = subprocess.run(["promtool", "test", "rules", "alerts.test.yml"], cwd=MONITORING, capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        with open(os.path.join(MONITORING, "alerts.yml"), encoding="utf-8") as file:
            alerts = {rule["alert"] for group in yaml.safe_load(file)["groups"] for rule in group["rules"] if "alert" in rule}
        with open(os.path.join(MONITORING, "alerts.test.yml"), encoding="utf-8") as file:
            cases = [case for test in yaml.safe_load(file)["tests"] for case in test.get("alert_rule_test", [])]
        firing = {case["alertname"] for case in cases if case.get("exp_alerts")}
        quiet = {case["alertname"] for case in cases if not case.get("exp_alerts")}
        self.assertGreaterEqual(len(alerts), 15)
        self.assertEqual(alerts - firing, set(), "alerts never tested firing")
        self.assertEqual(alerts - quiet, set(), "alerts never tested quiet")
        # Every alert tells the person on duty what to do.
        with open(os.path.join(MONITORING, "alerts.yml"), encoding="utf-8") as file:
            for group in yaml.safe_load(file)["groups"]:
                for rule in group["rules"]:
                    self.assertTrue(rule["annotations"].get("action"), rule["alert"])
                    self.assertIn(rule["labels"]["severity"], ("page", "ticket"), rule["alert"])


class Scraping(unittest.TestCase):
    def test_every_process_and_server_is_scraped_and_the_rules_loaded(self):
        def all_up():
            found = targets()
            jobs = {t["labels"]["job"] for t in found}
            down = [(t["labels"].get("process", t["labels"]["job"]), t["lastError"]) for t in found if t["health"] != "up"]
            return found if {"services", "postgres", "redis", "rabbitmq", "node"} <= jobs and not down else None
        found = eventually(all_up, what="every target up")
        processes = {t["labels"]["process"] for t in found if t["labels"]["job"] == "services"}
        for service in ("Registration", "Confirmation", "PaymentCallback", "Review", "Arrangement", "DocumentGeneration"):
            self.assertIn(f"{service}-api", processes)
        # The names the alert rules use are the names the processes and exporters emit.
        for metric in ("hb_requests", "http_server_request_duration_bucket", "exam_outbox_parked", "exam_outbox_oldest_unpublished_seconds",
                       "exam_payment_oldest_unapplied_notification_seconds", "exam_payment_silent_orders", "pg_up", "pg_settings_max_connections",
                       "pg_stat_activity_count", "redis_up", "rabbitmq_queue_messages_ready", "rabbitmq_queue_consumers", "rabbitmq_queue_messages",
                       "node_filesystem_avail_bytes"):
            eventually(lambda: query(metric), timeout=45, what=metric)
        depth = query('rabbitmq_queue_messages_ready{queue="documents.render"}')
        self.assertEqual(len(depth), 1, "RabbitMQ reports each queue on its own")
        with urllib.request.urlopen(f"{PROMETHEUS}/api/v1/rules", timeout=10) as answer:
            loaded = {rule["name"] for group in json.load(answer)["data"]["groups"] for rule in group["rules"]}
        self.assertIn("QueueWithoutConsumer", loaded)
        self.assertIn("PaymentNotificationsNotApplied", loaded)

    def test_a_worker_added_by_ops_scale_is_scraped_and_dropped_when_stopped(self):
        scale = os.path.join(REPO, "ops", "scale")
        subprocess.run([scale, "Arrangement", "2"], check=True, capture_output=True)
        try:
            eventually(lambda: [t for t in targets() if t["labels"].get("process") == "Arrangement-worker-2" and t["health"] == "up"],
                       what="the new worker scraped")
            status = subprocess.run([os.path.join(REPO, "ops", "status")], capture_output=True, text=True, check=True).stdout
            self.assertIn("arrangement.numbering", status)
            self.assertIn("CONSUMERS", status)
        finally:
            subprocess.run([scale, "Arrangement", "0"], check=True, capture_output=True)
        eventually(lambda: not [t for t in targets() if t["labels"].get("process", "").startswith("Arrangement-worker")], what="the workers dropped")


if __name__ == "__main__":
    unittest.main()
