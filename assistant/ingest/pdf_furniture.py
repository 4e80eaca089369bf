"""Page furniture of PDF reports: page numbers and running headers and footers, set aside from the text.

A page's printed number is kept (``Page.printed``: citations show the page as printed), and its running
header lines too (``Page.header``: "Appendix I" or "Contents" tells the reader which part of the report a
page belongs to).
"""

from __future__ import annotations

import re
from collections import Counter

from assistant.ingest.pdf_layout import Line, Page

TOP_MARGIN = 0.09  # share of the page height at the top where running headers live
BOTTOM_MARGIN = 0.08  # ... and at the bottom, where running footers live
PAGE_NUMBER = re.compile(r"^(?:page\s+)?(\d{1,4}|[ivxlcdm]{1,8})(?:\s+of\s+\d{1,4})?$", re.IGNORECASE)
PAGE_WORD = re.compile(r"\bpage\s+(\d{1,4}|[ivxlcdm]{1,8})\b", re.IGNORECASE)


def strip_running_lines(pages: list[Page], body: float) -> None:
    """Set aside page numbers and running headers and footers; remember each page's printed number.

    In the margins, a line with a page number ("Page 12 GAO-07-106 ...") is a footer; so is a line whose shape
    (digits aside) stands at the same height on two or more pages; and a short line in small type at the very
    top is a running header ("Appendix I", "Contents"). The first page (a cover) only loses page numbers.
    """

    def margin(page: Page, line: Line) -> str:
        if page.height <= 0:
            return "top" if line is page.lines[0] else "bottom" if line is page.lines[-1] else ""
        if line.y > page.height * (1 - TOP_MARGIN):
            return "top"
        return "bottom" if line.y < page.height * BOTTOM_MARGIN else ""

    def shape(line: Line) -> tuple[str, int]:
        return re.sub(r"\d+", "#", re.sub(r"\s+", " ", line.text.lower())).strip(), round(line.y / 4)

    seen: Counter[tuple[str, int]] = Counter()
    for page in pages:
        seen.update({shape(line) for line in page.lines if margin(page, line) and line.size <= body + 0.5})
    for page in pages:
        kept = []
        for line in page.lines:
            where = margin(page, line)
            if not where or line.size > body + 0.5:
                kept.append(line)
                continue
            number = PAGE_NUMBER.match(line.text) or PAGE_WORD.search(line.text)
            if number is None and len(line.cells) > 1:
                number = PAGE_NUMBER.match(line.cells[-1].text) or PAGE_NUMBER.match(line.cells[0].text)
            if number is not None:
                page.printed = page.printed or number.group(1)
                continue
            header = where == "top" and line.size < 0.85 * body and len(line.text.split()) <= 10
            if page.number > 1 and (seen[shape(line)] >= 2 or header):
                page.header.append(line.text)
                continue
            kept.append(line)
        page.lines = kept
