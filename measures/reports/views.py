"""Report editions: list, generate in the background with progress, download."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlmodel import select

from measures.core import clock
from measures.core.permissions import Action, authorise, can
from measures.register.services import ServiceError
from measures.reports import jobs as report_queue
from measures.reports.forms import ReportForm
from models import ReportEdition, ReportJob
from models.db import get_session

bp = Blueprint("reports", __name__)


@bp.route("/rapportages", methods=["GET", "POST"])
@login_required
def editions():
    db = get_session()
    form = ReportForm()
    status = 200
    if request.method == "GET":
        form.as_of.data = clock.today()
    if request.method == "POST":
        authorise(Action.GENERATE_REPORT)
        if form.validate_on_submit():
            try:
                job = report_queue.enqueue(
                    db,
                    as_of=form.as_of.data,
                    since=form.since.data,
                    scheme=form.scheme.data or "",
                    requested_by=current_user.label,
                    now=clock.now(),
                )
                db.commit()
                report_queue.kick(current_app._get_current_object())
                return redirect(url_for("reports.job", job_id=job.id))
            except ServiceError as error:
                db.rollback()
                form.as_of.errors = list(form.as_of.errors) + [str(error)]
                status = 429
    elif report_queue.recover_stale(db, clock.now()):
        db.commit()
    listing = db.exec(
        select(
            ReportEdition.id,
            ReportEdition.number,
            ReportEdition.as_of,
            ReportEdition.since,
            ReportEdition.generated_at,
            ReportEdition.generated_by,
            ReportEdition.pdf_sha256,
            ReportEdition.snapshot_sha256,
            ReportEdition.pages,
        ).order_by(ReportEdition.number.desc())
    ).all()
    jobs = db.exec(
        select(ReportJob)
        .where(ReportJob.status.in_(["wachtend", "bezig", "mislukt"]))
        .order_by(ReportJob.created_at.desc())
        .limit(5)
    ).all()
    can_generate = can(db, current_user, Action.GENERATE_REPORT)
    return render_template(
        "reports/editions.html", form=form, editions=listing, jobs=jobs, can_generate=can_generate
    ), (status if status != 200 else 400 if form.errors else 200)


@bp.get("/rapportages/taken/<id:job_id>")
@login_required
def job(job_id: int):
    job = get_session().get(ReportJob, job_id)
    if job is None:
        abort(404)
    if job.status == "klaar" and job.edition_id:
        flash(_("Editie gereed."), "success")
        return redirect(url_for("reports.editions") + f"#editie-{job.edition_id}")
    return render_template("reports/job.html", job=job)


def _edition(number: int) -> ReportEdition:
    edition = get_session().exec(select(ReportEdition).where(ReportEdition.number == number)).first()
    if edition is None:
        abort(404)
    return edition


@bp.get("/rapportages/<id:number>.pdf")
@login_required
def download_pdf(number: int):
    edition = _edition(number)
    response = current_app.response_class(edition.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="voortgangsrapportage-editie-{number}-{edition.as_of:%Y%m%d}.pdf"'
    )
    return response


@bp.get("/rapportages/<id:number>.json")
@login_required
def download_snapshot(number: int):
    edition = _edition(number)
    response = current_app.response_class(edition.snapshot, mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="voortgangsrapportage-editie-{number}-gegevens.json"'
    )
    return response
