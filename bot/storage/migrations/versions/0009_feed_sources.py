"""feed sources: the external job feeds polled, and the jobs they brought, known by the feed's own id

Each feed has one row (its client account, the validators of its last fetch, when it was polled and why it
failed last); a job from a feed names its source, the entry's id in that feed and the original link, and a
feed's entry becomes at most one job (unique source and id).

The new ``jobs`` columns are added with plain ADD COLUMN: on SQLite a batch migration would recreate ``jobs``
and drop migration 0003's full-text triggers. For the same reason going down on SQLite keeps ``jobs.source_id``
(SQLite drops no column with a foreign key without recreating the table): empty and unused once the feeds are gone.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "feed_sources",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("etag", sa.String(length=500), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("polled_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_feed_sources_name"),
    )
    if op.get_bind().dialect.name == "sqlite":  # Alembic adds no constraint there; SQLite's own ALTER does
        op.execute("ALTER TABLE jobs ADD COLUMN source_id INTEGER REFERENCES feed_sources (id)")
    else:
        op.add_column("jobs", sa.Column("source_id", ID, nullable=True))
        op.create_foreign_key("fk_jobs_source", "jobs", "feed_sources", ["source_id"], ["id"])
    op.add_column("jobs", sa.Column("external_id", sa.String(length=500), nullable=True))
    op.add_column("jobs", sa.Column("external_url", sa.Text(), nullable=True))
    op.create_index("ix_jobs_source_external", "jobs", ["source_id", "external_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_jobs_source_external", table_name="jobs")
    columns = ["external_url", "external_id"]
    if op.get_bind().dialect.name == "sqlite":
        op.execute("UPDATE jobs SET source_id = NULL")
    else:
        op.drop_constraint("fk_jobs_source", "jobs", type_="foreignkey")
        columns.append("source_id")
    for column in columns:
        op.execute(f"ALTER TABLE jobs DROP COLUMN {column}")
    op.drop_table("feed_sources")
