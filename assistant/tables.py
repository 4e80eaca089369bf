"""Tables as data: parsing the published tab-separated layout, and answering questions over the cells."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field

from assistant.text import STOPWORDS, content_stems, render_inline, stem, words

_SUP_MARK = re.compile(r"<sup>\s*([^<]*?)\s*</sup>", re.IGNORECASE)
_ACRONYM = re.compile(r"\(([A-Z][A-Za-z0-9&.]{1,10})\)")


@dataclass
class Footnote:
    marker: str
    text: str  # verbatim, including the leading <sup> marker
    start: int
    end: int

    @property
    def plain(self) -> str:
        return render_inline(self.text)


@dataclass
class TableRow:
    label: str  # reading text, markers removed: "Spare lamps (SL)"
    markers: list[str]
    cells: list[str]
    start: int  # span of the row's line in the document text
    end: int


@dataclass
class Table:
    """A table with a row-header column. Offsets point into the document text."""

    table_id: str
    title: str
    columns: list[str]
    rows: list[TableRow]
    start: int
    end: int
    footnotes: dict[str, Footnote] = field(default_factory=dict)
    source_note: str = ""
    header_start: int = -1  # span of the column names in the document text
    header_end: int = -1
    title_start: int = -1  # span of the title line
    title_end: int = -1
    source_start: int = -1  # span of the "Source: ..." line
    source_end: int = -1

    def row_footnotes(self, row: TableRow) -> list[Footnote]:
        return [self.footnotes[m] for m in row.markers if m in self.footnotes]

    def render(self) -> str:
        """Readable text of the whole table (for embedding and display)."""
        lines = [self.title, "Columns: " + ", ".join(self.columns)]
        for row in self.rows:
            lines.append(
                f"{row.label}: " + "; ".join(f"{c}: {v}" for c, v in zip(self.columns, row.cells, strict=False))
            )
        lines += [f.plain for f in self.footnotes.values()]
        if self.source_note:
            lines.append(self.source_note)
        return "\n".join(lines)

    def render_row(self, row: TableRow) -> str:
        """A row with everything needed to read it alone: table title, row label, each column, footnote."""
        notes = " ".join(f.plain for f in self.row_footnotes(row))
        cells = "; ".join(f"{c}: {v}" for c, v in zip(self.columns, row.cells, strict=False))
        return f"{self.title} — {row.label}. {cells}." + (f" Note: {notes}" if notes else "")


def parse_table(lines: list[tuple[int, int, str]], title: str, table_id: str) -> Table | None:
    """Parse tab-separated lines (each with its absolute span) into a :class:`Table`.

    The first line with non-empty cells after the (empty) corner cell is the header; later lines are rows
    whose first cell is the row header, optionally carrying ``<sup>x</sup>`` footnote markers.
    """
    rows: list[TableRow] = []
    columns: list[str] = []
    header_span = (-1, -1)
    for start, end, line in lines:
        cells = [c.strip() for c in line.split("\t")]
        if not any(cells):
            continue
        if not columns:
            columns = [render_inline(c) for c in cells[1:] if c]
            stripped = line.strip()
            header_start = start + line.index(stripped) if stripped else start
            header_span = (header_start, header_start + len(stripped))
            continue
        markers = [m.strip() for m in _SUP_MARK.findall(cells[0])]
        values = [render_inline(c) for c in cells[1 : 1 + len(columns)]]
        values += [""] * (len(columns) - len(values))
        rows.append(TableRow(render_inline(cells[0]), markers, values, start, end))
    if not columns or not rows:
        return None
    table = Table(table_id, render_inline(title), columns, rows, lines[0][0], lines[-1][1])
    table.header_start, table.header_end = header_span
    return table


def table_to_json(table: Table) -> str:
    return json.dumps(asdict(table))


def table_from_json(data: str) -> Table:
    raw = json.loads(data)
    raw["rows"] = [TableRow(**r) for r in raw["rows"]]
    raw["footnotes"] = {k: Footnote(**f) for k, f in raw["footnotes"].items()}
    return Table(**raw)


# ---------------------------------------------------------------------------------------------------------
# Understanding a question against a table


_ALL_ROWS = re.compile(
    r"\b(all|every|each|none of)\b(\s+(the|of|three|two|four|five))*\s+(activit|categor|rows?\b|areas?\b|types?\b)",
    re.IGNORECASE,
)
_NEGATIONS = {
    "no",
    "not",
    "without",
    "lack",
    "lacks",
    "lacking",
    "none",
    "neither",
    "nor",
    "never",
    "excluding",
}
_NEGATION_SUFFIX = "n't"
_NEGATION_WORDS = _NEGATIONS | {"dont", "doesnt", "didnt", "isnt", "arent", "havent", "hasnt", "cannot"}


@dataclass
class RowMention:
    row: TableRow
    negated: bool
    position: int


@dataclass
class TableQuery:
    """What a question asks of one table: rows (with polarity), columns, and the question's form."""

    table: Table
    rows: list[RowMention]
    columns: list[str]
    unknown_entities: list[str]
    wants_count: bool
    wants_list: bool
    yes_no: bool
    explicit_value: str | None  # "Yes"/"No" when the question says "marked No"
    question: str = ""
    compound: bool = False  # asks two things or more ("how many increased, and how many did not know?")

    @property
    def relevant(self) -> bool:
        return bool(self.rows or self.columns)


