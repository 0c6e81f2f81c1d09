"""The search syntax: what each query means, which jobs it finds, and the hint for each malformed query."""

from __future__ import annotations

import time

import pytest

from bot.core.errors import UserError
from bot.core.search import matches, parse_query, search_words
from bot.storage.search import AllOf, AnyOf, Term

JOBS = {
    1: ("Python developer for Django API", "A REST API for a café.", "Python, Django"),
    2: ("Logo design", "A modern logo for our brand.", "Logo Design, Adobe Illustrator"),
    3: ("Machine learning engineer", "Python and PyTorch models.", "Python, Machine Learning"),
    4: ("WordPress landing page", "Some PHP tweaks.", "WordPress, PHP"),
    5: ("React UI", "Our Node.js backend and e-commerce shop.", "React, JavaScript"),
}


def w(*words: str, field: str | None = None) -> Term:
    return Term(words, field)  # type: ignore[arg-type]


PARSED = [
    ("", None),
    ("   ", None),
    ("python", w("python")),
    ("Python Django", AllOf((w("python"), w("django")))),
    ("python AND django", AllOf((w("python"), w("django")))),
    ("python or django", AllOf((w("python"), w("or"), w("django")))),  # operators are in capitals
    ("python OR ruby", AnyOf((w("python"), w("ruby")))),
    ("api python OR ruby", AllOf((w("api"), AnyOf((w("python"), w("ruby")))))),  # OR binds tighter
    ('"machine learning"', w("machine", "learning")),
    ("python -django", AllOf((w("python"),), (w("django"),))),
    ("python NOT django", AllOf((w("python"),), (w("django"),))),
    ('logo -"brand identity"', AllOf((w("logo"),), (w("brand", "identity"),))),
    ("title:logo", w("logo", field="title")),
    ('TITLE:"Logo Design"', w("logo", "design", field="title")),
    ("skills:python", w("python", field="skills")),
    ("skills:js", w("javascript", field="skills")),  # an alias is the skill
    ("skills:unheardof", w("unheardof", field="skills")),
    ("(python OR ruby) (django OR rails)", AllOf((AnyOf((w("python"), w("ruby"))), AnyOf((w("django"), w("rails")))))),
    ("python -(php OR wordpress)", AllOf((w("python"),), (AnyOf((w("php"), w("wordpress"))),))),
    ("Café NAÏVE", AllOf((w("cafe"), w("naive")))),
    ("node.js", w("node", "js")),
    ("e-commerce", w("e", "commerce")),
    ("c++ 10:30", AllOf((w("c"), w("10", "30")))),
    ('"foo:bar"', w("foo", "bar")),
]


@pytest.mark.parametrize(("query", "expected"), PARSED)
def test_queries_parse_to_their_meaning(query: str, expected: object) -> None:
    assert parse_query(query).root == expected


FOUND = [
    ("", {1, 2, 3, 4, 5}),
    ("python", {1, 3}),
    ("python django", {1}),
    ("python OR react", {1, 3, 5}),
    ('"machine learning"', {3}),
    ('"learning machine"', set()),
    ("python -django", {3}),
    ("title:python", {1}),
    ("skills:python", {1, 3}),
    ("skills:js", {5}),
    ("title:logo", {2}),
    ('title:"logo design"', {2}),
    ('"design logo"', set()),  # a phrase never runs from one field into the next
    ("cafe", {1}),
    ("node.js", {5}),
    ("(python OR wordpress) -php", {1, 3}),
]


@pytest.mark.parametrize(("query", "expected"), FOUND)
def test_queries_find_their_jobs(query: str, expected: set[int]) -> None:
    root = parse_query(query).root
    assert {job_id for job_id, texts in JOBS.items() if matches(root, *texts)} == expected


MALFORMED = [
    ('"logo design', "A quote is not closed"),
    ('logo "design', "A quote is not closed"),
    ("python OR", "OR needs a word on each side"),
    ("OR python", "OR needs a word on each side"),
    ("python OR OR ruby", "OR needs a word on each side"),
    ("python OR -ruby", "An excluded word can't be one side of OR"),
    ("-ruby OR python", "An excluded word can't be one side of OR"),
    ("python AND", "AND needs a word on each side"),
    ("python NOT", "NOT (or -) needs a word right after it"),
    ("python -", "NOT (or -) needs a word right after it"),
    ("python - ruby", "NOT (or -) needs a word right after it"),
    ("foo:bar", "I don't know the field"),
    ("title:", "Put one word or a quoted phrase right after"),
    ("title: logo", "Put one word or a quoted phrase right after"),
    ("title:(a OR b)", "Put one word or a quoted phrase right after"),
    ("-wordpress", "add at least one word to look for"),
    ("NOT php -wordpress", "add at least one word to look for"),
    ("python (-php)", "add at least one word to look for"),
    ("!!! python", "has no letters or digits"),
    ('python ""', "has no letters or digits"),
    ("python (django", "A parenthesis is not closed"),
    ("python)", "A closing parenthesis has no opening one"),
    ("python ()", "Empty parentheses"),
    (" ".join(f"w{n}" for n in range(31)), "too many words"),
    ('"' + " ".join(["w"] * 31) + '"', "too many words"),
]


@pytest.mark.parametrize(("query", "hint"), MALFORMED)
def test_malformed_queries_say_how_to_fix_them(query: str, hint: str) -> None:
    with pytest.raises(UserError) as raised:
        parse_query(query)
    assert hint in raised.value.message_id


def test_thirty_words_are_fine_and_a_thousand_are_refused_at_once() -> None:
    assert len(parse_query(" ".join(f"w{n}" for n in range(30))).root.include) == 30  # type: ignore[union-attr]
    started = time.perf_counter()
    with pytest.raises(UserError) as raised:
        parse_query(" ".join(f"word{n}" for n in range(1_000)) + ' "' + "x" * 1_000_000)
    assert raised.value.params == {"limit": 30}
    assert time.perf_counter() - started < 0.1


def test_words_fold_case_and_accents_and_split_on_anything_else() -> None:
    assert search_words("Crème BRÛLÉE, São-Paulo_2026 東京 привет") == [
        "creme", "brulee", "sao", "paulo", "2026", "東京", "привет"
    ]  # fmt: skip
