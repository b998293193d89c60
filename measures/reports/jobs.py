"""The report queue: jobs are claimed in the database, one rendering at a time across all workers."""

import logging
import threading
from datetime import date, datetime, timedelta

from flask import Flask
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from measures.core import clock
from measures.register.services import ServiceError
from measures.reports import build as reports
from models import ReportJob
from models.db import session_scope

log = logging.getLogger(__name__)

OPEN = ("wachtend", "bezig")
MAX_OPEN_PER_USER = 2
# A job that has not reported progress for this long lost its worker (killed, restarted).
STALE_AFTER = timedelta(minutes=15)
# What users read when a job fails; the detail goes to the log only.
FAILED_MESSAGE = "Er ging iets mis bij het maken van de editie. De fout is vastgelegd; probeer het later opnieuw."
STALE_MESSAGE = "De verwerking is onderbroken (de server is herstart). Start de editie opnieuw."


def enqueue(
    session: Session, *, as_of: date, since: date | None, scheme: str, requested_by: str, now: datetime
) -> ReportJob:
    """Add a job to the queue, at most MAX_OPEN_PER_USER open ones per user; the caller commits."""
    open_jobs = session.exec(
        select(func.count())
        .select_from(ReportJob)
        .where(ReportJob.requested_by == requested_by, ReportJob.status.in_(OPEN))
    ).one()
    if open_jobs >= MAX_OPEN_PER_USER:
        raise ServiceError(
            f"U heeft al {open_jobs} editie(s) in de wachtrij. Wacht tot die klaar zijn voordat u er een start."
        )
    job = ReportJob(as_of=as_of, since=since, scheme=scheme, requested_by=requested_by, created_at=now)
    session.add(job)
    session.flush()
    return job


def recover_stale(session: Session, now: datetime, stale_after: timedelta = STALE_AFTER) -> int:
    """Fail the jobs whose worker stopped reporting, and free the queue; return how many."""
    result = session.execute(
        update(ReportJob)
        .where(ReportJob.status == "bezig", ReportJob.updated_at < now - stale_after)
        .values(status="mislukt", running=None, message=STALE_MESSAGE, updated_at=now)
    )
    session.flush()
    if result.rowcount:
        log.warning("%d rapportage-opdracht(en) zonder voortgang als mislukt gemarkeerd", result.rowcount)
    return result.rowcount


def claim_next(app: Flask, now: datetime) -> int | None:
    """Claim the oldest waiting job for this worker; None when the queue is empty or another worker renders."""
    with session_scope(app) as session:
        recover_stale(session, now, app.config.get("REPORT_STALE_AFTER", STALE_AFTER))
    try:
        with session_scope(app) as session:
            job_id = session.exec(
                select(ReportJob.id).where(ReportJob.status == "wachtend").order_by(ReportJob.id).limit(1)
            ).first()
            if job_id is None:
                return None
            claimed = session.execute(
                update(ReportJob)
                .where(ReportJob.id == job_id, ReportJob.status == "wachtend")
                .values(status="bezig", running=True, progress=1, message="Gestart", updated_at=now)
            )
            return job_id if claimed.rowcount == 1 else None
    except IntegrityError:
        return None  # another worker holds the queue; it takes the next job when it is done


def _update(app: Flask, job_id: int, **values) -> None:
    with session_scope(app) as session:
        session.execute(update(ReportJob).where(ReportJob.id == job_id).values(**values, updated_at=clock.now()))


def run_queue(app: Flask) -> None:
    """Render waiting jobs one by one until the queue is empty or held by another worker."""
    while (job_id := claim_next(app, clock.now())) is not None:
        with app.app_context(), session_scope(app) as session:
            job = session.get(ReportJob, job_id)
            as_of, since, scheme, who = job.as_of, job.since, job.scheme, job.requested_by
        try:
            _pdf, _snapshot, edition = reports.produce(
                app,
                as_of=as_of,
                since=since,
                scheme=scheme,
                generated_by=who,
                save=True,
                progress=lambda percent, message, job_id=job_id: _update(
                    app, job_id, progress=percent, message=message
                ),
            )
            _update(app, job_id, status="klaar", progress=100, message="Klaar", edition_id=edition.id, running=None)
        except Exception:
            log.exception("Rapportage-opdracht %s mislukt", job_id)
            _update(app, job_id, status="mislukt", message=FAILED_MESSAGE, running=None)


def kick(app: Flask) -> None:
    """Let this worker work through the queue, in the background (or at once with REPORT_SYNC)."""
    if app.config.get("REPORT_SYNC"):
        run_queue(app)
    else:
        threading.Thread(target=run_queue, args=(app,), name="rapportage-wachtrij", daemon=True).start()
