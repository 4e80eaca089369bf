"""Extractive answering: pick the report's own sentences (or table cells) that answer the question, lead
with the direct answer (Yes/No, the number), and cite every sentence verbatim. No LLM involved."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.index import Index, LoadedIndex
from assistant.tables import (
    Table,
    TableFinding,
    TableQuery,
    TableRow,
    analyse,
    answer_table,
    column_aliases,
    row_names,
    table_from_json,
)
from assistant.text import STOPWORDS, render_inline, sentence_spans, stem, words
from assistant.types import Chunk, Citation, Hit

# The sentinel every abstention starts with (UIs and evals recognise it).
NOT_IN_REPORT = "The report does not say"
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "dozen": 12, "twenty": 20, "thirty": 30,
}  # fmt: skip
_NUMBER_NAMES = {v: k for k, v in NUMBER_WORDS.items() if k != "dozen"}
_AUXILIARIES = {"does", "do", "did", "is", "are", "was", "were", "has", "have", "had", "can", "could", "will",
                "would", "should", "must", "may"}  # fmt: skip
_NEGATION = re.compile(r"\b(not|no|never|neither|nor|without|cannot)\b|n't\b", re.IGNORECASE)
_UNIVERSAL = re.compile(r"\b(all|every|each|both)\b", re.IGNORECASE)
_ANAPHORIC_START = re.compile(r"^(this|these|that|those|such|it|they|without (such|doing this|this))\b", re.I)
# Requests that are not questions about a document (content generation, role play, prompt injection).
_NOT_A_QUESTION = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|prompts?|rules|above)\b|system prompt|"
    r"\byou are (now )?(a|an|my)\b|\bact as\b|\bpretend\b|\bjailbreak\b|"
    r"^(please )?(write|compose|draft|generate|translate|sing|draw|code|create|tell me a (joke|story))\b",
    re.IGNORECASE,
)
_NAME_TOKEN = re.compile(r"(?<![\w.])[A-Za-z][\w'’.-]*[A-Za-z]")
# Words that ask *about* a table entry rather than for something outside it ("What does the table show for X?")
_ABOUT_WORDS = {"table", "show", "shows", "say", "mean", "list", "describe", "summarize", "summary", "involvement",
                "participation", "role", "status", "cooperation", "relationship", "engagement", "part", "take",
                "marked", "listed", "entry", "entries", "row", "column", "value", "values"}  # fmt: skip
_COUNTRY_WORDS = {
    "country",
    "countri",
    "nation",
    "partner",
    "ally",
    "alli",
    "member",
    "participant",
    "who",
    "which",
}


@dataclass
class Draft:
    """An answer being assembled: sentences, each with the citations that support it."""

    parts: list[tuple[str, list[Citation]]]
    abstained: bool = False

    def render(self) -> tuple[str, list[Citation]]:
        citations: list[Citation] = []
        numbered: dict[tuple[str, int, int], int] = {}
        sentences = []
        for text, cites in self.parts:
            marks = []
            for c in cites:
                key = (c.source, c.char_start, c.char_end)
                if key not in numbered:
                    numbered[key] = len(citations) + 1
                    citations.append(Citation(**{**c.to_dict(), "n": numbered[key]}))
                marks.append(f"[{numbered[key]}]")
            sentences.append(_attach(text, "".join(marks)))
        return " ".join(sentences), citations


def _name_key(token: str) -> str:
    return re.sub(r"['’]s$", "", token).lower().rstrip(".")


def _attach(text: str, marks: str) -> str:
    """Put citation markers inside the sentence, before its final punctuation: "... in space [1]."."""
    if not marks:
        return text
    match = re.search(r"[.!?]+[\"'”’)]*$", text)
    if match:
        return f"{text[: match.start()]} {marks}{text[match.start() :]}"
    return f"{text} {marks}"


def abstain(message: str) -> Draft:
    return Draft([(message, [])], abstained=True)


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class ExtractiveAnswerer:
    """Answers from the retrieved chunks: table questions from the cells, others with the best sentences."""

    def __init__(self, index: Index, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        self._sentence_vectors: dict[str, np.ndarray] = {}
        self._generation = ""
        self._tables: dict[str, tuple[Table, Chunk]] = {}
        self._vocabulary: set[str] = set()
        self._df: dict[str, int] = {}
        self._lock = threading.Lock()

    # -- corpus-level caches (rebuilt when the index generation changes) -----------------------------------
    def _refresh(self, loaded: LoadedIndex) -> None:
        with self._lock:
            if loaded.generation == self._generation:
                return
            self._tables = {}
            self._vocabulary = set()
            df: dict[str, int] = {}
            for chunk in loaded.chunks:
                if chunk.kind == "table" and chunk.table_json:
                    table = table_from_json(chunk.table_json)
                    self._tables[chunk.table_id] = (table, chunk)
                    self._vocabulary |= {alias for c in table.columns for alias in column_aliases(c)}
                text = f"{chunk.text} {chunk.title} {chunk.section}"
                tokens = set(words(text))
                self._vocabulary |= tokens | {_name_key(n) for n in _NAME_TOKEN.findall(text)}
                for s in {stem(t) for t in tokens}:
                    df[s] = df.get(s, 0) + 1
            self._df = df
            self._sentence_vectors = {}
            self._generation = loaded.generation

    def tables(self) -> list[Table]:
        """Every table of the index (parsed)."""
        self._refresh(self.index.loaded())
        return [table for table, _ in self._tables.values()]

    def row_names(self, table: Table, row: TableRow) -> list[str]:
        return row_names(table, row)

    def _idf(self, token_stem: str, n_chunks: int) -> float:
        return float(np.log(1 + n_chunks / (1 + self._df.get(token_stem, 0))))

    # -- entry point ------------------------------------------------------------------------------------------
    def answer(self, question: str, hits: list[Hit], qvec: np.ndarray) -> Draft:
        loaded = self.index.loaded()
        self._refresh(loaded)
        if _NOT_A_QUESTION.search(question):
            return abstain(
                f"{NOT_IN_REPORT} anything about that: I answer questions about the indexed reports, "
                "quoting the passages that support each answer."
            )
        unknown = self._unknown_names(question)
        table_draft = self._try_table(question, hits, unknown)
        if table_draft is not None:
            return table_draft
        if unknown:
            return abstain(f"{NOT_IN_REPORT}: it does not mention {_join(unknown)}.{self._scope_hint(hits)}")
        return self._answer_from_sentences(question, hits, qvec, loaded)

    def _scope_hint(self, hits: list[Hit]) -> str:
        if not hits:
            return ""
        titles = list(dict.fromkeys(h.chunk.title for h in hits))[:2]
        return " It covers " + " and ".join(f"“{t}”" for t in titles) + "."

    def _unknown_names(self, question: str) -> list[str]:
        """Capitalised names in the question that occur nowhere in the corpus."""
        names = []
        first = re.match(r"\W*([\w'’.-]+)", question)
        for token in _NAME_TOKEN.findall(question):
            if not token[0].isupper() or (first and question.find(token) == first.start(1)):
                continue
            key = _name_key(token)
            if key not in self._vocabulary and key not in STOPWORDS:
                names.append(re.sub(r"['’]s$", "", token))
        return list(dict.fromkeys(names))

    # -- tables -----------------------------------------------------------------------------------------------
    def _try_table(self, question: str, hits: list[Hit], unknown: list[str]) -> Draft | None:
        hit_tables = [h.chunk.table_id for h in hits if h.chunk.table_id]
        candidates = list(dict.fromkeys(hit_tables + (list(self._tables) if len(self._tables) <= 50 else [])))
        best: TableQuery | None = None
        for table_id in candidates:
            if table_id not in self._tables:
                continue
            query = analyse(question, self._tables[table_id][0], self._vocabulary, unknown)
            strength = 2 * len(query.columns) + len(query.rows) + (0.5 if table_id in hit_tables[:3] else 0)
            if query.relevant and (best is None or strength > 2 * len(best.columns) + len(best.rows)):
                best = query
        stems = {stem(w) for w in words(question)}
        if best is None:
            if stem("table") in stems and hit_tables:
                return self._describe_table(self._tables[hit_tables[0]][0], question)
            return None
        asks_about_countries = bool(stems & _COUNTRY_WORDS) or best.yes_no or best.wants_count
        if not best.columns and not asks_about_countries:
            return None  # e.g. "What does OOD stand for?": the footnote sentence answers that
        if not best.rows and self._foreign_words(question, best.table):
            return None  # "What is the capital of France?" names a column but asks what the table cannot say
        if best.unknown_entities:
            table = best.table
            return abstain(
                f"{NOT_IN_REPORT}: {_join(best.unknown_entities)} is not among the countries in its table "
                f"“{table.title}”, which covers {_join(table.columns)}."
            )
        finding = answer_table(best)
        return self._phrase_table(best, finding) if finding else None

    def _foreign_words(self, question: str, table: Table) -> list[str]:
        """Content words of the question that the corpus never uses (besides the table's own names)."""
        names = {w for c in table.columns for w in words(c)} | _ABOUT_WORDS
        return [
            w
            for w in words(question)
            if w not in STOPWORDS and w not in names and w not in self._vocabulary and stem(w) not in self._df
        ]

    def _row_citations(self, table: Table, rows: list[Any], with_notes: bool = True) -> list[Citation]:
        source = self._tables[table.table_id][1]
        cites = [self._citation(source, r.start, r.end) for r in rows]
        if with_notes:
            for row in rows:
                cites += [self._citation(source, f.start, f.end) for f in table.row_footnotes(row)]
        return cites

    def _describe_table(self, table: Table, question: str) -> Draft:
        chunk = self._tables[table.table_id][1]
        cite = [self._citation(chunk, table.header_start, table.header_end)] if table.header_start >= 0 else []
        n = len(table.columns)
        lead = f"{_sentence_case(_NUMBER_NAMES.get(n, str(n)))} — " if "how many" in question.lower() else ""
        rows = ", ".join(r.label for r in table.rows)
        return Draft([(f"{lead}The table “{table.title}” covers {_join(table.columns)} ({rows}).", cite)])

    def _phrase_table(self, query: TableQuery, finding: TableFinding) -> Draft:
        table = query.table
        if finding.kind in ("lookup", "column"):
            parts = []
            for row in finding.rows:
                cells = [(c, finding.values[(row.label, c)]) for c in finding.columns]
                cites = self._row_citations(table, [row], with_notes=finding.kind == "lookup")
                values = {v for _, v in cells}
                lead = ""
                if query.yes_no and finding.kind == "lookup" and len(values) == 1 and len(finding.rows) == 1:
                    lead = f"{values.pop()} — "
                marked = _join([f"{c} “{v}”" for c, v in cells])
                parts.append((f"{lead}The report's table marks {marked} for {row.label}.", cites[:1]))
                notes = table.row_footnotes(row)
                parts += [(render_inline(f.plain), [c]) for f, c in zip(notes, cites[1:], strict=False)]
            if finding.kind == "column":
                parts = [p for p in parts if p[1]]
            return Draft(parts)
        # a list of columns (countries) matching conditions on one or more rows
        conditions = []
        for mention in query.rows:
            value = "No" if mention.negated else "Yes"
            if query.explicit_value and len(query.rows) == 1:
                value = query.explicit_value
            conditions.append(f"“{value}” for {mention.row.label}")
        condition = " and ".join(conditions)
        cites = self._row_citations(table, [m.row for m in query.rows])
        total = len(table.columns)
        names = finding.columns
        if not names:
            text = f"None — none of the {total} countries in the report's table is marked {condition}."
        elif query.wants_count:
            count = _NUMBER_NAMES.get(len(names), str(len(names)))
            text = f"{_sentence_case(count)} — {_join(names)} (of the {total} in the table) are marked {condition}."
        elif query.yes_no:
            text = f"Yes — {_join(names)} {'is' if len(names) == 1 else 'are'} marked {condition}."
        else:
            verb = "is" if len(names) == 1 else "are"
            text = f"{_join(names)} {verb} marked {condition} in the report's table (of {total} countries)."
        row_cites = cites[: len(query.rows)]
        notes = [(render_inline(c.quote), [c]) for c in cites[len(query.rows) :]]
        return Draft([(text, row_cites), *notes])

    # -- sentences ----------------------------------------------------------------------------------------------
    def _citation(self, chunk: Chunk, start: int, end: int) -> Citation:
        text = self.index.source_text(chunk.source)
        return Citation(
            n=0,
            source=chunk.source,
            title=chunk.title,
            section=chunk.section,
            quote=text[start:end],
            chunk_id=chunk.chunk_id,
            char_start=start,
            char_end=end,
            page=chunk.page,
            printed_page=chunk.printed_page,
        )

    def _sentence_candidates(self, hits: list[Hit]) -> list[tuple[Hit, int, int, str]]:
        seen: set[tuple[str, int, int]] = set()
        out = []
        for hit in hits:
            chunk = hit.chunk
            if chunk.kind == "table":
                continue
            text = self.index.source_text(chunk.source)
            if chunk.kind == "table_row":
                spans = [(chunk.char_start, chunk.char_end)]
            else:
                spans = sentence_spans(text, chunk.char_start, chunk.char_end)
            for s, e in spans:
                key = (chunk.source, s, e)
                if key in seen:
                    continue
                seen.add(key)
                reading = chunk.text if chunk.kind == "table_row" else render_inline(text[s:e])
                if chunk.section and chunk.section != chunk.title:
                    reading = f"{chunk.section}: {reading}"
                out.append((hit, s, e, reading))
        return out

    def _embed_texts(self, texts: list[str]) -> np.ndarray:
        """Vectors for sentence views, cached by text (sentences recur across questions)."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._sentence_vectors))
        if missing:
            vectors = self.index.embedder.encode(missing)
            with self._lock:
                self._sentence_vectors.update(zip(missing, vectors, strict=True))
        return np.stack([self._sentence_vectors[t] for t in texts])

    def _dense_support(self, qvec: np.ndarray, readings: list[str]) -> np.ndarray:
        """Cosine of the question with each sentence, or with its leading clause when that is closer
        (a long sentence's first clause often carries the fact: "GAO is making three recommendations")."""
        views = [_views(r) for r in readings]
        flat = [v for vs in views for v in vs]
        sims = self._embed_texts(flat) @ qvec
        out, i = [], 0
        for vs in views:
            out.append(float(sims[i : i + len(vs)].max()))
            i += len(vs)
        return np.array(out)

    def warm(self) -> None:
        """Embed every sentence of a small corpus up front, so the first questions are fast."""
        loaded = self.index.loaded()
        self._refresh(loaded)
        if len(loaded.chunks) <= 300:
            hits = [Hit(c, 0.0) for c in loaded.chunks]
            self._embed_texts([v for *_, r in self._sentence_candidates(hits) for v in _views(r)])

    def support_scores(
        self, question: str, qvec: np.ndarray, candidates: list[tuple[Hit, int, int, str]]
    ) -> np.ndarray:
        """How well each candidate sentence supports an answer (0..1): meaning and shared rare words."""
        n_chunks = max(1, len(self.index.loaded().chunks))
        q_stems = {stem(w) for w in words(question) if w not in STOPWORDS}
        weights = {s: self._idf(s, n_chunks) for s in q_stems}
        total = sum(weights.values()) or 1.0
        dense = self._dense_support(qvec, [t for *_, t in candidates])
        lexical = np.array(
            [sum(weights[s] for s in q_stems & {stem(w) for w in words(t)}) / total for *_, t in candidates]
        )
        bonus = np.array([_answer_type_bonus(question, t) for *_, t in candidates])
        return 0.7 * np.clip(dense, 0, 1) + 0.3 * lexical + bonus

    def _answer_from_sentences(self, question: str, hits: list[Hit], qvec: np.ndarray, loaded: LoadedIndex) -> Draft:
        candidates = self._sentence_candidates(hits)
        if not candidates:
            return abstain(f"{NOT_IN_REPORT} anything about that.")
        scores = self.support_scores(question, qvec, candidates)
        order = list(np.argsort(-scores))
        best = order[0]
        if scores[best] < self.settings.abstain_threshold:
            return abstain(f"{NOT_IN_REPORT} anything that answers this question.{self._scope_hint(hits)}")
        chosen = [best]
        for i in order[1 : self.settings.max_answer_sentences]:
            if scores[i] >= max(self.settings.abstain_threshold, 0.93 * scores[best]):
                chosen.append(i)
        spans = []
        for i in chosen:
            hit, s, e, _ = candidates[i]
            spans.append((hit.chunk, s, e))
            previous = self._previous_sentence(hit.chunk, s)
            if _ANAPHORIC_START.match(self.index.source_text(hit.chunk.source)[s:e]) and previous:
                spans.insert(len(spans) - 1, (hit.chunk, *previous))
        spans = list(dict.fromkeys(spans))[: self.settings.max_answer_sentences]
        parts = []
        for chunk, s, e in spans:
            cite = self._citation(chunk, s, e)
            parts.append((render_inline(cite.quote) if chunk.kind != "table_row" else chunk.text, [cite]))
        lead = self._lead(question, parts[0][0])
        if lead:
            parts[0] = (f"{lead} — {parts[0][0]}", parts[0][1])
        return Draft(parts)

    def _previous_sentence(self, chunk: Chunk, start: int) -> tuple[int, int] | None:
        text = self.index.source_text(chunk.source)
        spans = [sp for sp in sentence_spans(text, chunk.char_start, chunk.char_end) if sp[1] <= start]
        return spans[-1] if spans else None

    def _lead(self, question: str, sentence: str) -> str:
        """The direct answer that goes before the quoted sentence: Yes/No, or the number asked for."""
        q_words = words(question)
        if q_words and q_words[0] in _AUXILIARIES:
            q_neg = bool(_NEGATION.search(question))
            clause = _best_clause(question, sentence)
            s_neg = bool(_NEGATION.search(clause))
            if _UNIVERSAL.search(question) and _NEGATION.search(sentence):
                s_neg = True  # "Did DOD concur with all ...?" -- "... and did not concur with the third."
            return "No" if q_neg != s_neg else "Yes"
        count = _count_in(question, sentence)
        if count:
            return _sentence_case(count)
        return ""


def _views(reading: str) -> list[str]:
    """A sentence, plus its leading clause when the sentence is long."""
    tokens = reading.split()
    if len(tokens) <= 20:
        return [reading]
    match = re.search(r"^(?:\S+\s+){4,}?\S+?,", reading)
    return [reading, match.group(0).rstrip(",")] if match else [reading]


def _count_in(question: str, sentence: str) -> str | None:
    """The number in ``sentence`` that counts what a "how many X" question asks about."""
    match = re.search(r"\bhow many ([\w-]+)", question, re.IGNORECASE)
    if not match:
        return None
    target = stem(match.group(1).lower())
    tokens = words(sentence)
    for i, token in enumerate(tokens):
        if (token in NUMBER_WORDS or token.isdigit()) and any(stem(t) == target for t in tokens[i + 1 : i + 4]):
            return token
    return None


def _answer_type_bonus(question: str, sentence: str) -> float:
    """A sentence that has the kind of thing asked for (the count, the date) is a better answer."""
    q = question.lower()
    if "how many" in q:
        return 0.1 if _count_in(question, sentence) else 0.0
    if q.startswith("when") or "what year" in q or "what date" in q:
        return 0.1 if re.search(r"\b(19|20)\d\d\b", sentence) else 0.0
    return 0.0


def _best_clause(question: str, sentence: str) -> str:
    """The clause of ``sentence`` that shares most content words with ``question``."""
    clauses = re.split(
        r",\s*(?:but|and|while|whereas)\s+|;\s*|\s+but\s+|\s+and\s+(?=did|does|has|have|is|are|was)", sentence
    )
    q = {stem(w) for w in words(question) if w not in STOPWORDS}
    return max(clauses, key=lambda c: len(q & {stem(w) for w in words(c)}))
