"""The review of a document's proposals: per measure the passages it proposes, with the words it
matched marked and the status its wording suggests; take one over into the status form (to check and
edit, then save as any status update) or reject it, so that it is not proposed again."""

import json
import re
import secrets
import time
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from sqlmodel import select

from measures.core import clock
from measures.core.permissions import Action, can, require
from measures.sources import extract, metadata, proposals, search, services
from measures.sources.forms import ConfirmForm, UploadForm
from models import DocumentProposal, Measure, ProposalDecision, Recommendation, SourceDocument, Status
from models.db import get_session

bp = Blueprint("sources", __name__)


def marked(passage: str, terms: list[str]) -> Markup:
    """The passage with each matched word in <mark>; everything else escaped."""
    if not terms:
        return escape(passage)
    pattern = re.compile(r"\b(" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + r")\b")
    pieces, last = [], 0
    for match in pattern.finditer(passage):
        pieces += [escape(passage[last : match.start()]), Markup("<mark>"), escape(match[0]), Markup("</mark>")]
        last = match.end()
    pieces.append(escape(passage[last:]))
    return Markup("").join(pieces)


def _document_or_404(key: str) -> SourceDocument:
    document = get_session().exec(select(SourceDocument).where(SourceDocument.key == key)).first()
    if document is None:
        abort(404)
    return document


@bp.get("/documenten/<key>/voorstellen")
@login_required
def review(key: str):
    db = get_session()
    document = _document_or_404(key)
    rows = db.exec(
        select(DocumentProposal, Measure, ProposalDecision)
        .join(Measure, Measure.id == DocumentProposal.measure_id)
        .outerjoin(ProposalDecision, ProposalDecision.proposal_id == DocumentProposal.id)
        .where(DocumentProposal.document_id == document.id)
        .order_by(Measure.code, DocumentProposal.rank)
    ).all()
    # A coordinator reviews their own organisation's measures; a programme coordinator all of them.
    mine = [(p, m, d) for p, m, d in rows if can(db, current_user, Action.RECORD_STATUS, m)]
    groups: dict[str, dict] = {}
    for proposal, measure, decision in mine:
        group = groups.setdefault(measure.code, {"measure": measure, "open": [], "decided": []})
        item = {
            "proposal": proposal,
            "decision": decision,
            "marked": marked(proposal.passage, json.loads(proposal.terms)),
        }
        group["decided" if decision else "open"].append(item)
    recommendations = db.exec(
        select(DocumentProposal, Recommendation)
        .join(Recommendation, Recommendation.id == DocumentProposal.recommendation_id)
        .where(DocumentProposal.document_id == document.id, DocumentProposal.rank == 1)
        .order_by(Recommendation.code)
    ).all()
    return render_template(
        "sources/review.html",
        document=document,
        groups=list(groups.values()),
        recommendations=[
            {"proposal": p, "recommendation": r, "marked": marked(p.passage, json.loads(p.terms))}
            for p, r in recommendations
        ],
        any_proposals=bool(rows),
        statuses=dict(db.exec(select(Status.code, Status.label)).all()),
    )


@bp.post("/documenten/<key>/voorstellen/<int:proposal_id>/afwijzen")
@login_required
def reject(key: str, proposal_id: int):
    db = get_session()
    document = _document_or_404(key)
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    proposal = db.get(DocumentProposal, proposal_id) if 0 < proposal_id < 2**31 else None
    if proposal is None or proposal.document_id != document.id or proposal.measure_id is None:
        abort(404)
    measure = db.get(Measure, proposal.measure_id)
    if not can(db, current_user, Action.RECORD_STATUS, measure):
        abort(403)
    if services.open_proposal(db, proposal.id, measure) is None:
        flash(_("Over dit voorstel is al beslist."), "info")
    else:
        services.decide(db, proposal, "afgewezen", by=current_user.label, now=clock.now())
        db.commit()
        flash(
            _("Het voorstel voor %(code)s is afgewezen en wordt niet opnieuw voorgesteld.", code=measure.code),
            "success",
        )
    return redirect(url_for("sources.review", key=document.key) + f"#voorstellen-{measure.code}")


SEARCH_PAGE = 25


