"""The conversation on a submission in the browser (SPEC §3d): the auditor returns with a
comment, the focal point reads it where they work and answers, sends the report again,
and the auditor reads the answer beside the comment and verifies."""

import pytest

from tests.factories import PASSWORD


@pytest.fixture
def season(make):
    agency = make.agency(code="so-tp", name="Sở Tư pháp")
    service = make.service(agency, code="1.001", name="Cấp Phiếu lý lịch tư pháp")
    focal = make.user("focal", agency, email="focal@so-tp.example")
    make.submission(agency, 2015, "submitted", levels={service.id: 1}, focal=focal)
    return {"focal": focal, "auditor": make.user("auditor", email="auditor@dic.example")}


def sign_in(page, base, email):
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_return_answer_resubmit_verify(new_page, live_server, season, artifacts):
    auditor = new_page()
    sign_in(auditor, live_server, "auditor@dic.example")
    auditor.goto(live_server + "/review/so-tp/2015")
    auditor.locator("#f-return-comment").fill("Đường dẫn minh chứng 1.001 không mở được.")
    auditor.get_by_role("button", name="Trả lại báo cáo").click()
    assert "bị trả lại" in auditor.content()

    focal = new_page()
    sign_in(focal, live_server, "focal@so-tp.example")
    focal.goto(live_server + "/workspace/")
    assert "Đường dẫn minh chứng 1.001 không mở được." in focal.locator("main").inner_text()
    focal.goto(live_server + "/workspace/so-tp/2015")
    thread = focal.locator("#conversation")
    assert "Đường dẫn minh chứng 1.001 không mở được." in thread.inner_text()
    focal.get_by_label("Viết trao đổi (bên kia nhận được thư báo)").fill(
        "Cổng dịch vụ công đổi địa chỉ; đã sửa đường dẫn mới.")
    focal.get_by_role("button", name="Gửi trao đổi").click()
    assert "Đã gửi trao đổi" in focal.locator(".flashes").inner_text()
    assert "đã sửa đường dẫn mới" in focal.locator("#conversation").inner_text()
    service = focal.locator("fieldset.service").filter(has_text="1.001")
    service.get_by_label("Minh chứng: trang thông tin thủ tục").fill("https://dvc.example/thu-tuc/1.001")
    focal.get_by_role("button", name="Lưu và gửi xác minh").click()
    assert "Gửi báo cáo kỳ 2015 để xác minh?" in focal.locator("h1").inner_text()
    focal.get_by_role("button", name="Xác nhận gửi báo cáo").click()
    assert "Đã gửi báo cáo" in focal.locator(".flashes").inner_text()

    auditor.goto(live_server + "/review/so-tp/2015")
    text = auditor.locator("#conversation").inner_text()
    assert text.index("không mở được") < text.index("đã sửa đường dẫn mới")
    auditor.get_by_label("Viết trao đổi (bên kia nhận được thư báo)").fill("Đã kiểm tra, đường dẫn mở được.")
    auditor.get_by_role("button", name="Gửi trao đổi").click()
    auditor.get_by_role("button", name="Xác minh báo cáo").click()
    assert "Xác minh báo cáo kỳ 2015 của Sở Tư pháp?" in auditor.locator("h1").inner_text()
    auditor.get_by_role("button", name="Xác nhận xác minh").click()
    assert "đã xác minh" in auditor.content()
    auditor.screenshot(path=str(artifacts / "conversation-review.png"), full_page=True)

    focal.goto(live_server + "/workspace/so-tp/2015")
    assert "Đã kiểm tra, đường dẫn mở được." in focal.locator("#conversation").inner_text()
    for page in (focal, auditor):
        assert page.outside_requests == [] and page.console_errors == []
