"""Digest e-mail per organisation about its new flags: over SMTP, or to an outbox folder."""

import logging
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import Flask
from sqlmodel import Session, select

from measures.checks.rules import LEVEL_LABELS, RULE_LABELS, SILENCE_FACT_LABELS, is_stalled
from measures.core.permissions import Action, roles_that_may
from measures.register.queries import open_signals
from models import Flag, MeasureCoOwner, Organisation, User

log = logging.getLogger(__name__)


def _one_line(text: str, limit: int = 160) -> str:
    """Collapse user text to one line: a title in a mail cannot pose as a paragraph of ours."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def digests(session: Session, flags: list[Flag], base_url: str) -> dict[int, tuple[Organisation, list[str], str]]:
    """Return per organisation: (organisation, recipient addresses, plain-text digest).

    One row per measure with a new flag, in the one order of the checks: its level and its reasons
    as short labels. The explanations, which quote what people recorded, stay on the measure's page.
    """
    signals = open_signals(session, sorted({f.measure_id for f in flags}))
    owners: dict[int, set[int]] = {}
    for signal in signals:
        if signal.measure.lead_organisation_id:
            owners.setdefault(signal.measure_id, set()).add(signal.measure.lead_organisation_id)
    for link in session.exec(
        select(MeasureCoOwner).where(MeasureCoOwner.measure_id.in_([s.measure_id for s in signals]))
    ).all():
        owners.setdefault(link.measure_id, set()).add(link.organisation_id)
    per_org: dict[int, list] = {}
    for signal in signals:  # already in the one order
        for org_id in owners.get(signal.measure_id, ()):
            per_org.setdefault(org_id, []).append(signal)
    base = base_url.rstrip("/")
    result = {}
    for org_id, org_signals in per_org.items():
        organisation = session.get(Organisation, org_id)
        recipients = session.exec(
            select(User.email).where(
                User.organisation_id == org_id,
                User.active.is_(True),
                # Those who may acknowledge the flags: the digest asks them to.
                User.role.in_(sorted(roles_that_may(Action.ACKNOWLEDGE_FLAG))),
            )
        ).all()
        if not recipients:
            continue
        stalled = [s for s in org_signals if is_stalled(s.level)]
        silent = [s for s in org_signals if not is_stalled(s.level)]
        lines = [f"Nieuwe signaleringen voor {organisation.name} ({organisation.abbreviation}).", ""]
        if stalled:
            lines += ["Aanwijzingen dat maatregelen vastlopen, de sterkste eerst:", ""]
            for signal in stalled:
                reasons = ", ".join(f"{RULE_LABELS[f.rule]} ({LEVEL_LABELS[f.rule_severity]})" for f in signal.stall)
                gaps = ", ".join(SILENCE_FACT_LABELS[fact] for fact in signal.silence_facts)
                lines += [
                    f"- {signal.measure_code} | niveau {signal.level_label} | {reasons}"
                    + (f" | monitoringgat: {gaps}" if gaps else ""),
                    f"  Titel: {_one_line(signal.measure.title)}",
                    f"  {base}/maatregelen/{signal.measure_code}#kop-signaleringen",
                    "",
                ]
        if silent:
            lines += [
                f"Monitoringgat (geen aanwijzing dat ze vastlopen, maar het register weet te weinig): {len(silent)} maatregel(en):",
                "",
            ]
            for signal in silent:
                gaps = ", ".join(SILENCE_FACT_LABELS[fact] for fact in signal.silence_facts)
                lines.append(f"- {signal.measure_code}: {gaps}")
            lines.append("")
        lines += [
            "De volledige toelichting staat op de pagina van elke maatregel. Reageer op een signalering door haar",
            "daar te bevestigen met een toelichting. Hoe de controles werken: " + f"{base}/controles/regels",
        ]
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
