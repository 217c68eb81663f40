"""What the browser tests share: a real Chromium driven by Selenium (Debian's chromium and
chromium-driver; selenium and axe-selenium-python from PyPI, installed by ops/test), the test
stack's gateway, staff made through the real APIs, and the checks every page gets: a screenshot
at 360 and 1280 px, axe with no serious or critical violation, and the first load's transfer."""
import datetime, http.cookiejar, io, json, os, random, subprocess, urllib.error, urllib.request

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

GATEWAY = os.environ.get("EXAM_GATEWAY_URL", "http://127.0.0.1:28080")
OUTPUT = os.path.join(os.environ.get("STACK_DIR", os.path.join(os.path.dirname(__file__), "..", "..", ".run-test")), "test-output", "pages")
PASSWORD = "Browser#Test2026"
os.makedirs(OUTPUT, exist_ok=True)


def chrome(width=1280, downloads=None):
    """Chromium at `width` px; what it downloads goes to `downloads` (a folder under the output)."""
    options = webdriver.ChromeOptions()
    if downloads:
        options.add_experimental_option("prefs", {"download.default_directory": downloads, "download.prompt_for_download": False})
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                     f"--window-size={width},900", "--lang=zh-CN"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    return driver


def downloads(name):
    """An empty folder for one browser's downloads."""
    import shutil
    folder = os.path.join(OUTPUT, "downloads", name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    return folder


def downloaded(folder, name, timeout=30):
    """The bytes of `name` once the browser has finished saving it into `folder`."""
    import time
    path = os.path.join(folder, name)
    for _ in range(timeout * 5):
        if os.path.exists(path) and not os.path.exists(path + ".crdownload"):
            with open(path, "rb") as file:
                return file.read()
        time.sleep(0.2)
    raise AssertionError(f"{name} was not downloaded: {os.listdir(folder)}")


def wait_for(driver, css, timeout=20):
    return WebDriverWait(driver, timeout).until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)))


def wait_text(driver, css, text, timeout=30):
    WebDriverWait(driver, timeout).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))
    return driver.find_element(By.CSS_SELECTOR, css)


def fill(driver, name, value):
    element = driver.find_element(By.CSS_SELECTOR, f'[data-field="{name}"]')
    if element.tag_name == "select":
        from selenium.webdriver.support.ui import Select
        Select(element).select_by_value(value)
    else:
        element.clear()
        element.send_keys(value)
    return element


def id_number():
    """A random valid resident ID number of 芙蓉区 (430102)."""
    body = "430102" + "%04d%02d%02d" % (random.randint(1970, 2000), random.randint(1, 12), random.randint(1, 28)) + "%03d" % random.randint(0, 999)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


class Page:
    """The checks each page gets, in the size it is shown at."""

    def __init__(self, test):
        self.test = test
        self.seen = []

    def check(self, driver, name):
        """Screenshot at 360 and 1280 px wide, axe at both, no serious or critical violation, and no
        value a script failed to fill (null, undefined, [object …]) anywhere on the page."""
        text = driver.find_element(By.TAG_NAME, "body").text
        for leak in ("null", "undefined", "[object", "NaN"):
            self.test.assertNotIn(leak, text, f"{name} shows {leak}")
        for width in (360, 1280):
            driver.set_window_size(width, 900)
            height = driver.execute_script("return Math.max(document.body.scrollHeight, 900)")
            driver.set_window_size(width, min(height, 4000))
            driver.save_screenshot(os.path.join(OUTPUT, f"{name}-{width}.png"))
            axe = Axe(driver)
            axe.inject()
            results = axe.run()
            bad = [f'{v["id"]} ({v["impact"]}): {v["help"]} {[n["target"] for n in v["nodes"]][:3]}' for v in results["violations"]
                   if v["impact"] in ("serious", "critical")]
            self.test.assertEqual(bad, [], f"{name} at {width} px")
        driver.set_window_size(1280, 900)
        self.seen.append(name)


def first_load_bytes(path):
    """What a first visit to `path` transfers (compressed), measured by the browser itself."""
    driver = chrome()
    try:
        driver.get(GATEWAY + path)
        wait_for(driver, "main h2")
        return driver.execute_script(
            "return performance.getEntriesByType('navigation')[0].transferSize"
            " + performance.getEntriesByType('resource').filter(r => !r.name.includes('/api/')).reduce((s, r) => s + r.transferSize, 0)")
    finally:
        driver.quit()


def console_sign_in(driver, username, then):
    """Signs `username` in at the console and opens the menu entry `then` (#/name)."""
    driver.get(GATEWAY + "/staff/#/login")
    wait_for(driver, '[data-field="username"]')
    fill(driver, "username", username)
    fill(driver, "password", PASSWORD)
    driver.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
    click(driver, f'nav a[href="{then}"]')


def click(driver, css, timeout=20):
    """Clicks what `css` finds, again if the page redrew it between finding and clicking (the
    menu is drawn anew by each view)."""
    from selenium.common.exceptions import StaleElementReferenceException

    def attempt(_):
        try:
            wait_for(driver, css, timeout).click()
            return True
        except StaleElementReferenceException:
            return False
    WebDriverWait(driver, timeout).until(attempt)


class Staff:
    """A staff session through the gateway, as the console has one."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.csrf = None

    def call(self, method, path, body=None, expect=(200, 201, 204)):
        request = urllib.request.Request(GATEWAY + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json", "Origin": GATEWAY, **({"X-CSRF-Token": self.csrf} if self.csrf else {})})
        try:
            with self.opener.open(request, timeout=30) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        if status not in expect:
            raise AssertionError(f"{method} {path}: {status} {text[:300]!r}")
        return json.loads(text) if text else None

    def sign_in(self, username):
        self.csrf = self.call("POST", "/api/review/staff/session", {"username": username, "password": PASSWORD})["csrfToken"]
        return self


def province():
    username = f"browser_admin_{random.randrange(10**8)}"
    env = {**os.environ, "POSTGRES_USER": os.environ["POSTGRES_OWNER_USER"], "POSTGRES_PASSWORD": os.environ["POSTGRES_OWNER_PASSWORD"]}
    subprocess.run([os.path.join(os.environ["EXAM_BIN_DIR"], "examctl"), "create-province-admin", username, "浏览器测试", "13800000000"],
                   input=PASSWORD + "\n", text=True, check=True, stdout=subprocess.DEVNULL, env=env)
    return Staff().sign_in(username), username


def staff(admin, node, role):
    """An account applied for at `node`, approved by the province with `role`; its username."""
    username = f"browser_{role[:5]}_{random.randrange(10**8)}"
    applied = Staff().call("POST", "/api/review/staff/applications",
                           {"username": username, "name": "浏览器测试员", "phone": "13800000000", "password": PASSWORD, "nodeID": node})
    admin.call("POST", f"/api/review/staff/applications/{applied['id']}/approve", {"roles": [role]})
    return username


def tomorrow():
    return (datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))) + datetime.timedelta(days=1)).strftime("%Y-%m-%d")


def photo_file():
    """A 300x400 JPEG, as the ID-card reader's file would be."""
    from PIL import Image
    image = Image.new("RGB", (300, 400))
    image.putdata([(x % 256, (y * 2) % 256, 120) for y in range(400) for x in range(300)])
    path = os.path.join(OUTPUT, "reader-photo.jpg")
    image.save(path, "JPEG", quality=85)
    return path
