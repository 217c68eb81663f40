"""The Kubernetes manifests (ops/k8s: a kustomize base and a production overlay), validated
offline: kustomize builds both, kubernetes-validate checks every built-in kind against the
Kubernetes schemas, the operators' resources (CloudNativePG, RabbitMQ's cluster operator, KEDA)
are checked for the versions and fields their documentation names, and everything is kept in
step with ops/ and compose/ (the same services, ports, variables, queues and gateway paths)."""
import os, re, shutil, subprocess, sys, tempfile, unittest

import yaml

REPO = os.environ.get("EXAM_REPOSITORY", os.path.join(os.path.dirname(__file__), "..", ".."))
K8S = os.path.join(REPO, "ops", "k8s")
KUBERNETES_VERSION = "1.30.0"
# Installed from PyPI beside this interpreter (ops/test's readers).
VALIDATE = os.path.join(os.path.dirname(sys.executable), "kubernetes-validate")
OPERATOR_KINDS = {("postgresql.cnpg.io/v1", "Cluster"), ("postgresql.cnpg.io/v1", "ScheduledBackup"), ("rabbitmq.com/v1beta1", "RabbitmqCluster"),
                  ("keda.sh/v1alpha1", "ScaledObject"), ("keda.sh/v1alpha1", "TriggerAuthentication")}


def read(path):
    with open(os.path.join(REPO, path), encoding="utf-8") as file:
        return file.read()


def ops_services():
    line = next(l for l in read("ops/lib/stack.sh").splitlines() if l.startswith("SERVICES=("))
    return line[len("SERVICES=("):-1].split()


def build(folder):
    if not shutil.which("kubectl"):
        raise AssertionError("kubectl (with its built-in kustomize, 1.21 or later) is needed to build ops/k8s")
    run = subprocess.run(["kubectl", "kustomize", os.path.join(K8S, folder)], capture_output=True, text=True)
    if run.returncode != 0:
        raise AssertionError(run.stderr)
    return run.stdout, [doc for doc in yaml.safe_load_all(run.stdout) if doc]


