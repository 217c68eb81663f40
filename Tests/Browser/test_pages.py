"""The candidate portal and the staff console in a real browser, against the test stack: the
candidate journey from sign-up to paid, with the operator's desk in between; markup typed by a
candidate shown as text; every page screenshotted at 360 and 1280 px and checked by axe; the first
load's size."""
import unittest

from selenium.webdriver.common.by import By

from browser import (GATEWAY, PASSWORD, Page, chrome, click, console_sign_in, downloaded, downloads, fill, first_load_bytes, id_number, photo_file, province, staff, tomorrow, wait_for,
                     wait_text)

MARKUP = '<img src=x onerror="document.title=1">长沙市芙蓉区五一大道 1 号'


class CandidateJourney(unittest.TestCase):
    def setUp(self):
        self.page = Page(self)
        self.candidate_files, self.console_files = downloads("candidate"), downloads("console")
        self.candidate = chrome(downloads=self.candidate_files)
        self.console = chrome(downloads=self.console_files)

    def tearDown(self):
        self.candidate.quit()
        self.console.quit()

    def set_value(self, driver, name, value):
        """Date inputs take their value from script as the browser's picker would set it."""
        element = driver.find_element(By.CSS_SELECTOR, f'[data-field="{name}"]')
        driver.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}))", element, value)

    def test_sign_up_fill_correct_book_confirm_pay(self):
        number = id_number()
        birth = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
        gender = "male" if int(number[16]) % 2 == 1 else "female"
        driver = self.candidate

        # Sign up (the login page first, as a new user arrives).
        driver.get(GATEWAY + "/")
        wait_for(driver, 'form [data-field="documentNumber"]')
        self.page.check(driver, "portal-login")
        driver.get(GATEWAY + "/#/signup")
        wait_for(driver, '[data-field="countyID"] option[value="430102"]')
        self.page.check(driver, "portal-signup")
        for name, value in [("documentType", "resident_id"), ("documentNumber", number), ("name", "网页考生"), ("phone", "13712345678"),
                            ("countyID", "430102"), ("password", PASSWORD)]:
            fill(driver, name, value)
        driver.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
        wait_for(driver, "#status-name")
        self.page.check(driver, "portal-status")

        # The form: the pledge, then every group; a refused field shown beside it, corrected.
        driver.get(GATEWAY + "/#/form")
        wait_for(driver, "#submit-form")
        if driver.find_elements(By.CSS_SELECTOR, "#sign-pledge"):
            driver.find_element(By.CSS_SELECTOR, "#sign-pledge").click()
            wait_text(driver, ".banner.ok", "诚信考试承诺书")
        self.page.check(driver, "portal-form")
        for name, value in [("basic.gender", gender), ("basic.ethnicGroup", "01"), ("basic.politicalStatus", "13"), ("basic.educationLevel", "1"),
                            ("basic.graduatedFrom", "长沙市第一中学"), ("basic.foreignLanguage", "1"), ("basic.candidateCharacteristic", "0"),
                            ("basic.enrolmentCategory", "1"), ("basic.occupationCategory", "2"), ("basic.phone", "13712345678"), ("basic.postcode", "41001X"),
                            ("basic.householdCity", "430100"), ("basic.postalAddress", MARKUP), ("choice1.level", "high_school_to_bachelor"),
                            ("choice1.studyForm", "part_time"), ("confirmationPointID", "TP430102A")]:
            fill(driver, name, value)
        self.set_value(driver, "basic.birthDate", birth)
        self.set_value(driver, "basic.graduationDate", "2015-06-30")
        driver.find_element(By.CSS_SELECTOR, "#choice1-search, [name='choice1-search']").send_keys("10538")
        driver.find_element(By.CSS_SELECTOR, "#choice1-find").click()
        option = wait_for(driver, "#choice1-results li button")
        next(b for b in driver.find_elements(By.CSS_SELECTOR, "#choice1-results li button") if " A01 " in b.text).click()
        wait_text(driver, "#choice1-chosen", "已选")
        driver.find_element(By.CSS_SELECTOR, "#submit-form").click()
        postcode = driver.find_element(By.CSS_SELECTOR, '[data-field="basic.postcode"]')
        wait_for(driver, f'#{postcode.get_attribute("id")}-error')
        self.assertEqual(postcode.get_attribute("aria-invalid"), "true")
        self.assertTrue(driver.find_element(By.CSS_SELECTOR, f'#{postcode.get_attribute("id")}-error').text)
        self.page.check(driver, "portal-form-refused")
        fill(driver, "basic.postcode", "410011")
        driver.find_element(By.CSS_SELECTOR, "#submit-form").click()
        wait_text(driver, "#form-result", "已提交")

        # Submitted, the candidate may apply for exemption (a reason is required).
        driver.get(GATEWAY + "/#/exemption")
        wait_for(driver, "#exemption-form")
        fill(driver, "categoryCode", "E01")
        driver.find_element(By.CSS_SELECTOR, '#exemption-form button[type="submit"]').click()
        wait_for(driver, '#exemption-form [data-field="reason"][aria-invalid="true"]')
        fill(driver, "reason", "2020 年获全国劳动模范称号")
        driver.find_element(By.CSS_SELECTOR, '#exemption-form button[type="submit"]').click()
        wait_text(driver, "#exemption-state", "待市级初审")
        self.page.check(driver, "portal-exemption")

        # A slot the point opened; the candidate books it.
        admin, _ = province()
        operator = staff(admin, "TP430102A", "point_operator")
        from browser import Staff
        operator_api = Staff().sign_in(operator)
        operator_api.call("POST", "/api/confirmation/staff/points/TP430102A/slots", {"day": tomorrow(), "startsAt": "08:00", "endsAt": "17:00", "capacity": 500},
                          expect=(201, 409))  # 409: an earlier run opened it
        driver.get(GATEWAY + "/#/appointment")
        wait_for(driver, "main .steps button").click()
        wait_text(driver, ".banner.ok", "已预约")
        self.page.check(driver, "portal-appointment")

        # The operator's desk in the console: find, see the data (markup as text), photo, confirm.
        console = self.console
        console.get(GATEWAY + "/staff/")
        wait_for(console, '[data-field="username"]')
        self.page.check(console, "console-login")
        fill(console, "username", operator)
        fill(console, "password", PASSWORD)
        console.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
        wait_for(console, "#find-candidate")
        self.page.check(console, "console-desk")
        fill(console, "documentNumber", number)
        console.find_element(By.CSS_SELECTOR, "#find-candidate").click()
        wait_text(console, "#desk-candidate h3", "网页考生")
        cells = [td.text for td in console.find_elements(By.CSS_SELECTOR, "#desk-candidate td")]
        self.assertIn(MARKUP, cells, "the address exactly as typed, as text")
        self.assertEqual(console.find_elements(By.CSS_SELECTOR, '#desk-candidate img[src="x"]'), [], "no element made from the candidate's text")
        self.assertNotEqual(console.title, "1")
        console.find_element(By.CSS_SELECTOR, '#desk-candidate input[type="file"]').send_keys(photo_file())
        wait_text(console, "#photo-state", "相片已采集")
        wait_for(console, "#photo-preview img.photo")
        # The camera (Chromium's fake device) replaces it, as an operator without a reader would.
        console.find_element(By.CSS_SELECTOR, "#start-camera").click()
        capture = console.find_element(By.CSS_SELECTOR, "#capture-photo")
        self.page_wait_enabled(capture)
        capture.click()
        # A bonus claim with its evidence; the refused empty one first.
        console.find_element(By.CSS_SELECTOR, "#bonus-form button").click()
        wait_for(console, '#bonus-form [aria-invalid="true"]')
        from selenium.webdriver.support.ui import Select
        Select(console.find_element(By.CSS_SELECTOR, '#bonus-form [data-field="policyCode"]')).select_by_value("B01")
        evidence = f"侨眷证明 <b>{number[-6:]}</b>"
        fill(console, "evidence", evidence)
        console.find_element(By.CSS_SELECTOR, "#bonus-form button").click()
        wait_text(console, "#bonus-claims li", evidence)
        self.page.check(console, "console-candidate")
        console.find_element(By.CSS_SELECTOR, "#confirm-candidate").click()
        confirmed = wait_text(console, "#desk-candidate .banner.ok", "考生号").text
        candidate_number = confirmed.split("考生号")[1].strip()
        self.page.check(console, "console-confirmed")
        # The flow form printed at the desk (drawn now if the worker has not reached it).
        console.find_element(By.CSS_SELECTOR, "#print-flow-form").click()
        self.assertTrue(downloaded(self.console_files, "报名流程表.pdf").startswith(b"%PDF"))

        # Not paid yet: the point records why, on its unpaid list.
        click(console, 'nav a[href="#/unpaid"]')
        row = f'#unpaid tr[data-candidate="{candidate_number}"]'
        wait_for(console, row)
        reason = console.find_element(By.CSS_SELECTOR, f'{row} input')
        reason.send_keys("考生称今日缴费")
        console.find_element(By.CSS_SELECTOR, f"{row} button").click()
        wait_text(console, f"{row} button", "已保存")
        self.page.check(console, "console-unpaid")

        # The city reviews the claim: refusing needs a reason; accepted, it leaves the open list.
        click(console, "nav button.link")
        city = staff(admin, "430100", "city_officer")
        console_sign_in(console, city, "#/bonus-claims")
        claim = f'//table[@id="bonus-claims"]//tr[td[5][normalize-space()="{evidence}"]]'
        wait_for_xpath(console, claim + '//button[contains(@class, "secondary")]').click()
        wait_for_xpath(console, claim + '//*[@aria-invalid="true"]')
        self.page.check(console, "console-bonus-claims-refused")
        console.find_element(By.XPATH, claim + '//button[contains(@class, "approve")]').click()
        from selenium.webdriver.support.ui import WebDriverWait
        WebDriverWait(console, 20).until(lambda d: not d.find_elements(By.XPATH, claim))

        # The candidate pays through the simulator and comes back to the result as it arrives.
        driver.get(GATEWAY + "/#/status")
        wait_text(driver, "#status-name", "确认")
        driver.get(GATEWAY + "/#/pay")
        wait_for(driver, "#pay-alipay")
        self.page.check(driver, "portal-pay")
        driver.find_element(By.CSS_SELECTOR, "#pay-alipay").click()
        wait_for(driver, "form button").click()
        wait_text(driver, "#payment-result", "缴费成功", timeout=60)
        self.page.check(driver, "portal-paid")
        driver.get(GATEWAY + "/#/status")
        wait_text(driver, "#status-name", "报名有效")
        # The candidate keeps the same flow form from the portal.
        driver.find_element(By.CSS_SELECTOR, "#download-flow-form").click()
        self.assertEqual(downloaded(self.candidate_files, "报名流程表.pdf"), downloaded(self.console_files, "报名流程表.pdf"))
        self.assertEqual(driver.find_elements(By.CSS_SELECTOR, 'img[src="x"]'), [])

    def page_wait_enabled(self, element, timeout=20):
        from selenium.webdriver.support.ui import WebDriverWait
        WebDriverWait(self.console, timeout).until(lambda _: element.is_enabled())


