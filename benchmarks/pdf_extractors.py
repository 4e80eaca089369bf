"""PDF text extractors compared on the real GAO reports: speed, column reading order, table rows.

    .venv/bin/python benchmarks/pdf_extractors.py [--reports ../shared/reports] [--skip pdfplumber]

Extractors: pypdf (plain and layout mode: what the loader used before), pypdfium2 (its text page, in content
order), pdfplumber (pdfminer's characters grouped into lines), and ours (the loader, pypdfium2 characters with
our layout reading: ``assistant.ingest.pdf.load_pdf``, its blocks joined per page). PyMuPDF is not measured:
it is AGPL-licensed, which this project does not take on.

What is checked, on phrases read off the rendered pages by hand (not taken from any extractor's output):

- **Seconds per page**: open the file and extract every page, all six reports.
- **Highlights columns**: on each two-column Highlights page, two lines that follow each other in the left
  column must come out one after the other (nothing from the right column between them), the same for the
  right column, and the left column must come before the right one: 3 checks per page.
- **Table rows**: a row printed on one line (a table row, a table-of-contents entry, an abbreviation) must
  come out on one output line with its cells in order.
"""

from __future__ import annotations

import argparse
import re
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT.parent / "shared" / "reports"

# report -> (Highlights page, two consecutive lines of the left column, two of the right column)
HIGHLIGHTS: dict[str, tuple[int, tuple[str, str], tuple[str, str]]] = {
    "GAO-05-927": (
        2,
        ("The Government Performance and", "Results Act (GPRA) of 1993 has"),
        ("Agencies can use performance information to make various types of", "management decisions to improve"),
    ),
    "GAO-06-1046": (
        2,
        ("Maximizing the extent to which", "grants achieve their long-term"),
        ("Accountability provisions in federal grants can vary widely. They can be", "financial (e.g., bonus"),
    ),
    "GAO-07-106": (
        2,
        ("Despite periodic price shocks and", "related energy crises, the United"),
        ("DOE's total budget authority for energy R&D dropped by over 85 percent (in", "real terms) from 1978"),
    ),
    "GAO-07-283": (
        2,
        ("The U.S. economy depends heavily", "on oil, particularly in the"),
        ("Most studies estimate that oil production will peak sometime between now", "and 2040. This range"),
    ),
    "GAO-07-791": (
        2,
        ("Congress and presidents require", "agencies to review existing"),
        ("From 2001 through 2006, the selected agencies completed over 1,300 reviews", "of existing regulations."),
    ),
}

# (report, page, cells of one printed row, left to right)
TABLE_ROWS: list[tuple[str, int, list[str]]] = [
    ("GAO-05-927", 3, ["Results in Brief", "3"]),
    ("GAO-05-927", 4, ["NHTSA", "National Highway Traffic Safety Administration"]),
    ("GAO-05-927", 40, ["DOL", "Employment and Training Administration (ETA)", "Block/"]),
    ("GAO-06-1046", 20, ["Bonus", "Onetime cash payment."]),
    ("GAO-06-1046", 20, ["Increase/decrease workload", "Manipulate the workload (e.g., case load)."]),
    ("GAO-06-1046", 20, ["Use of past performance", "Use past performance of grantee to inform selection"]),
    ("GAO-07-106", 25, ["Sulfur dioxide emissions (tons/year)", "3,027", "566", "276", "250"]),
    ("GAO-07-106", 25, ["Plant efficiency (percent)", "38.6", "39.7", "45-50", "50-60"]),
    ("GAO-07-106", 42, ["Nuclear (base case)", "7.0", "6.7"]),
    ("GAO-07-106", 60, ["6", "Alternative fuel production credit", "Energy", "1980", "2,390"]),
    ("GAO-07-791", 69, ["Frequency", "10 years (Section 610)", "As needed based on industry feedback"]),
]


