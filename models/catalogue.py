"""What the seed last applied per catalogue entry, so a later seed applies only real changes."""

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from models.base import timestamp_field


class CatalogueEntry(SQLModel, table=True):
    __tablename__ = "catalogue_entry"

    kind: str = Field(primary_key=True, max_length=20)
    key: str = Field(primary_key=True, max_length=200)
    fingerprint: str = Field(max_length=64)
    data: str = Field(sa_type=Text)
    applied_at: datetime = timestamp_field()
