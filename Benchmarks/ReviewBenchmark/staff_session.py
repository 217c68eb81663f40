"""Staff sessions through the gateway, shared by the benches that act as staff (review, arrangement)."""
import http.cookiejar, json, os, random, sys, urllib.request

gateway = os.environ["GATEWAY"]
password = "Bench#Review-2026"


class Browser:
    """A staff member's session through the gateway: cookie, CSRF token, our origin."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.csrf = None

    def call(self, method, path, body=None, expect=(200, 201)):
        request = urllib.request.Request(gateway + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json", "Origin": gateway, **({"X-CSRF-Token": self.csrf} if self.csrf else {})})
        try:
            with self.opener.open(request, timeout=600) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        if status not in expect:
            sys.exit(f"{method} {path}: {status} {text[:400]!r}")
        return json.loads(text) if text else None

    def sign_in(self, username):
        self.csrf = self.call("POST", "/api/review/staff/session", {"username": username, "password": password})["csrfToken"]
        return self


def staff(province, node, role):
    """An account applied for at `node`, approved by the province with `role`, signed in."""
    username = f"bench_{role[:4]}_{node}_{random.randrange(10**6)}"
    applied = Browser().call("POST", "/api/review/staff/applications",
                             {"username": username, "name": "压测人员", "phone": "13800000000", "password": password, "nodeID": node}, expect=(201,))
    province.call("POST", f"/api/review/staff/applications/{applied['id']}/approve", {"roles": [role]})
    return Browser().sign_in(username)
