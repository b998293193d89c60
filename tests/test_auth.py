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


@pytest.mark.smoke
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


@pytest.mark.postgres  # failures counted in the database, by time
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
    assert result.exit_code != 0 and "minstens 15 tekens" in result.output


def test_closed_register_sends_anonymous_readers_to_login(app, client):
    app.config["PUBLIC_READ"] = False
    response = client.get("/maatregelen")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- issue 13: throttling behind a proxy, sessions that end, passwords -----------------------------


def _login_from(client, address: str, email: str, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password}, headers={"X-Forwarded-For": address})


@pytest.fixture
def proxied(database_url):
    """The app as deployed behind one reverse proxy that sets X-Forwarded-For (MM_TRUSTED_PROXIES=1)."""
    from app import create_app
    from models.db import get_engine

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "WTF_CSRF_ENABLED": False,
            "TRUSTED_PROXIES": 1,
        }
    )
    yield app
    get_engine(app).dispose()


def test_trusted_proxies_setting_installs_proxyfix(proxied, app):
    from werkzeug.middleware.proxy_fix import ProxyFix

    assert isinstance(proxied.wsgi_app, ProxyFix) and not isinstance(app.wsgi_app, ProxyFix)


@pytest.mark.postgres  # failures counted in the database, per address
@pytest.mark.slow  # thirty-odd login attempts
def test_behind_a_proxy_one_attackers_failures_do_not_block_anyone_else(proxied, create_user):
    admin = create_user("admin", email="beheer@example.nl")
    client = proxied.test_client()
    for n in range(25):  # an attacker guessing many accounts from one address
        _login_from(client, "198.51.100.7", f"iemand{n}@example.nl", "wrong password!!!!")
    for _ in range(6):  # and the admin's own account from that address
        _login_from(client, "198.51.100.7", admin.email, "wrong password!!!!")
    assert _login_from(client, "198.51.100.7", admin.email).status_code == 429
    # The admin, from their own address behind the same proxy, is not locked out.
    assert _login_from(client, "203.0.113.20", admin.email).status_code == 302


@pytest.mark.postgres  # waits computed from stored timestamps
def test_throttle_slows_down_with_a_growing_wait_instead_of_locking_out(session, coordinator):
    from datetime import timedelta

    from measures.accounts import services as accounts
    from tests.conftest import NOW

    def attempt(at):
        reserved, wait = accounts.reserve_attempt(session, email=coordinator.email, remote_addr="192.0.2.1", now=at)
        if not wait:
            accounts.authenticate(session, attempt=reserved, password="wrong password!!!!", now=at)
            session.commit()
        return wait

    at = NOW
    for _ in range(accounts.FREE_FAILURES_PER_ACCOUNT_AND_ADDRESS):
        assert attempt(at) == 0
    waits = []
    for _ in range(4):
        wait = attempt(at)
        assert wait > 0
        waits.append(wait)
        at += timedelta(seconds=wait)
        assert attempt(at) == 0  # after the wait, one more guess is checked
    assert waits == sorted(waits) and waits[-1] > waits[0]
    assert max(waits) <= accounts.MAX_DELAY.total_seconds()


@pytest.mark.postgres  # concurrent transactions reserve attempts
def test_parallel_attempts_get_no_more_password_checks_than_allowed(app, coordinator):
    import threading

    from argon2 import PasswordHasher
    from sqlmodel import Session

    from measures.accounts import services as accounts
    from models.db import get_engine
    from tests.conftest import NOW

    checks = []

    class CountingHasher(PasswordHasher):
        def verify(self, hash, password):  # noqa: A002 - argon2's own parameter name
            checks.append(1)
            return super().verify(hash, password)

    accounts._hasher = CountingHasher(time_cost=1, memory_cost=8, parallelism=1)
    barrier = threading.Barrier(20)

    def guess():
        with Session(get_engine(app)) as own:
            barrier.wait()
            reserved, wait = accounts.reserve_attempt(own, email=coordinator.email, remote_addr="192.0.2.2", now=NOW)
            if not wait:
                accounts.authenticate(own, attempt=reserved, password="wrong password!!!!", now=NOW)
                own.commit()

    threads = [threading.Thread(target=guess) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checks) <= accounts.FREE_FAILURES_PER_ACCOUNT_AND_ADDRESS


@pytest.mark.postgres  # the session version, bumped in the database
def test_logout_ends_the_session_for_a_copied_cookie(app, client, auth, coordinator):
    auth.login(coordinator.email)
    cookie = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/profiel", headers={"User-Agent": "Other/1.0"}).status_code == 200
    auth.logout()
    assert thief.get("/mijn-maatregelen", headers={"User-Agent": "Other/1.0"}).status_code == 302
    assert thief.post("/profiel", data={"name": "gestolen"}).status_code == 302
    assert thief.get("/api/v1/report-editions").status_code == 401  # nor does the API take it


