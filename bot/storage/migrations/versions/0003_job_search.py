"""job search: full-text indexes over open jobs, the client stats search filters need, and their indexes

SQLite: an FTS5 table over the open jobs only, kept by triggers that rebuild a job's row whenever the job,
its skills or its invitations change, so a search never walks past closed, expired or draft jobs. Besides
the text it holds the filterable attributes as tags (a fourth column) and its rowid is the publish second
and the job id: filters, visibility and the newest order are answered inside the full-text engine, which
intersects posting lists, instead of by a jobs lookup per match. A partial covering index of the open jobs'
filter columns serves the few exact checks that remain (custom ranges).
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
_CLIENT_STATS = """
    client_payment_verified = coalesce((SELECT payment_verified FROM client_profiles WHERE account_id = {id}), false),
    client_hires = coalesce((SELECT hires_count FROM client_profiles WHERE account_id = {id}), 0)"""
_BACKFILL = (
    f"UPDATE jobs SET {_CLIENT_STATS.format(id='jobs.client_id')} "
    "WHERE client_id IN (SELECT account_id FROM client_profiles)"
)

# SQLite: the index row's rowid is the publish second and the job id, (second << 32) | id, so the newest
# matches come first when the index is walked backwards (bot/storage/search.py refines ties within a second).
_KEY = "((coalesce(CAST(strftime('%s', {j}.published_at) AS INTEGER), 0) << 32) | {j}.id)"
# The values filters ask for, one tag each; any other value (or none) is tagged "other", so each job has
# exactly one tag of each kind.
_KINDS = {
    "exp": ("experience", ("entry", "intermediate", "expert")),
    "type": ("job_type", ("hourly", "fixed")),
    "len": ("project_length", ("lt1", "1to3", "3to6", "gt6")),
    "hrs": ("hours_per_week", ("lt30", "gt30")),
}
# Upper edges of the bands the range filters are cut into (as bot/storage/search.py cuts them); each band
# becomes a tag, the last one open-ended, one per job.
_BANDS = {"prop": ("proposals_count", (4, 9, 14, 19, 49)), "hires": ("client_hires", (0, 9))}

# Hourly rates people ask for: the rate range meets [low, high] when its top is at least low (a zrge tag)
# and its minimum at most high (a zrle tag).
_RATES = (5_00, 10_00, 15_00, 20_00, 25_00, 30_00, 40_00, 50_00, 60_00, 75_00, 100_00, 150_00, 200_00)
_HIGH_RATE = "coalesce(j.rate_max_minor, j.rate_min_minor)"


def _band(column: str, edges: tuple[int, ...]) -> str:
    steps = " ".join(f"WHEN j.{column} <= {edge} THEN {index}" for index, edge in enumerate(edges))
    return f"CASE WHEN j.{column} IS NULL THEN NULL {steps} ELSE {len(edges)} END"


# The filterable attributes as words of a fourth column, so the full-text engine intersects them with the
# query's words instead of SQLite reading the jobs row of every match. Values are hex-encoded to stay one
# token. Keep in step with the tags bot/storage/search.py asks for.
_TAGS = " || ".join(
    [
        "'zopen zvis' || lower(hex(j.visibility))",
        "CASE WHEN j.visibility <> 'public' THEN ' zpriv' ELSE '' END",
        *(
            f"' z{kind}' || CASE WHEN j.{column} IN ({', '.join(repr(value) for value in values)}) "
            f"THEN lower(hex(j.{column})) ELSE 'other' END"
            for kind, (column, values) in _KINDS.items()
        ),
        "' zcat' || lower(hex(j.category))",
        "' zcli' || j.client_id",
        "coalesce(' zcloud' || j.cloud_id, '')",
        "CASE WHEN j.client_payment_verified THEN ' zpayv' ELSE ' zpayn' END",
        *(f"coalesce(' z{name}' || ({_band(column, edges)}), '')" for name, (column, edges) in _BANDS.items()),
        # Exactly one budget tag per job: x not fixed-price (a budget filter passes it), n no budget, or its band.
        "' zbud' || CASE WHEN j.job_type <> 'fixed' THEN 'x' WHEN j.budget_minor IS NULL THEN 'n' "
        "ELSE (CASE WHEN j.budget_minor <= 9999 THEN 0 WHEN j.budget_minor <= 49999 THEN 1 "
        "WHEN j.budget_minor <= 99999 THEN 2 WHEN j.budget_minor <= 499999 THEN 3 ELSE 4 END) END",
        "CASE WHEN j.job_type <> 'hourly' THEN ' zratex' ELSE '' END",  # an hourly range passes it
        *(f"CASE WHEN {_HIGH_RATE} >= {rate} THEN ' zrge{rate}' ELSE '' END" for rate in _RATES),
        *(f"CASE WHEN j.rate_min_minor <= {rate} THEN ' zrle{rate}' ELSE '' END" for rate in _RATES),
        "coalesce(' ' || (SELECT group_concat('zinv' || freelancer_id, ' ') FROM job_invites WHERE job_id = j.id), '')",
        "coalesce(' ' || (SELECT group_concat('zsk' || lower(hex(skill)), ' ') FROM job_skills WHERE job_id = j.id),"
        " '')",
    ]
)
_INDEX_OPEN = (
    f"INSERT INTO jobs_fts(rowid, {_FTS_COLUMNS}, tags) "
    f"SELECT {_KEY.format(j='j')}, j.title, j.description, j.skills_text, {_TAGS} FROM jobs AS j "
    "WHERE j.status = 'open'"
)
# Every write rebuilds the job's index row from the job as it now is, so triggers may fire in any order.
_REINDEX = "DELETE FROM jobs_fts WHERE rowid IN ({keys}); " + _INDEX_OPEN + " AND j.id = {id};"
_REINDEX_JOB = _REINDEX.format(keys=f"SELECT {_KEY.format(j='jobs')} FROM jobs WHERE id = {{id}}", id="{id}")
_INDEXED_COLUMNS = (
    "title, description, skills_text, status, published_at, client_id, experience, job_type, project_length, "
    "hours_per_week, category, budget_minor, rate_min_minor, rate_max_minor, proposals_count, visibility, "
    "cloud_id, client_payment_verified, client_hires"
)

SQLITE_UP = [
    f"""CREATE VIRTUAL TABLE jobs_fts USING fts5({_FTS_COLUMNS}, tags,
        tokenize="unicode61 remove_diacritics 2 categories 'L* Nd'")""",
    _BACKFILL,
    _INDEX_OPEN,
    f"""CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN
        {_REINDEX.format(keys=_KEY.format(j="new"), id="new.id")}
    END""",
    f"""CREATE TRIGGER jobs_fts_update AFTER UPDATE OF {_INDEXED_COLUMNS} ON jobs BEGIN
        {_REINDEX.format(keys=_KEY.format(j="old") + ", " + _KEY.format(j="new"), id="new.id")}
    END""",
    f"""CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN
        DELETE FROM jobs_fts WHERE rowid = {_KEY.format(j="old")};
    END""",
    *(
        f"""CREATE TRIGGER jobs_fts_{table}_{event.lower()} AFTER {event} ON {table} BEGIN
            {_REINDEX_JOB.format(id=row + ".job_id")}
        END"""
        for table in ("job_skills", "job_invites")
        for event, row in (("INSERT", "new"), ("DELETE", "old"))
    ),
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
    # Exact checks the tags can't make (custom ranges, the hourly range) probe this by id per candidate.
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
    *(
        f"DROP TRIGGER jobs_fts_{table}_{event}"
        for table in ("job_skills", "job_invites")
        for event in ("insert", "delete")
    ),
    "DROP TRIGGER jobs_fts_delete",
    "DROP TRIGGER jobs_fts_update",
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
