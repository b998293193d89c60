"""Login, logout and user management."""

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from sqlmodel import select

from measures import accounts, tokens
from measures.forms import LoginForm, TokenForm, UserForm
from measures.permissions import Action, can
from measures.services import ServiceError, now_utc
from models import ApiToken, Organisation, User
from models.db import get_session
from models.user import ROLES

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Log in om verder te gaan."
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    return user if user is not None and user.active else None


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None (no open redirects)."""
    if not target or len(target) > 2000:
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def require(action: Action):
    """Require login and a role that may take `action` (measure-independent actions)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not can(get_session(), current_user, action):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    next_url = safe_next(request.values.get("next"))
    status = 200
    if form.validate_on_submit():
        db = get_session()
        now = now_utc()
        remote = request.remote_addr or "onbekend"
        if accounts.is_throttled(db, email=form.email.data, remote_addr=remote, now=now):
            form.email.errors = [_("Te veel mislukte pogingen. Wacht een kwartier en probeer het dan opnieuw.")]
            status = 429
        else:
            user = accounts.authenticate(
                db, email=form.email.data, password=form.password.data, remote_addr=remote, now=now
            )
            db.commit()
            if user is not None:
                session.clear()
                login_user(user)
                session.permanent = True
                return redirect(next_url or url_for("edit.my_measures"))
            form.password.errors = [_("Onbekende combinatie van e-mailadres en wachtwoord.")]
            status = 401
    return render_template("auth/login.html", form=form, next_url=next_url), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    flash(_("U bent uitgelogd."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/beheer/gebruikers", methods=["GET", "POST"])
@require(Action.MANAGE_USERS)
def users():
    db = get_session()
    organisations = db.exec(select(Organisation).order_by(Organisation.abbreviation)).all()
    form = UserForm(organisations)
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                session=db,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                password=form.password.data,
                organisation=form.organisation.data or None,
            )
            db.commit()
            flash(_("Account aangemaakt voor %(email)s.", email=user.email), "success")
            return redirect(url_for("auth.users"))
        except ServiceError as error:
            db.rollback()
            form.email.errors = [str(error)]
    if form.errors:
        status = 400
    org_names = {o.id: o.abbreviation for o in organisations}
    all_users = db.exec(select(User).order_by(User.email)).all()
    return render_template("auth/users.html", form=form, users=all_users, org_names=org_names, roles=ROLES), status


@bp.post("/beheer/gebruikers/<id:user_id>/actief")
@require(Action.MANAGE_USERS)
def toggle_user(user_id: int):
    db = get_session()
    user = db.get(User, user_id)
    if user is None:
        abort(404)
    if user.id == current_user.id:
        flash(_("U kunt uw eigen account niet blokkeren."), "error")
        return redirect(url_for("auth.users"))
    user.active = not user.active
    db.add(user)
    db.commit()
    flash(
        _(
            "Account %(email)s is nu %(state)s.",
            email=user.email,
            state=_("actief") if user.active else _("geblokkeerd"),
        ),
        "success",
    )
    return redirect(url_for("auth.users"))


@bp.route("/profiel", methods=["GET", "POST"])
@login_required
def profile():
    """The user's own page: who they are, and their personal API tokens."""
    db = get_session()
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        try:
            _token, new_token = tokens.create_token(session=db, user=current_user, name=form.name.data, now=now_utc())
            db.commit()
        except ServiceError as error:
            db.rollback()
            form.name.errors = [str(error)]
    mine = db.exec(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.created_at.desc())
    ).all()
    organisation = db.get(Organisation, current_user.organisation_id) if current_user.organisation_id else None
    return render_template(
        "auth/profile.html", form=form, tokens=mine, new_token=new_token, organisation=organisation, roles=ROLES
    ), (400 if form.errors else 200)


@bp.post("/profiel/tokens/<id:token_id>/intrekken")
@login_required
def revoke_token(token_id: int):
    db = get_session()
    token = db.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    tokens.revoke(session=db, token=token, now=now_utc())
    db.commit()
    flash(_("Het token %(name)s is ingetrokken.", name=token.name), "success")
    return redirect(url_for("auth.profile"))