@pytest.mark.postgres  # the session version, bumped in the database
def test_blocking_and_password_change_end_other_sessions(app, client, auth, session, coordinator, create_user):
    auth.login(coordinator.email)
    other = app.test_client()
    other.post("/login", data={"email": coordinator.email, "password": PASSWORD})
    assert other.get("/profiel").status_code == 200
    response = client.post(
        "/profiel/wachtwoord",
        data={
            "current_password": PASSWORD,
            "new_password": "een heel nieuw voorjaar",
            "confirm": "een heel nieuw voorjaar",
        },
    )
    assert response.status_code == 302
    assert client.get("/profiel").status_code == 200  # this session goes on
    assert other.get("/profiel").status_code == 302  # the other one ended
    assert auth.login(coordinator.email, "een heel nieuw voorjaar").status_code == 302
    create_user("admin", email="beheer@example.nl")
    admin = app.test_client()
    admin.post("/login", data={"email": "beheer@example.nl", "password": PASSWORD})
    assert admin.post(f"/beheer/gebruikers/{coordinator.id}/actief").status_code == 302
    assert client.get("/profiel").status_code == 302


@pytest.mark.parametrize(
    "password, reason",
    [
        (" " * 20, "herhaalt steeds hetzelfde"),
        ("a" * 20, "herhaalt steeds hetzelfde"),
        ("aaaaaaaaaaaa", "minstens 15 tekens"),
        ("Password1234", "minstens 15 tekens"),
        ("Password12345678", "veelgebruikte of gelekte"),
        ("abcdefghijklmnop", "een reeks"),
        ("123456789012345678", "een reeks"),
        ("qwertyuiopasdfgh", "een reeks"),
        ("abcabcabcabcabcabc", "herhaalt"),
        ("mijn maatregelmonitor wachtwoord", "naam van deze site"),
        ("coordinator-politie is de baas", "uw e-mailadres"),
    ],
)
def test_weak_passwords_are_refused(password, reason):
    from measures.accounts import passwords

    found = " ".join(str(p) for p in passwords.problems(password, email="coordinator-politie@example.nl", name="Co"))
    assert reason in found


def test_a_passphrase_is_accepted():
    from measures.accounts import passwords

    assert passwords.problems(PASSWORD, email="a@b.nl") == []
    assert passwords.problems("fietsen langs de Amstel bij nacht", email="a@b.nl") == []
    assert len(passwords.common_passwords()) > 19000


def test_user_changes_own_password_and_weak_ones_are_refused(client, auth, coordinator):
    auth.login(coordinator.email)
    assert client.get("/profiel/wachtwoord").status_code == 200
    weak = client.post(
        "/profiel/wachtwoord",
        data={"current_password": PASSWORD, "new_password": "Password12345678", "confirm": "Password12345678"},
    )
    assert weak.status_code == 400 and "gelekte" in weak.get_data(as_text=True)
    wrong = client.post(
        "/profiel/wachtwoord",
        data={
            "current_password": "niet het goede",
            "new_password": "zomerregen op het dak",
            "confirm": "zomerregen op het dak",
        },
    )
    assert wrong.status_code == 400 and "huidige wachtwoord klopt niet" in wrong.get_data(as_text=True)


@pytest.mark.postgres  # the session version, bumped in the database
def test_admin_reset_forces_a_new_password_at_next_login(app, client, auth, session, coordinator, create_user):
    import re

    create_user("admin", email="beheer@example.nl")
    auth.login(coordinator.email)
    admin = app.test_client()
    admin.post("/login", data={"email": "beheer@example.nl", "password": PASSWORD})
    page = admin.post(f"/beheer/gebruikers/{coordinator.id}/wachtwoord")
    assert page.status_code == 200
    temporary = re.search(r'<code class="token">([^<]+)</code>', page.get_data(as_text=True)).group(1)
    assert client.get("/profiel").status_code == 302  # the user's session ended
    assert auth.login(coordinator.email).status_code == 401  # the old password is gone
    response = auth.login(coordinator.email, temporary)
    assert response.headers["Location"] == "/profiel/wachtwoord"
    assert client.get("/mijn-maatregelen").headers["Location"] == "/profiel/wachtwoord"
    client.post(
        "/profiel/wachtwoord",
        data={
            "current_password": temporary,
            "new_password": "nieuwe lente in de stad",
            "confirm": "nieuwe lente in de stad",
        },
    )
    assert client.get("/mijn-maatregelen").status_code == 200