@bp.get("/zoeken")
def search_page():
    query = request.args.get("q", "").strip()
    error = None
    try:
        page = max(1, min(int(request.args.get("page", "1")), 1000))
    except ValueError:
        page = 1
    if len(query) > search.MAX_QUERY:
        error = _("Zoek met hoogstens %(max)d tekens.", max=search.MAX_QUERY)
        query = ""
    hits = search.search(get_session(), query) if query else []
    shown = hits[(page - 1) * SEARCH_PAGE : page * SEARCH_PAGE]
    return render_template(
        "sources/search.html",
        query=query,
        error=error,
        total=len(hits),
        page=page,
        pages=max(1, -(-len(hits) // SEARCH_PAGE)),
        hits=[{"hit": h, "marked": marked(h.passage, list(h.terms))} for h in shown],
    ), (400 if error else 200)


# --- reading a document in on a page -----------------------------------------------------------------
# The file waits between the two steps in the instance folder, under a random name that only the
# signed cookie of the person who uploaded it knows; it is removed when read in, and after a day.

PENDING_HOURS = 24


def _uploads() -> Path:
    folder = Path(current_app.config.get("UPLOAD_DIR") or Path(current_app.instance_path) / "uploads")
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - PENDING_HOURS * 3600
    for old in folder.glob("*.upload"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    return folder


def _pending() -> tuple[Path, str] | None:
    upload = session.get("document_upload")
    if not upload or upload.get("user") != current_user.id or not re.fullmatch(r"[\w-]{43}", upload.get("token", "")):
        return None
    path = _uploads() / f"{upload['token']}.upload"
    return (path, upload["name"]) if path.exists() else None


@bp.route("/documenten/nieuw", methods=["GET", "POST"])
@require(Action.READ_IN_DOCUMENT)
def upload():
    form = UploadForm()
    if form.validate_on_submit():
        limits = extract.Limits(max_bytes=current_app.config["MAX_CONTENT_LENGTH"])
        data = form.file.data.read(limits.max_bytes + 1)
        try:
            extract.extract(data, form.file.data.filename or "", limits)
        except extract.ExtractError as error:
            form.file.errors = [str(error)]
        else:
            token = secrets.token_urlsafe(32)
            path = _uploads() / f"{token}.upload"
            path.write_bytes(data)
            path.chmod(0o600)
            session["document_upload"] = {
                "token": token,
                "name": form.file.data.filename or "",
                "user": current_user.id,
            }
            return redirect(url_for("sources.confirm"))
    return render_template("sources/upload.html", form=form), (400 if form.errors else 200)


@bp.route("/documenten/nieuw/bevestigen", methods=["GET", "POST"])
@require(Action.READ_IN_DOCUMENT)
def confirm():
    pending = _pending()
    if pending is None:
        flash(_("Er wacht geen bestand (meer); kies het opnieuw."), "info")
        return redirect(url_for("sources.upload"))
    path, name = pending
    data = path.read_bytes()
    extracted = extract.extract(data, name)
    found = metadata.propose(extracted.paragraphs)
    form = ConfirmForm()
    if request.method == "GET":
        form.reference.data = found.reference
        form.date.data = found.date
        form.kind.data = "kamerstuk" if found.reference else "overig"
        form.title.data = extracted.paragraphs[0][:300]
    if form.validate_on_submit():
        db = get_session()
        try:
            result = services.ingest(
                db, data=data, extracted=extracted, by=current_user.label, now=clock.now(),
                key=services.document_key(form.reference.data), reference=form.reference.data.strip(),
                day=form.date.data, kind=form.kind.data, title=(form.title.data or "").strip() or None,
            )  # fmt: skip
            if not result.created:
                raise ValueError(
                    _(
                        "Het register kent %(reference)s al; lees een nieuwe versie in onder een eigen kenmerk.",
                        reference=result.document.reference,
                    )
                )
            found_proposals = proposals.propose(db, extracted.paragraphs, rejected=services.rejected_passages(db))
            services.store_proposals(db, result.document, found_proposals)
            db.commit()
        except (ValueError, services.TextExists) as error:
            db.rollback()
            form.reference.errors = [str(error)]
        else:
            path.unlink(missing_ok=True)
            session.pop("document_upload", None)
            flash(
                _(
                    "%(reference)s is ingelezen: %(paragraphs)d alinea's, %(proposals)d voorstellen.",
                    reference=result.document.reference,
                    paragraphs=len(extracted.paragraphs),
                    proposals=len(found_proposals),
                ),
                "success",
            )
            return redirect(url_for("sources.review", key=result.document.key))
    return render_template("sources/confirm.html", form=form, name=name, extracted=extracted, found=found), (
        400 if form.errors else 200
    )
