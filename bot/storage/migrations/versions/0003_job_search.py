"""job search: full-text indexes over jobs and the indexes behind search filters and visibility

SQLite: an FTS5 table over jobs (external content, kept by triggers) and a partial covering index of the
open jobs' filter columns, so a search probes a narrow index per full-text match instead of a wide row.
PostgreSQL: a stored tsvector column (title weight A, skills B, description D) with a GIN index. Both fold
text the same way: lower case, diacritics removed, tokens are runs of letters and decimal digits
(see bot/storage/search.py for the few characters on which the backends still differ).

Beware: a later SQLite batch migration that recreates ``jobs`` drops its triggers; recreate them after it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 09:00:00
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_FTS_COLUMNS = "title, description, skills_text"

SQLITE_UP = [
    f"""CREATE VIRTUAL TABLE jobs_fts USING fts5({_FTS_COLUMNS}, content='jobs', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2 categories 'L* Nd'")""",
    f"""CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN
        INSERT INTO jobs_fts(rowid, {_FTS_COLUMNS}) VALUES (new.id, new.title, new.description, new.skills_text);
    END""",
    f"""CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN
        INSERT INTO jobs_fts(jobs_fts, rowid, {_FTS_COLUMNS})
        VALUES ('delete', old.id, old.title, old.description, old.skills_text);
    END""",
    f"""CREATE TRIGGER jobs_fts_update AFTER UPDATE OF {_FTS_COLUMNS} ON jobs BEGIN
        INSERT INTO jobs_fts(jobs_fts, rowid, {_FTS_COLUMNS})
        VALUES ('delete', old.id, old.title, old.description, old.skills_text);
        INSERT INTO jobs_fts(rowid, {_FTS_COLUMNS}) VALUES (new.id, new.title, new.description, new.skills_text);
    END""",
    "INSERT INTO jobs_fts(jobs_fts) VALUES ('rebuild')",
    # Every search probes this by id for each full-text match: open jobs only, every filter column in it.
    """CREATE INDEX ix_search_jobs_open ON jobs (id, status, visibility, client_id, cloud_id, job_type, experience,
        category, project_length, hours_per_week, budget_minor, rate_min_minor, rate_max_minor,
        proposals_count, published_at) WHERE status = 'open'""",
]
SQLITE_DOWN = [
    "DROP INDEX ix_search_jobs_open",
    "DROP TRIGGER jobs_fts_update",
    "DROP TRIGGER jobs_fts_delete",
    "DROP TRIGGER jobs_fts_insert",
    "DROP TABLE jobs_fts",
]

POSTGRESQL_UP = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # unaccent() is only STABLE (its dictionary could change); naming the dictionary makes this IMMUTABLE,
    # which a generated column needs. Non-alphanumerics become spaces so the parser sees plain words only
    # (no hosts, e-mails, hyphenated compounds or decimals), as SQLite's unicode61 tokenizer does.
    r"""CREATE FUNCTION gigbot_search_fold(text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, $1)),
                                    '[^[:alnum:]]+', ' ', 'g') $$""",
    """ALTER TABLE jobs ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, gigbot_search_fold(title)), 'A')
        || setweight(to_tsvector('simple'::regconfig, gigbot_search_fold(skills_text)), 'B')
        || setweight(to_tsvector('simple'::regconfig, gigbot_search_fold(description)), 'D')) STORED""",
    "CREATE INDEX ix_search_jobs_vector ON jobs USING gin (search_vector)",
    "CREATE INDEX ix_search_jobs_open ON jobs (published_at) WHERE status = 'open'",
]
POSTGRESQL_DOWN = [
    "DROP INDEX ix_search_jobs_open",
    "DROP INDEX ix_search_jobs_vector",
    "ALTER TABLE jobs DROP COLUMN search_vector",
    "DROP FUNCTION gigbot_search_fold(text)",
]

BOTH_UP = [
    # Visibility: "which invite-only jobs and clouds is this freelancer in" is asked by every search.
    "CREATE INDEX ix_search_job_invites ON job_invites (freelancer_id, job_id)",
    "CREATE INDEX ix_search_cloud_members ON cloud_members (account_id, status, cloud_id)",
]
BOTH_DOWN = ["DROP INDEX ix_search_cloud_members", "DROP INDEX ix_search_job_invites"]


def _statements(up: bool) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        specific = (SQLITE_UP, SQLITE_DOWN)
    elif dialect == "postgresql":
        specific = (POSTGRESQL_UP, POSTGRESQL_DOWN)
    else:
        raise NotImplementedError(f"job search has no full-text index for {dialect}")
    return specific[0] + BOTH_UP if up else BOTH_DOWN + specific[1]


def upgrade() -> None:
    for statement in _statements(up=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(up=False):
        op.execute(statement)