def row_aliases(table: Table, row: TableRow) -> list[list[str]]:
    """Stem sequences of the row's names (see :func:`row_names`), for matching against a question."""
    return [a for a in (content_stems(name) for name in row_names(table, row)) if a]


def row_names(table: Table, row: TableRow) -> list[str]:
    """Lower-case names of a row as people write them: its label with and without its acronym ("spare lamps
    (sl)", "spare lamps"), the acronym ("sl"), and the long form a row footnote defines it by."""
    names = [row.label.lower(), _ACRONYM.sub("", row.label).strip().lower()]
    for acronym in _ACRONYM.findall(row.label):
        names.append(acronym.lower())
        for note in table.row_footnotes(row):
            defined = re.match(r"\s*(.+?)\s*\(" + re.escape(acronym) + r"\)", note.plain)
            if defined:
                names.append(defined.group(1).lower())
    return list(dict.fromkeys(n for n in names if n))


def column_aliases(column: str) -> list[str]:
    """Lower-case names for a column header: itself, and its initials for multi-word names ("UK")."""
    names = [column.lower()]
    parts = column.split()
    if len(parts) > 1:
        initials = "".join(p[0] for p in parts if p[0].isupper()).lower()
        if len(initials) > 1:  # a header in lower case has none ("10-year period")
            names += [initials, ".".join(initials) + "."]
    return names


def _stems(text: str) -> list[str]:
    """Content stems, hyphenated words split ("25-year period" -> 25, year, period)."""
    parts = [p for w in words(text) for p in w.split("-") if p]
    return [stem(p) for p in parts if p not in STOPWORDS]


def _find_columns(question: str, table: Table) -> list[tuple[int, str]]:
    """Columns the question names: by a name or initials as written, or by every content word of the header
    ("25-year period" for "over a 25-year period"); with the position of the first match."""
    text = question.lower()
    asked = _stems(question)
    found = []
    for column in table.columns:
        for name in column_aliases(column):
            match = re.search(r"(?<![a-z])" + re.escape(name) + r"(?![a-z])", text)
            if match:
                found.append((match.start(), column))
                break
        else:
            # a response column ("Yes, increased", "No, did not increase") is named by its other words in a
            # clause of the question that denies as it does ("how many did not know?" -- "Don't know"); any
            # column that denies only by a clause that denies too
            stems = _stems(_NEGATION.sub(" ", column))
            header = [h for h in stems if h not in _RESPONSE_WORDS]
            denies = bool(_NEGATION.search(column))
            response = denies or len(header) < len(stems)  # "Yes, increased", "No, did not increase"
            clauses = [c for c in re.split(r"[,;]|\band\b|\bor\b", question) if all(h in _stems(c) for h in header)]
            polarity = [bool(_NEGATION.search(c)) for c in clauses]
            if header and any(p == denies if response else p >= denies for p in polarity):
                found.append((len(text) + min(asked.index(h) for h in header), column))
    return sorted(found)


_RESPONSE_WORDS = {stem(w) for w in ("yes", "no")}
_NEGATION = re.compile(r"\b(?:not|no|never|none)\b|n[’']t\b", re.IGNORECASE)


_MARKED = {"yes", "•", "✓", "✔", "●", "x"}
_UNMARKED = {"no", "", "-", "—", "–"}


# Headers that name a kind of response, not a thing: a survey table's "Yes", "No", "Don't know" columns.
_RESPONSES = _MARKED | _UNMARKED | {"don't know", "don’t know", "not sure", "not applicable", "n/a", "total", "other"}


def names_a_thing(header: str) -> bool:
    """Whether a row or column header names something a conversation can be about ("Cape Fern", "Fiscal year
    2024"), not a kind of response or a total ("Yes", "Don't know", "Total")."""
    return " ".join(header.lower().split()) not in _RESPONSES


def is_boolean(table: Table) -> bool:
    """A table whose cells say yes or no (words or marks): questions ask which entries are marked."""
    cells = [c.strip().lower() for r in table.rows for c in r.cells]
    filled = [c for c in cells if c]
    return bool(filled) and all(c in _MARKED | _UNMARKED for c in cells)


def marked(cell: str) -> bool:
    return cell.strip().lower() in _MARKED


def _find_rows(question: str, table: Table) -> list[RowMention]:
    tokens = words(question)
    stems_ = [stem(t) for t in tokens]
    mentions: list[RowMention] = []
    for row in table.rows:
        best: int | None = None
        for alias in row_aliases(table, row):
            positions = [stems_.index(s) for s in alias if s in stems_]
            if len(positions) == len(alias):
                pos = min(positions)
                best = pos if best is None else min(best, pos)
        if best is None:
            continue
        window = tokens[max(0, best - 4) : best]
        negated = any(w in _NEGATION_WORDS or w.endswith(_NEGATION_SUFFIX) for w in window)
        mentions.append(RowMention(row, negated and "marked" not in window, best))
    return sorted(mentions, key=lambda m: m.position)


