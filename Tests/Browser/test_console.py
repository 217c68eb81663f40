"""The staff console's pages for each role, and the candidate pages that came with later
capabilities (password reset by SMS code, exemption), in a real Chromium against the test stack:
every page a role is offered drawn, screenshotted at 360 and 1280 px and checked by axe; pages
outside a role not offered; and the work of each page done once for real."""
import os, random, re, time, unittest

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from browser import (GATEWAY, OUTPUT, PASSWORD, Page, Staff, chrome, click, console_sign_in, fill, id_number, province, staff, wait_for, wait_text)

# What each role is offered, in the console's menu.
OFFERED = {
    "point_operator": ["#/desk", "#/slots", "#/paper-forms", "#/unpaid"],
    "county_officer": ["#/slots", "#/unpaid", "#/points", "#/reports", "#/exam-sites", "#/applications"],
    "city_officer": ["#/unpaid", "#/points", "#/permit-reviews", "#/exemptions", "#/bonus-claims", "#/reports", "#/exam-sites", "#/applications"],
    "province_admin": ["#/unpaid", "#/points", "#/exemptions", "#/reports", "#/exam-sites", "#/numbering", "#/results", "#/reconciliation", "#/exam-year",
                       "#/applications"],
}
NODES = {"point_operator": "TP430102A", "county_officer": "430102", "city_officer": "430100"}


def menu(driver):
    return [a.get_attribute("href").split("/staff/")[1] for a in driver.find_elements(By.CSS_SELECTOR, "nav a")]


class ConsoleTour(unittest.TestCase):
    """Each role signs in and opens every page of its menu; a page of another role's work sends
    it back to its home page."""

    def setUp(self):
        self.page = Page(self)
        self.driver = chrome()

    def tearDown(self):
        self.driver.quit()

    def test_every_role_sees_its_pages_and_only_those(self):
        admin, admin_name = province()
        driver = self.driver
        for role, offered in OFFERED.items():
            username = admin_name if role == "province_admin" else staff(admin, NODES[role], role)
            console_sign_in(driver, username, offered[0])
            WebDriverWait(driver, 20).until(lambda d: menu(d) == offered)
            for path in offered:
                click(driver, f'nav a[href="{path}"]')
                heading = wait_for(driver, f'main[data-view="{path}"] h2').text
                self.assertNotEqual(heading, "出错了", f"{role} {path}: {driver.find_element(By.TAG_NAME, 'main').text[:300]}")
                self.page.check(driver, f"console-{role}-{path[2:]}")
            # Another role's page, typed into the address bar: not drawn for this member.
            other = "#/exam-year" if role != "province_admin" else "#/desk"
            driver.get(f"{GATEWAY}/staff/{other}")
            WebDriverWait(driver, 20).until(lambda d: d.current_url.endswith("#/home"))
            click(driver, "nav button.link")
            wait_for(driver, '[data-field="username"]')


class ExamYearEditor(unittest.TestCase):
    """The province edits the year: a refused value shown beside its field, then saved."""

    def setUp(self):
        self.page = Page(self)
        self.driver = chrome()

    def tearDown(self):
        self.driver.quit()

    def test_a_refused_fee_is_shown_at_its_field_then_the_year_saves(self):
        _, admin_name = province()
        driver = self.driver
        console_sign_in(driver, admin_name, "#/exam-year")
        fee = wait_for(driver, '[data-field="feeFen"]')
        original = fee.get_attribute("value")
        self.assertTrue(original, "the saved fee is loaded into the editor")
        self.assertIn('"codeLists"', driver.find_element(By.CSS_SELECTOR, '[data-field="rest"]').get_attribute("value"))
        fill(driver, "feeFen", "0")
        driver.find_element(By.CSS_SELECTOR, '#exam-year-form button[type="submit"]').click()
        wait_for(driver, '[data-field="feeFen"][aria-invalid="true"]')
        self.assertIn("费用无效", driver.find_element(By.CSS_SELECTOR, f'#{fee.get_attribute("id")}-error').text)
        rest = driver.find_element(By.CSS_SELECTOR, '[data-field="rest"]')
        saved_rest = rest.get_attribute("value")
        driver.execute_script("arguments[0].value = '{ broken'", rest)
        fill(driver, "feeFen", original)
        driver.find_element(By.CSS_SELECTOR, '#exam-year-form button[type="submit"]').click()
        wait_for(driver, '[data-field="rest"][aria-invalid="true"]')
        self.page.check(driver, "console-exam-year-refused")
        driver.execute_script("arguments[0].value = arguments[1]", rest, saved_rest)

        # Staggered opening: a line that is not "time codes" is named by its line; a city in two
        # groups is refused by the service beside the same field; emptied, the year saves.
        submit = driver.find_element(By.CSS_SELECTOR, '#exam-year-form button[type="submit"]')
        openings = fill(driver, "calendar.cityOpenings", "明天上午 430100")
        submit.click()
        wait_text(driver, f'#{openings.get_attribute("id")}-error', "第 1 行应为")
        opens = driver.find_element(By.CSS_SELECTOR, '[data-field="calendar.registrationOpens"]').get_attribute("value")
        fill(driver, "calendar.cityOpenings", f"{opens} 430100\n{opens} 430100,430200")
        submit.click()
        wait_text(driver, f'#{openings.get_attribute("id")}-error', "同一市州只能属于一个时段")
        driver.find_element(By.CSS_SELECTOR, '[data-field="calendar.cityOpenings"]').clear()
        submit.click()
        wait_text(driver, "#exam-year-form .banner.ok", "已保存")