class FirstLoad(unittest.TestCase):
    def test_each_system_first_loads_within_150_kb_compressed(self):
        for path in ("/", "/staff/"):
            size = first_load_bytes(path)
            print(f"first load of {path}: {size} bytes")
            self.assertLessEqual(size, 150_000, path)


class ConfirmationPointReview(unittest.TestCase):
    """A point proposed by a county, passed by its city and approved by the province, in the console."""

    def setUp(self):
        self.page = Page(self)
        self.driver = chrome()

    def tearDown(self):
        self.driver.quit()

    def sign_in(self, username):
        console_sign_in(self.driver, username, "#/points")
        wait_for(self.driver, "#points")

    def sign_out(self):
        self.driver.find_element(By.CSS_SELECTOR, "nav button.link").click()
        wait_for(self.driver, '[data-field="username"]')

    def test_propose_review_approve(self):
        import random
        admin, admin_name = province()
        county = staff(admin, "430102", "county_officer")
        city = staff(admin, "430100", "city_officer")
        name = f"网页确认点{random.randrange(10**6)}"
        driver = self.driver

        self.sign_in(county)
        fill(driver, "name", name)
        fill(driver, "address", "长沙市芙蓉区网页路 1 号")
        fill(driver, "contact", "王老师")
        fill(driver, "phone", "0731-88888888")
        driver.find_element(By.CSS_SELECTOR, '#point-proposal button[type="submit"]').click()
        row = f'//tr[td[1][normalize-space()="{name}"]]'
        wait_for_xpath(driver, row + '/td[3][contains(., "待市州审核")]')
        self.page.check(driver, "console-points-county")
        self.sign_out()

        self.sign_in(city)
        wait_for_xpath(driver, row + '//button[contains(@class, "pass")]').click()
        wait_for_xpath(driver, row + '/td[3][contains(., "待省级审定")]')
        self.page.check(driver, "console-points-city")
        self.sign_out()

        self.sign_in(admin_name)
        wait_for_xpath(driver, row + '//button[contains(@class, "approve")]').click()
        # Approved, it moves to the folded list of approved points.
        approved = f'//table[@id="approved-points"]{row}'
        from selenium.webdriver.support.ui import WebDriverWait
        WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.XPATH, approved))
        driver.find_element(By.CSS_SELECTOR, "details summary").click()
        wait_for_xpath(driver, approved + '/td[3][contains(., "已审定")]')
        self.page.check(driver, "console-points-province")


