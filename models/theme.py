"""Theme schemes (contouren themes a-l, programme action lines 1-5) and their themes."""

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class ThemeScheme(SQLModel, table=True):
    __tablename__ = "theme_scheme"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    position: int = 0


class Theme(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("scheme_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    scheme_id: int = Field(foreign_key="theme_scheme.id", index=True)
    code: str = Field(max_length=20)
    name: str = Field(max_length=200)
    position: int = 0