class Reconciliation(unittest.TestCase):
    """A provider's statement with a payment this system never saw: listed, nothing corrected."""

    def setUp(self):
        self.page = Page(self)
        self.driver = chrome()

    def tearDown(self):
        self.driver.quit()

    def test_a_payment_only_the_provider_has_is_listed(self):
        _, admin_name = province()
        trade = f"2026WEB{random.randrange(10**10)}"
        path = os.path.join(OUTPUT, "statement.csv")
        with open(path, "w", encoding="utf-8") as out:
            out.write(f"trade_no,out_trade_no,amount,paid_at\n{trade},NO-SUCH-ORDER,120.00,2026-12-05 10:00:00\n")
        bad = os.path.join(OUTPUT, "statement-bad.csv")
        with open(bad, "w", encoding="utf-8") as out:
            out.write("交易号,金额\n1,2\n")
        driver = self.driver
        console_sign_in(driver, admin_name, "#/reconciliation")
        chooser = wait_for(driver, 'input[type="file"]')
        chooser.send_keys(bad)
        driver.find_element(By.CSS_SELECTOR, 'main form button[type="submit"]').click()
        wait_text(driver, '[data-group="statement"] .error', "表头")
        chooser.send_keys(path)
        driver.find_element(By.CSS_SELECTOR, 'main form button[type="submit"]').click()
        row = wait_for(driver, "#mismatches tbody tr")
        self.assertIn(trade, row.text)
        self.assertIn("渠道有、本系统无", row.text)
        self.assertIn("120.00 元", row.text)
        self.page.check(driver, "console-reconciliation-mismatch")


class ExamSiteReview(unittest.TestCase):
    """An exam site proposed by a county, passed by its city and approved by the province."""

    def setUp(self):
        self.page = Page(self)
        self.driver = chrome()

    def tearDown(self):
        self.driver.quit()

    def test_propose_review_approve(self):
        admin, admin_name = province()
        admin.call("PUT", "/api/arrangement/staff/exam-districts/4301", {"name": "长沙考区", "cityID": "430100"})
        county = staff(admin, "430102", "county_officer")
        city = staff(admin, "430100", "city_officer")
        name = f"网页考点{random.randrange(10**6)}"
        driver = self.driver
        console_sign_in(driver, county, "#/exam-sites")
        wait_for(driver, '#site-proposal [data-field="districtCode"] option[value="4301"]')
        driver.find_element(By.CSS_SELECTOR, '#site-proposal button[type="submit"]').click()
        wait_for(driver, '#site-proposal [data-field="name"][aria-invalid="true"]')
        for field_name, value in [("name", name), ("districtCode", "4301"), ("address", "长沙市芙蓉区考点路 1 号"), ("contact", "李老师"),
                                  ("phone", "0731-88886666"), ("rooms", "12")]:
            fill(driver, field_name, value)
        driver.find_element(By.CSS_SELECTOR, '#site-proposal button[type="submit"]').click()
        row = f'//table[@id="exam-sites"]//tr[td[1][normalize-space()="{name}"]]'
        wait_xpath(driver, row + '/td[5][contains(., "待市州审核")]')
        self.page.check(driver, "console-exam-sites-county")
        click(driver, "nav button.link")

        console_sign_in(driver, city, "#/exam-sites")
        wait_xpath(driver, row + '//button[contains(@class, "pass")]').click()
        wait_xpath(driver, row + '/td[5][contains(., "待省级审定")]')
        click(driver, "nav button.link")

        console_sign_in(driver, admin_name, "#/exam-sites")
        # Returning needs a reason: refused without one, beside the row's reason box.
        wait_xpath(driver, row + '//button[contains(@class, "secondary")]').click()
        wait_xpath(driver, row + '//*[@aria-invalid="true"]')
        driver.find_element(By.XPATH, row + '//button[contains(@class, "approve")]').click()
        wait_xpath(driver, row + '/td[5][contains(., "已审定")]')
        self.page.check(driver, "console-exam-sites-province")


