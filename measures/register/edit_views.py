"""The write views: status updates, deadline changes, edits, new measures, bulk import and export.

Each one checks login, role and (for per-measure actions) ownership, carries a CSRF token through
Flask-WTF, and refuses a stale version instead of overwriting.
"""

from decimal import Decimal

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlmodel import select

from measures.core import clock, spreadsheets
from measures.core.permissions import Action, authorise, require
from measures.register import bulk, indicators, queries, services
from measures.register.forms import (
    DeadlineForm,
    ImportForm,
    IndicatorForm,
    IndicatorRetirementForm,
    MeasureFilterForm,
    MeasureForm,
    MeasurementForm,
    NewMeasureForm,
    StatusUpdateForm,
)
from measures.sources import services as source_services
from models import Indicator, Measure, Organisation, SourceDocument, Status
from models.db import get_session

bp = Blueprint("edit", __name__)


def _measure_or_404(code: str) -> Measure:
    measure = get_session().exec(select(Measure).where(Measure.code == code)).first()
    if measure is None:
        abort(404)
    return measure


def _conflict(form, error: services.EditConflict) -> list[services.Change]:
    """Show what the other person changed, and let this user save again on top of it."""
    form.version.data = str(error.measure.version)
    form.form_errors.append(str(error))
    return error.changes


def _status(form, conflict) -> int:
    """A form page's status: 409 after a stale version, 400 with errors, 200 otherwise."""
    return 409 if conflict is not None else (400 if form.errors or form.form_errors else 200)


class _Write:
    """A versioned write from a form, as a `with` block: committed when the block ends; on a stale
    version rolled back, with what the other person changed kept to show (`conflict`); on a refusal
    rolled back, with its Dutch message on `field` (or the form as a whole)."""

    def __init__(self, db, form, field=None):
        self.db, self.form, self.field = db, form, field
        self.saved, self.conflict = False, None

    def __enter__(self) -> "_Write":
        return self

    def __exit__(self, kind, error, _traceback) -> bool:
        if error is None:
            self.db.commit()
            self.saved = True
            return False
        if not isinstance(error, services.ServiceError):
            return False
        self.db.rollback()
        if isinstance(error, services.EditConflict):
            self.conflict = _conflict(self.form, error)
        elif self.field is None:
            self.form.form_errors.append(str(error))
        else:
            self.field.errors = [*self.field.errors, str(error)]
        return True


def _quote_in_text(db, form, documents) -> bool:
    """A quote names its document, and is in that document's stored text where the register has it."""
    return _quote_error(db, form.evidence_quote.data, form.evidence_document.data, documents, form.evidence_quote)


@bp.route("/maatregelen/<code>/status", methods=["GET", "POST"])
@login_required
def record_status(code: str):
    db = get_session()
    measure = _measure_or_404(code)
    authorise(Action.RECORD_STATUS, measure)
    statuses = db.exec(select(Status).order_by(Status.position)).all()
    documents = db.exec(select(SourceDocument).order_by(SourceDocument.date.desc())).all()
    current = db.get(Status, measure.status_code)
    form = StatusUpdateForm(statuses, documents, current_status=current)
    proposal = source_services.open_proposal(db, request.values.get("voorstel") or form.proposal.data, measure)
    if request.method == "GET":
        form.version.data = str(measure.version)
        form.as_of.data = clock.today()
        if proposal is not None:
            source_services.fill_from_proposal(db, form, proposal, today=clock.today())
    conflict = None
    if form.validate_on_submit() and _quote_in_text(db, form, documents):
        document_ids = {d.key: d.id for d in documents}
        with _Write(db, form, form.as_of) as write:
            update = services.record_status(
                session=db,
                measure=measure,
                status_code=form.status.data,
                as_of=form.as_of.data,
                note=form.note.data or "",
                evidence_document_id=document_ids.get(form.evidence_document.data),
                evidence_url=form.evidence_url.data or None,
                evidence_quote=(form.evidence_quote.data or "").strip() or None,
                reports_problem=bool(form.reports_problem.data),
                recorded_by=current_user.label,
                recorded_by_id=current_user.id,
                now=clock.now(),
                expected_version=form.expected_version(),
            )
            if proposal is not None:
                source_services.decide(db, proposal, "aanvaard", by=current_user.label, now=clock.now(), update=update)
        if write.saved:
            flash(_("De status is vastgelegd."), "success")
            return redirect(url_for("measures.measure_detail", code=measure.code) + "#kop-tijdlijn")
        conflict = write.conflict
    status_code = _status(form, conflict)
    return render_template(
        "edit/status.html", form=form, measure=measure, current=current, conflict=conflict
    ), status_code


