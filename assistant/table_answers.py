"""Answering questions from a table's cells, as a person reading the table would, with the rows cited."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from assistant.answer.analysis import analyse as analyse_question
from assistant.answer.analysis import asked_type, question_parts, question_proper, shows_type
from assistant.answer.draft import NOT_IN_REPORT, Part
from assistant.sentences import NUMBER_WORDS, count_in
from assistant.tables import Table, TableFinding, TableQuery, TableRow, analyse, answer_table, is_boolean
from assistant.text import STOPWORDS, render_inline, stem, words
from assistant.types import Chunk, Citation

NUMBER_NAMES = {n: word for word, n in NUMBER_WORDS.items() if word != "dozen"}
# Words that ask *about* a table entry rather than for something outside it ("What does the table show for X?")
ABOUT_WORDS = {"table", "show", "shows", "say", "mean", "list", "describe", "summarize", "summary", "role", "status",
               "part", "take", "marked", "listed", "entry", "entries", "row", "column", "value", "values", "tell",
               "participate", "participates", "involved", "involvement", "participation"}  # fmt: skip
# Words that ask for a description of the table itself ("What does the table compare?")
_DESCRIBE_WORDS = {"row", "column", "title", "compar", "compare", "cover", "list", "categor", "category"}
_DEFINITION = re.compile(r"\bstands? for\b|\bmeans?\b|\bdefin", re.IGNORECASE)


_ASKS_SOURCE = re.compile(r"\bsources?\b|\bcomes? from\b|\bbased on\b|\bderived\b", re.IGNORECASE)


def _same_question(a: TableQuery, b: TableQuery) -> bool:
    """Two tables asked the same thing: the same row labels and the same columns."""
    rows = {m.row.label.lower() for m in a.rows} == {m.row.label.lower() for m in b.rows}
    return rows and {c.lower() for c in a.columns} == {c.lower() for c in b.columns}


def _stated_count(question: str) -> int | None:
    """The number a question takes for granted: "Which 33 stations ...?" -> 33."""
    # the number comes with what is asked for ("which 33 stations", "list the five agencies"), not with a
    # condition ("in all four seasons")
    asked = r"\b(?:which|what|(?:list|name) the)\s+(\d+|[a-z]+)\s+(?:[a-z]+\s+)?[a-z]+s\b"
    match = re.search(asked, question, re.IGNORECASE)
    if not match:
        return None
    token = match.group(1).lower()
    if token.isdigit():
        return int(token)
    return next((n for n, name in NUMBER_NAMES.items() if name == token), None)


Cite = Callable[[Chunk, int, int], Citation]


def is_definition(question: str) -> bool:
    """ "What does SL stand for?", "What is a QRTP, as described in ...?": a question for a definition."""
    return bool(_DEFINITION.search(question)) or analyse_question(question).answer_type == "definition"


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
            own = {stem(w) for t in hit_tables[:1] if t in self.tables for w in words(self.tables[t][0].title)}
            describe = stems & ({stem(w) for w in _DESCRIBE_WORDS} | own) and not stems & notes
            if stem("table") in stems and hit_tables and describe:
                return self._describe(self.tables[hit_tables[0]][0], question), False
            return None
        if not best.columns and (is_definition(question) or not self._asks_for_entries(question, best)):
            return None  # "What does SL stand for?", "What is a QRTP?": the report's sentences define it
        if not best.rows and self._other_words(question, best.table):
            return None  # "What kind of lamps does Gull Rock use?" asks more than the cells say
        row_question = best.rows and not best.columns and not is_boolean(best.table) and stem("table") not in stems
        rows = [m.row.label for m in best.rows]
        if row_question and self._other_words(question_proper(question), best.table, rows):
            return None  # "What did Gull Rock do as a result?" names a row, but asks what the sentences say
        if best.unknown_entities:
            table = best.table
            message = (
                f"{NOT_IN_REPORT}: {join_names(best.unknown_entities)} is not in its table “{table.title}”, which "
                f"covers {join_names(table.columns)}."
            )
            return [(message, [])], True
        chosen = best
        if len(question_parts(question)) > 1:
            best = replace(best, compound=True)
        finding = answer_table(best)
        if finding is None:
            return None
        value_kind = asked_type(question)
        if value_kind in ("money", "percent") and not shows_type(
            value_kind, " ".join(text for text, _ in self._phrase(best, finding))
        ):
            return None  # "How much did X spend?" is not answered by cells that hold no amount: the sentences may
        stated = _stated_count(question)
        if finding.kind == "list" and stated is not None and stated != len(finding.columns):
            table = best.table
            message = (
                f"{NOT_IN_REPORT} which {stated} those are: its table “{table.title}” covers only "
                f"{join_names(table.columns)}."
            )
            return [(message, [])], True
        # Other reports' tables that answer the same question: cite each (and so show where they disagree).
        same = [q for s, q in matches if q is not chosen and _same_question(q, best) and not q.unknown_entities]
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

    @staticmethod
    def _asks_for_entries(question: str, query: TableQuery) -> bool:
        """A question about a row asks for the table's entries when it is a yes/no or count question, names
        the kind of entries the table lists (words of its title: "Which partners take part in X?"), or asks
        about a table of values ("What is the cost of coal?"); "What is X?" alone asks what the row is."""
        if query.yes_no or query.wants_count or not is_boolean(query.table):
            return True
        if re.search(r"\b(which|who)\b", question, re.IGNORECASE):
            return True
        title = {stem(w) for w in words(query.table.title)} - {stem(w) for m in query.rows for w in words(m.row.label)}
        return bool(query.wants_list and {stem(w) for w in words(question)} & (title - STOPWORDS))

    @staticmethod
    def _other_words(question: str, table: Table, also: Sequence[str] = ()) -> list[str]:
        """Content words besides the table's own names (its title, its columns, ``also``), compared by stem: a
        question naming only a column ("Tell me about Cape Fern") is a request for its cells; one with other
        words ("the history of Cape Fern") is not."""
        names = {stem(w) for text in [*table.columns, table.title, *also, *ABOUT_WORDS] for w in words(text)}
        return [w for w in words(question) if w not in STOPWORDS and stem(w) not in names and not w.isdigit()]

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
        if finding.kind == "row":
            found: list[Part] = []
            for row in finding.rows:
                listed = "; ".join(f"{c}: {finding.values[(row.label, c)]}" for c in finding.columns)
                cites = self._row_citations(table, [row])
                found.append((f"The report's table “{table.title}” gives for {row.label}: {listed}.", cites[:1]))
                found += [
                    (render_inline(f.plain), [c]) for f, c in zip(table.row_footnotes(row), cites[1:], strict=False)
                ]
            return found
        if finding.kind in ("lookup", "column"):
            parts: list[Part] = []
            for row in finding.rows:
                cells = [(c, finding.values[(row.label, c)]) for c in finding.columns]
                cites = self._row_citations(table, [row], with_notes=finding.kind == "lookup")
                values = {v for _, v in cells}
                lead = ""
                if query.yes_no and finding.kind == "lookup" and len(values) == 1 and len(finding.rows) == 1:
                    lead = f"{values.pop()} — "
                if is_boolean(table):
                    said = f"The report's table marks {join_names([f'{c} “{v}”' for c, v in cells])} for {row.label}."
                else:
                    said = (
                        f"The report's table gives for {row.label}: " + "; ".join(f"{c}: {v}" for c, v in cells) + "."
                    )
                parts.append((f"{lead}{said}", cites[:1]))
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
            text = f"None — none of the {total} entries in the report's table is marked {condition}."
        elif query.wants_count and (stated := self._count_in_notes(query)):
            # the footnote counts the wider population ("agreements with 33 partners"); lead with it
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
            text = f"{join_names(names)} {verb} marked {condition} in the report's table (of {total} entries)."
        n_rows = len(query.rows)
        return [(text, cites[:n_rows]), *[(render_inline(c.quote), [c]) for c in cites[n_rows:]]]
