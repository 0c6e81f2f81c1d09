"""job search: full-text indexes over open jobs, the client stats search filters need, and their indexes

SQLite: an FTS5 table over the open jobs only (external content read through the ``jobs_fts_open`` view,
kept by triggers that add and remove a job as its status enters and leaves "open"), so a search never
walks past closed, expired or draft jobs; and a partial covering index of the open jobs' filter columns,
so a search probes a narrow index per full-text match instead of a wide row.
PostgreSQL: a stored tsvector column (title weight A, skills B, description D) with a GIN index over the
open jobs. Both fold text the same way: lower case, diacritics removed, tokens are runs of letters and
decimal digits (see bot/storage/search.py for the few characters on which the backends still differ).

Both: ``jobs.client_payment_verified`` and ``jobs.client_hires`` copy the client's profile stats onto each
of their jobs (false and 0 without a profile), kept by triggers on jobs and client_profiles, so the client
filters are two more columns of the covering index rather than a profile lookup per matching job.

Beware: a later SQLite batch migration that recreates ``jobs`` drops its triggers; recreate them after it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_FTS_COLUMNS = "title, description, skills_text"
_NEW_FTS_ROW = "new.id, new.title, new.description, new.skills_text"
_OLD_FTS_ROW = "old.id, old.title, old.description, old.skills_text"
_CLIENT_STATS = """
    client_payment_verified = coalesce((SELECT payment_verified FROM client_profiles WHERE account_id = {id}), false),
    client_hires = coalesce((SELECT hires_count FROM client_profiles WHERE account_id = {id}), 0)"""
_BACKFILL = (
    f"UPDATE jobs SET {_CLIENT_STATS.format(id='jobs.client_id')} "
    "WHERE client_id IN (SELECT account_id FROM client_profiles)"
)

SQLITE_UP = [
    f"CREATE VIEW jobs_fts_open AS SELECT id, {_FTS_COLUMNS} FROM jobs WHERE status = 'open'",
    f"""CREATE VIRTUAL TABLE jobs_fts USING fts5({_FTS_COLUMNS}, content='jobs_fts_open', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2 categories 'L* Nd'")""",
    f"""CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs WHEN new.status = 'open' BEGIN
        INSERT INTO jobs_fts(rowid, {_FTS_COLUMNS}) VALUES ({_NEW_FTS_ROW});
    END""",
    f"""CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs WHEN old.status = 'open' BEGIN
        INSERT INTO jobs_fts(jobs_fts, rowid, {_FTS_COLUMNS}) VALUES ('delete', {_OLD_FTS_ROW});
    END""",
    # External content: a row leaves the index with exactly the values it was indexed with (the old ones).
    f"""CREATE TRIGGER jobs_fts_update AFTER UPDATE OF {_FTS_COLUMNS}, status ON jobs BEGIN
        INSERT INTO jobs_fts(jobs_fts, rowid, {_FTS_COLUMNS})
        SELECT 'delete', {_OLD_FTS_ROW} WHERE old.status = 'open';
        INSERT INTO jobs_fts(rowid, {_FTS_COLUMNS}) SELECT {_NEW_FTS_ROW} WHERE new.status = 'open';
    END""",
    "INSERT INTO jobs_fts(jobs_fts) VALUES ('rebuild')",
    _BACKFILL,
    f"""CREATE TRIGGER search_jobs_client AFTER INSERT ON jobs BEGIN
        UPDATE jobs SET {_CLIENT_STATS.format(id="new.client_id")} WHERE id = new.id;
    END""",
    f"""CREATE TRIGGER search_jobs_client_change AFTER UPDATE OF client_id ON jobs BEGIN
        UPDATE jobs SET {_CLIENT_STATS.format(id="new.client_id")} WHERE id = new.id;
    END""",
    """CREATE TRIGGER search_client_insert AFTER INSERT ON client_profiles BEGIN
        UPDATE jobs SET client_payment_verified = new.payment_verified, client_hires = new.hires_count
        WHERE client_id = new.account_id;
    END""",
    """CREATE TRIGGER search_client_update AFTER UPDATE OF payment_verified, hires_count ON client_profiles BEGIN
        UPDATE jobs SET client_payment_verified = new.payment_verified, client_hires = new.hires_count
        WHERE client_id = new.account_id;
    END""",
    """CREATE TRIGGER search_client_delete AFTER DELETE ON client_profiles BEGIN
        UPDATE jobs SET client_payment_verified = false, client_hires = 0 WHERE client_id = old.account_id;
    END""",
    # Every search probes this by id for each full-text match: open jobs only, every filter column in it.
    """CREATE INDEX ix_search_jobs_open ON jobs (id, status, visibility, client_id, cloud_id, job_type, experience,
        category, project_length, hours_per_week, budget_minor, rate_min_minor, rate_max_minor,
        proposals_count, published_at, client_payment_verified, client_hires) WHERE status = 'open'""",
]
SQLITE_DOWN = [
    "DROP INDEX ix_search_jobs_open",
    "DROP TRIGGER search_client_delete",
    "DROP TRIGGER search_client_update",
    "DROP TRIGGER search_client_insert",
    "DROP TRIGGER search_jobs_client_change",
    "DROP TRIGGER search_jobs_client",
    "DROP TRIGGER jobs_fts_update",
    "DROP TRIGGER jobs_fts_delete",
    "DROP TRIGGER jobs_fts_insert",
    "DROP TABLE jobs_fts",
    "DROP VIEW jobs_fts_open",
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
    "CREATE INDEX ix_search_jobs_vector ON jobs USING gin (search_vector) WHERE status = 'open'",
    "CREATE INDEX ix_search_jobs_open ON jobs (published_at) WHERE status = 'open'",
    _BACKFILL,
    """CREATE FUNCTION gigbot_search_job_client() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        NEW.client_payment_verified := coalesce(
            (SELECT payment_verified FROM client_profiles WHERE account_id = NEW.client_id), false);
        NEW.client_hires := coalesce((SELECT hires_count FROM client_profiles WHERE account_id = NEW.client_id), 0);
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER search_jobs_client BEFORE INSERT OR UPDATE OF client_id ON jobs
        FOR EACH ROW EXECUTE FUNCTION gigbot_search_job_client()""",
    """CREATE FUNCTION gigbot_search_client_stats() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF TG_OP = 'DELETE' THEN
            UPDATE jobs SET client_payment_verified = false, client_hires = 0 WHERE client_id = OLD.account_id;
            RETURN OLD;
        END IF;
        UPDATE jobs SET client_payment_verified = NEW.payment_verified, client_hires = NEW.hires_count
        WHERE client_id = NEW.account_id;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER search_client_stats AFTER INSERT OR UPDATE OF payment_verified, hires_count OR DELETE
        ON client_profiles FOR EACH ROW EXECUTE FUNCTION gigbot_search_client_stats()""",
]
POSTGRESQL_DOWN = [
    "DROP TRIGGER search_client_stats ON client_profiles",
    "DROP FUNCTION gigbot_search_client_stats()",
    "DROP TRIGGER search_jobs_client ON jobs",
    "DROP FUNCTION gigbot_search_job_client()",
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
_CLIENT_COLUMNS = ("client_payment_verified", "client_hires")


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
    op.add_column("jobs", sa.Column(_CLIENT_COLUMNS[0], sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("jobs", sa.Column(_CLIENT_COLUMNS[1], sa.Integer(), nullable=False, server_default="0"))
    for statement in _statements(up=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(up=False):
        op.execute(statement)
    for name in reversed(_CLIENT_COLUMNS):
        op.execute(f"ALTER TABLE jobs DROP COLUMN {name}")