def _quote_error(db, quote: str, document_key: str, documents, field) -> bool:
    """Like _quote_in_text, for any quote field and its document select."""
    quote = (quote or "").strip()
    if not quote:
        return True
    document = next((d for d in documents if d.key == document_key), None)
    if document is None:
        field.errors = [_("Kies bij een citaat het brondocument waaruit het komt.")]
        return False
    error = source_services.quote_error(db, quote, document)
    if error:
        field.errors = [error]
        return False
    return True


@bp.route("/maatregelen/<code>/metingen/nieuw", methods=["GET", "POST"])
@login_required
def record_measurement(code: str):
    """Record a measurement of one of the measure's indicators: dated, with its evidence, under the
    measure's version like a status update."""
    db = get_session()
    measure = _measure_or_404(code)
    authorise(Action.RECORD_MEASUREMENT, measure)
    own = db.exec(select(Indicator).where(Indicator.measure_id == measure.id).order_by(Indicator.id)).all()
    if not own:
        flash(_("Deze maatregel heeft nog geen indicator: voeg er eerst een toe."), "warning")
        return redirect(url_for("edit.add_indicator", code=measure.code))
    documents = db.exec(select(SourceDocument).order_by(SourceDocument.date.desc())).all()
    form = MeasurementForm(own, documents)
    if request.method == "GET":
        form.version.data = str(measure.version)
        form.measured_on.data = clock.today()
        form.indicator.data = request.args.get("indicator", "") if len(own) > 1 else own[0].code
    conflict = None
    if form.validate_on_submit() and _quote_error(
        db, form.evidence_quote.data, form.evidence_document.data, documents, form.evidence_quote
    ):
        indicator = next(i for i in own if i.code == form.indicator.data)
        with _Write(db, form, form.measured_on) as write:
            indicators.record_measurement(
                session=db,
                measure=measure,
                indicator=indicator,
                value=form.value.data,
                measured_on=indicators.period_end(form.measured_on.data, form.precision.data),
                measured_precision=form.precision.data,
                note=form.note.data or "",
                evidence_document_id={d.key: d.id for d in documents}.get(form.evidence_document.data),
                evidence_url=form.evidence_url.data or None,
                evidence_quote=(form.evidence_quote.data or "").strip() or None,
                recorded_by=current_user.label,
                recorded_by_id=current_user.id,
                now=clock.now(),
                expected_version=form.expected_version(),
            )
        if write.saved:
            flash(_("De meting is vastgelegd."), "success")
            return redirect(url_for("measures.measure_detail", code=measure.code) + "#kop-indicatoren")
        conflict = write.conflict
    status_code = _status(form, conflict)
    return render_template("edit/measurement.html", form=form, measure=measure, conflict=conflict), status_code


@bp.route("/maatregelen/<code>/indicatoren/nieuw", methods=["GET", "POST"])
@login_required
def add_indicator(code: str):
    """Add an indicator: what is counted, from which baseline to which target, on which basis."""
    db = get_session()
    measure = _measure_or_404(code)
    authorise(Action.ADD_INDICATOR, measure)
    documents = db.exec(select(SourceDocument).order_by(SourceDocument.date.desc())).all()
    form = IndicatorForm(documents)
    if request.method == "GET":
        form.version.data = str(measure.version)
    conflict = None
    if (
        form.validate_on_submit()
        and _quote_error(db, form.basis.data, form.basis_document.data, documents, form.basis)
        and _quote_error(db, form.baseline_basis.data, form.baseline_document.data, documents, form.baseline_basis)
    ):
        ids = {d.key: d.id for d in documents}
        with _Write(db, form, form.name) as write:
            indicator = indicators.add_indicator(
                session=db,
                measure=measure,
                name=form.name.data,
                unit=form.unit.data,
                direction=form.direction.data,
                target_value=form.target_value.data,
                target_on=indicators.period_end(form.target_on.data, form.target_precision.data),
                target_precision=form.target_precision.data,
                basis=form.basis.data or "",
                basis_document_id=ids.get(form.basis_document.data) if (form.basis.data or "").strip() else None,
                baseline_value=form.baseline_value.data,
                baseline_on=indicators.period_end(form.baseline_on.data, form.baseline_precision.data),
                baseline_precision=form.baseline_precision.data,
                baseline_basis=form.baseline_basis.data or "",
                baseline_document_id=ids.get(form.baseline_document.data)
                if (form.baseline_basis.data or "").strip()
                else None,
                recorded_by=current_user.label,
                recorded_by_id=current_user.id,
                now=clock.now(),
                expected_version=form.expected_version(),
            )
        if write.saved:
            flash(_("De indicator %(code)s is toegevoegd.", code=indicator.code), "success")
            return redirect(url_for("measures.measure_detail", code=measure.code) + "#kop-indicatoren")
        conflict = write.conflict
    status_code = _status(form, conflict)
    return render_template("edit/indicator.html", form=form, measure=measure, conflict=conflict), status_code