def normalize(text: str) -> str:
    """Compare text, not typography: quotes, dashes, line-end hyphen marks and spacing folded."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = text.replace("\ufffe", "-").replace("\u00ad", "-").replace("\x02", "-")
    return re.sub(r"[ \t]+", " ", text)


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", normalize(text)).strip()


# -- extractors: path -> one text per page -----------------------------------------------------------------


def pypdf_plain(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(path).pages]


def pypdf_layout(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text(extraction_mode="layout") or "" for page in PdfReader(path).pages]


def pypdfium2_text(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def pdfplumber_text(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def ours(path: Path) -> list[str]:
    from assistant.ingest.pdf import load_pdf

    doc = load_pdf(path, path.name)
    pages: list[list[str]] = [[] for _ in range(doc.pages or 0)]
    for block in doc.blocks:
        if block.page:
            pages[block.page - 1].append(doc.span(block))
    return ["\n".join(parts) for parts in pages]


EXTRACTORS: dict[str, Callable[[Path], list[str]]] = {
    "pypdf 7 (plain)": pypdf_plain,
    "pypdf 7 (layout mode)": pypdf_layout,
    "pypdfium2 5 (text page)": pypdfium2_text,
    "pdfplumber 0.11": pdfplumber_text,
    "ours (pypdfium2 + layout)": ours,
}


# -- checks ------------------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    seconds: float = 0.0
    pages: int = 0
    order: list[bool] = field(default_factory=list)
    rows: list[bool] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)


def follows(text: str, first: str, second: str) -> bool:
    """Whether ``second`` comes right after ``first`` (only spacing between them)."""
    return one_line(f"{first} {second}") in one_line(text)


def left_first(text: str, left: str, right: str) -> bool:
    flat, a, b = one_line(text), one_line(left), one_line(right)
    return a in flat and b in flat and flat.index(a) < flat.index(b)


def row_on_one_line(text: str, cells: list[str]) -> bool:
    for line in normalize(text).splitlines():
        line, pos = one_line(line), 0
        for cell in cells:
            found = line.find(one_line(cell), pos)
            if found < 0:
                break
            pos = found + len(one_line(cell))
        else:
            return True
    return False


def check(result: Result, report: str, texts: list[str]) -> None:
    if report in HIGHLIGHTS:
        page, left, right = HIGHLIGHTS[report]
        text = texts[page - 1]
        for label, ok in (
            ("left column contiguous", follows(text, *left)),
            ("right column contiguous", follows(text, *right)),
            ("left column first", left_first(text, left[0], right[0])),
        ):
            result.order.append(ok)
            if not ok:
                result.misses.append(f"{report} p{page}: {label}")
    for name, page, cells in TABLE_ROWS:
        if name == report:
            ok = row_on_one_line(texts[page - 1], cells)
            result.rows.append(ok)
            if not ok:
                result.misses.append(f"{report} p{page}: row {cells[0]!r}")


def run(reports: Path, skip: set[str]) -> Iterator[Result]:
    paths = sorted(reports.glob("GAO-0*.pdf"))
    if not paths:
        raise SystemExit(f"no GAO-0*.pdf under {reports}; pass --reports DIR")
    for name, extract in EXTRACTORS.items():
        if any(s.lower() in name.lower() for s in skip):
            continue
        result = Result(name)
        for path in paths:
            start = time.perf_counter()
            texts = extract(path)
            result.seconds += time.perf_counter() - start
            result.pages += len(texts)
            check(result, path.stem, texts)
        yield result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=Path, default=REPORTS, help="folder with the GAO-0*.pdf reports")
    parser.add_argument("--skip", action="append", default=[], help="skip extractors whose name contains this")
    parser.add_argument("--misses", action="store_true", help="list the failed checks")
    args = parser.parse_args()
    print("| extractor | ms/page | s for all pages | Highlights column checks | table rows on one line |")
    print("|---|---|---|---|---|")
    results = []
    for r in run(args.reports, set(args.skip)):
        results.append(r)
        print(
            f"| {r.name} | {1000 * r.seconds / max(r.pages, 1):.1f} | {r.seconds:.2f} ({r.pages} pages) "
            f"| {sum(r.order)}/{len(r.order)} | {sum(r.rows)}/{len(r.rows)} |",
            flush=True,
        )
    if args.misses:
        for r in results:
            print(f"\n{r.name}: " + ("; ".join(r.misses) or "no misses"))
    print("\nPyMuPDF (fitz) is not measured: AGPL-3.0 (or a commercial licence), which this project does not take on.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
