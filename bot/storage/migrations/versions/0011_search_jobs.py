"""job search on PostgreSQL reads a narrow row per open job: ``search_jobs``, kept by triggers

A jobs row is about 2 KB (three to a page), so a search that checks its filters, visibility or sort keys on
every match reads a page per match, far more than the shared buffers hold at a million jobs. ``search_jobs``
holds one row per open job with just what a search asks of it: the filter columns, visibility, the client and
cloud, the skills (best match's overlap) and the words' vector, the latter stored out of line (read only to
recheck a phrase or a word's field), so the rows the search reads are about 240 bytes (the table's 350,000 rows
at a million jobs: 83 MB, against 224 MB with the vectors in the rows). Its GIN indexes are those migration
0010 put on jobs (the words, and relevance's first tiers as the title's and the title and skills' weights of the
same vector), which 0011 moves here, with the newest order's btree; but of the filter columns they hold only the
selective ones (hours per week, category, publish time): with rows this narrow, checking a match's row costs less
than intersecting the words with the long lists of experience, job type, project length or the client's payment
(server CPU per search of the bench's mix 27.4 and 26.8 ms with all seven, 22.6 and 24.1 ms with these three).

Triggers keep it: a job's insert or update writes or removes its row (open jobs only), a change of a job's
skills rewrites the row's skills; a job's deletion takes its row along (foreign key). The client's stats reach
it through jobs (migration 0003's triggers copy them there). The search reads jobs only for the page's cards.
SQLite: nothing (migration 0003's full-text tags already do this).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 23:30:00.000000
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# PostgreSQL moves values out of a row only when the row is wider than about 2 KB (TOAST_TUPLE_THRESHOLD), and
# then until it is as narrow as toast_tuple_target: so every row is written with this many spaces, which make it
# that wide and are then compressed to about 30 bytes, and the vector (most of a row, 600 to 1,200 bytes) is moved
# out of line with them.
_BALLAST = 2100
# What a search asks of an open job besides its words (bot/storage/search.py reads these by name).
_COLUMNS = (
    "published_at, experience, job_type, project_length, hours_per_week, category, visibility, client_id, cloud_id, "
    "budget_minor, rate_min_minor, rate_max_minor, proposals_count, client_payment_verified, client_hires"
)


def _of(row: str) -> str:
    """The columns above of a trigger's row (``NEW`` or ``OLD``)."""
    return ", ".join(f"{row}.{name.strip()}" for name in _COLUMNS.split(","))