@bp.route("/maatregelen/<code>/indicatoren/<indicator_code>/intrekken", methods=["GET", "POST"])
@login_required
def retire_indicator(code: str, indicator_code: str):
    """Withdraw an indicator (a wrong target, or one replaced): appended, with its reason."""
    db = get_session()
    measure = _measure_or_404(code)
    authorise(Action.ADD_INDICATOR, measure)
    indicator = db.exec(
        select(Indicator).where(Indicator.code == indicator_code, Indicator.measure_id == measure.id)
    ).first()
    if indicator is None:
        abort(404)
    form = IndicatorRetirementForm()
    if request.method == "GET":
        form.version.data = str(measure.version)
        form.retired_on.data = clock.today()
    conflict = None
    if form.validate_on_submit():
        with _Write(db, form, form.retired_on) as write:
            indicators.retire_indicator(
                session=db,
                measure=measure,
                indicator=indicator,
                reason=form.reason.data,
                retired_on=form.retired_on.data,
                recorded_by=current_user.label,
                recorded_by_id=current_user.id,
                now=clock.now(),
                expected_version=form.expected_version(),
            )
        if write.saved:
            flash(_("De indicator %(code)s is ingetrokken.", code=indicator.code), "success")
            return redirect(url_for("measures.measure_detail", code=measure.code) + "#kop-indicatoren")
        conflict = write.conflict
    status_code = _status(form, conflict)
    return render_template(
        "edit/retire_indicator.html", form=form, measure=measure, indicator=indicator, conflict=conflict
    ), status_code


@bp.route("/maatregelen/<code>/deadline", methods=["GET", "POST"])
@login_required
def change_deadline(code: str):
    db = get_session()
    measure = _measure_or_404(code)
    authorise(Action.CHANGE_DEADLINE, measure)
    form = DeadlineForm()
    if request.method == "GET":
        form.version.data = str(measure.version)
        form.new_deadline.data = measure.deadline
    conflict = None
    if form.validate_on_submit():
        with _Write(db, form, form.reason) as write:
            services.change_deadline(
                session=db,
                measure=measure,
                new_deadline=form.new_deadline.data,
                basis=form.basis.data or "",
                reason=form.reason.data,
                decided_on=clock.today(),
                recorded_by=current_user.label,
                recorded_by_id=current_user.id,
                now=clock.now(),
                expected_version=form.expected_version(),
            )
        if write.saved:
            flash(_("De deadline is gewijzigd."), "success")
            return redirect(url_for("measures.measure_detail", code=measure.code) + "#kop-deadlines")
        conflict = write.conflict
    status_code = _status(form, conflict)
    return render_template("edit/deadline.html", form=form, measure=measure, conflict=conflict), status_code


def _measure_form_choices():
    db = get_session()
    organisations = db.exec(select(Organisation).order_by(Organisation.abbreviation)).all()
    return organisations, queries.vocabulary(db)["schemes"]


def _content_from(form) -> services.MeasureInput:
    budget = [
        services.BudgetInput(
            amount=line.amount.data,
            kind=line.kind.data,
            per=line.per.data,
            from_year=line.from_year.data,
            to_year=line.to_year.data,
            funding=(line.funding.data or "").strip() or "onbekend",
        )
        for line in form.budget
        if line.amount.data is not None
    ]
    return services.MeasureInput(
        title=form.title.data.strip(),
        description=(form.description.data or "").strip(),
        lead=form.lead.data or None,
        co_owners=list(form.co_owners.data or []),
        themes=list(form.themes.data or []),
        budget=budget,
    )


