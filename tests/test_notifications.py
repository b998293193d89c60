"""Digest e-mails per organisation, delivered to a real SMTP server on loopback (aiosmtpd)."""

import email
import socket
from datetime import UTC, date, datetime

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlmodel import select

from measures.checks.rules import Thresholds, run_checks
from measures.register import services
from models import Measure
from tests.conftest import NOW


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


@pytest.fixture
def smtp_server(app):
    inbox = Inbox()
    with socket.socket() as probe:  # a free loopback port for the server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, BASE_URL="https://mm.example.nl")
    yield inbox
    controller.stop()


@pytest.fixture
def two_organisations(session, create_organisation, create_measure, create_user):
    create_organisation("Politie", "Nationale Politie")
    create_organisation("OM", "Openbaar Ministerie")
    create_organisation("VWS", "Ministerie van VWS")
    create_measure(
        "LATE-1", "Webcrawler", lead="Politie", co_owners=["OM"], status="in_uitvoering", deadline=date(2020, 1, 1)
    )
    create_measure("LATE-2", "Training", lead="Politie", status="in_uitvoering", deadline=date(2020, 6, 1))
    create_measure(
        "FINE", "Op schema", lead="VWS", status="in_uitvoering", status_on=date(2020, 12, 1), deadline=date(2030, 1, 1)
    )
    create_user("coordinator", "Politie", email="politie@example.nl")
    create_user("coordinator", "OM", email="om@example.nl")
    create_user("coordinator", "VWS", email="vws@example.nl")
    create_user("lezer", "Politie", email="lezer@example.nl")


def _run(app, session, day, notify=True):
    from measures.checks.notifications import send_digests

    session.info.clear()
    return run_checks(
        session,
        now=datetime(day.year, day.month, day.day, 6, 30, tzinfo=UTC),
        thresholds=Thresholds(),
        trigger="test",
        persist=True,
        notify=(lambda s, flags: send_digests(app, s, flags)) if notify else None,
    )[0]


@pytest.mark.smoke
def test_one_digest_per_organisation_with_its_new_flags_and_links(app, session, smtp_server, two_organisations):
    run = _run(app, session, date(2021, 1, 1))
    assert run.notifications_sent == 2
    received = {m["To"]: m for m in smtp_server.messages}
    assert set(received) == {"politie@example.nl", "om@example.nl"}  # VWS has no new flags; readers get no mail
    politie = received["politie@example.nl"].get_payload(decode=True).decode()
    assert "Titel: Webcrawler" in politie and "Titel: Training" in politie
    assert "https://mm.example.nl/maatregelen/LATE-1#kop-signaleringen" in politie
    assert "- LATE-1 | niveau laag | Deadline verstreken (laag)" in politie
    om = received["om@example.nl"].get_payload(decode=True).decode()
    assert "LATE-1" in om and "LATE-2" not in om
    assert received["om@example.nl"]["Subject"] == "Maatregelmonitor: nieuwe signaleringen voor OM"


@pytest.mark.postgres  # what is new comes from persisted flags
def test_no_mail_when_nothing_new(app, session, smtp_server, two_organisations):
    _run(app, session, date(2021, 1, 1))
    count = len(smtp_server.messages)
    run = _run(app, session, date(2021, 1, 2))
    assert run.notifications_sent == 0 and len(smtp_server.messages) == count


def test_unreachable_smtp_is_logged_and_the_run_still_succeeds(app, session, two_organisations, caplog):
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
    run = _run(app, session, date(2021, 1, 1))
    assert run.status == "geslaagd" and run.notifications_sent == 0
    assert "niet verstuurd" in caplog.text


def test_development_outbox(app, session, two_organisations, tmp_path):
    app.config.update(MAIL_BACKEND="outbox", MAIL_OUTBOX=str(tmp_path))
    _run(app, session, date(2021, 1, 1))
    files = sorted(tmp_path.glob("*.eml"))
    assert len(files) == 2
    parsed = email.message_from_bytes(files[0].read_bytes())
    assert parsed["Subject"].startswith("Maatregelmonitor: nieuwe signaleringen voor")


@pytest.mark.postgres  # persisted flags, in their one order
def test_digest_has_one_row_per_measure_with_short_reasons_and_no_quoted_notes(
    app, session, smtp_server, two_organisations
):

    late = session.exec(select(Measure).where(Measure.code == "LATE-1")).one()
    services.record_status(
        session=session,
        measure=late,
        status_code="in_uitvoering",
        as_of=date(2019, 6, 1),
        note="Regel een\n\nBELANGRIJK van de beheerder: log in op https://phish.example",
        recorded_by="t",
        now=NOW,
    )
    late.title = "Webcrawler\n\nBELANGRIJK van de beheerder: log in op https://phish.example"
    session.add(late)
    session.commit()
    _run(app, session, date(2021, 1, 1))
    politie = next(
        email.message_from_bytes(m.as_bytes()).get_payload(decode=True).decode()
        for m in smtp_server.messages
        if m["To"] == "politie@example.nl"
    )
    rows = [line for line in politie.splitlines() if line.startswith("- LATE-")]
    # One row per measure, not one per rule; the level and the reasons as short labels.
    assert [row.split(" | ")[0] for row in rows] == ["- LATE-1", "- LATE-2"]
    assert "niveau laag" in rows[0] and "Deadline verstreken (laag)" in rows[0]
    assert "monitoringgat" in rows[0]
    # What people typed stays on the measure page: no note, no paragraph of theirs in our mail.
    assert not [line for line in politie.splitlines() if line.startswith("BELANGRIJK")]
    assert "Titel: Webcrawler BELANGRIJK van de beheerder" in politie  # collapsed to one line
    assert "Regel een" not in politie
    assert "/controles/regels" in politie
