"""Real published reports (../shared/reports, read in place): metadata, and answer units that are whole
sentences with no page furniture. Loading only; no model. Expected values were read off the files by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.chunking import chunk_document
from assistant.ingest import Document, load_document
from assistant.ingest.reflow import reading_text

REPORTS = Path(__file__).resolve().parents[2].parent / "shared" / "reports"
pytestmark = pytest.mark.skipif(not REPORTS.is_dir(), reason="../shared/reports is not there")

# (title, report number, date), as the converter line and the cover print them
EXPECTED = {
    "GAO-26-108534.md": (
        "Federal Student Loans: Education Needs to Address Gaps in Servicer Oversight",
        "GAO-26-108534",
        "March 11, 2026",
    ),
    "GAO-26-107815.md": (
        "Ukraine Funding: HHS Allocation and Oversight of Refugee Assistance",
        "GAO-26-107815",
        "March 16, 2026",
    ),
    "GAO-26-108745.md": ("Science & Tech Spotlight: Engineered Biofertilizers", "GAO-26-108745", "March 16, 2026"),
    "GAO-26-108943.md": (
        "VA Health Care: Recommendations and Observations to Improve Community Care and Support for Caregivers "
        "Related to the Dole Act",
        "GAO-26-108943",
        "March 2, 2026",
    ),
}
SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]*]*$")
FOOTER = re.compile(r"Page \d+ GAO-\d\d-\d+|GAO-\d\d-\d+ [A-Z][^.]{3,60} \d+$")
PLACEHOLDER = re.compile(r"see original PDF|\[Figure \d", re.IGNORECASE)


@pytest.fixture(scope="module")
def documents() -> dict[str, Document]:
    files = [p for p in sorted(REPORTS.iterdir()) if p.suffix in (".md", ".pdf") and p.name != "README.md"]
    return {p.name: load_document(p) for p in files}


def test_every_real_report_loads_with_its_own_number(documents: dict[str, Document]) -> None:
    assert len(documents) == 28
    for name, doc in documents.items():
        assert doc.report_number == Path(name).stem, name
        assert doc.title and doc.title != Path(name).stem, name
        assert re.fullmatch(r"[A-Z][a-z]+ (\d{1,2}, )?\d{4}", doc.date), (name, doc.date)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_metadata_of_a_sample(documents: dict[str, Document], name: str) -> None:
    doc = documents[name]
    assert (doc.title, doc.report_number, doc.date) == EXPECTED[name]


@pytest.mark.parametrize("name", ["GAO-26-107815.md", "GAO-26-107951.md", "GAO-26-108534.md"])
def test_answer_units_are_whole_sentences_without_furniture(documents: dict[str, Document], name: str) -> None:
    doc = documents[name]
    problems = []
    for chunk in chunk_document(doc):
        if chunk.kind not in ("text", "footnote"):
            continue
        sentences = chunk.sentence_spans()
        readings = [reading_text(doc.text, s) for s in sentences]
        prose = sum(bool(SENTENCE_END.search(r)) for r in readings) >= 2  # not an address block or a label list
        for i, (sentence, reading) in enumerate(zip(sentences, readings, strict=True)):
            verbatim = " ".join(doc.text[s:e] for s, e in sentence)
            if FOOTER.search(verbatim) or PLACEHOLDER.search(verbatim):
                problems.append(("furniture", reading))
            if prose and i + 1 < len(sentences) and not SENTENCE_END.search(reading):
                problems.append(("ends mid-sentence", reading))
            marker = chunk.kind == "footnote" and re.match(r"[a-z] [A-Z]", reading)  # a note's own marker "a"
            if prose and reading[:1].islower() and not marker:
                problems.append(("starts mid-sentence", reading))
    assert not problems, problems[:10]


def test_the_hard_wrapped_sentence_of_the_seen_failure_is_whole(documents: dict[str, Document]) -> None:
    doc = documents["GAO-26-107815.md"]
    said = {reading_text(doc.text, s) for b in doc.blocks for s in b.sentences}
    assert (
        "From fiscal years 2022 through 2024, DHS granted humanitarian parole to approximately 259,000 Ukrainians "
        "and their eligible family members who left Ukraine."
    ) in said


def test_every_evidence_string_of_the_real_eval_set_is_in_its_report(documents: dict[str, Document]) -> None:
    from evals.dataset import DATASETS_DIR, load_cases
    from evals.metrics import normalise

    cases = load_cases(sorted((DATASETS_DIR / "real").glob("*.jsonl")))
    assert len(cases) >= 200 and len({r for c in cases for r in c.reports}) >= 12
    readers = {}
    for name, doc in documents.items():
        reading = " ".join(reading_text(doc.text, s) for b in doc.blocks for s in b.sentences)
        readers[name] = normalise(doc.text) + "\n" + normalise(reading)
    missing = [
        (case.id, evidence)
        for case in cases
        for turn in case.turns
        for evidence in turn.evidence
        if not any(normalise(evidence) in readers[name] for name in case.reports)
    ]
    assert not missing, missing[:10]
