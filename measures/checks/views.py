"""The checks' pages: how the rules work, the runs, and acknowledging a flag."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlmodel import select

from measures.checks import services
from measures.checks.forms import AcknowledgeFlagForm
from measures.checks.rules import LEVEL_LABELS, RULE_LABELS, RULES, SILENCE_FACT_LABELS, Thresholds
from measures.core import clock
from measures.core.permissions import Action, authorise
from measures.register.services import ServiceError
from models import CheckRun, Flag, Measure
from models.db import get_session

bp = Blueprint("checks", __name__)


@bp.app_context_processor
def labels() -> dict:
    """The checks' words, wherever flags are shown: rule names, levels and silence facts."""
    return {"rule_labels": RULE_LABELS, "severity_labels": LEVEL_LABELS, "silence_fact_labels": SILENCE_FACT_LABELS}


@bp.get("/controles/regels")
def check_rules():
    thresholds = Thresholds.from_config(current_app.config)
    return render_template("checks/rules.html", rules=RULES, t=thresholds)


@bp.get("/controles")
@login_required
def check_runs():
    runs = get_session().exec(select(CheckRun).order_by(CheckRun.started_at.desc()).limit(100)).all()
    return render_template("checks/runs.html", runs=runs)


@bp.post("/signaleringen/<id:flag_id>/bevestigen")
@login_required
def acknowledge_flag(flag_id: int):
    db = get_session()
    flag = db.get(Flag, flag_id)
    if flag is None:
        abort(404)
    measure = db.get(Measure, flag.measure_id)
    authorise(Action.ACKNOWLEDGE_FLAG, measure)
    form = AcknowledgeFlagForm(prefix=f"flag{flag.id}")
    if form.validate_on_submit():
        try:
            services.acknowledge_flag(
                session=db,
                flag=flag,
                note=form.note.data,
                acknowledged_by=current_user.label,
                acknowledged_by_id=current_user.id,
                now=clock.now(),
            )
            db.commit()
            flash(_("De signalering is bevestigd."), "success")
            return redirect(url_for("measures.measure_detail", code=measure.code) + "#kop-signaleringen")
        except ServiceError as error:
            db.rollback()
            form.note.errors = [str(error)]
    flash(
        _("Niet bevestigd: %(error)s", error=" ".join(str(e) for errors in form.errors.values() for e in errors)),
        "error",
    )
    return redirect(url_for("measures.measure_detail", code=measure.code) + f"#signalering-{flag.id}", code=303)