_NAME = re.compile(r"\b(?:[A-Z][a-z]+(?:\s+(?:of|and|for|the|on)\s+|\s+)){1,}[A-Z][a-z]+\b|\b[A-Z]{2,}\b")


def _rows_by_cell_names(question: str, table: Table) -> list[RowMention]:
    """Rows named not by their label but in another cell ("Employee Benefits Security Administration" in the
    "Selected offices" cell of the row "DOL"): a name of the question (capitalised words, an acronym) that stands
    in the cells of one row only, and not in the table's title or headers."""
    shared = " ".join([table.title, *table.columns]).lower()
    mentions: list[RowMention] = []
    for match in _NAME.finditer(question):
        name = match.group(0).lower()
        pattern = re.compile(r"(?<![\w])" + re.escape(name) + r"(?![\w])")
        if pattern.search(shared):
            continue
        rows = [r for r in table.rows if any(pattern.search(c.lower()) for c in r.cells)]
        if len(rows) == 1 and rows[0] not in [m.row for m in mentions]:
            mentions.append(RowMention(rows[0], False, len(words(question[: match.start()]))))
    return mentions


def analyse(question: str, table: Table, corpus_vocabulary: set[str], capitalised: list[str]) -> TableQuery:
    """Read ``question`` against ``table``.

    Args:
        question: The standalone question.
        table: The candidate table.
        corpus_vocabulary: Lower-case words of the whole corpus (to spot names the report never mentions).
        capitalised: Capitalised names in the question that are not sentence-initial.
    """
    q = question.lower()
    columns = [c for _, c in _find_columns(question, table)]
    rows = _find_rows(question, table)
    if not rows and columns:  # a cell named by its column and by a name its row holds in another cell
        rows = _rows_by_cell_names(question, table)
    known = {w for c in table.columns for w in c.lower().split()}
    unknown = [name for name in capitalised if name.lower() not in corpus_vocabulary and name.lower() not in known]
    explicit = None
    marked = re.search(r"\b(?:marked|listed as|shown as|with(?: a)?|say|says|have)\s+[\"'“]?(yes|no)\b", q)
    if marked:
        explicit = marked.group(1).capitalize()
    if not rows and _ALL_ROWS.search(question):
        negated = bool(re.search(r"\bnone of\b", q))
        rows = [RowMention(row, negated, i) for i, row in enumerate(table.rows)]
    first = words(question)[:1]
    yes_no = bool(first) and first[0] in {
        "does", "do", "did", "is", "are", "was", "were", "has", "have", "had", "can", "could", "will",
    }  # fmt: skip
    wants_count = "how many" in q or "number of" in q
    wants_list = bool(re.search(r"\b(which|what|list|name|who)\b", q)) and not yes_no
    return TableQuery(table, rows, columns, unknown, wants_count, wants_list, yes_no, explicit, question)


@dataclass
class TableFinding:
    """The cells that answer a table question, ready to be phrased and cited."""

    kind: str  # "lookup", "list", "column", "row" (every cell of the asked rows)
    rows: list[TableRow]
    columns: list[str]  # for "list": the matching columns
    values: dict[tuple[str, str], str] = field(default_factory=dict)  # (row label, column) -> value


def answer_table(query: TableQuery) -> TableFinding | None:
    """Answer from the cells: lookups, lists with negation and intersection, whole-column summaries."""
    table = query.table
    col_index = {c: i for i, c in enumerate(table.columns)}
    among_mentioned = (
        (query.wants_list or query.wants_count) and not query.yes_no and len(query.columns) > 1 and not query.compound
    )  # "How many of A, B and C have X?" picks among the columns; "how many X, and how many Y?" looks both up
    if query.rows and query.columns and not among_mentioned:
        values = {(m.row.label, c): m.row.cells[col_index[c]] for m in query.rows for c in query.columns}
        return TableFinding("lookup", [m.row for m in query.rows], query.columns, values)
    if query.rows and not is_boolean(table):
        # a table of values: the asked rows with every cell, each under its column's name
        values = {(m.row.label, c): m.row.cells[col_index[c]] for m in query.rows for c in table.columns}
        return TableFinding("row", [m.row for m in query.rows], list(table.columns), values)
    if query.rows:
        matching = []
        # "Which of A, B and C have X?" picks among those; otherwise among every column
        for column in query.columns if among_mentioned else table.columns:
            ok = True
            for mention in query.rows:
                wanted = "No" if mention.negated else "Yes"
                if query.explicit_value and len(query.rows) == 1:
                    wanted = query.explicit_value
                if marked(mention.row.cells[col_index[column]]) != (wanted.lower() == "yes"):
                    ok = False
            if ok:
                matching.append(column)
        return TableFinding("list", [m.row for m in query.rows], matching)
    if query.columns:
        values = {(r.label, c): r.cells[col_index[c]] for r in table.rows for c in query.columns}
        return TableFinding("column", list(table.rows), query.columns, values)
    return None