@bp.route("/maatregelen/<code>/bewerken", methods=["GET", "POST"])
@login_required
def edit_measure(code: str):
    db = get_session()
    measure = _measure_or_404(code)
    authorise(Action.EDIT_MEASURE, measure)
    organisations, schemes = _measure_form_choices()
    form = MeasureForm(organisations, schemes)
    current = services.measure_fields(db, measure)
    if request.method == "GET":
        form.version.data = str(measure.version)
        form.title.data = current["title"]
        form.description.data = current["description"]
        form.lead.data = current["lead"] or ""
        form.co_owners.data = current["co_owners"]
        form.themes.data = current["themes"]
        while len(form.budget) < len(current["budget"]) + 1:
            form.budget.append_entry()
        for entry, line in zip(form.budget, current["budget"], strict=False):
            entry.form.amount.data = Decimal(line["amount"])
            entry.form.kind.data, entry.form.per.data = line["kind"], line["per"]
            entry.form.from_year.data, entry.form.to_year.data = line["from_year"], line["to_year"]
            entry.form.funding.data = line["funding"]
    conflict = None
    if form.validate_on_submit():
        content = _content_from(form)
        # Quotes of budget lines come from the catalogue; keep them for lines that did not change.
        quotes = {(b["amount"], b["kind"], b["per"], b["from_year"]): b["quote"] for b in current["budget"]}
        for line in content.budget:
            key = (line.as_dict()["amount"], line.kind, line.per, line.from_year)
            line.quote = quotes.get(key, "")
        content.source_section, content.source_quote = current["source_section"], current["source_quote"]
        with _Write(db, form, None) as write:
            records = services.edit_measure(
                session=db,
                measure=measure,
                content=content,
                changed_by=current_user.label,
                changed_by_id=current_user.id,
                now=clock.now(),
                expected_version=form.expected_version(),
            )
        if write.saved:
            flash(
                _("%(num)d veld(en) gewijzigd.", num=len(records)) if records else _("Er was niets gewijzigd."),
                "success",
            )
            return redirect(url_for("measures.measure_detail", code=measure.code))
        conflict = write.conflict
    status_code = _status(form, conflict)
    return render_template(
        "edit/measure.html", form=form, measure=measure, schemes=schemes, conflict=conflict
    ), status_code


@bp.route("/maatregelen/nieuw", methods=["GET", "POST"])
@require(Action.CREATE_MEASURE)
def new_measure():
    db = get_session()
    organisations, schemes = _measure_form_choices()
    documents = db.exec(select(SourceDocument).order_by(SourceDocument.date.desc())).all()
    form = NewMeasureForm(organisations, schemes, documents)
    if form.validate_on_submit():
        document = next((d for d in documents if d.key == form.source_document.data), None)
        content = _content_from(form)
        content.source_section = (form.source_section.data or "").strip()
        content.source_quote = (form.source_quote.data or "").strip()
        try:
            measure = services.create_measure(
                session=db,
                code=form.code.data,
                content=content,
                announcement="nieuw",
                announced_on=clock.today(),
                source_document_id=document.id if document else None,
                recorded_by=current_user.label,
                now=clock.now(),
            )
            db.commit()
            flash(_("Maatregel %(code)s is aangemaakt.", code=measure.code), "success")
            return redirect(url_for("measures.measure_detail", code=measure.code))
        except services.ServiceError as error:
            db.rollback()
            form.code.errors = list(form.code.errors) + [str(error)]
    status_code = 400 if form.errors else 200
    return render_template("edit/new_measure.html", form=form, schemes=schemes), status_code


@bp.get("/maatregelen/export.<fmt>")
def export_list(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    db = get_session()
    form = MeasureFilterForm(queries.vocabulary(db), formdata=request.args)
    if not form.validate():
        abort(400)
    rows = bulk.list_rows(db, form.to_filter(), today=clock.today())
    filename = f"maatregelen-{clock.now():%Y%m%d}.{fmt}"
    if fmt == "csv":
        return spreadsheets.csv_download(bulk.LIST_COLUMNS, rows, filename)
    return spreadsheets.xlsx_download(bulk.xlsx_sheets(rows), filename)


@bp.route("/maatregelen/import", methods=["GET", "POST"])
@require(Action.IMPORT_STATUSES)
def import_statuses():
    db = get_session()
    form = ImportForm()
    result = None
    file_error = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            limit = current_app.config["MAX_IMPORT_BYTES"]
            # One byte more than the limit shows that a file is too large: it is refused whole, never cut.
            rows = bulk.read_rows(upload.filename or "", upload.read(limit + 1), max_bytes=limit)
            result = bulk.import_statuses(session=db, rows=rows, user=current_user, now=clock.now())
        except bulk.ImportFileError as error:
            file_error = str(error)
        if result is not None and result.ok:
            db.commit()
            flash(
                _(
                    "Import geslaagd: %(n)d statusupdates vastgelegd, %(u)d rijen ongewijzigd.",
                    n=len(result.recorded),
                    u=len(result.unchanged),
                ),
                "success",
            )
            return redirect(url_for("edit.import_statuses"))
        db.rollback()
        if file_error:
            form.file.errors = list(form.file.errors) + [file_error]
    failed = bool(form.errors) or (result is not None and not result.ok)
    return render_template("edit/import.html", form=form, result=result), (400 if failed else 200)


@bp.get("/mijn-maatregelen")
@login_required
def my_measures():
    db = get_session()
    items = queries.my_measures(db, current_user, today=clock.today())
    organisation = db.get(Organisation, current_user.organisation_id) if current_user.organisation_id else None
    return render_template("edit/my_measures.html", items=items, organisation=organisation)
