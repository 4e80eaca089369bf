"""The eval harness on small hand-made cases, against a scripted fake assistant (no model, no index).

The tiny dataset and document below are written for these tests only; they are not part of the eval set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from assistant import Chunk, Citation, Hit, Reply
from evals.__main__ import main
from evals.dataset import load_cases
from evals.gate import load_thresholds, violations
from evals.metrics import (
    METRIC_KEYS,
    contains_evidence,
    contains_phrase,
    forbidden_found,
    missing_groups,
    normalise,
    summarise,
    word_count,
)
from evals.report import export_ragas
from evals.runner import run_cases

DOC = "harbour.txt"
DOC_TEXT = (
    "Harbour Lights Review\n\n"
    "The harbour has three lighthouses. Ada Vell built the north light in 1911.\n"
    "The south light was lit in 1902 and shows red lights at night. No keeper lives on site.\n"
)

TINY_DATASET = (
    "\n".join(
        json.dumps(case)
        for case in [
            {
                "id": "pass",
                "category": "fact",
                "question": "How many lighthouses does the harbour have?",
                "facts": [["three", "3"]],
                "evidence": ["three lighthouses"],
            },
            {
                "id": "fail",
                "category": "fact",
                "question": "Who built the north light?",
                "facts": [["Ada Vell"]],
                "evidence": ["Ada Vell built the north light"],
            },
            {
                "id": "forbidden",
                "category": "table",
                "question": "Which light shows red lights?",
                "facts": [["south"]],
                "forbidden": [["north"]],
                "evidence": ["shows red lights"],
            },
            {
                "id": "abstain",
                "category": "unanswerable",
                "question": "What is the keeper's salary?",
                "facts": [],
                "evidence": [],
                "answerable": False,
            },
            {
                "id": "conv",
                "category": "conversation",
                "turns": [
                    {
                        "question": "When was the south light lit?",
                        "facts": [["1902"]],
                        "evidence": ["lit in 1902"],
                    },
                    {
                        "question": "And the north one?",
                        "facts": [["1911"]],
                        "evidence": ["north light in 1911"],
                    },
                ],
            },
        ]
    )
    + "\n"
)


def chunk(text: str, n: int) -> Chunk:
    start = DOC_TEXT.index(text)
    return Chunk(
        chunk_id=f"c{n}",
        text=text,
        source=DOC,
        title="Harbour Lights Review",
        section="",
        char_start=start,
        char_end=start + len(text),
    )


SENTENCES = [
    "The harbour has three lighthouses.",
    "Ada Vell built the north light in 1911.",
    "The south light was lit in 1902 and shows red lights at night.",
    "No keeper lives on site.",
]
CHUNKS = {i: chunk(s, i) for i, s in enumerate(SENTENCES)}


def cite(text: str, n: int = 1, quote: str | None = None, offset_shift: int = 0) -> Citation:
    start = DOC_TEXT.index(text) + offset_shift
    quote = text if quote is None else quote
    return Citation(
        n=n,
        source=DOC,
        title="Harbour Lights Review",
        section="",
        quote=quote,
        chunk_id="c",
        char_start=start,
        char_end=start + len(quote),
    )


def hits(*indices: int) -> list[Hit]:
    return [Hit(chunk=CHUNKS[i], score=1.0 / (rank + 1)) for rank, i in enumerate(indices)]


@dataclass
class FakeSettings:
    top_k: int = 2


@dataclass
class FakeAssistant:
    """Scripted replies for the tiny dataset; records the history it was given for each question."""

    settings: FakeSettings = field(default_factory=FakeSettings)
    histories: dict[str, list[dict[str, str]] | None] = field(default_factory=dict)

    def ask(self, question: str, history: list[dict[str, str]] | None = None) -> Reply:
        self.histories[question] = history
        s = SENTENCES
        if question.startswith("How many lighthouses"):
            return Reply("Three. The harbour has three lighthouses [1].", [cite(s[0])], hits=hits(0, 1))
        if question.startswith("Who built"):  # wrong answer, though the citation is right
            return Reply("It was built by Bo Kern [1].", [cite(s[1])], hits=hits(3, 1))
        if question.startswith("Which light shows red"):  # forbidden word, and a quote not in the source
            return Reply(
                "The south and **north** lights [1].",
                [cite(s[2], quote="The north light is red.")],
                hits=hits(0, 3),
            )
        if question.startswith("When was the south"):
            return Reply("In 1902 [1].", [cite(s[2])], hits=hits(2, 0))
        if question == "And the north one?" and history and history[0]["content"].startswith("When was the south"):
            return Reply("The north light dates from 1911 [1].", [cite(s[1])], hits=hits(1))
        return Reply("The report does not say.", abstained=True, hits=hits(3))

    def source_text(self, source: str) -> str:
        if source != DOC:
            raise KeyError(source)
        return DOC_TEXT


@pytest.fixture
def tiny_dataset(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.jsonl"
    path.write_text(TINY_DATASET, encoding="utf-8")
    return path


@pytest.fixture
def run(tiny_dataset):
    return run_cases(FakeAssistant(), load_cases(tiny_dataset), progress=False)


# --- matching ------------------------------------------------------------------------------------------


def test_normalise_folds_case_quotes_markers_emphasis_and_whitespace():
    assert normalise("  DOD’s **three**\n recommendations [2]. ") == "dod's three recommendations ."


@pytest.mark.parametrize(
    ("text", "phrase", "expected"),
    [
        ("GAO makes Three recommendations [1].", "three", True),
        ("It names 33 partner countries.", "3", False),  # whole words only
        ("Norway does not take part.", "no", False),
        ("No. Japan does not take part.", "no", True),
        ("The U.K. takes part.", "U.K.", True),
        ("the   United\nKingdom", "United Kingdom", True),
        ("did **not** concur", "did not concur", True),
        ("Senate Report 118-58 asked.", "118-58", True),
        ("anything", "", False),
    ],
)
def test_contains_phrase(text, phrase, expected):
    assert contains_phrase(text, phrase) is expected


def test_fact_groups_and_forbidden():
    answer = "Yes — Australia, Canada and the UK take part."
    assert missing_groups(answer, [["Australia"], ["United Kingdom", "UK"], ["France"]]) == [["France"]]
    assert forbidden_found(answer, [["Japan"], ["Canada", "Norway"]]) == ["Canada"]
    assert contains_evidence("x  COMBINED operations (OOD) <sup>a</sup>", ["Combined operations (OOD)"])
    assert word_count("Three. The harbour has three lighthouses [1].") == 6


# --- per-turn scores and aggregation --------------------------------------------------------------------


def test_passing_case(run):
    r = next(r for r in run.results if r.case_id == "pass")
    assert r.passed and r.correct and r.supported and r.hit_rank == 1
    assert r.citations[0]["invalid"] == "" and r.citations[0]["supports"]


def test_failing_case_reports_the_missing_fact(run):
    r = next(r for r in run.results if r.case_id == "fail")
    assert not r.correct and r.missing_facts == [["Ada Vell"]]
    assert r.supported is True and r.hit_rank == 2
    assert r.failures == ["missing facts: Ada Vell"]


def test_forbidden_word_and_invalid_quote_fail(run):
    r = next(r for r in run.results if r.case_id == "forbidden")
    assert not r.correct and r.forbidden_hits == ["north"] and not r.missing_facts
    assert r.supported is False and r.hit_rank is None
    assert r.citations[0]["invalid"] == "quote is not verbatim in the source"
    assert any(f.startswith("forbidden: north") for f in r.failures)


def test_abstention_passes_on_an_unanswerable_case(run):
    r = next(r for r in run.results if r.case_id == "abstain")
    assert r.passed and r.abstained and r.correct
    assert r.supported is None and not r.retrieval_scored


def test_multi_turn_case_passes_the_real_history():
    bot = FakeAssistant()
    cases = load_cases_from_text(TINY_DATASET)
    result = run_cases(bot, cases, progress=False)
    assert bot.histories["When was the south light lit?"] is None
    assert bot.histories["And the north one?"] == [
        {"role": "user", "content": "When was the south light lit?"},
        {"role": "assistant", "content": "In 1902 [1]."},
    ]
    conv = [r for r in result.results if r.case_id == "conv"]
    assert [(r.turn, r.n_turns, r.passed) for r in conv] == [(1, 2, True), (2, 2, True)]


def load_cases_from_text(text: str):
    from evals.dataset import parse_case

    return [parse_case(json.loads(line)) for line in text.splitlines() if line.strip()]


def test_overall_metrics_by_hand(run):
    m = run.overall
    assert set(m) == set(METRIC_KEYS)
    assert m["answer_accuracy"] == 0.6  # pass, conv x2 of 5 answerable turns
    assert m["citation_support"] == 0.8  # all but "forbidden"
    assert m["citation_validity"] == 0.8  # 4 of 5 quotes verbatim
    assert m["abstention_accuracy"] == 1.0
    assert m["false_abstention_rate"] == 0.0
    assert m["hit_at_1"] == 0.6 and m["hit_at_k"] == 0.8 and m["mrr"] == 0.7
    assert m["answer_words_median"] == 6.0  # 6, 6, 5, 2, 6 words
    assert m["short_answers"] == 1.0  # every one of them is under 60 words
    assert m["latency_p50_ms"] is not None and m["latency_p95_ms"] >= m["latency_p50_ms"]
    assert run.n_cases == 5 and len(run.results) == 6 and run.k == 2
    assert [f"{r.case_id}#{r.turn}" for r in run.failing] == ["fail#1", "forbidden#1"]


def test_metrics_by_category_are_null_where_they_do_not_apply(run):
    by = run.by_category
    assert set(by) == {"fact", "table", "unanswerable", "conversation"}
    assert by["fact"]["answer_accuracy"] == 0.5
    assert by["unanswerable"]["answer_accuracy"] is None and by["unanswerable"]["hit_at_k"] is None
    assert by["unanswerable"]["abstention_accuracy"] == 1.0
    assert by["conversation"]["abstention_accuracy"] is None
    assert summarise([])["answer_accuracy"] is None


def test_wrong_offsets_and_unknown_sources_make_a_citation_invalid():
    class Bot(FakeAssistant):
        def ask(self, question, history=None):
            return Reply(
                "Three lighthouses [1][2].",
                [
                    cite(SENTENCES[0], offset_shift=1),
                    Citation(
                        n=2,
                        source="other.txt",
                        title="",
                        section="",
                        quote="x",
                        chunk_id="",
                        char_start=0,
                        char_end=1,
                    ),
                ],
            )

    (result,) = run_cases(Bot(), load_cases_from_text(TINY_DATASET)[:1], progress=False).results
    assert result.citations[0]["invalid"].startswith("offsets")
    assert result.citations[1]["invalid"].startswith("source 'other.txt' unavailable")
    assert result.supported is True and not result.passed


def test_a_table_chunk_counts_as_a_hit_through_its_source_span():
    rendered = Chunk(
        chunk_id="t",
        text="Table: harbour | count: 3",
        source=DOC,
        title="",
        section="",
        char_start=DOC_TEXT.index(SENTENCES[0]),
        char_end=DOC_TEXT.index(SENTENCES[0]) + 40,
    )

    class Bot(FakeAssistant):
        def ask(self, question, history=None):
            return Reply("Three [1].", [cite(SENTENCES[0])], hits=[Hit(chunk=rendered, score=1.0)])

    (result,) = run_cases(Bot(), load_cases_from_text(TINY_DATASET)[:1], progress=False).results
    assert result.hit_rank == 1


def test_an_exception_is_a_failed_turn_not_a_crashed_run():
    class Bot(FakeAssistant):
        def ask(self, question, history=None):
            if "north" in question:
                raise RuntimeError("boom")
            return super().ask(question, history)

    result = run_cases(Bot(), load_cases_from_text(TINY_DATASET), progress=False)
    broken = [r for r in result.results if r.error]
    assert [r.case_id for r in broken] == ["fail", "conv"]
    assert broken[0].failures[0] == "error: RuntimeError: boom"


# --- gate, report, CLI --------------------------------------------------------------------------------


def test_thresholds_file_and_violations(tmp_path):
    t = load_thresholds()
    assert t.minimum["answer_accuracy"] >= 0.9 and t.minimum["citation_validity"] == 1.0
    assert t.maximum["false_abstention_rate"] <= 0.05
    assert violations({"answer_accuracy": 0.95, "citation_validity": 1.0}, t) != []  # missing metrics fail
    bad = tmp_path / "t.toml"
    bad.write_text("[min]\nanswer_acuracy = 0.9\n")
    with pytest.raises(ValueError, match="unknown metric"):
        load_thresholds(bad)


def test_cli_json_prints_only_the_metrics_and_writes_the_report(tiny_dataset, tmp_path, capsys):
    out = tmp_path / "out"
    ragas = tmp_path / "ragas.jsonl"
    status = main(
        [
            "--dataset",
            str(tiny_dataset),
            "--json",
            "--out",
            str(out),
            "--compare",
            "naive",
            "--export",
            "ragas",
            str(ragas),
            "--no-progress",
        ],
        make_assistant=FakeAssistant,
        make_baseline=lambda ours: FakeAssistant(),
    )
    captured = capsys.readouterr()
    assert status == 0
    payload = json.loads(captured.out)  # the whole of stdout is one JSON object
    assert payload["n_cases"] == 5 and set(payload["overall"]) == set(METRIC_KEYS)
    assert set(payload["by_category"]) == {"fact", "table", "unanswerable", "conversation"}
    assert payload["baseline"]["overall"]["answer_accuracy"] == 0.6
    assert f"report: {out / 'report.md'}" in captured.err
    for name in (
        "report.md",
        "results.json",
        "cases.jsonl",
        "overall.png",
        "metrics_by_category.png",
        "latency.png",
    ):
        assert (out / name).stat().st_size > 0, name
    report = (out / "report.md").read_text()
    assert "| Answer accuracy | 0.600 | 0.600 |" in report
    assert "### fail (fact)" in report and "missing facts: Ada Vell" in report
    assert "INVALID: quote is not verbatim" in report and "### pass" not in report
    lines = (out / "cases.jsonl").read_text().splitlines()
    assert len(lines) == 12 and {json.loads(x)["system"] for x in lines} == {"ours", "naive"}
    results = json.loads((out / "results.json").read_text())
    assert results["gate"]["passed"] is False and results["failing"] == ["fail#1", "forbidden#1"]
    rows = [json.loads(x) for x in ragas.read_text().splitlines()]
    assert len(rows) == 6 and set(rows[0]) == {"user_input", "retrieved_contexts", "response", "reference"}
    assert rows[5]["user_input"] == "When was the south light lit?\nAnd the north one?"
    assert rows[3]["reference"].startswith("The report does not")


def test_cli_check_fails_below_thresholds_and_prints_a_table(tiny_dataset, tmp_path, capsys):
    status = main(
        ["--dataset", str(tiny_dataset), "--out", str(tmp_path), "--check", "--no-progress"],
        make_assistant=FakeAssistant,
    )
    out = capsys.readouterr().out
    assert status == 1
    assert "Answer accuracy" in out and "gate: FAIL" in out and "answer_accuracy = 0.6 is below" in out


def test_cli_rejects_a_broken_dataset_with_its_line(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n')
    assert main(["--dataset", str(bad), "--out", str(tmp_path)], make_assistant=FakeAssistant) == 2
    assert f"{bad}:1" in capsys.readouterr().err


def test_ragas_export_of_a_run(run, tmp_path):
    path = export_ragas(run, tmp_path / "r.jsonl")
    first = json.loads(path.read_text().splitlines()[0])
    assert first["response"].startswith("Three") and first["retrieved_contexts"] == SENTENCES[:2]
    assert first["reference"] == "three lighthouses"


def test_short_answer_limits_follow_the_kind_of_question():
    from evals.metrics import is_short

    assert is_short(60, "fact") and not is_short(61, "fact")
    assert is_short(120, "summary") and not is_short(121, "summary")
    assert not is_short(61, "conversation")
