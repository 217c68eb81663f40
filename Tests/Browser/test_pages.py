"""The candidate portal and the staff console in a real browser, against the test stack: the
candidate journey from sign-up to paid, with the operator's desk in between; markup typed by a
candidate shown as text; every page screenshotted at 360 and 1280 px and checked by axe; the first
load's size."""
import unittest

from selenium.webdriver.common.by import By

from browser import (GATEWAY, PASSWORD, Page, chrome, fill, first_load_bytes, id_number, photo_file, province, staff, tomorrow, wait_for,
                     wait_text)

MARKUP = '<img src=x onerror="document.title=1">长沙市芙蓉区五一大道 1 号'


class CandidateJourney(unittest.TestCase):
    def setUp(self):
        self.page = Page(self)
        self.candidate = chrome()
        self.console = chrome()

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
        self.page.check(console, "console-candidate")
        console.find_element(By.CSS_SELECTOR, "#confirm-candidate").click()
        wait_text(console, "#desk-candidate .banner.ok", "考生号")
        self.page.check(console, "console-confirmed")

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


if __name__ == "__main__":
    unittest.main()
