"""Answering questions from a table's cells, as a person reading the table would, with the rows cited."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.answer.draft import NOT_IN_REPORT, Part
from assistant.sentences import NUMBER_WORDS, count_in
from assistant.tables import Table, TableFinding, TableQuery, TableRow, analyse, answer_table
from assistant.text import STOPWORDS, render_inline, stem, words
from assistant.types import Chunk, Citation

NUMBER_NAMES = {n: word for word, n in NUMBER_WORDS.items() if word != "dozen"}
# Words that ask *about* a table entry rather than for something outside it ("What does the table show for X?")
ABOUT_WORDS = {"table", "show", "shows", "say", "mean", "list", "describe", "summarize", "summary", "involvement",
               "participation", "role", "status", "cooperation", "relationship", "engagement", "part", "take",
               "marked", "listed", "entry", "entries", "row", "column", "value", "values", "tell", "country",
               "countries", "partner", "partners", "ally", "allies", "nation", "nations", "activity", "activities",
               "participate", "participates", "involved"}  # fmt: skip
COUNTRY_WORDS = {"country", "countri", "nation", "partner", "ally", "alli", "member", "participant", "who", "which"}
_DESCRIBE_WORDS = {"country", "countri", "nation", "partner", "ally", "alli", "activit", "activity", "row", "column",
                   "title", "compar", "compare", "cover", "list", "categor", "category"}  # fmt: skip


_ASKS_SOURCE = re.compile(r"\bsources?\b|\bcomes? from\b|\bbased on\b|\bderived\b", re.IGNORECASE)


def _same_question(a: TableQuery, b: TableQuery) -> bool:
    """Two tables asked the same thing: the same row labels and the same columns."""
    rows = {m.row.label.lower() for m in a.rows} == {m.row.label.lower() for m in b.rows}
    return rows and {c.lower() for c in a.columns} == {c.lower() for c in b.columns}


def _stated_count(question: str) -> int | None:
    """The number a question takes for granted: "Which 33 countries ...?" -> 33."""
    match = re.search(
        r"\b(?:which|what|the|all)\s+(\d+|[a-z]+)\s+(?:partner\s+)?(?:countries|nations|partners|allies)\b",
        question,
        re.IGNORECASE,
    )
    if not match:
        return None
    token = match.group(1).lower()
    if token.isdigit():
        return int(token)
    return next((n for n, name in NUMBER_NAMES.items() if name == token), None)


Cite = Callable[[Chunk, int, int], Citation]


def join_names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def number_name(n: int) -> str:
    return NUMBER_NAMES.get(n, str(n))


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


class TableAnswerer:
    """Routes a question to a table when it asks about the table's rows or columns, and phrases the answer.

    Args:
        tables: table id -> (parsed table, the chunk that holds it).
        cite: makes a verbatim citation from a chunk and a span of its document.
    """

    def __init__(self, tables: dict[str, tuple[Table, Chunk]], cite: Cite) -> None:
        self.tables = tables
        self.cite = cite

    def answer(
        self, question: str, hit_tables: list[str], vocabulary: set[str], unknown: list[str]
    ) -> tuple[list[Part], bool] | None:
        """(parts, abstained) when a table answers ``question``, else None (let the sentences answer)."""
        candidates = list(dict.fromkeys(hit_tables + (list(self.tables) if len(self.tables) <= 50 else [])))
        best: TableQuery | None = None
        best_strength = 0.0
        matches: list[tuple[float, TableQuery]] = []
        for table_id in candidates:
            if table_id not in self.tables:
                continue
            query = analyse(question, self.tables[table_id][0], vocabulary, unknown)
            strength = 2 * len(query.columns) + len(query.rows)
            if query.relevant:
                matches.append((strength, query))
            if query.relevant and strength + (0.5 if table_id in hit_tables[:3] else 0) > best_strength:
                best, best_strength = query, strength + (0.5 if table_id in hit_tables[:3] else 0)
        stems = {stem(w) for w in words(question)}
        if re.match(r"\W*(why|how(?! many))\b", question, re.IGNORECASE):
            return None  # a reason or a manner is not in the cells
        if _ASKS_SOURCE.search(question) and stem("table") in stems:
            sourced = [t for t in hit_tables if t in self.tables and self.tables[t][0].source_start >= 0]
            if sourced:
                return self._source(self.tables[sourced[0]][0]), False
        if best is None:
            notes = {stem(w) for w in ("source", "note", "footnote")}
            describe = stems & {stem(w) for w in _DESCRIBE_WORDS} and not stems & notes
            if stem("table") in stems and hit_tables and describe:
                return self._describe(self.tables[hit_tables[0]][0], question), False
            return None
        asks_about_countries = bool(stems & COUNTRY_WORDS) or best.yes_no or best.wants_count
        if not best.columns and not asks_about_countries:
            return None  # e.g. "What does OOD stand for?": the footnote sentence answers that
        if not best.rows and self._other_words(question, best.table, vocabulary):
            return None  # "What kind of data does Japan share?" asks more than the cells say
        if best.unknown_entities:
            table = best.table
            message = (
                f"{NOT_IN_REPORT}: {join_names(best.unknown_entities)} is not among the countries in its table "
                f"“{table.title}”, which covers {join_names(table.columns)}."
            )
            return [(message, [])], True
        finding = answer_table(best)
        if finding is None:
            return None
        stated = _stated_count(question)
        if finding.kind == "list" and stated is not None and stated != len(finding.columns):
            table = best.table
            message = (
                f"{NOT_IN_REPORT} which {stated} those are: its table “{table.title}” covers only "
                f"{join_names(table.columns)}."
            )
            return [(message, [])], True
        # Other reports' tables that answer the same question: cite each (and so show where they disagree).
        same = [q for s, q in matches if q is not best and _same_question(q, best) and not q.unknown_entities]
        if not same:
            return self._phrase(best, finding), False
        parts: list[Part] = []
        for query in [best, *same]:
            found = answer_table(query)
            if found is None:
                continue
            phrased = self._phrase(query, found)
            title = self.tables[query.table.table_id][1].title
            phrased[0] = (f"According to “{title}”: {phrased[0][0]}", phrased[0][1])
            parts += phrased
        return parts, False

    def _other_words(self, question: str, table: Table, vocabulary: set[str]) -> list[str]:
        """Content words besides the table's own names: a question naming only a column ("Tell me about
        Norway") is a request for its cells; one with other words ("the capital of France") is not."""
        names = {w for c in table.columns for w in words(c)} | ABOUT_WORDS
        return [w for w in words(question) if w not in STOPWORDS and w not in names and not w.isdigit()]

    def _row_citations(self, table: Table, rows: list[TableRow], with_notes: bool = True) -> list[Citation]:
        chunk = self.tables[table.table_id][1]
        cites = [self.cite(chunk, r.start, r.end) for r in rows]
        if with_notes:
            for row in rows:
                cites += [self.cite(chunk, f.start, f.end) for f in table.row_footnotes(row)]
        return cites

    def _count_in_notes(self, query: TableQuery) -> tuple[str, str] | None:
        """(number, footnote text) when a footnote of the asked row states the count the question asks for."""
        if len(query.rows) != 1 or query.rows[0].negated:
            return None
        for note in query.table.row_footnotes(query.rows[0].row):
            number = count_in(query.question, note.plain)
            if number:
                return number, note.text
        return None

    def _source(self, table: Table) -> list[Part]:
        """Where a table's data come from, as its "Source:" line states."""
        chunk = self.tables[table.table_id][1]
        stated = re.sub(r"^\s*source:\s*", "", table.source_note, flags=re.IGNORECASE).split(" | ")[0].strip()
        cite = self.cite(chunk, table.source_start, table.source_end)
        return [(f"The source of the table “{table.title}” is {stated.rstrip('.')}.", [cite])]

    def _describe(self, table: Table, question: str) -> list[Part]:
        chunk = self.tables[table.table_id][1]
        cites = []
        if table.title_start >= 0:
            cites.append(self.cite(chunk, table.title_start, table.title_end))
        if table.header_start >= 0:
            cites.append(self.cite(chunk, table.header_start, table.header_end))
        cites += [self.cite(chunk, r.start, r.end) for r in table.rows]
        n = len(table.columns)
        lead = f"{capitalise(number_name(n))} — " if "how many" in question.lower() else ""
        rows = ", ".join(r.label for r in table.rows)
        return [(f"{lead}The table “{table.title}” covers {join_names(table.columns)} ({rows}).", cites)]

    def _phrase(self, query: TableQuery, finding: TableFinding) -> list[Part]:
        table = query.table
        if finding.kind in ("lookup", "column"):
            parts: list[Part] = []
            for row in finding.rows:
                cells = [(c, finding.values[(row.label, c)]) for c in finding.columns]
                cites = self._row_citations(table, [row], with_notes=finding.kind == "lookup")
                values = {v for _, v in cells}
                lead = ""
                if query.yes_no and finding.kind == "lookup" and len(values) == 1 and len(finding.rows) == 1:
                    lead = f"{values.pop()} — "
                marked = join_names([f"{c} “{v}”" for c, v in cells])
                parts.append((f"{lead}The report's table marks {marked} for {row.label}.", cites[:1]))
                notes = table.row_footnotes(row)
                parts += [(render_inline(f.plain), [c]) for f, c in zip(notes, cites[1:], strict=False)]
            return parts
        conditions = []
        for mention in query.rows:
            value = "No" if mention.negated else "Yes"
            if query.explicit_value and len(query.rows) == 1:
                value = query.explicit_value
            conditions.append(f"“{value}” for {mention.row.label}")
        condition = " and ".join(conditions)
        cites = self._row_citations(table, [m.row for m in query.rows], with_notes=len(query.rows) <= 2)
        total = len(table.columns)
        names = finding.columns
        verb = "is" if len(names) == 1 else "are"
        if not names:
            text = f"None — none of the {total} countries in the report's table is marked {condition}."
        elif query.wants_count and (stated := self._count_in_notes(query)):
            # the footnote counts the wider population ("agreements with 33 partner countries"); lead with it
            note_cite = next(c for c in cites[len(query.rows) :] if stated[1] in c.quote)
            listed = f"The report's table lists {number_name(len(names))} of them ({join_names(names)}) as marked "
            return [
                (f"{capitalise(stated[0])} — {render_inline(note_cite.quote)}", [note_cite]),
                (f"{listed}{condition}.", cites[: len(query.rows)]),
            ]
        elif query.wants_count:
            text = f"{capitalise(number_name(len(names)))} — {join_names(names)} (of the {total} in the table) {verb} "
            text += f"marked {condition}."
        elif query.yes_no:
            text = f"Yes — {join_names(names)} {verb} marked {condition}."
        else:
            text = f"{join_names(names)} {verb} marked {condition} in the report's table (of {total} countries)."
        n_rows = len(query.rows)
        return [(text, cites[:n_rows]), *[(render_inline(c.quote), [c]) for c in cites[n_rows:]]]
