"""HTTP views of the register: thin, they call the queries and services."""

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlmodel import select

from measures import queries
from measures.checks import RULE_LABELS
from measures.forms import AcknowledgeFlagForm, MeasureFilterForm
from measures.permissions import Action, can, measure_actions
from measures.services import now_utc
from models import SourceDocument
from models.db import get_session
from models.document import DOCUMENT_KINDS
from models.flag import SEVERITY_LABELS
from models.measure import ANNOUNCEMENTS, BUDGET_KINDS, BUDGET_PER

bp = Blueprint("measures", __name__)

FIELD_LABELS = {
    "title": _l("Titel"),
    "description": _l("Beschrijving"),
    "lead": _l("Trekker"),
    "co_owners": _l("Mede-eigenaren"),
    "themes": _l("Thema's"),
    "budget": _l("Budget"),
    "source_section": _l("Vindplaats in de bron"),
    "source_quote": _l("Citaat"),
}


@bp.app_context_processor
def labels() -> dict:
    return {
        "today": now_utc().date(),
        "budget_per": BUDGET_PER,
        "budget_kinds": BUDGET_KINDS,
        "field_labels": FIELD_LABELS,
        "document_kinds": DOCUMENT_KINDS,
        "Action": Action,
        "rule_labels": RULE_LABELS,
        "severity_labels": SEVERITY_LABELS,
        "user_can": lambda action: can(get_session(), current_user, action),
    }


@bp.before_request
def require_login_unless_public():
    if not current_app.config["PUBLIC_READ"] and not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None


@bp.get("/")
def overview():
    session = get_session()
    return render_template("measures/overview.html", data=queries.overview(session), flags=queries.flag_counts(session))


@bp.get("/maatregelen")
def measure_list():
    session = get_session()
    vocabulary = queries.vocabulary(session)
    form = MeasureFilterForm(vocabulary, formdata=request.args)
    page = None
    if form.validate():
        flt = form.to_filter()
        page = queries.list_measures(session, flt, today=now_utc().date(), page_size=current_app.config["PAGE_SIZE"])
    return render_template("measures/list.html", form=form, page=page, vocabulary=vocabulary)


@bp.get("/maatregelen/<code>")
def measure_detail(code: str):
    data = queries.measure_detail(get_session(), code)
    if data is None:
        abort(404)
    announcement_label = ANNOUNCEMENTS.get(data["measure"].announcement, data["measure"].announcement)
    actions = measure_actions(get_session(), current_user, data["measure"])
    flags = queries.flags_for_measure(get_session(), data["measure"].id)
    ack_forms = {
        item["flag"].id: AcknowledgeFlagForm(prefix=f"flag{item['flag'].id}", formdata=None) for item in flags["open"]
    }
    return render_template(
        "measures/detail.html",
        announcement_label=announcement_label,
        actions=actions,
        flags=flags,
        ack_forms=ack_forms,
        **data,
    )


@bp.get("/documenten")
def document_list():
    documents = get_session().exec(select(SourceDocument).order_by(SourceDocument.date)).all()
    return render_template("measures/documents.html", documents=documents)


@bp.get("/documenten/<key>")
def document_detail(key: str):
    data = queries.document_detail(get_session(), key)
    if data is None:
        abort(404)
    return render_template("measures/document.html", **data)
