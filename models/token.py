"""Personal API tokens: stored as a SHA-256 hash, shown to the user once, revocable."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.base import UTCDateTime, timestamp_field


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    name: str = Field(max_length=100)
    # A random token has enough entropy that a plain SHA-256 is the right hash (no salt, no KDF needed).
    token_hash: str = Field(max_length=64, unique=True, index=True)
    prefix: str = Field(max_length=12)
    created_at: datetime = timestamp_field()
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
