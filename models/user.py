"""Accounts, roles and the login-attempt log used for throttling."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from models.base import UTCDateTime, timestamp_field

ROLES = {
    "admin": "Beheerder",
    "programmacoordinator": "Programmacoördinator",
    "coordinator": "Coördinator",
    "rapporteur": "Nationaal Rapporteur",
    "lezer": "Lezer",
}


class User(SQLModel, table=True):
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=40)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    password_hash: str = Field(max_length=300)
    active: bool = True
    # Bumped at logout, password change, reset and blocking: every session that carries an older
    # number is no longer valid, wherever its cookie went.
    session_version: int = 1
    # Set by an administrator's reset: the user must choose a new password before anything else.
    must_change_password: bool = False
    password_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = timestamp_field()
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    # Flask-Login's protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def label(self) -> str:
        """Return how history records name this user."""
        return f"{self.name} <{self.email}>"


class LoginAttempt(SQLModel, table=True):
    """One failed login, kept to throttle guessing by account and by address."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_at", "email", "attempted_at"),
        Index("ix_login_attempt_ip_at", "remote_addr", "attempted_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    remote_addr: str = Field(max_length=64)
    attempted_at: datetime = timestamp_field()