def wait_xpath(driver, xpath, timeout=20):
    from selenium.webdriver.support import expected_conditions as EC
    return WebDriverWait(driver, timeout).until(EC.visibility_of_element_located((By.XPATH, xpath)))


def sms_code(phone, after):
    """The code the development SMS sender logged for `phone` (masked 138****5678) after `after`
    lines of the Registration API's log: what the phone would have received."""
    log = os.path.join(os.environ["STACK_DIR"], "logs", "Registration-api.log")
    masked = f"{phone[:3]}****{phone[-4:]}"
    for _ in range(50):
        with open(log, encoding="utf-8", errors="replace") as lines:
            for line in list(lines)[after:]:
                if masked in line and "验证码为" in line:
                    return re.search(r"验证码为 (\d{6})", line).group(1)
        time.sleep(0.2)
    raise AssertionError(f"no SMS code for {masked} in the log")


def log_length():
    with open(os.path.join(os.environ["STACK_DIR"], "logs", "Registration-api.log"), encoding="utf-8", errors="replace") as lines:
        return sum(1 for _ in lines)


class CandidatePages(unittest.TestCase):
    """Password reset by SMS code, and an exemption application, in the candidate portal."""

    def setUp(self):
        self.page = Page(self)
        self.driver = chrome(360)

    def tearDown(self):
        self.driver.quit()

    def sign_up(self, number, phone):
        candidate = Staff()
        candidate.call("POST", "/api/registration/accounts", {"documentType": "resident_id", "documentNumber": number, "name": "重设考生", "phone": phone,
                                                              "countyID": "430102", "password": PASSWORD}, expect=(201,))

    def test_reset_the_password_with_the_code_sent_by_sms(self):
        number, phone = id_number(), f"139{random.randrange(10**8):08d}"
        self.sign_up(number, phone)
        driver = self.driver
        driver.get(GATEWAY + "/#/login")
        wait_for(driver, 'a[href="#/reset"]').click()
        wait_for(driver, "#reset-request")
        self.page.check(driver, "portal-reset")
        fill(driver, "documentNumber", number)
        before = log_length()
        driver.find_element(By.CSS_SELECTOR, '#reset-request button[type="submit"]').click()
        wait_for(driver, "#reset-form")
        code = sms_code(phone, before)
        wrong = "000000" if code != "000000" else "111111"
        fill(driver, "code", wrong)
        fill(driver, "newPassword", "Changed#2026x")
        driver.find_element(By.CSS_SELECTOR, '#reset-form button[type="submit"]').click()
        wait_for(driver, '#reset-form [data-field="code"][aria-invalid="true"]')
        self.page.check(driver, "portal-reset-refused")
        fill(driver, "code", code)
        driver.find_element(By.CSS_SELECTOR, '#reset-form button[type="submit"]').click()
        wait_text(driver, "#reset-done", "密码已重设")
        driver.find_element(By.CSS_SELECTOR, 'a[href="#/login"]').click()
        wait_for(driver, 'form [data-field="documentNumber"]')
        fill(driver, "documentNumber", number)
        fill(driver, "password", "Changed#2026x")
        driver.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
        wait_for(driver, "#status-name")


