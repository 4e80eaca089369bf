"""The eval set itself: format, size, evidence verbatim in the corpus, and coverage of the whole report."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from evals.dataset import DEFAULT_DATASET, DatasetError, Turn, load_cases, parse_case
from evals.metrics import contains_phrase, normalise

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus" / "GAO-25-108043.txt"
CATEGORIES = {"fact", "paraphrase", "table", "conversation", "unanswerable"}
SECTION_HEADINGS = {"What GAO Found", "Why GAO Did This Study", "What GAO Recommends"}
COUNTRY_ALIASES = {"United Kingdom": ["United Kingdom", "UK", "U.K.", "Britain"]}

_SUP = re.compile(r"<sup>.*?</sup>")
_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])")


@pytest.fixture(scope="module")
def cases():
    return load_cases(DEFAULT_DATASET)


@pytest.fixture(scope="module")
def turns(cases):
    return [(case, turn) for case in cases for turn in case.turns]


def split_sentences(text: str) -> list[str]:
    """Sentence split that keeps initials and abbreviations ("U.S. Space Command", "Alissa H. Czyz")."""
    sentences, start = [], 0
    for m in _BOUNDARY.finditer(text):
        before = text[start : m.start()]
        if re.search(r"\b[A-Za-z]\.$", before):
            continue
        sentences.append(before)
        start = m.end()
    sentences.append(text[start:])
    return [s.strip() for s in sentences if s.strip()]


def is_table_line(line: str) -> bool:
    return "\t" in line


def report_sentences() -> list[str]:
    sentences = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or is_table_line(line):
            continue
        text = _SUP.sub("", line).replace("**", "").strip()
        if text in SECTION_HEADINGS:
            continue
        sentences.extend(split_sentences(text))
    return sentences


def table_cells() -> tuple[list[str], list[str]]:
    """Row labels and country columns of the report's table, parsed from the corpus."""
    lines = [ln for ln in CORPUS.read_text(encoding="utf-8").splitlines() if is_table_line(ln) and ln.strip()]
    header = next(ln for ln in lines if "Australia" in ln)
    countries = [c.strip() for c in header.split("\t") if c.strip()]
    rows = [_SUP.sub("", ln.split("\t")[0]).strip() for ln in lines if re.search(r"\t(Yes|No)\b", ln)]
    return rows, countries


# --- format and size ---------------------------------------------------------------------------------


def test_at_least_80_cases_in_the_five_categories(cases):
    assert len(cases) >= 80
    counts = Counter(c.category for c in cases)
    assert set(counts) == CATEGORIES, counts


def test_conversations_have_two_to_four_turns(cases):
    conversations = [c for c in cases if c.category == "conversation"]
    assert len(conversations) >= 10
    for case in conversations:
        assert 2 <= len(case.turns) <= 4, case.id
    assert all(len(c.turns) == 1 for c in cases if c.category != "conversation")


def test_unanswerable_cases_expect_an_abstention(cases):
    unanswerable = [c for c in cases if c.category == "unanswerable"]
    assert len(unanswerable) >= 15
    for case in unanswerable:
        (turn,) = case.turns
        assert turn.answerable is False and turn.facts == [] and turn.evidence == [], case.id


def test_every_answerable_turn_has_facts_and_evidence(turns):
    for case, turn in turns:
        if turn.answerable:
            assert turn.facts and turn.evidence, case.id


def test_every_evidence_string_is_verbatim_in_the_corpus(turns):
    corpus = normalise(CORPUS.read_text(encoding="utf-8"))
    missing = [(case.id, e) for case, turn in turns for e in turn.evidence if normalise(e) not in corpus]
    assert not missing


def test_facts_do_not_contradict_forbidden(turns):
    for case, turn in turns:
        allowed = {normalise(a) for g in turn.facts for a in g}
        banned = {normalise(a) for g in turn.forbidden for a in g}
        assert not allowed & banned, case.id


# --- coverage of the report ----------------------------------------------------------------------------


def test_sentence_splitter_keeps_initials_and_abbreviations():
    text = "Contact Alissa H. Czyz. U.S. Space Command leads OOD. It works."
    assert split_sentences(text) == ["Contact Alissa H. Czyz.", "U.S. Space Command leads OOD.", "It works."]


def test_every_sentence_of_the_report_is_the_evidence_of_a_case(turns):
    evidence = {normalise(e) for _, turn in turns for e in turn.evidence}
    sentences = report_sentences()
    assert len(sentences) >= 30  # the splitter found the report's prose, footnotes and front matter
    uncovered = [s for s in sentences if not any(e in normalise(s) for e in evidence)]
    assert not uncovered, "sentences no case cites as evidence:\n" + "\n".join(uncovered)


def test_every_cell_of_the_table_is_covered_by_a_table_case(turns):
    rows, countries = table_cells()
    assert len(rows) == 3 and len(countries) == 6
    covered: set[tuple[str, str]] = set()
    for case, turn in turns:
        if case.category not in {"table", "conversation"}:
            continue
        mentioned = " ".join([turn.question, *(a for g in turn.facts + turn.forbidden for a in g)])
        for row in rows:
            if not any(normalise(row) in normalise(e) for e in turn.evidence):
                continue
            for country in countries:
                if any(contains_phrase(mentioned, alias) for alias in COUNTRY_ALIASES.get(country, [country])):
                    covered.add((row, country))
    uncovered = [(r, c) for r in rows for c in countries if (r, c) not in covered]
    assert not uncovered


# --- loader errors name the line ----------------------------------------------------------------------


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = json.dumps({"id": "a", "category": "fact", "question": "Q?", "facts": [["x"]], "evidence": ["x"]})


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"id": "b", "category": "fact"}), "needs either 'question' or 'turns'"),
        (
            json.dumps({"id": "b", "category": "fact", "question": "Q", "fact": []}),
            "unknown field(s) ['fact']",
        ),
        (
            json.dumps({"id": "b", "category": "fact", "question": "Q", "facts": ["x"]}),
            "list of non-empty lists",
        ),
        (json.dumps({"id": "a", "category": "fact", "question": "Q"}), "duplicate id 'a'"),
        (
            json.dumps({"id": "b", "category": "x", "question": "Q", "answerable": False, "facts": [["y"]]}),
            "leave 'facts' and 'evidence' []",
        ),
        (
            json.dumps({"id": "b", "category": "c", "turns": [{"question": "Q"}], "facts": []}),
            "inside each turn",
        ),
        (json.dumps({"id": "b", "category": "c", "turns": [{"question": ""}]}), "turn 1: 'question'"),
    ],
)
def test_invalid_lines_are_reported_with_file_and_line(tmp_path, bad, message):
    path = _write(tmp_path, GOOD, "", bad)
    with pytest.raises(DatasetError) as info:
        load_cases(path)
    assert f"{path}:3" in str(info.value)
    assert message in str(info.value)


def test_missing_dataset_file_says_what_to_do(tmp_path):
    with pytest.raises(DatasetError, match="--dataset"):
        load_cases(tmp_path / "nope.jsonl")


def test_parse_case_defaults_and_turns():
    single = parse_case({"id": "s", "category": "fact", "question": "Q", "facts": [["a", "b"]]})
    assert single.turns == [Turn(question="Q", facts=[["a", "b"]])]
    assert not single.is_conversation
    multi = parse_case(
        {
            "id": "m",
            "category": "conversation",
            "turns": [
                {"question": "Q1", "facts": [["a"]], "evidence": ["e"]},
                {"question": "Q2", "answerable": False},
            ],
        }
    )
    assert multi.is_conversation and [t.answerable for t in multi.turns] == [True, False]
