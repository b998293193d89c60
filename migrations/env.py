"""Alembic environment: runs on the connection the app hands over, or on DATABASE_URL."""

import os

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from models.base import UTCDateTime

config = context.config
target_metadata = SQLModel.metadata


def _render_item(type_, obj, autogen_context):
    # Migrations must not import app code: render the UTC wrapper as the plain column type.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _configure(connection)
else:
    url = os.environ.get("DATABASE_URL", "sqlite:///instance/maatregelmonitor.db")
    with create_engine(url).connect() as conn:
        _configure(conn)
