"""Deterministic synthetic report-like corpora for the benchmarks.

Each file is written in the published plain-text style the loader understands (see corpus/GAO-25-108043.txt
and assistant/loaders.py): a ``**Title**`` line, report number and date, ``**Heading**`` sections of
paragraphs, and tables (a bold title line above tab-separated rows with ``<sup>a</sup>`` markers, footnotes
below and a ``Source:`` line). Word lists are combined so BM25 and the embeddings see realistic variety.

Files are added until ``assistant.chunking.chunk_document`` counts the requested number of chunks (the last
file is cut to size, so the count is exact). Along the way the generator records questions whose answer is in
the text (one fact per sentence template, and table cells), for the query benchmarks.

    python benchmarks/synth.py 1000 /tmp/corpus-1k     # writes the files and questions.jsonl
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

SEED = 20250701
VERSION = "1"  # bump when the generator's output changes (cached corpora are regenerated)

AGENCIES = [
    ("Department of Defense", "DOD"),
    ("Department of Homeland Security", "DHS"),
    ("Department of Veterans Affairs", "VA"),
    ("National Aeronautics and Space Administration", "NASA"),
    ("Department of Energy", "DOE"),
    ("Federal Aviation Administration", "FAA"),
    ("Environmental Protection Agency", "EPA"),
    ("Internal Revenue Service", "IRS"),
    ("Department of Transportation", "DOT"),
    ("Small Business Administration", "SBA"),
    ("Department of Agriculture", "USDA"),
    ("Centers for Medicare & Medicaid Services", "CMS"),
    ("Office of Personnel Management", "OPM"),
    ("Federal Emergency Management Agency", "FEMA"),
    ("Department of Housing and Urban Development", "HUD"),
    ("Social Security Administration", "SSA"),
    ("Bureau of Land Management", "BLM"),
    ("National Oceanic and Atmospheric Administration", "NOAA"),
    ("Transportation Security Administration", "TSA"),
    ("Indian Health Service", "IHS"),
]
TOPIC_ADJ = [
    "cybersecurity", "acquisition", "workforce", "grant", "infrastructure", "data", "financial", "emergency",
    "maintenance", "procurement", "research", "health care", "housing", "disaster", "satellite", "shipbuilding",
    "broadband", "water", "energy", "fraud prevention", "wildfire", "border", "pharmacy", "aviation safety",
    "space launch", "climate resilience", "student aid", "tax compliance", "food safety", "pipeline",
]  # fmt: skip
TOPIC_NOUN = [
    "oversight", "planning", "programs", "modernization", "management", "readiness", "reporting", "contracts",
    "systems", "training", "investments", "inspections", "payments", "recovery", "security", "performance",
    "coordination", "recruitment", "testing", "monitoring",
]  # fmt: skip
VERBS = [  # (base, past participle)
    ("assess", "assessed"), ("implement", "implemented"), ("expand", "expanded"), ("document", "documented"),
    ("monitor", "monitored"), ("evaluate", "evaluated"), ("prioritize", "prioritized"), ("track", "tracked"),
    ("update", "updated"), ("consolidate", "consolidated"), ("staff", "staffed"), ("fund", "funded"),
]  # fmt: skip
PROBLEMS = [
    "staffing shortages", "outdated guidance", "incomplete data", "cost overruns", "schedule delays",
    "unclear roles and responsibilities", "limited oversight", "insufficient training", "aging equipment",
    "improper payments", "high turnover", "fragmented information systems", "inconsistent procedures",
    "supply chain disruptions", "unreliable cost estimates", "weak internal controls",
]  # fmt: skip
RISKS = [
    "duplicating efforts", "missing its performance goals", "paying more than necessary", "losing skilled staff",
    "undermining public trust", "delaying critical repairs", "exposing sensitive data", "wasting federal funds",
]  # fmt: skip
FIXES = [
    "clear milestones", "a workforce plan", "reliable cost data", "documented procedures", "a risk assessment",
    "performance measures", "a coordination mechanism", "complete inventories",
]  # fmt: skip
SITES = ["field offices", "regions", "installations", "medical centers", "ports", "airports", "districts", "labs"]
STATES = [
    "Alabama", "Alaska", "Arizona", "California", "Colorado", "Florida", "Georgia", "Hawaii", "Idaho",
    "Illinois", "Kansas", "Maine", "Michigan", "Montana", "Nevada", "New Mexico", "New York", "Ohio", "Oregon",
    "Texas", "Utah", "Vermont", "Virginia", "Washington", "Wyoming",
]  # fmt: skip
COUNTRIES = [
    "Australia", "Canada", "France", "Germany", "Italy", "Japan", "Netherlands", "New Zealand", "Norway",
    "Poland", "South Korea", "Spain", "United Kingdom", "Denmark", "Finland", "Sweden",
]  # fmt: skip
PRACTICES = [
    "Data sharing agreements", "Joint exercises", "Personnel exchanges", "Risk assessments",
    "Performance measures", "Written procedures", "Annual training", "Independent audits", "Cost estimates",
    "Workforce plans", "Contingency plans", "Public reporting", "Information security reviews", "Site visits",
]  # fmt: skip
NOTES = [
    "includes agreements signed before fiscal year {y}.",
    "is based on officials' responses to GAO's questionnaire.",
    "excludes activities funded through supplemental appropriations.",
    "counts only practices documented in writing as of {m} {y}.",
    "was not independently verified by GAO.",
]  # fmt: skip
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # fmt: skip
STUDY_SECTIONS = ["What GAO Found", "Why GAO Did This Study", "What GAO Recommends", "Background",
                  "Scope and Methodology", "Agency Comments"]  # fmt: skip


@dataclass
class Report:
    """One generated file: its text, and questions it can answer."""

    name: str
    text: str
    questions: list[dict[str, str]] = field(default_factory=list)


def _topic(rng: random.Random) -> str:
    return f"{rng.choice(TOPIC_ADJ)} {rng.choice(TOPIC_NOUN)}"


class _Writer:
    def __init__(self, rng: random.Random, abbr: str, full: str, year: int) -> None:
        self.rng, self.abbr, self.full, self.year = rng, abbr, full, year
        self.questions: list[dict[str, str]] = []

    def sentence(self) -> str:
        """One sentence from a random template; most templates also record a question about it."""
        r, a = self.rng, self.abbr
        topic, (base, past), problem = _topic(r), r.choice(VERBS), r.choice(PROBLEMS)
        y = self.year - r.randint(0, 4)
        k, m = r.randint(2, 40), r.randint(41, 90)
        kind = r.randrange(8)
        if kind == 0:
            amount = r.randint(12, 9800)
            self._ask(f"How much did {a} obligate for {topic} in fiscal year {y}?")
            return f"In fiscal year {y}, {a} obligated ${amount} million for {topic} across {k} {r.choice(SITES)}."
        if kind == 1:
            self._ask(f"Why has {a} not fully {past} its {topic}?")
            return f"GAO found that {a} has not fully {past} its {topic}, in part because of {problem}."
        if kind == 2:
            self._ask(f"What limited the ability of {a} to {base} {topic}?")
            return (
                f"{a} officials told GAO that {problem} limited their ability to {base} {topic} at {k} of {m} "
                f"{r.choice(SITES)}."
            )
        if kind == 3:
            self._ask(f"How many recommendations on {topic} had {a} {past}?")
            return f"As of {r.choice(MONTHS)} {self.year}, {a} had {past} {k} of the {m} recommendations on {topic}."
        if kind == 4:
            fix, risk = r.choice(FIXES), r.choice(RISKS)
            self._ask(f"What does {a} risk without {fix} for {topic}?")
            return f"Without {fix}, {a} risks {risk} in its {topic}."
        if kind == 5:
            self._ask(f"What does GAO recommend about {topic} at {a}?")
            return f"GAO recommends that {a} {base} its {topic} and report on {r.choice(FIXES)} by {y + 2}."
        if kind == 6:
            return (
                f"According to {a} documents, {topic} activities increased by {k} percent between {y - 3} and {y}, "
                f"while {r.choice(PROBLEMS)} persisted."
            )
        return f"{a} {past} {topic} in {k} {r.choice(SITES)}, according to interviews with agency officials."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 5)))

    def _ask(self, question: str) -> None:
        self.questions.append({"kind": "text", "question": question})

    def table(self, number: str, letters: str = "abc") -> str:
        """A bold title line, a tab-separated table with footnote markers, the footnotes and a Source line."""
        r, a = self.rng, self.abbr
        topic = _topic(r)
        if r.random() < 0.5:  # Yes/No practices by state or country
            columns = r.sample(r.choice([STATES, COUNTRIES]), r.randint(4, 7))
            rows = r.sample(PRACTICES, r.randint(4, 8))
            title = f"{topic.capitalize()} Practices Reported by Selected Partners of {a}"
            cells = [[r.choice(["Yes", "Yes", "No"]) for _ in columns] for _ in rows]
            row, col = r.randrange(len(rows)), r.randrange(len(columns))
            self.questions.append(
                {"kind": "table", "question": f"Does {columns[col]} have {rows[row].lower()} for {topic}?"}
            )
        else:  # dollars by fiscal year
            columns = [f"FY {self.year - i}" for i in range(r.randint(3, 5), -1, -1)]
            rows = [f"{r.choice(TOPIC_ADJ).capitalize()} {r.choice(TOPIC_NOUN)}" for _ in range(r.randint(4, 8))]
            rows = list(dict.fromkeys(rows))
            years = f"Fiscal Years {self.year - 5}-{self.year}"
            title = f"{a} Obligations for {topic.title()}, {years} (dollars in millions)"
            cells = [[f"{r.randint(1, 2500):,}" for _ in columns] for _ in rows]
            self.questions.append(
                {"kind": "table", "question": f"How much did {a} obligate for {rows[0].lower()} in {columns[-1]}?"}
            )
        marked = r.sample(range(len(rows)), min(len(letters), len(rows)))
        lines = [f"**{title}**", "", "\t" * len(columns), "\t" + "\t".join(columns)]
        used = []
        for i, (label, values) in enumerate(zip(rows, cells, strict=True)):
            if i in marked:
                letter = letters[marked.index(i)]
                used.append(letter)
                label = f"{label} <sup>{letter}</sup>"
            lines.append(label + "\t" + "\t".join(values))
        lines.append("")
        for letter in sorted(used):
            note = r.choice(NOTES).format(y=self.year - 2, m=r.choice(MONTHS))
            lines += [f"<sup>{letter}</sup>{rows[marked[letters.index(letter)]]} {note}", ""]
        lines.append(f"Source: GAO analysis of {self.full} data. | {number}")
        return "\n".join(lines)


def make_report(i: int, max_paragraphs: int | None = None) -> Report:
    """Report ``i`` of the synthetic corpus (the same ``i`` always gives the same text).

    With ``max_paragraphs`` the report is shortened (no tables, at most that many paragraphs), which the
    corpus builder uses to land on the requested chunk count exactly.
    """
    rng = random.Random(SEED * 1_000_003 + i)
    full, abbr = rng.choice(AGENCIES)
    year = rng.randint(2019, 2025)
    number = f"GAO-{year % 100:02d}-{100000 + i}"
    w = _Writer(rng, abbr, full, year)
    (_, past), topic = rng.choice(VERBS), _topic(rng)
    title = f"{full}: Improvements Needed to Ensure {topic.title()} Are Fully {past.capitalize()}"
    parts = [
        f"**{title}**",
        number,
        f"{rng.choice(MONTHS)} {year}",
        "A report to congressional committees.",
        f"For more information, contact: GAO staff at {abbr.lower()}-review@gao.example",
    ]
    sections = [*STUDY_SECTIONS[:3], *(f"{abbr} Has Not Fully {v.capitalize()} Its {_topic(rng).title()}"
                                      for _, v in rng.sample(VERBS, 3)), *STUDY_SECTIONS[3:]]  # fmt: skip
    table_sections = set(rng.sample(range(len(sections)), 2)) if max_paragraphs is None else set()
    budget = max_paragraphs if max_paragraphs is not None else 10**9
    n_tables = 0
    for s, heading in enumerate(sections):
        if budget <= 0:
            break
        parts.append(f"**{heading}**")
        for _ in range(rng.randint(2, 5)):
            if budget <= 0:
                break
            parts.append(w.paragraph())
            budget -= 1
        if s in table_sections:
            n_tables += 1
            parts.append(w.table(number))
            parts.append(w.paragraph())
    return Report(f"GAO-{year % 100:02d}-{100000 + i}.txt", "\n\n".join(parts) + "\n", w.questions)


def count_chunks(text: str, name: str = "x.txt") -> int:
    from assistant.chunking import chunk_document
    from assistant.ingest.text import parse_text

    return len(chunk_document(parse_text(text, name)))


def build(target: int) -> list[Report]:
    """Reports whose chunks (as the assistant counts them) add up to exactly ``target``."""
    reports: list[Report] = []
    total, i = 0, 0
    while total < target:
        report = make_report(i)
        n = count_chunks(report.text, report.name)
        if total + n > target:  # the last file: shorter, without tables, until it fits
            for paragraphs in range(target - total, 0, -1):
                report = make_report(i, max_paragraphs=paragraphs)
                n = count_chunks(report.text, report.name)
                if total + n <= target:
                    break
        reports.append(report)
        total += n
        i += 1
    return reports


def ensure_corpus(target: int, root: Path) -> Path:
    """The corpus of ``target`` chunks under ``root/<target>`` (generated once, then reused)."""
    folder = root / f"synth-{target}-v{VERSION}"
    done = folder / ".complete"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    reports = build(target)
    for report in reports:
        (folder / report.name).write_text(report.text, encoding="utf-8")
    with (folder / ".questions.jsonl").open("w", encoding="utf-8") as fh:
        for report in reports:
            for q in report.questions:
                fh.write(json.dumps({**q, "source": report.name}) + "\n")
    done.write_text(json.dumps({"target": target, "files": len(reports)}))
    return folder


def questions(folder: Path, n: int, seed: int = SEED, table_share: float = 0.3) -> list[str]:
    """``n`` distinct questions about the corpus in ``folder`` (about 30% about table cells), seeded."""
    rows = [json.loads(line) for line in (folder / ".questions.jsonl").read_text().splitlines()]
    rng = random.Random(seed)
    texts = list(dict.fromkeys(r["question"] for r in rows if r["kind"] == "text"))
    tables = list(dict.fromkeys(r["question"] for r in rows if r["kind"] == "table"))
    n_table = min(len(tables), round(n * table_share))
    picked = rng.sample(tables, n_table) + rng.sample(texts, min(len(texts), n - n_table))
    rng.shuffle(picked)
    return picked


if __name__ == "__main__":
    size, out = int(sys.argv[1]), Path(sys.argv[2])
    folder = ensure_corpus(size, out)
    print(folder, sum(1 for _ in folder.glob("*.txt")), "files")
