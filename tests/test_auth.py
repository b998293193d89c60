"""Accounts: login, throttling, session cookie, safe redirects, CSRF and the create-user command."""

import pytest
from sqlmodel import select

from models import User
from tests.conftest import PASSWORD


@pytest.fixture
def coordinator(create_organisation, create_user):
    create_organisation("Politie")
    return create_user("coordinator", "Politie")


def test_login_page_has_labelled_fields(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<label class="utrecht-form-label" for="email">' in html
    assert '<label class="utrecht-form-label" for="password">' in html


def test_login_and_logout(client, auth, coordinator):
    response = auth.login(coordinator.email)
    assert response.status_code == 302 and response.headers["Location"] == "/mijn-maatregelen"
    assert client.get("/mijn-maatregelen").status_code == 200
    auth.logout()
    assert client.get("/mijn-maatregelen").status_code == 302


def test_wrong_password_is_refused_in_dutch(auth, coordinator):
    response = auth.login(coordinator.email, "wrong password!!")
    assert response.status_code == 401
    assert "Onbekende combinatie van e-mailadres en wachtwoord" in response.get_data(as_text=True)


def test_unknown_email_gets_the_same_message(auth, coordinator):
    response = auth.login("niemand@example.nl")
    assert response.status_code == 401
    assert "Onbekende combinatie" in response.get_data(as_text=True)


def test_blocked_account_cannot_log_in(session, auth, coordinator):
    coordinator.active = False
    session.add(coordinator)
    session.commit()
    assert auth.login(coordinator.email).status_code == 401


def test_passwords_are_hashed_with_argon2(session, coordinator):
    stored = session.exec(select(User.password_hash).where(User.id == coordinator.id)).one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_login_is_throttled_after_five_failures(auth, coordinator):
    for _ in range(5):
        assert auth.login(coordinator.email, "wrong password!!").status_code == 401
    response = auth.login(coordinator.email)  # even the right password now waits
    assert response.status_code == 429
    assert "Te veel mislukte pogingen" in response.get_data(as_text=True)


def test_session_cookie_is_httponly_samesite_and_expires(client, auth, coordinator, app):
    response = auth.login(coordinator.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert app.permanent_session_lifetime.total_seconds() == 8 * 3600


@pytest.mark.parametrize("target", ["/maatregelen?status=gepland", "/maatregelen/CT-B-01"])
def test_next_redirect_on_this_site_is_followed(auth, coordinator, target):
    assert auth.login(coordinator.email, next_url=target).headers["Location"] == target


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/\r\nSet-Cookie:x=1",
    ],
)
def test_open_redirect_via_next_is_refused(auth, coordinator, target):
    assert auth.login(coordinator.email, next_url=target).headers["Location"] == "/mijn-maatregelen"


def test_post_without_csrf_token_gets_400(app, client, coordinator):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/login", data={"email": coordinator.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Er ging iets mis (400)" in response.get_data(as_text=True)


def test_logout_needs_post(client, auth, coordinator):
    auth.login(coordinator.email)
    assert client.get("/logout").status_code == 405


def test_create_user_command_reads_password_from_stdin(runner, session, create_organisation):
    create_organisation("OM")
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "Coord@OM.nl",
            "--role",
            "coordinator",
            "--organisation",
            "OM",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    user = session.exec(select(User).where(User.email == "coord@om.nl")).one()
    assert user.role == "coordinator"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--role", "coordinator"], "hoort bij een organisatie"),
        (["--role", "lezer", "--organisation", "XYZ"], "Onbekende organisatie"),
        (["--role", "baas"], "Invalid value"),
    ],
)
def test_create_user_command_refuses_bad_input(runner, args, message):
    result = runner.invoke(args=["create-user", "--email", "a@b.nl", *args, "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code != 0 and message in result.output


def test_create_user_refuses_short_password(runner):
    result = runner.invoke(
        args=["create-user", "--email", "a@b.nl", "--role", "lezer", "--password-stdin"], input="kort\n"
    )
    assert result.exit_code != 0 and "minstens 12 tekens" in result.output


def test_closed_register_sends_anonymous_readers_to_login(app, client):
    app.config["PUBLIC_READ"] = False
    response = client.get("/maatregelen")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
