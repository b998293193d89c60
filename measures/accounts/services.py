"""Accounts: create users, check and change passwords (Argon2), end sessions, and throttle failed logins."""

import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, update
from sqlmodel import Session, select

from measures.accounts import passwords
from measures.core.permissions import acts_for_an_organisation
from measures.register.services import ServiceError
from models import LoginAttempt, Organisation, User
from models.user import ROLES

# Throttling slows guessing down instead of locking the owner out. Failures count per account from
# one address, per address and per account; past a free number in the window each next attempt in
# that scope waits twice as long after the previous failure as the one before, up to MAX_DELAY.
FREE_FAILURES_PER_ACCOUNT_AND_ADDRESS = 5
FREE_FAILURES_PER_ADDRESS = 20
FREE_FAILURES_PER_ACCOUNT = 100  # NIST SP 800-63B: at most 100 consecutive failures per account
THROTTLE_WINDOW = timedelta(hours=1)
MAX_DELAY = timedelta(minutes=15)

_hasher = PasswordHasher()
# Verifying against this keeps a login for an unknown e-mail as slow as one for a known e-mail.
_DUMMY_HASH = _hasher.hash("dummy password for timing")


def hash_password(password: str) -> str:
    return _hasher.hash(passwords.normalise(password))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_organisation_id(session: Session, abbreviation: str) -> int:
    """Return the id of the organisation with this abbreviation (any case), or raise with the valid ones."""
    known = dict(session.exec(select(Organisation.abbreviation, Organisation.id)).all())
    by_lower = {name.lower(): org_id for name, org_id in known.items()}
    org_id = by_lower.get(abbreviation.strip().lower())
    if org_id is None:
        listed = ", ".join(sorted(known, key=str.lower)) or "(nog geen; laad eerst de catalogus met seed)"
        raise ServiceError(f"Onbekende organisatie: {abbreviation}. Kies uit: {listed}.")
    return org_id


def check_password(password: str, *, email: str, name: str = "") -> None:
    """Raise ServiceError with every reason why `password` is not acceptable for this account."""
    found = passwords.problems(password, email=email, name=name)
    if found:
        raise ServiceError(" ".join(str(reason) for reason in found))


def create_user(
    *, session: Session, email: str, name: str, role: str, password: str, organisation: str | None = None
) -> User:
    """Create an account; a coordinator must belong to an organisation."""
    email = normalise_email(email)
    if role not in ROLES:
        raise ServiceError(f"Onbekende rol: {role}. Kies uit: {', '.join(ROLES)}.")
    if "@" not in email or len(email) > 254:
        raise ServiceError("Geef een geldig e-mailadres.")
    check_password(password, email=email, name=name)
    if session.exec(select(User.id).where(User.email == email)).first() is not None:
        raise ServiceError(f"Er bestaat al een account voor {email}.")
    organisation_id = find_organisation_id(session, organisation) if organisation else None
    if acts_for_an_organisation(role) and organisation_id is None:
        raise ServiceError("Een coördinator hoort bij een organisatie (--organisation).")
    user = User(
        email=email,
        name=name.strip() or email,
        role=role,
        organisation_id=organisation_id,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    return user


def end_sessions(session: Session, user: User) -> int:
    """Invalidate every session of `user` (logout, password change, reset, blocking); return the new version."""
    session.execute(update(User).where(User.id == user.id).values(session_version=User.session_version + 1))
    session.flush()
    session.refresh(user)
    return user.session_version


def set_active(*, session: Session, user: User, active: bool) -> None:
    """Block or unblock an account; a blocked account's sessions end at once."""
    user.active = active
    session.add(user)
    if not active:
        end_sessions(session, user)
    session.flush()


def change_password(*, session: Session, user: User, current: str, new: str, now: datetime) -> None:
    """Replace the user's password after checking the current one; every other session ends."""
    try:
        _hasher.verify(user.password_hash, passwords.normalise(current))
    except (VerificationError, InvalidHashError) as error:
        raise ServiceError("Het huidige wachtwoord klopt niet.") from error
    if new == current:
        raise ServiceError("Kies een ander wachtwoord dan het huidige.")
    check_password(new, email=user.email, name=user.name)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.password_changed_at = now
    session.add(user)
    end_sessions(session, user)


def reset_password(*, session: Session, user: User, now: datetime) -> str:
    """Give the user a random temporary password, to be changed at the next login; return it once."""
    temporary = "-".join(secrets.token_urlsafe(6) for _ in range(4))
    user.password_hash = hash_password(temporary)
    user.must_change_password = True
    user.password_changed_at = now
    session.add(user)
    end_sessions(session, user)
    return temporary


def _wait_in_scope(session: Session, scope, free: int, attempt: LoginAttempt) -> float:
    """Return the seconds this attempt must still wait in one scope (0 when it may go ahead)."""
    since = attempt.attempted_at - THROTTLE_WINDOW
    times = session.exec(
        select(LoginAttempt.attempted_at)
        .where(scope, LoginAttempt.attempted_at >= since, LoginAttempt.id != attempt.id)
        .order_by(LoginAttempt.attempted_at.desc())
    ).all()
    rank = len(times) + 1  # this attempt included
    if rank <= free:
        return 0
    delay = min(timedelta(seconds=2 ** min(rank - free, 20)), MAX_DELAY)
    elapsed = attempt.attempted_at - _aware(times[0])
    return max(0.0, (delay - elapsed).total_seconds())


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def reserve_attempt(session: Session, *, email: str, remote_addr: str, now: datetime) -> tuple[LoginAttempt, float]:
    """Record a login attempt before its password is checked; return it and the seconds it must wait first.

    The attempt is committed as a failure before anything is counted, so parallel attempts all see
    each other: of N at once, only the free number get a password check. An attempt that must wait
    is removed again, so hammering does not lengthen the wait; a successful login removes its own.
    """
    attempt = LoginAttempt(email=normalise_email(email)[:254], remote_addr=remote_addr[:64], attempted_at=now)
    session.add(attempt)
    session.commit()
    scopes = (
        (
            (LoginAttempt.email == attempt.email) & (LoginAttempt.remote_addr == attempt.remote_addr),
            FREE_FAILURES_PER_ACCOUNT_AND_ADDRESS,
        ),
        (LoginAttempt.remote_addr == attempt.remote_addr, FREE_FAILURES_PER_ADDRESS),
        (LoginAttempt.email == attempt.email, FREE_FAILURES_PER_ACCOUNT),
    )
    wait = max(_wait_in_scope(session, scope, free, attempt) for scope, free in scopes)
    if wait:
        session.delete(attempt)
        session.commit()
    return attempt, wait


def authenticate(session: Session, *, attempt: LoginAttempt, password: str, now: datetime) -> User | None:
    """Return the active user for the reserved attempt's e-mail and this password, or None (the failure stays)."""
    user = session.exec(select(User).where(User.email == attempt.email)).first()
    password = passwords.normalise(password)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        ok = user is not None and user.active
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        return None
    # The owner is in: their failures from this address no longer count.
    session.execute(
        delete(LoginAttempt).where(LoginAttempt.email == attempt.email, LoginAttempt.remote_addr == attempt.remote_addr)
    )
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    session.add(user)
    session.flush()
    return user