def wait_for_xpath(driver, xpath, timeout=20):
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(driver, timeout).until(EC.visibility_of_element_located((By.XPATH, xpath)))


class ExpiredSession(unittest.TestCase):
    """A session that ends while the candidate types: back to the login page, then the form again
    with what was typed."""

    def setUp(self):
        self.page = Page(self)
        self.driver = chrome()

    def tearDown(self):
        self.driver.quit()

    def test_what_was_typed_survives_the_login_page(self):
        number = id_number()
        driver = self.driver
        driver.get(GATEWAY + "/#/signup")
        wait_for(driver, '[data-field="countyID"] option[value="430102"]')
        for name, value in [("documentNumber", number), ("name", "过期考生"), ("phone", "13712345679"), ("countyID", "430102"), ("password", PASSWORD)]:
            fill(driver, name, value)
        driver.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
        wait_for(driver, "#status-name")
        driver.get(GATEWAY + "/#/form")
        wait_for(driver, "#save-draft")
        fill(driver, "basic.graduatedFrom", "长沙市第一中学（过期前填写）")
        driver.delete_cookie("exam_candidate_session")
        driver.find_element(By.CSS_SELECTOR, "#save-draft").click()
        wait_text(driver, ".banner.error", "登录已过期")
        self.page.check(driver, "portal-login-expired")
        fill(driver, "documentNumber", number)
        fill(driver, "password", PASSWORD)
        driver.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
        wait_for(driver, "#status-name")
        driver.get(GATEWAY + "/#/form")
        restored = wait_for(driver, '[data-field="basic.graduatedFrom"]')
        self.assertEqual(restored.get_attribute("value"), "长沙市第一中学（过期前填写）")
        wait_text(driver, ".banner", "已恢复")