class Manifests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.base_text, cls.base = build("base")
        cls.production_text, cls.production = build("overlays/production")

    def find(self, docs, kind, name):
        found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
        self.assertEqual(len(found), 1, f"{kind}/{name}")
        return found[0]

    def test_built_in_kinds_pass_the_kubernetes_schemas_and_a_broken_one_does_not(self):
        for name, text in (("base", self.base_text), ("production", self.production_text)):
            with tempfile.NamedTemporaryFile("w", suffix=".yaml") as out:
                out.write(text)
                out.flush()
                run = subprocess.run([VALIDATE, "--strict", "--quiet", "-k", KUBERNETES_VERSION, out.name], capture_output=True, text=True)
                errors = [l for l in (run.stdout + run.stderr).splitlines() if l.startswith("ERROR")]
                self.assertEqual(errors, [], name)
                self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
            kinds = {(d["apiVersion"], d["kind"]) for d in (self.base if name == "base" else self.production)}
            self.assertEqual({k for k in kinds if "." in k[0].split("/")[0] and not k[0].startswith(("apps/", "policy/", "batch/", "networking.k8s.io/"))},
                             OPERATOR_KINDS, "operators' kinds: only those checked below")
        # The validator itself refuses what it should: a probe with a misspelt field.
        broken = text.replace("readinessProbe:", "readinesProbe:", 1)
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as out:
            out.write(broken)
            out.flush()
            run = subprocess.run([VALIDATE, "--strict", "--quiet", "-k", KUBERNETES_VERSION, out.name], capture_output=True, text=True)
            self.assertNotEqual(run.returncode, 0)

    def test_every_service_has_an_api_and_scaled_workers_as_ops_runs_them(self):
        queues = set(re.findall(r'WorkQueue\(\s*name: "([a-z.-]+)"', read("Shared/Messaging/SystemQueues.swift")))
        self.assertGreaterEqual(len(queues), 8)
        scaled = set()
        for index, service in enumerate(ops_services()):
            name = service.lower()
            for role in ("api", "worker"):
                deployment = self.find(self.production, "Deployment", f"{name}-{role}")
                pod = deployment["spec"]["template"]["spec"]
                container = pod["containers"][0]
                env = {e["name"]: e.get("value") for e in container["env"]}
                self.assertEqual(env["SERVICE"], service)
                self.assertEqual(env["ROLE"], role)
                self.assertEqual(env["HTTP_PORT"], str(8101 + index), "the port ops/ and compose give the service")
                self.assertEqual(container["readinessProbe"]["httpGet"]["path"], "/health")
                self.assertEqual(container["livenessProbe"]["httpGet"]["path"], "/health/live")
                self.assertIn("cpu", container["resources"]["requests"])
                self.assertIn("memory", container["resources"]["requests"])
                self.assertEqual(deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"], 0)
                budget = self.find(self.production, "PodDisruptionBudget", f"{name}-{role}")
                self.assertEqual(budget["spec"]["selector"]["matchLabels"], deployment["spec"]["selector"]["matchLabels"])
            scaler = [d for d in self.production if d["kind"] == "ScaledObject" and d["metadata"]["name"] == f"{name}-worker"]
            for trigger in (scaler[0]["spec"]["triggers"] if scaler else []):
                if trigger["type"] == "rabbitmq":
                    self.assertIn(trigger["metadata"]["queueName"], queues)
                    self.assertEqual(trigger["metadata"]["mode"], "QueueLength")
                    scaled.add(trigger["metadata"]["queueName"])
                else:
                    self.assertEqual(trigger["type"], "postgresql")
                    self.assertIn("payment_notification_pending", trigger["metadata"]["query"])
        # Every work queue a service consumes is one a scaler watches.
        self.assertEqual(queues - scaled, set(), "queues no worker scaler watches")
        self.assertTrue([d for d in self.production if d["kind"] == "ScaledObject" and d["metadata"]["name"] == "paymentcallback-worker"])

    def test_settings_are_the_variables_compose_sets(self):
        compose = read("compose/docker-compose.yml")
        block = compose.split("environment: &service-environment\n")[1].split("  healthcheck:")[0]
        compose_names = {l.split(":")[0].strip() for l in block.splitlines() if l.strip()}
        settings = self.find(self.base, "ConfigMap", "exam-settings")["data"]
        # Every variable compose sets comes from the settings, the secret store or the pod itself.
        from_pod = {"ROLE", "HTTP_PORT"}
        secret = compose_names - set(settings) - from_pod
        self.assertTrue({"POSTGRES_PASSWORD", "PERSONAL_DATA_KEYS", "DOCUMENT_SIGNING_KEYS"} <= secret)
        self.assertEqual(set(settings) - compose_names, set(), "settings compose does not set")
        for deployment in (d for d in self.base if d["kind"] == "Deployment" and d["metadata"]["name"].endswith(("-api", "-worker"))):
            sources = deployment["spec"]["template"]["spec"]["containers"][0]["envFrom"]
            self.assertIn({"secretRef": {"name": "exam-secrets"}}, sources)

    def test_the_ingress_routes_the_gateways_paths(self):
        rendered = read("compose/nginx.conf")
        gateway_paths = set(re.findall(r"location (/api/[a-z]+/|/callbacks/payment/) \{", rendered))
        self.assertEqual(len(gateway_paths), 7)
        ingress = self.find(self.production, "Ingress", "exam-api")
        routed = {p["path"].split("(")[0] + "/": p["backend"]["service"]["name"] for p in ingress["spec"]["rules"][0]["http"]["paths"]}
        self.assertEqual(set(routed), gateway_paths)
        for path, service in routed.items():
            self.find(self.production, "Service", service)
        self.assertEqual(ingress["spec"]["tls"][0]["secretName"], "exam-tls")
        web = self.find(self.production, "Ingress", "exam-web")
        self.assertEqual(web["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"], "web")

    def test_the_operators_resources_name_the_fields_their_documentation_names(self):
        postgres = self.find(self.production, "Cluster", "exam-postgres")
        self.assertEqual(postgres["apiVersion"], "postgresql.cnpg.io/v1")
        self.assertGreaterEqual(postgres["spec"]["instances"], 3)
        self.assertEqual(postgres["spec"]["storage"]["size"], "500Gi", "the production overlay's size")
        store = postgres["spec"]["backup"]["barmanObjectStore"]
        self.assertTrue(store["destinationPath"].startswith("s3://"))
        self.assertEqual(store["wal"]["encryption"], "AES256")
        self.assertEqual(store["data"]["encryption"], "AES256")
        self.assertIn("retentionPolicy", postgres["spec"]["backup"])
        self.assertEqual(postgres["spec"]["bootstrap"]["initdb"]["database"], "exam")
        backup = self.find(self.production, "ScheduledBackup", "exam-postgres-daily")
        self.assertEqual(backup["spec"]["cluster"]["name"], "exam-postgres")
        self.assertEqual(len(backup["spec"]["schedule"].split()), 6, "CloudNativePG's schedule has seconds")
        rabbit = self.find(self.production, "RabbitmqCluster", "exam-rabbitmq")
        self.assertEqual(rabbit["apiVersion"], "rabbitmq.com/v1beta1")
        self.assertEqual(rabbit["spec"]["replicas"], 3)
        self.assertIn("default_queue_type = quorum", rabbit["spec"]["rabbitmq"]["additionalConfig"])
        self.assertIn("rabbitmq_prometheus", rabbit["spec"]["rabbitmq"]["additionalPlugins"])
        for scaled in (d for d in self.production if d["kind"] == "ScaledObject"):
            self.assertEqual(scaled["apiVersion"], "keda.sh/v1alpha1")
            self.find(self.production, "Deployment", scaled["spec"]["scaleTargetRef"]["name"])
            self.assertEqual(scaled["spec"]["minReplicaCount"], 2)
            self.assertEqual(scaled["spec"]["maxReplicaCount"], 40)
            for trigger in scaled["spec"]["triggers"]:
                self.find(self.production, "TriggerAuthentication", trigger["authenticationRef"]["name"])
        # Redis: a primary and a replica, three Sentinels watching it, two of which must agree.
        redis = self.find(self.production, "StatefulSet", "exam-redis")
        self.assertEqual(redis["spec"]["replicas"], 2)
        sentinel = self.find(self.production, "Deployment", "exam-redis-sentinel")
        self.assertEqual(sentinel["spec"]["replicas"], 3)
        conf = self.find(self.production, "ConfigMap", "exam-redis")["data"]["sentinel.conf"]
        self.assertIn("sentinel monitor exam exam-redis-0.exam-redis-headless 6379 2", conf)


if __name__ == "__main__":
    unittest.main()
