"""Alembic environment: runs on the connection handed in by bot.storage.migrate (async engines inside)."""

from alembic import context

from bot.storage.orm import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("run migrations with `gigbot db upgrade`, which supplies the database connection")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
