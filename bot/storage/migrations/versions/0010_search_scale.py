"""job search at scale on PostgreSQL: the filters in the full-text indexes, relevance's tiers indexed, newest in a btree

PostgreSQL: the GIN index over the open jobs' words also holds the columns the filters ask one of a few values
of (btree_gin), so one index scan intersects the words with experience, job type, project length, hours per week,
category and the client's payment: the heap is read for the jobs that pass them all, not for every job with the
words. Of the columns filtered by ranges only the publish time is in (posted within 7 days: reading those days'
entries costs less than the heap rows it spares); budgets, proposals and hires stay out, where a range of few
values with long lists costs more to read whole than it spares. Two more such indexes hold
the words of the title, and of the title and skills, so relevance's first tiers are read from their own index
instead of rechecking every match's weights.
The newest order walks a btree of the open jobs' publish time and id.
SQLite: nothing (migration 0003's full-text tags already do this).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 15:00:00.000000
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_FILTER_COLUMNS = (
    "experience, job_type, project_length, hours_per_week, category, client_payment_verified, published_at"
)
# Relevance's first tiers (bot/storage/search.py): the words of the title, and of the title and skills, weighted
# as in jobs.search_vector; the search says these expressions exactly as written here.
_TITLE = "setweight(to_tsvector('simple'::regconfig, gigbot_search_fold(title)), 'A')"
_TITLE_SKILLS = f"({_TITLE} || setweight(to_tsvector('simple'::regconfig, gigbot_search_fold(skills_text)), 'B'))"
POSTGRESQL_UP = [
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    f"CREATE INDEX ix_search_jobs_words ON jobs USING gin (search_vector, {_FILTER_COLUMNS}) WHERE status = 'open'",
    f"CREATE INDEX ix_search_jobs_title ON jobs USING gin (({_TITLE}), {_FILTER_COLUMNS}) WHERE status = 'open'",
    f"CREATE INDEX ix_search_jobs_title_skills ON jobs USING gin ({_TITLE_SKILLS}, {_FILTER_COLUMNS}) "
    "WHERE status = 'open'",
    "DROP INDEX ix_search_jobs_vector",
    "CREATE INDEX ix_search_jobs_newest ON jobs (published_at DESC, id DESC) WHERE status = 'open'",
    "DROP INDEX ix_search_jobs_open",
]
POSTGRESQL_DOWN = [
    "CREATE INDEX ix_search_jobs_open ON jobs (published_at) WHERE status = 'open'",
    "DROP INDEX ix_search_jobs_newest",
    "CREATE INDEX ix_search_jobs_vector ON jobs USING gin (search_vector) WHERE status = 'open'",
    "DROP INDEX ix_search_jobs_title_skills",
    "DROP INDEX ix_search_jobs_title",
    "DROP INDEX ix_search_jobs_words",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_DOWN:
            op.execute(statement)