_NEW = _of("NEW")
_SKILLS = "coalesce((SELECT array_agg(skill ORDER BY skill) FROM job_skills WHERE job_id = {job}), '{{}}')"
_FILTER_COLUMNS = "hours_per_week, category, published_at"  # the selective ones: see above
# Relevance's first tiers (bot/storage/search.py says these expressions exactly as written here).
_TITLE = "ts_filter(search_vector, '{a}'::\"char\"[])"
_TITLE_SKILLS = "ts_filter(search_vector, '{a,b}'::\"char\"[])"
_INDEXES = [
    f"CREATE INDEX ix_search_narrow_words ON search_jobs USING gin (search_vector, {_FILTER_COLUMNS})",
    f"CREATE INDEX ix_search_narrow_title ON search_jobs USING gin (({_TITLE}), {_FILTER_COLUMNS})",
    f"CREATE INDEX ix_search_narrow_title_skills ON search_jobs USING gin (({_TITLE_SKILLS}), {_FILTER_COLUMNS})",
    "CREATE INDEX ix_search_narrow_newest ON search_jobs (published_at DESC, id DESC)",
]
# Migration 0010's indexes on jobs, which nothing reads once the search reads search_jobs (as 0010 wrote them:
# going down puts them back).
_JOBS_TITLE = "setweight(to_tsvector('simple'::regconfig, gigbot_search_fold(title)), 'A')"
_JOBS_TITLE_SKILLS = (
    f"({_JOBS_TITLE} || setweight(to_tsvector('simple'::regconfig, gigbot_search_fold(skills_text)), 'B'))"
)
_JOBS_FILTERS = "experience, job_type, project_length, hours_per_week, category, client_payment_verified, published_at"
_JOBS_INDEXES = [
    f"CREATE INDEX ix_search_jobs_words ON jobs USING gin (search_vector, {_JOBS_FILTERS}) WHERE status = 'open'",
    f"CREATE INDEX ix_search_jobs_title ON jobs USING gin (({_JOBS_TITLE}), {_JOBS_FILTERS}) WHERE status = 'open'",
    f"CREATE INDEX ix_search_jobs_title_skills ON jobs USING gin ({_JOBS_TITLE_SKILLS}, {_JOBS_FILTERS}) "
    "WHERE status = 'open'",
    "CREATE INDEX ix_search_jobs_newest ON jobs (published_at DESC, id DESC) WHERE status = 'open'",
]
POSTGRESQL_UP = [
    f"""CREATE TABLE search_jobs (
        id bigint PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
        published_at timestamp without time zone,
        experience varchar(12) NOT NULL,
        job_type varchar(8) NOT NULL,
        project_length varchar(8) NOT NULL,
        hours_per_week varchar(8),
        category varchar(24) NOT NULL,
        visibility varchar(8) NOT NULL,
        client_id bigint NOT NULL,
        cloud_id bigint,
        budget_minor bigint,
        rate_min_minor bigint,
        rate_max_minor bigint,
        proposals_count integer NOT NULL,
        client_payment_verified boolean NOT NULL,
        client_hires integer NOT NULL,
        skills text[] NOT NULL,
        search_vector tsvector NOT NULL,
        toast_ballast text NOT NULL DEFAULT repeat(' ', {_BALLAST})
    ) WITH (toast_tuple_target = 128)""",
    # The vector out of line and uncompressed (a recheck reads it without inflating it); the skills always in the
    # row, read for every match by best match.
    """ALTER TABLE search_jobs ALTER COLUMN search_vector SET STORAGE EXTERNAL,
        ALTER COLUMN skills SET STORAGE PLAIN""",
    f"""INSERT INTO search_jobs (id, {_COLUMNS}, skills, search_vector)
        SELECT id, {_COLUMNS}, {_SKILLS.format(job="jobs.id")}, search_vector FROM jobs WHERE status = 'open'""",
    *_INDEXES,
    f"""CREATE FUNCTION gigbot_search_jobs_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF NEW.status <> 'open' THEN
            DELETE FROM search_jobs WHERE id = NEW.id;
        ELSE
            INSERT INTO search_jobs (id, {_COLUMNS}, skills, search_vector)
            VALUES (NEW.id, {_NEW}, {_SKILLS.format(job="NEW.id")}, NEW.search_vector)
            ON CONFLICT (id) DO UPDATE SET ({_COLUMNS}, search_vector) = ({_NEW}, NEW.search_vector);
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER search_jobs_insert AFTER INSERT ON jobs FOR EACH ROW WHEN (NEW.status = 'open')
        EXECUTE FUNCTION gigbot_search_jobs_write()""",
    # Only a change of what the row holds rewrites it (not, say, the last activity's time).
    f"""CREATE TRIGGER search_jobs_update AFTER UPDATE ON jobs FOR EACH ROW
        WHEN ((OLD.status, {_of("OLD")}, OLD.search_vector) IS DISTINCT FROM (NEW.status, {_NEW}, NEW.search_vector))
        EXECUTE FUNCTION gigbot_search_jobs_write()""",
    f"""CREATE FUNCTION gigbot_search_jobs_skills() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF TG_OP <> 'INSERT' THEN
            UPDATE search_jobs SET skills = {_SKILLS.format(job="OLD.job_id")} WHERE id = OLD.job_id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            UPDATE search_jobs SET skills = {_SKILLS.format(job="NEW.job_id")} WHERE id = NEW.job_id;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER search_jobs_skills AFTER INSERT OR UPDATE OR DELETE ON job_skills FOR EACH ROW
        EXECUTE FUNCTION gigbot_search_jobs_skills()""",
    *(f"DROP INDEX {statement.split()[2]}" for statement in _JOBS_INDEXES),
    "ANALYZE search_jobs",
]
POSTGRESQL_DOWN = [
    *_JOBS_INDEXES,
    "DROP TRIGGER search_jobs_skills ON job_skills",
    "DROP FUNCTION gigbot_search_jobs_skills()",
    "DROP TRIGGER search_jobs_update ON jobs",
    "DROP TRIGGER search_jobs_insert ON jobs",
    "DROP FUNCTION gigbot_search_jobs_write()",
    "DROP TABLE search_jobs",
]


def _on_postgresql(statements: list[str]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in statements:
            op.execute(statement)


def upgrade() -> None:
    _on_postgresql(POSTGRESQL_UP)


def downgrade() -> None:
    _on_postgresql(POSTGRESQL_DOWN)
