"""Login, logout and user management."""

import math

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlmodel import select

from measures.accounts import services as accounts
from measures.accounts import tokens
from measures.accounts.forms import ChangePasswordForm, LoginForm, TokenForm, UserForm
from measures.core import clock
from measures.core.extensions import login_manager
from measures.core.permissions import Action, require
from measures.core.web import safe_next
from measures.register.services import ServiceError
from models import ApiToken, Organisation, User
from models.db import get_session
from models.user import ROLES

bp = Blueprint("auth", __name__)


# The key in the session cookie of the account's session version at login.
SESSION_VERSION_KEY = "_sv"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not user.active:
        return None
    # A cookie from before a logout, a password change, a reset or a block is no longer a session.
    if session.get(SESSION_VERSION_KEY) != user.session_version:
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    next_url = safe_next(request.values.get("next"))
    status = 200
    wait = 0
    if form.validate_on_submit():
        db = get_session()
        now = clock.now()
        # Behind a reverse proxy this is the client's address only with MM_TRUSTED_PROXIES set (ProxyFix).
        remote = request.remote_addr or "onbekend"
        attempt, wait = accounts.reserve_attempt(db, email=form.email.data, remote_addr=remote, now=now)
        if wait:
            form.email.errors = [
                _(
                    "Te veel mislukte pogingen. Wacht %(seconds)d seconden en probeer het dan opnieuw.",
                    seconds=math.ceil(wait),
                )
            ]
            status = 429
        else:
            user = accounts.authenticate(db, attempt=attempt, password=form.password.data, now=now)
            db.commit()
            if user is not None:
                session.clear()
                login_user(user)
                session[SESSION_VERSION_KEY] = user.session_version
                session.permanent = True
                if user.must_change_password:
                    return redirect(url_for("auth.change_password"))
                return redirect(next_url or url_for("edit.my_measures"))
            form.password.errors = [_("Onbekende combinatie van e-mailadres en wachtwoord.")]
            status = 401
    response = current_app.make_response((render_template("auth/login.html", form=form, next_url=next_url), status))
    if wait:
        response.headers["Retry-After"] = str(math.ceil(wait))
    return response


@bp.post("/logout")
@login_required
def logout():
    db = get_session()
    accounts.end_sessions(db, current_user)  # a copied cookie dies with this one
    db.commit()
    logout_user()
    session.clear()
    flash(_("U bent uitgelogd."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/beheer/gebruikers", methods=["GET", "POST"])
@require(Action.MANAGE_USERS)
def users():
    db = get_session()
    form = UserForm(_organisations(db))
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
    return _users_page(db, form, status)


def _organisations(db) -> list[Organisation]:
    return db.exec(select(Organisation).order_by(Organisation.abbreviation)).all()


def _users_page(db, form: UserForm, status: int, reset: tuple[str, str] | None = None):
    org_names = {o.id: o.abbreviation for o in _organisations(db)}
    all_users = db.exec(select(User).order_by(User.email)).all()
    return render_template(
        "auth/users.html", form=form, users=all_users, org_names=org_names, roles=ROLES, reset=reset
    ), status


def _other_user(db, user_id: int) -> User | None:
    """Return the account an administrator acts on (404 when there is none), or None when it is their own."""
    user = db.get(User, user_id)
    if user is None:
        abort(404)
    return None if user.id == current_user.id else user


@bp.post("/beheer/gebruikers/<id:user_id>/actief")
@require(Action.MANAGE_USERS)
def toggle_user(user_id: int):
    db = get_session()
    user = _other_user(db, user_id)
    if user is None:
        flash(_("U kunt uw eigen account niet blokkeren."), "error")
        return redirect(url_for("auth.users"))
    accounts.set_active(session=db, user=user, active=not user.active)
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


@bp.post("/beheer/gebruikers/<id:user_id>/wachtwoord")
@require(Action.MANAGE_USERS)
def reset_password(user_id: int):
    """Give an account a temporary password, shown once, to be changed at its next login."""
    db = get_session()
    user = _other_user(db, user_id)
    if user is None:
        flash(_("Wijzig uw eigen wachtwoord op uw profiel."), "error")
        return redirect(url_for("auth.users"))
    temporary = accounts.reset_password(session=db, user=user, now=clock.now())
    db.commit()
    # Shown on this page only, never stored in a flash message (the session cookie).
    return _users_page(db, UserForm(_organisations(db), formdata=None), 200, reset=(user.email, temporary))


@bp.route("/profiel/wachtwoord", methods=["GET", "POST"])
@login_required
def change_password():
    db = get_session()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                session=db,
                user=current_user,
                current=form.current_password.data,
                new=form.new_password.data,
                now=clock.now(),
            )
            db.commit()
            # Every other session of this account ends; this one goes on with the new version.
            session[SESSION_VERSION_KEY] = current_user.session_version
            flash(_("Uw wachtwoord is gewijzigd. Andere sessies zijn beëindigd."), "success")
            return redirect(url_for("auth.profile"))
        except ServiceError as error:
            db.rollback()
            field = form.current_password if "huidige" in str(error) else form.new_password
            field.errors = list(field.errors) + [str(error)]
    return render_template("auth/password.html", form=form), (400 if form.errors else 200)


@bp.route("/profiel", methods=["GET", "POST"])
@login_required
def profile():
    """The user's own page: who they are, and their personal API tokens."""
    db = get_session()
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        try:
            _token, new_token = tokens.create_token(session=db, user=current_user, name=form.name.data, now=clock.now())
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
    tokens.revoke(session=db, token=token, now=clock.now())
    db.commit()
    flash(_("Het token %(name)s is ingetrokken.", name=token.name), "success")
    return redirect(url_for("auth.profile"))
