"""Alembic environment: runs on the connection handed in by bot.storage.migrate (async engines inside)."""

from alembic import context

from bot.storage.orm import Base
from bot.storage.search import include_object

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("run migrations with `gigbot db upgrade`, which supplies the database connection")

context.configure(
    connection=connection, target_metadata=Base.metadata, render_as_batch=True, include_object=include_object
)
with context.begin_transaction():
    context.run_migrations()
