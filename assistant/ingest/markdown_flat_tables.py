"""Tables that a PDF converter flattened into lines of text, recognised as tables.

When pymupdf4llm and the like do not find a table's grid, they write its title, its column names in bold and
then one line per row: the row's label followed by one value per column::

    **Table 1: Number of States That Reported Sufficient Foster Care Capacity, by Placement Type**

    **Placement type** **Yes** **No** **Don’t know** **Not applicable**

    Therapeutic foster homes [a] 4 38 2 4

    Family foster homes (relative and nonrelative) 10 36 3 0

Read as prose, each row is a "sentence" of numbers without its column names. Here such a run becomes a
:class:`~assistant.tables.Table` whose rows are the lines (verbatim spans of the file), so the table answerer
reads "4" as the "Yes" of "Therapeutic foster homes". Only when the column names can be read without
guessing: the bold names (the first bold line after the title is names even when they are years), joined
where a name ends in a word that needs the next one ("Number of" + "applications") or where a name alone on
its line goes on in a lower-case name alone on the next ("Yes," / "increased"), must be the label column's
name and one per value column, none may start in lower case (a lower-case piece beside others: converters
often put those out of order), and at least two consecutive row lines (one, when it has three values or
more) must end in exactly that many values after a label; a label may end in a number ("FY24 stage 2")
only when most rows' labels do not, so that the rows show how many values there are. Anything less stays
prose, as before.
"""

from __future__ import annotations

import re

from assistant.ingest.markdown_blocks import TABLE_TITLE, Raw
from assistant.tables import Table, TableRow
from assistant.text import render_inline

_BOLD_LINE = re.compile(r"^\s*(?:\*\*[^*\n]+\*\*\s*)+$")
_BOLD = re.compile(r"\*\*([^*\n]+)\*\*")
_VALUE = re.compile(r"^(?:\$?[-–]?\d[\d,]*(?:\.\d+)?%?|[—–-]|n/a|N/A)$")
_MARKER = re.compile(r"^\[[a-z]{1,2}\]$")  # a table-note marker: "Therapeutic foster homes [a]", "308 [a]"
# A column name that ends in one of these goes on in the next bold piece ("Number of" / "applications").
_CONTINUES = {"of", "in", "the", "and", "for", "to", "by", "per", "with", "a", "an", "on", "from", "at", "or"}
MIN_ROWS = 2
MIN_SINGLE_ROW_VALUES = 3  # a table of one row, when its names and values agree on at least this many columns


def column_names(pieces: list[str], lines: list[list[str]] | None = None) -> list[str]:
    """The bold pieces of a flattened header, a name split over two pieces joined ("Number of" + "selected
    projects" -> "Number of selected projects"). With ``lines`` (the pieces line by line), a name alone on
    its line goes on in a lower-case name alone on the next ("Yes," / "increased"): one name broken over two
    lines. A lower-case piece beside others stays apart (converters garble the order of those)."""
    joined: list[list[str]] = []
    for line in lines if lines is not None else [pieces]:
        line = [" ".join(p.split()) for p in line if p.strip()]
        follows = lines is not None and joined and len(joined[-1]) == 1 and len(line) == 1
        if follows and line[0][:1].islower():
            joined[-1] = [f"{joined[-1][0]} {line[0]}"]
        elif line:
            joined.append(line)
    names: list[str] = []
    for piece in (p for line in joined for p in line):
        if names and names[-1].split()[-1].lower() in _CONTINUES:
            names[-1] = f"{names[-1]} {piece}"
        elif piece:
            names.append(piece)
    return names


def row_cells(line: str, k: int, label_may_end_in_number: bool = False) -> tuple[str, list[str], list[str]] | None:
    """(label, note markers, the last ``k`` values) of a flattened row line, or None when it does not end in
    ``k`` values after a label with a letter in it and (unless ``label_may_end_in_number``: the table's other
    rows show that it has ``k`` value columns) not ending in a number."""
    tokens = re.sub(r"\$\s+(?=\d)", "$", render_inline(line)).split()
    values: list[str] = []
    while tokens and len(values) < k:
        token = tokens.pop()
        if _MARKER.match(token):
            continue
        if not _VALUE.match(token):
            return None
        values.append(token)
    markers: list[str] = []
    while tokens and _MARKER.match(tokens[-1]):
        markers.append(tokens.pop()[1:-1])
    label = " ".join(tokens)
    ends_in_number = bool(tokens and _VALUE.match(tokens[-1])) and not label_may_end_in_number
    if len(values) < k or not re.search(r"[A-Za-z]", label) or ends_in_number:
        return None  # a label ending in a number ("FY24 stage 2 28 8") leaves where the values start a guess
    return label, markers[::-1], values[::-1]


def flat_tables(text: str, raws: list[Raw], source: str, numbered: int) -> tuple[list[Raw], int]:
    """``raws`` with each flattened table after a "Table N:" title as one table raw (the title stays a
    caption block). ``numbered``: tables numbered so far in the file; returns the new count too."""
    out: list[Raw] = []
    i = 0
    while i < len(raws):
        out.append(raws[i])
        if TABLE_TITLE.match(render_inline(text[raws[i].start : raws[i].end])):
            found = _table_after(text, raws, i, f"{source}#table{numbered + 1}")
            if found is not None:
                table_raw, used = found
                out.append(table_raw)
                numbered += 1
                i += used
        i += 1
    return out, numbered


def _table_after(text: str, raws: list[Raw], title: int, table_id: str) -> tuple[Raw, int] | None:
    """The table raw read from the blocks after ``raws[title]``, and how many blocks it took."""
    j = title + 1
    lines: list[list[str]] = []
    # the first bold line is the header even when its names are years ("**Award** **2020** **2021**")
    while (
        j < len(raws)
        and _BOLD_LINE.match(body := text[raws[j].start : raws[j].end])
        and (j == title + 1 or not _row_like(body))
    ):
        lines += [_BOLD.findall(line) for line in body.splitlines() if line.strip()]
        j += 1
    if j == title + 1 or j >= len(raws):
        return None
    names = column_names([p for line in lines for p in line], lines)
    if any(name[:1].islower() for name in names):
        return None  # a name broken over lines ("Remained" ... "the same"): converters garble their order
    k = len(names) - 1  # the first name is the label column's ("Placement type"): one name per value column after it
    rows: list[TableRow] = []
    strict = 0  # rows whose label does not end in a number
    n = j
    while k >= 1 and n < len(raws) and "\n" not in (line := text[raws[n].start : raws[n].end]):
        cells = row_cells(line, k)
        strict += cells is not None
        if cells is None and rows:  # "FY24 stage 2 28 8 $85.5" among rows that show there are k values
            cells = row_cells(line, k, label_may_end_in_number=True)
        if cells is None:
            break
        rows.append(TableRow(cells[0], cells[1], cells[2], raws[n].start, raws[n].end))
        n += 1
    if (len(rows) < MIN_ROWS and not (rows and k >= MIN_SINGLE_ROW_VALUES)) or strict * 2 < len(rows):
        return None
    head = raws[title]
    title_text = " ".join(render_inline(text[head.start : head.end]).split())
    table = Table(table_id, title_text, names[1:], rows, raws[title + 1].start, rows[-1].end)
    table.header_start, table.header_end = raws[title + 1].start, raws[j - 1].end
    table.title_start, table.title_end = head.start, head.end
    return Raw("table", [(table.start, table.end)], table=table), n - title - 1


def _row_like(body: str) -> bool:
    """A bold line that is a row ("**Total** **1,073** **135**"), not column names."""
    return bool(re.search(r"\d\s*(?:\*\*)?\s*$", body))
