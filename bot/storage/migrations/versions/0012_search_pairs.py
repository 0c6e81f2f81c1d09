"""job search on PostgreSQL finds a phrase by its pairs of neighbouring words, indexed as lexemes of their own

A phrase (``"landing page"``) asked of the words' GIN index finds every job with both words anywhere, then reads
each one's vector back (out of line, migration 0011) to check the words' positions: at a million jobs, thousands of
vectors for a phrase of two common words, most of which don't hold it. So ``search_jobs.search_vector`` also holds
each pair of neighbouring words of a field as one lexeme (``'landing page'``, with its field's weight): a two-word
phrase is then one lexeme, which the index answers exactly; a longer one is its pairs in a row (``'a b' <-> 'b c'``).
A pair holds a space, which no query word does, so a word never matches a pair.

At a million jobs (bench/search.py, whose words come in random order, so nearly every pair is new) phrases took
p95 67 to 137 ms before and 21 to 34 ms after; the words' index grew from 71 to 719 MB and the migration took five
minutes (350,000 open jobs). Real text repeats its pairs far more.

A trigger on ``search_jobs`` adds the pairs to whatever vector is written there (migration 0011's triggers copy the
job's). The pairs come after the words (``||`` shifts their positions by the last word's), so they keep the words'
relative positions; a pair longer than a lexeme can be (2,047 bytes) is left out, and the search asks such a phrase
by its words. SQLite: nothing (FTS5 reads the positions of its own index).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 02:00:00.000000
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_GIN_INDEXES = (
    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search_jobs' AND indexdef LIKE '%USING gin%'"
)
_FROM_JOBS = "UPDATE search_jobs SET search_vector = jobs.search_vector FROM jobs WHERE jobs.id = search_jobs.id"
POSTGRESQL_UP = [
    # Each word (lexeme, position, weight) with the next position's, as one pair when of the same field (weight).
    """CREATE FUNCTION gigbot_search_pairs(tsvector) RETURNS tsvector LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT coalesce(
            string_agg(format('''%s %s'':%s%s', lexeme, next_lexeme, position, weight), ' '), '')::tsvector
        FROM (SELECT word.lexeme, at.position, at.weight, lead(word.lexeme) OVER in_order AS next_lexeme,
                     lead(at.position) OVER in_order AS next_position, lead(at.weight) OVER in_order AS next_weight
              FROM unnest($1) AS word, unnest(word.positions, word.weights) AS at (position, weight)
              WINDOW in_order AS (ORDER BY at.position)) AS words
        WHERE next_position = position + 1 AND next_weight = weight
            AND octet_length(lexeme) + octet_length(next_lexeme) < 2047 $$""",
    """CREATE FUNCTION gigbot_search_jobs_pairs() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        NEW.search_vector := NEW.search_vector || gigbot_search_pairs(NEW.search_vector);
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER search_jobs_pairs BEFORE INSERT OR UPDATE OF search_vector ON search_jobs FOR EACH ROW
        EXECUTE FUNCTION gigbot_search_jobs_pairs()""",
]
POSTGRESQL_DOWN = ["DROP TRIGGER search_jobs_pairs ON search_jobs", "DROP FUNCTION gigbot_search_jobs_pairs()"]


def _rewrite_vectors() -> None:
    """Every row's vector written again from its job's (through the trigger when it is there), its GIN indexes
    dropped meanwhile and built again after: far quicker than updating them row by row."""
    indexes = op.get_bind().exec_driver_sql(_GIN_INDEXES).all()
    for name, _definition in indexes:
        op.execute(f"DROP INDEX {name}")
    op.execute(_FROM_JOBS)
    for _name, definition in indexes:
        op.execute(definition)
    op.execute("ANALYZE search_jobs")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_UP:
            op.execute(statement)
        _rewrite_vectors()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_DOWN:
            op.execute(statement)
        _rewrite_vectors()
        op.execute("DROP FUNCTION gigbot_search_pairs(tsvector)")