class PaperFormBatch(unittest.TestCase):
    """A point's batch of paper draft forms uploaded in the console: the progress bar reaches 100%."""

    def setUp(self):
        self.page = Page(self)
        self.driver = chrome()

    def tearDown(self):
        self.driver.quit()

    def test_upload_shows_progress_to_the_end(self):
        import os, random
        admin, _ = province()
        operator = staff(admin, "TP430102A", "point_operator")
        header = ["rowID", "documentNumber", "name", "phone", "countyID", "gender", "ethnicGroup", "birthDate", "politicalStatus", "educationLevel",
                  "foreignLanguage", "candidateCharacteristic", "enrolmentCategory", "graduationDate", "graduatedFrom", "occupationCategory",
                  "postalAddress", "postcode", "householdCity", "choice1.level", "choice1.subjectCategory", "choice1.studyForm",
                  "choice1.institutionCode", "choice1.majorCode"]
        lines = [",".join(header)]
        tag = random.randrange(10**6)
        for index in range(30):
            number = id_number()
            birth = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
            row = [f"web{tag}-{index}", number, "王小明", "13712345678", "430102", "男" if int(number[16]) % 2 else "女", "01", birth, "13", "1", "1", "0", "1",
                   "2015-06-30", "长沙市第一中学", "2", "长沙市芙蓉区五一大道 1 号", "410011" if index != 7 else "4100", "430100", "高起本", "文", "业余", "10538", "A01"]
            lines.append(",".join(row))
        from browser import OUTPUT
        path = os.path.join(OUTPUT, "paper-forms.csv")
        with open(path, "w", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
        driver = self.driver
        console_sign_in(driver, operator, "#/paper-forms")
        wait_for(driver, "#upload-batch")
        self.page.check(driver, "console-paper-forms")
        driver.find_element(By.CSS_SELECTOR, 'input[type="file"]').send_keys(os.path.abspath(path))
        driver.find_element(By.CSS_SELECTOR, "#upload-batch").click()
        wait_text(driver, "#batch-state", "导入完成（100%）", timeout=120)
        self.assertEqual(driver.find_element(By.CSS_SELECTOR, "#batch-progress").get_attribute("value"), "100")
        self.assertIn("有误 1 行", driver.find_element(By.CSS_SELECTOR, "#batch-state").text)
        wait_for(driver, "#batch-report")
        self.page.check(driver, "console-paper-forms-done")


class StaffApplication(unittest.TestCase):
    """A county officer applies in the console; the province approves; the new account signs in."""

    def setUp(self):
        self.page = Page(self)
        self.driver = chrome()

    def tearDown(self):
        self.driver.quit()

    def test_apply_approve_sign_in(self):
        import random
        admin, admin_name = province()
        username = f"web_apply_{random.randrange(10**8)}"
        driver = self.driver
        driver.get(GATEWAY + "/staff/#/login")
        wait_for(driver, 'a[href="#/apply"]').click()
        wait_for(driver, '[data-field="nodeID"]')
        self.page.check(driver, "console-apply")
        for name, value in [("username", username), ("name", "网页申请人"), ("phone", "13800000000"), ("nodeID", "430102"), ("password", PASSWORD)]:
            fill(driver, name, value)
        driver.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
        wait_text(driver, "#application-sent", "申请已提交")

        console_sign_in(driver, admin_name, "#/applications")
        row = f'//tr[@data-username="{username}"]'
        select = wait_for_xpath(driver, row + '//select')
        from selenium.webdriver.support.ui import Select
        Select(select).select_by_value("county_officer")
        self.page.check(driver, "console-applications")
        driver.find_element(By.XPATH, row + '//button[contains(@class, "approve")]').click()
        from selenium.webdriver.support.ui import WebDriverWait
        WebDriverWait(driver, 20).until(lambda d: not d.find_elements(By.XPATH, row))
        driver.find_element(By.CSS_SELECTOR, "nav button.link").click()
        console_sign_in(driver, username, "#/points")
        wait_for(driver, "#point-proposal")


if __name__ == "__main__":
    unittest.main()
