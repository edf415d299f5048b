"""New passwords: at least 12 characters, at most 256, and not easy to guess.

Every door that sets a password (the CLI, an administrator creating a user or
resetting a password, a user changing their own) refuses the same passwords
with the same reason, and stores nothing when it refuses.
"""

import pytest
from sqlmodel import select

from registry.accounts.passwords import MAX_PASSWORD_LENGTH, check_password, password_problem
from registry.models import User
from tests.factories import PASSWORD

GUESSABLE = [
    "password1234",        # a top-ten password with digits
    "123456789012",        # digits in a row
    "qwertyuiopas",        # a keyboard walk
    "aaaaaaaaaaaa",        # one character repeated
    "matkhau123456",       # "password" in Vietnamese
    "dienbien2024!",       # the province's name and a year
    "Abcd1234Abcd",        # a repeated sequence
]
STRONG = [PASSWORD, "mật khẩu rất dài của tôi", "Ngựa-Pin-Kẹp-Giấy-7"]


@pytest.mark.parametrize("password", GUESSABLE)
def test_guessable_passwords_are_refused(password):
    problem = password_problem(password, "someone@example.vn")
    assert problem is not None and "dễ đoán" in problem


@pytest.mark.parametrize("password", STRONG)
def test_long_passphrases_are_accepted(password):
    assert password_problem(password, "someone@example.vn") is None


def test_length_limits_both_ways():
    assert "ít nhất 12" in password_problem("Xq7#vLp2!", "a@example.vn")
    assert password_problem("x" * 11 + "Ä", "a@example.vn") is not None
    too_long = "Ngựa-Pin-Kẹp-Giấy-7 " * 20
    assert len(too_long) > MAX_PASSWORD_LENGTH
    assert "dài quá" in password_problem(too_long, "a@example.vn")


def test_a_password_made_of_the_users_own_email_is_refused():
    assert password_problem("nguyen.van.an", "nguyen.van.an@dienbien.gov.vn") is not None
    assert password_problem("nguyen.van.an", "someone.else@example.vn") is None


def test_cli_refuses_a_common_password_and_creates_nobody(runner, db):
    result = runner.invoke(args=["user", "add", "aud@example.vn", "--role", "auditor", "--password-stdin"],
                           input="password1234\n")
    assert result.exit_code != 0
    assert "dễ đoán" in result.output
    assert db.exec(select(User)).all() == []


def test_user_changing_their_password_gets_the_reason_in_their_language(client, auth, make_user, db):
    user = make_user("auditor", email="auditor@example.vn")
    auth.login(user.email)
    refused = client.post("/account/password?lang=en",
                          data={"current": PASSWORD, "new": "password1234", "confirm": "password1234"})
    assert refused.status_code == 422
    assert "too easy to guess" in refused.get_data(as_text=True)
    db.expire_all()
    assert check_password(db.get(User, user.id), PASSWORD)


def test_administrator_reset_refuses_a_guessable_password(client, auth, make_user, db):
    admin = make_user("admin", email="admin@example.vn")
    auditor = make_user("auditor", email="auditor@example.vn")
    auth.login(admin.email)
    refused = client.post(f"/admin/users/{auditor.id}/password",
                          data={"password": "qwertyuiopas", "confirm": "qwertyuiopas"})
    assert refused.status_code == 422
    assert "dễ đoán" in refused.get_data(as_text=True)
    db.expire_all()
    assert check_password(db.get(User, auditor.id), PASSWORD)


def test_administrator_cannot_create_a_user_with_a_guessable_password(client, auth, make_user, db):
    admin = make_user("admin", email="admin@example.vn")
    auth.login(admin.email)
    refused = client.post("/admin/users/new", data={"email": "new@example.vn", "role": "auditor",
                                                   "password": "123456789012", "confirm": "123456789012"})
    assert refused.status_code == 422
    assert db.exec(select(User).where(User.email == "new@example.vn")).first() is None
