"""Digest e-mail per organisation about its new flags: over SMTP, or to an outbox folder."""

import logging
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import Flask
from sqlmodel import Session, or_, select

from measures.checks import RULE_LABELS
from models import Flag, Measure, MeasureCoOwner, Organisation, User
from models.flag import SEVERITY_LABELS

log = logging.getLogger(__name__)


def digests(session: Session, flags: list[Flag], base_url: str) -> dict[int, tuple[Organisation, list[str], str]]:
    """Return per organisation: (organisation, recipient addresses, plain-text digest)."""
    measures = {
        m.id: m for m in session.exec(select(Measure).where(Measure.id.in_({f.measure_id for f in flags}))).all()
    }
    owners: dict[int, set[int]] = {}
    for m in measures.values():
        if m.lead_organisation_id:
            owners.setdefault(m.id, set()).add(m.lead_organisation_id)
    for link in session.exec(select(MeasureCoOwner).where(MeasureCoOwner.measure_id.in_(measures))).all():
        owners.setdefault(link.measure_id, set()).add(link.organisation_id)
    per_org: dict[int, list[Flag]] = {}
    for flag in flags:
        for org_id in owners.get(flag.measure_id, ()):
            per_org.setdefault(org_id, []).append(flag)
    result = {}
    for org_id, org_flags in per_org.items():
        organisation = session.get(Organisation, org_id)
        recipients = session.exec(
            select(User.email).where(
                User.organisation_id == org_id,
                User.active.is_(True),
                or_(User.role == "coordinator", User.role == "programmacoordinator"),
            )
        ).all()
        if not recipients:
            continue
        lines = [
            f"Nieuwe signaleringen voor {organisation.name} ({organisation.abbreviation}):",
            "",
        ]
        for flag in sorted(org_flags, key=lambda f: (-f.severity, measures[f.measure_id].code)):
            m = measures[flag.measure_id]
            lines += [
                f"- {m.code} {m.title}",
                f"  {RULE_LABELS.get(flag.rule, flag.rule)} (ernst: {SEVERITY_LABELS[flag.severity]}): {flag.explanation}",
                f"  {base_url.rstrip('/')}/maatregelen/{m.code}#kop-signaleringen",
                "",
            ]
        lines.append("Reageer op een signalering door haar op de maatregelpagina te bevestigen met een toelichting.")
        result[org_id] = (organisation, sorted(recipients), "\n".join(lines))
    return result


def send_digests(app: Flask, session: Session, flags: list[Flag]) -> int:
    """Send one digest per organisation; return how many went out. A failed send is logged."""
    sent = 0
    for organisation, recipients, body in digests(session, flags, app.config["BASE_URL"]).values():
        message = EmailMessage()
        message["Subject"] = f"Maatregelmonitor: nieuwe signaleringen voor {organisation.abbreviation}"
        message["From"] = app.config["MAIL_FROM"]
        message["To"] = ", ".join(recipients)
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain="maatregelmonitor")
        message.set_content(body)
        try:
            deliver(app, message)
            sent += 1
        except (OSError, smtplib.SMTPException):
            log.exception("Digest voor %s niet verstuurd", organisation.abbreviation)
    return sent


def deliver(app: Flask, message: EmailMessage) -> None:
    if app.config["MAIL_BACKEND"] == "smtp":
        with smtplib.SMTP(app.config["MAIL_SERVER"], int(app.config["MAIL_PORT"]), timeout=30) as smtp:
            if app.config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if app.config.get("MAIL_USERNAME"):
                smtp.login(app.config["MAIL_USERNAME"], app.config["MAIL_PASSWORD"])
            smtp.send_message(message)
    else:
        outbox = Path(app.config.get("MAIL_OUTBOX") or Path(app.instance_path) / "outbox")
        outbox.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("@", "_")
        (outbox / f"{name}.eml").write_bytes(bytes(message))
        log.info("E-mail naar %s in %s gezet", message["To"], outbox)
