"""Personal API tokens: create (shown once), verify, revoke."""

import hashlib
import secrets
from datetime import datetime

from sqlmodel import Session, select

from measures.register.services import ServiceError
from models import ApiToken, User

PREFIX = "mm_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(*, session: Session, user: User, name: str, now: datetime) -> tuple[ApiToken, str]:
    """Return the stored token row and the plain token, which is never stored and shown once."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ServiceError("Geef het token een naam van 1 tot 100 tekens.")
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=_hash(plain), prefix=plain[:10], created_at=now)
    session.add(token)
    session.flush()
    return token, plain


def user_for_token(session: Session, plain: str, now: datetime) -> User | None:
    """Return the active user a valid, unrevoked token belongs to; note its use."""
    if not plain.startswith(PREFIX) or len(plain) > 200:
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == _hash(plain))).first()
    if token is None or token.revoked_at is not None:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    token.last_used_at = now
    session.add(token)
    session.commit()
    return user


def revoke(*, session: Session, token: ApiToken, now: datetime) -> None:
    if token.revoked_at is None:
        token.revoked_at = now
        session.add(token)
        session.flush()
