"""Leaving a report with edits not yet saved asks first (issue 17, "forms that guide").

An enhancement in JavaScript (static/js/unsaved.js): the browser's own "leave the page?"
question when the report holds typed values not saved; none after a save, none when
nothing was typed. Without JavaScript the form works the same.
"""

import time

from tests.factories import PASSWORD


def open_report(new_page, base):
    page = new_page()
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill("a@so-tp.example")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(base + "/workspace/so-tp/2015")
    page.questions = []

    def answer(dialog):
        page.questions.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    return page


def asks_before_leaving(page) -> bool:
    """Leave the page as a closing tab does; True when the browser asked (and the person stayed)."""
    page.close(run_before_unload=True)  # does not wait: the page closes, or its handler asks
    for _ in range(40):
        if page.questions or page.is_closed():
            break
        page.context.cookies()  # a round trip to the browser, which delivers its events
        time.sleep(0.05)
    return "beforeunload" in page.questions


def test_leaving_unsaved_edits_asks_and_keeps_them(new_page, live_server, report):
    page = open_report(new_page, live_server)
    staff = page.get_by_label("Tổng số cán bộ, công chức, viên chức")
    staff.click()
    staff.press_sequentially("5")
    assert asks_before_leaving(page)
    assert not page.is_closed() and staff.input_value().endswith("5")  # stayed, the edit still there


def test_no_question_after_saving_or_without_edits(new_page, live_server, report):
    untouched = open_report(new_page, live_server)
    untouched.get_by_label("Tổng số cán bộ, công chức, viên chức").click()  # a click is not an edit
    assert not asks_before_leaving(untouched)

    saved = open_report(new_page, live_server)
    staff = saved.get_by_label("Tổng số cán bộ, công chức, viên chức")
    staff.fill("45")
    saved.get_by_role("button", name="Lưu bản nháp").click()  # saving leaves the page without asking
    assert "Đã lưu bản nháp." in saved.locator(".flashes").inner_text()
    assert saved.questions == []
    saved.get_by_label("Tổng số cán bộ, công chức, viên chức").click()
    assert not asks_before_leaving(saved)


def test_a_form_sent_back_with_errors_starts_unsaved(new_page, live_server, report):
    page = open_report(new_page, live_server)
    page.get_by_label("Tổng số cán bộ, công chức, viên chức").fill("-4")
    page.get_by_role("button", name="Lưu bản nháp").click()
    assert page.locator(".error-summary").is_visible()  # nothing stored: the typed values are only here
    page.get_by_role("heading", level=1).click()  # the browser asks only after the person touched the page
    assert asks_before_leaving(page)