def scan_file():
    """An 800x500 PNG, as the point's scanner would give for a permit."""
    from PIL import Image
    image = Image.new("RGB", (800, 500), (235, 235, 225))
    image.putdata([((x // 4) % 256, 200, (y // 2) % 256) for y in range(500) for x in range(800)])
    path = os.path.join(OUTPUT, "permit-scan.png")
    image.save(path, "PNG")
    return path


def submitted_permit_holder():
    """A holder of a Hong Kong/Macao/Taiwan residence permit who signed up and submitted, through the
    APIs as the portal does; their document number."""
    number = "H" + str(random.randrange(10_000_000, 100_000_000))
    candidate = Staff()
    candidate.call("POST", "/api/registration/accounts", {"documentType": "hmt_permit", "documentNumber": number, "name": "陈家明", "phone": "13712345678",
                                                          "countyID": "430102", "password": PASSWORD}, expect=(201,))
    candidate.csrf = candidate.call("POST", "/api/registration/session", {"documentType": "hmt_permit", "documentNumber": number, "password": PASSWORD})["csrfToken"]
    year = candidate.call("GET", "/api/registration/exam-year")["year"]
    candidate.call("POST", "/api/registration/registration/pledge", {"version": f"{year}-1"})
    candidate.call("POST", "/api/registration/registration/submit", {
        "basic": {"gender": "male", "ethnicGroup": "01", "birthDate": "1995-03-08", "politicalStatus": "13", "educationLevel": "1", "foreignLanguage": "1",
                  "candidateCharacteristic": "0", "enrolmentCategory": "1", "graduationDate": "2015-06-30", "graduatedFrom": "香港培正中学",
                  "occupationCategory": "2", "phone": "13712345678", "postalAddress": "长沙市芙蓉区五一大道 1 号", "postcode": "410011", "householdCity": "430100"},
        "choices": [{"level": "high_school_to_bachelor", "subjectCategory": "文", "studyForm": "part_time", "institutionCode": "10538", "majorCode": "A01"}],
        "confirmationPointID": "TP430102A"})
    return number


class PermitReview(unittest.TestCase):
    """A permit holder at the desk: the scan and the operator's notes go to the city, which
    confirms in the console and the candidate gets a number."""

    def setUp(self):
        self.page = Page(self)
        self.driver = chrome()

    def tearDown(self):
        self.driver.quit()

    def test_the_desk_refers_a_permit_holder_and_the_city_confirms(self):
        from browser import photo_file
        admin, _ = province()
        operator = staff(admin, "TP430102A", "point_operator")
        city = staff(admin, "430100", "city_officer")
        number = submitted_permit_holder()
        driver = self.driver
        console_sign_in(driver, operator, "#/desk")
        fill(driver, "documentType", "hmt_permit")
        fill(driver, "documentNumber", number)
        driver.find_element(By.CSS_SELECTOR, "#find-candidate").click()
        wait_text(driver, "#desk-candidate h3", "陈家明")
        driver.find_element(By.CSS_SELECTOR, '#desk-candidate [data-group="image"] input[type="file"]').send_keys(photo_file())
        wait_text(driver, "#photo-state", "相片已采集")
        # Without a scan, then without notes: refused, each said where it belongs.
        driver.find_element(By.CSS_SELECTOR, "#confirm-candidate").click()
        wait_text(driver, "#desk-candidate .banner.error", "扫描件")
        scans = driver.find_elements(By.CSS_SELECTOR, '#desk-candidate [data-group="image"] input[type="file"]')[1]
        scans.send_keys(scan_file())
        wait_text(driver, "#scan-state", "已上传 1 份")
        driver.find_element(By.CSS_SELECTOR, "#confirm-candidate").click()
        wait_for(driver, '#desk-candidate [data-field="notes"][aria-invalid="true"]')
        fill(driver, "notes", "港澳居民来往内地通行证原件已核验，复印件已留存")
        driver.find_element(By.CSS_SELECTOR, "#confirm-candidate").click()
        wait_text(driver, "#desk-candidate .banner.ok", "已提交市级审核")
        self.page.check(driver, "console-permit-referred")
        click(driver, "nav button.link")

        console_sign_in(driver, city, "#/permit-reviews")
        row = wait_xpath(driver, f'//table[@id="permit-reviews"]//tr[td[4][contains(., "复印件已留存")]]')
        self.assertIn("港澳台居民居住证", row.text)
        self.assertIn("陈家明", row.text)
        self.assertNotIn(number, row.text, "the document number masked")
        self.assertIn("1 份", row.text)
        candidate_id = row.get_attribute("data-candidate")
        self.page.check(driver, "console-permit-reviews")
        row.find_element(By.CSS_SELECTOR, "button.approve").click()
        WebDriverWait(driver, 20).until(lambda d: not d.find_elements(By.CSS_SELECTOR, f'#permit-reviews tr[data-candidate="{candidate_id}"]'))
