"""Accounts: create users, check passwords with Argon2, and throttle failed logins."""

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, func, select

from measures.services import ServiceError
from models import LoginAttempt, Organisation, User
from models.user import ROLES

MIN_PASSWORD_LENGTH = 12
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
THROTTLE_WINDOW = timedelta(minutes=15)

_hasher = PasswordHasher()
# Verifying against this keeps a login for an unknown e-mail as slow as one for a known e-mail.
_DUMMY_HASH = _hasher.hash("dummy password for timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    *, session: Session, email: str, name: str, role: str, password: str, organisation: str | None = None
) -> User:
    """Create an account; a coordinator must belong to an organisation."""
    email = normalise_email(email)
    if role not in ROLES:
        raise ServiceError(f"Onbekende rol: {role}. Kies uit: {', '.join(ROLES)}.")
    if "@" not in email or len(email) > 254:
        raise ServiceError("Geef een geldig e-mailadres.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(f"Het wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens lang zijn.")
    if session.exec(select(User.id).where(User.email == email)).first() is not None:
        raise ServiceError(f"Er bestaat al een account voor {email}.")
    organisation_id = None
    if organisation:
        organisation_id = session.exec(select(Organisation.id).where(Organisation.abbreviation == organisation)).first()
        if organisation_id is None:
            raise ServiceError(f"Onbekende organisatie: {organisation}.")
    if role == "coordinator" and organisation_id is None:
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


def is_throttled(session: Session, *, email: str, remote_addr: str, now: datetime) -> bool:
    """Return whether too many logins failed recently for this account or this address."""
    since = now - THROTTLE_WINDOW
    by_account = session.exec(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.email == normalise_email(email), LoginAttempt.attempted_at >= since)
    ).one()
    by_address = session.exec(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.remote_addr == remote_addr, LoginAttempt.attempted_at >= since)
    ).one()
    return by_account >= MAX_FAILURES_PER_ACCOUNT or by_address >= MAX_FAILURES_PER_ADDRESS


def authenticate(session: Session, *, email: str, password: str, remote_addr: str, now: datetime) -> User | None:
    """Return the active user for these credentials, or None; a failure is logged for throttling."""
    email = normalise_email(email)
    user = session.exec(select(User).where(User.email == email)).first()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        ok = user is not None and user.active
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        session.add(LoginAttempt(email=email[:254], remote_addr=remote_addr[:64], attempted_at=now))
        session.flush()
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    session.add(user)
    session.flush()
    return user
