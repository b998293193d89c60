"""What a newcomer met on the command line, and the status form's CSRF token (issue 13, point 13)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def test_flaskenv_makes_flask_commands_work_in_a_checkout():
    env_file = (ROOT / ".flaskenv").read_text(encoding="utf-8")
    assert "MM_ENV_NAME=development" in env_file and "FLASK_APP=app" in env_file
    assert re.search(r"^python-dotenv==", (ROOT / "requirements.txt").read_text(), re.M)


@pytest.mark.slow  # a flask subprocess
def test_a_missing_secret_key_is_one_line_not_a_traceback(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and app
        [sys.executable, "-m", "flask", "--app", str(ROOT / "app.py"), "init-db"],
        cwd=tmp_path,  # outside the checkout: no .flaskenv
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "MM_SECRET_KEY ontbreekt" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.postgres  # case-insensitive lookup in SQL
def test_organisation_matches_any_case_and_unknown_lists_the_valid_ones(runner, create_organisation):
    create_organisation("Politie")
    create_organisation("OM")
    args = ["create-user", "--email", "c@politie.nl", "--role", "coordinator", "--password-stdin"]
    result = runner.invoke(args=[*args, "--organisation", "POLITIE"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=[*args[:2], "d@x.nl", *args[3:], "--organisation", "KMar"], input=PASSWORD + "\n")
    assert result.exit_code != 0 and "Onbekende organisatie: KMar. Kies uit: OM, Politie." in result.output


def test_report_into_a_missing_folder_fails_before_rendering(runner, tmp_path, monkeypatch):
    from measures.reports import build as reports

    monkeypatch.setattr(reports, "produce", lambda *a, **k: pytest.fail("rendered anyway"))
    result = runner.invoke(args=["report", "--as-of", "2019-12-05", "--out", str(tmp_path / "nergens" / "r.pdf")])
    assert result.exit_code != 0 and "bestaat niet" in result.output


@pytest.mark.postgres  # a TEST_DATABASE_URL branch
def test_backup_does_not_overwrite_without_asking(runner, tmp_path):
    from tests.conftest import TEST_DATABASE_URL

    if TEST_DATABASE_URL:
        pytest.skip("SQLite only")
    out = tmp_path / "backup.db"
    out.write_bytes(b"precious")
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code != 0 and "bestaat al" in result.output and out.read_bytes() == b"precious"
    assert runner.invoke(args=["backup", "--out", str(out), "--overwrite"]).exit_code == 0
    assert out.read_bytes() != b"precious"


@pytest.mark.postgres  # seeding twice: stored values compared with the catalogue's
@pytest.mark.slow  # seeds the whole catalogue twice
def test_seed_reports_recommendations_only_when_something_changed(runner):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0 and " 0 aanbevelingen bijgewerkt" not in first.output
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0 and " 0 aanbevelingen bijgewerkt" in second.output, second.output


def test_status_form_carries_one_csrf_token(app, client, auth, create_organisation, create_measure, create_user):
    create_organisation("Politie")
    create_measure("CT-B-01", lead="Politie")
    user = create_user("coordinator", "Politie")
    auth.login(user.email)
    app.config["WTF_CSRF_ENABLED"] = True
    html = client.get("/maatregelen/CT-B-01/status").get_data(as_text=True)
    form = html[html.index('<form method="post" class="narrow-form"') :]
    form = form[: form.index("</form>")]
    assert form.count('name="csrf_token"') == 1
