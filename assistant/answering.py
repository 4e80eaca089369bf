"""Extractive answering: the report's own sentences (or table cells) that answer the question, led by the
direct answer (Yes/No, the number), every sentence cited verbatim. No LLM involved."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping

import numpy as np

from assistant.answer.abstention import AbstentionModel
from assistant.answer.analysis import (
    QueryAnalysis,
    analyse,
    answer_type_bonus,
    asks_series,
    enumerates,
    question_parts,
    question_proper,
    states_answer,
    states_value,
)
from assistant.answer.compound import answer_each_ask
from assistant.answer.corpus import CorpusFacts, corpus_facts, unknown_names
from assistant.answer.definitions import definition_parts
from assistant.answer.draft import NOT_IN_REPORT, Draft, abstain
from assistant.answer.evidence import features_of, missing_hint
from assistant.answer.quoting import quote_units
from assistant.answer.selection import choose, conversation_shift, over_budget, with_items
from assistant.answer.whole import whole_report_draft
from assistant.config import Settings
from assistant.index import Index, LoadedIndex
from assistant.sentences import (
    Unit,
    View,
    compose_views,
    lead_for,
    read_alone,
    units_from_hits,
    views,
)
from assistant.table_answers import TableAnswerer
from assistant.tables import Table, TableRow, row_names
from assistant.text import stem
from assistant.types import Chunk, Citation, Hit

__all__ = ["NOT_IN_REPORT", "Draft", "ExtractiveAnswerer", "abstain"]

# Requests that are not questions about a document (content generation, role play, prompt injection).
_NOT_A_QUESTION = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|prompts?|rules|above)\b|system prompt|"
    r"\byou are (now )?(a|an|my)\b|\byou are now\b|developer mode|\bact as\b|\bpretend\b|\bjailbreak\b|"
    r"^(please )?(write|compose|draft|generate|translate|sing|draw|code|create|tell me a (joke|story|poem))\b",
    re.IGNORECASE,
)
_FOLLOW_UP_WORDS = {stem(w) for w in ("matter", "happen", "lead", "led", "example", "mean", "result", "why", "more")}

PRELOAD_CHUNKS = 5000  # warm-up loads every stored sentence vector of an index up to this size
VECTOR_CACHE_MAX = 60_000  # sentence vectors kept in memory (~90 MB at 384 dimensions)


class ExtractiveAnswerer:
    """Answers from the retrieved chunks: table questions from the cells, others with the best sentences.

    Args:
        index: The index (for document texts, chunks and the embedding model).
        settings: ``abstain_threshold`` and ``max_answer_sentences`` are used here.
    """

    def __init__(self, index: Index, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        self._vectors: dict[str, np.ndarray] = {}
        self._fetched: set[str] = set()  # chunks whose stored sentence vectors are in _vectors
        self._facts = CorpusFacts()  # rebuilt for each index generation
        self._abstention = AbstentionModel(
            settings.answer_bias,
            (
                settings.answer_weight_support,
                settings.answer_weight_coverage,
                settings.answer_weight_missing_numbers,
                settings.answer_weight_missing_names,
                settings.answer_weight_unknown_names,
                settings.answer_weight_type_mismatch,
                settings.answer_weight_rarest_missing,
            ),
            settings.answer_min_probability,
            settings.abstain_threshold,
        )
        self._lock = threading.Lock()

    # -- corpus-level caches (rebuilt when the index generation changes) -----------------------------------
    def _refresh(self, loaded: LoadedIndex) -> None:
        with self._lock:
            if loaded.generation == self._facts.generation:
                return
            self._facts = corpus_facts(loaded.chunks, loaded.generation)
            self._vectors = {}
            self._fetched = set()

    def tables(self) -> list[Table]:
        """Every table of the index (parsed)."""
        self._refresh(self.index.loaded())
        return [table for table, _ in self._facts.tables.values()]

    def row_names(self, table: Table, row: TableRow) -> list[str]:
        return row_names(table, row)

    def warm(self) -> None:
        """Load (or, for an index built without them, embed) every sentence vector of a small corpus up
        front, so the first questions are fast."""
        loaded = self.index.loaded()
        self._refresh(loaded)
        held = self.index.sentence_matrix(loaded)  # read once, when the index is small enough to hold it
        # not held in memory: copy a small index's stored vectors now (~3 per chunk: at most ~25 MB)
        if held is None and len(loaded.chunks) <= PRELOAD_CHUNKS:
            ids = [c.chunk_id for c in loaded.chunks]
            for i in range(0, len(ids), 1000):
                if len(self._vectors) >= VECTOR_CACHE_MAX // 2:
                    break  # leave room for what questions bring in
                self._prefetch(ids[i : i + 1000])
        if len(loaded.chunks) <= 300:
            units = units_from_hits([Hit(c, 0.0) for c in loaded.chunks], self.index.source_text)
            self._embed([v for u in units for v in views(u)])  # only what the store did not have

    # -- entry point ------------------------------------------------------------------------------------------
    def answer(
        self,
        question: str,
        hits: list[Hit],
        qvec: np.ndarray,
        sources: list[str] | None = None,
        previous_answer: str = "",
        stated: str = "",
        context: str = "",
        vectors: Mapping[str, np.ndarray] | None = None,
    ) -> Draft:
        """Answer ``question`` from ``hits``; ``sources`` limits which documents' tables may answer,
        ``previous_answer`` (the assistant's last turn) helps a follow-up move on from what was said,
        ``stated`` (what the user typed, when ``question`` is a rewritten follow-up) is what the evidence must
        hold the names and numbers of, and ``context`` is the earlier question a follow-up with too few words
        of its own is about ("Why?" after "Why did costs rise?"). ``vectors``: the vectors the caller embedded with
        the question of texts derived from it (:func:`~assistant.answer.analysis.question_proper`, the parts of a
        compound question), by text; what is missing is embedded here when needed."""
        self._refresh(self.index.loaded())
        own = question
        question = f"{question} {context}" if context else question  # what is matched: the words and their context
        if _NOT_A_QUESTION.search(own):
            return abstain(
                f"{NOT_IN_REPORT} anything about that: I answer questions about the indexed reports, "
                "quoting the passages that support each answer."
            )
        unknown = unknown_names(own, self._facts.vocabulary)
        report = self._report_in_scope(sources, hits)
        doc = self.index.loaded().documents.get(report) if report else None
        whole = whole_report_draft(
            self._facts, own, doc, self.index.source_text, self.citation, self.settings.summary_max_words
        )
        if whole is not None:
            return whole
        allowed = {k: v for k, v in self._facts.tables.items() if not sources or v[1].source in sources}
        tables = TableAnswerer(allowed, self.citation)
        hit_tables = [h.chunk.table_id for h in hits if h.chunk.table_id]
        own_tables = [t for t, (_, chunk) in allowed.items() if chunk.source == report] if report else []
        if len(own_tables) == 1 and own_tables[0] not in hit_tables:
            hit_tables.append(own_tables[0])  # "the table" of a report that has one table is that table
        from_table = tables.answer(question, hit_tables, self._facts.vocabulary, unknown)
        if from_table is not None:
            parts, abstained = from_table
            kind = "abstain" if abstained else "table"
            return Draft(parts, abstained=abstained, support=0.0 if abstained else 1.0, kind=kind)
        return self._from_sentences(question, own, hits, qvec, previous_answer, sources, stated, vectors or {})

    def _report_in_scope(self, sources: list[str] | None, hits: list[Hit]) -> str | None:
        """The one report a question is answered from: the one it was routed to, the only one indexed, or
        (when nothing narrows it) the one the best passage comes from."""
        if sources and len(sources) == 1:
            return sources[0]
        if len(self._facts.by_source) == 1:
            return next(iter(self._facts.by_source))
        in_scope = [h for h in hits if not sources or h.chunk.source in sources]
        return in_scope[0].chunk.source if in_scope else None

    def _scope_hint(self, hits: list[Hit]) -> str:
        titles = list(dict.fromkeys(h.chunk.title for h in hits))[:2]
        return (" It covers " + " and ".join(f"“{t}”" for t in titles) + ".") if titles else ""

    # -- sentences --------------------------------------------------------------------------------------------
    def citation(self, chunk: Chunk, start: int, end: int) -> Citation:
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

    def _prefetch(self, chunk_ids: list[str]) -> None:
        """Load the sentence vectors stored at ingest for these chunks (one store read, no model call)."""
        wanted = [c for c in chunk_ids if c not in self._fetched]
        if wanted:
            vectors = self.index.sentence_vectors(wanted)
            with self._lock:
                self._make_room(len(vectors))
                self._vectors.update(vectors)
                self._fetched.update(wanted)

    def _embed(self, unit_views: list[View]) -> np.ndarray:
        """Vectors for unit views, cached by key (the same sentences come back across questions); a view the
        store did not have is composed from its text's and heading's vectors, as at ingest."""
        with self._lock:  # a snapshot: another thread may start the cache afresh meanwhile
            found = {v.key: self._vectors[v.key] for v in unit_views if v.key in self._vectors}
        missing = list({v.key: v for v in unit_views if v.key not in found}.values())
        if missing:
            plain = [t for t in dict.fromkeys(t for v in missing for t in (v.text, v.context) if t) if t not in found]
            with self._lock:
                known = {t: self._vectors[t] for t in plain if t in self._vectors}
            made = read_alone(missing, self.index.embedder.encode, self.index.embedder.encode_tokens, known)
            composed = dict(
                zip(
                    (v.key for v in missing),
                    compose_views(missing, {**found, **known, **made}.__getitem__),
                    strict=True,
                )
            )
            found.update(composed)
            with self._lock:
                self._make_room(len(composed) + len(made))
                self._vectors.update(composed)
                self._vectors.update(made)
        return np.stack([found[v.key] for v in unit_views])

    def _make_room(self, n: int) -> None:
        """Keep the sentence-vector cache bounded (a long-running server over a large corpus would otherwise
        end up holding every sentence): when ``n`` more would pass the limit, drop the oldest entries down to
        half of it. What a question has just fetched is the newest, so it stays for that question."""
        if len(self._vectors) + n > VECTOR_CACHE_MAX:
            keep = max(0, VECTOR_CACHE_MAX // 2 - n)
            self._vectors = dict(list(self._vectors.items())[len(self._vectors) - keep :]) if keep else {}
            self._fetched = set()  # chunks are fetched again when asked about (harmless where still cached)

    def support_scores(
        self, question: str, qvec: np.ndarray, units: list[Unit], own: str = "", analysis: QueryAnalysis | None = None
    ) -> np.ndarray:
        """How well each unit supports an answer: meaning (cosine, best view) and shared rare words.

        For a follow-up carrying its context (``question`` is ``own`` followed by the earlier question) the
        user's own words weigh most; the context only breaks ties."""
        own = own or question
        unit_views = [views(u) for u in units]
        vectors = self._embed([v for vs in unit_views for v in vs])
        dense = self._best_view(vectors @ qvec, unit_views)
        lexical = np.array([self._facts.lexicon.coverage(question, u) for u in units])
        if own != question:
            own_words = len(self._facts.lexicon.stems(own) - _FOLLOW_UP_WORDS)
            weight = self.settings.follow_up_own_weight if own_words >= 2 else self.settings.follow_up_short_weight
            own_vec = self.index.embedder.embed_one(own)
            dense = weight * self._best_view(vectors @ own_vec, unit_views) + (1 - weight) * dense
            lexical = weight * np.array([self._facts.lexicon.coverage(own, u) for u in units]) + (1 - weight) * lexical
        analysis = analysis or analyse(own)
        bonus = self.settings.answer_type_bonus * np.array([answer_type_bonus(own, u.text, analysis) for u in units])
        share = self.settings.dense_weight
        return share * np.clip(dense, 0, 1) + (1 - share) * lexical + bonus

    @staticmethod
    def _best_view(sims: np.ndarray, unit_views: list[list[View]]) -> np.ndarray:
        out, i = [], 0
        for vs in unit_views:
            out.append(float(sims[i : i + len(vs)].max()))
            i += len(vs)
        return np.array(out)

    def _from_sentences(
        self,
        question: str,
        own: str,
        hits: list[Hit],
        qvec: np.ndarray,
        previous_answer: str = "",
        scope: list[str] | None = None,
        stated: str = "",
        vectors: Mapping[str, np.ndarray] | None = None,
    ) -> Draft:
        vectors = vectors or {}
        units = units_from_hits(hits, self.index.source_text)
        if not units:
            return abstain(f"{NOT_IN_REPORT} anything about that.{self._scope_hint(hits)}")
        self._prefetch([h.chunk.chunk_id for h in hits])
        analysis = analyse(own)
        scores = self.support_scores(question, qvec, units, own, analysis)
        if previous_answer and own != question:
            scores = scores + conversation_shift(units, previous_answer, self.settings)
        ratio = self.settings.list_follow_ratio if analysis.wants_several else self.settings.follow_ratio
        # the decision weighs the retrieved passages; those joined for a near sentence may only be quoted
        extra = np.array([u.hit.nearest_sentence for u in units], dtype=bool)
        extra &= not extra.all()
        decided = np.where(extra, -1.0, scores)
        order, chosen = choose(units, decided, ratio, self.settings)
        best = decided[order[0]]
        asks = question_parts(own) if own == question else [own]
        per_ask: list[Unit] = []
        parts_lead = ""
        if len(asks) > 1:

            def support(ask: str, vector: np.ndarray) -> np.ndarray:
                return np.where(extra, -1.0, self.support_scores(ask, vector, units, ask, analyse(ask)))

            embed = self.index.embedder.embed_several
            per_ask, parts_lead = answer_each_ask(asks, units, chosen[0], ratio, self.settings, support, embed, vectors)
        chosen = per_ask or chosen  # a compound question is judged on the sentences that answer each of its asks
        features = features_of(self._facts, own, chosen, float(best), scope, stated)
        trace = {"features": features, "probability": self._abstention.probability(features)}
        source = scope[0] if scope else chosen[0].hit.chunk.source
        source_chunks = self._facts.by_source.get(source, [])
        text = self.index.source_text(source) if source_chunks else ""
        defined = definition_parts(own, source_chunks, text, self.citation)
        if not self._abstention.answers(features) and defined:
            return Draft(defined, support=float(best), kind="definition", trace=trace)
        if not self._abstention.answers(features):
            missing = missing_hint(self._facts, stated or own, chosen, scope)
            return abstain(f"{NOT_IN_REPORT} anything that answers this{missing}.{self._scope_hint(hits)}",
                           float(best), trace)  # fmt: skip
        shown = self._quoting_scores(question, own, units, scores, analysis, vectors.get(question_proper(own)))
        if shown is not scores or extra.any():
            scores = shown
            order, chosen = choose(units, scores, ratio, self.settings)
            best = scores[order[0]]
        if (
            self.settings.stop_at_stated_value
            and not per_ask
            and own == question  # in a follow-up, the figure may be the one the last answer gave
            and len(chosen) > 1
            and states_answer(own, analysis, chosen[0].text)
        ):
            chosen = chosen[:1]  # "How many ...?" -- "47 of the 59 recipients requested extensions."
        chosen = per_ask or chosen
        # Another document that answers nearly as well is cited too (reports may add to or contradict each other),
        # unless the question is about one report.
        sources = {u.hit.chunk.source for u in chosen}
        for i in order if not scope or len(scope) > 1 else []:
            unit = units[i]
            if scores[i] < max(self.settings.abstain_threshold, self.settings.other_document_ratio * best):
                break
            if unit.hit.chunk.source not in sources and not over_budget(chosen, unit, self.settings.max_answer_words):
                chosen.append(unit)
                sources.add(unit.hit.chunk.source)
        budget = self.settings.introduced_items_words
        chosen = [with_items(u, self._facts.by_source.get(u.hit.chunk.source, []), self.index.source_text, budget)
                  for u in chosen]  # fmt: skip
        parts = quote_units(chosen, self._facts.tables, self.index.source_text, self.citation)
        lead = parts_lead or lead_for(own, parts[0][0])
        if lead:
            parts[0] = (f"{lead} — {parts[0][0]}", parts[0][1])
        if len(sources) > 1:
            parts = [(f"“{cites[0].title}”: {text}" if cites else text, cites) for text, cites in parts]
        quoted = {c.char_start for p in defined for c in p[1]}
        parts = defined + [p for p in parts if not {c.char_start for c in p[1]} & quoted]
        return Draft(parts, support=float(best), trace=trace)

    def _quoting_scores(
        self,
        question: str,
        own: str,
        units: list[Unit],
        scores: np.ndarray,
        analysis: QueryAnalysis,
        proper_vector: np.ndarray | None = None,
    ) -> np.ndarray:
        """Once the evidence is judged to answer, which of its sentences to quote first: scored against the
        question proper (without the words that only name the report: "In GAO's report on X, which ...?"),
        and preferring those that state the amount asked for. Not in the decision itself: scored this way, an
        unanswerable question finds the sentences about the same thing for another year or program, or some
        sentence holding some amount, and looks answered. Returns ``scores`` itself when nothing changes."""
        proper = question_proper(own) if own == question else own
        if proper != own:
            vector = proper_vector if proper_vector is not None else self.index.embedder.embed_one(proper)
            scores = self.support_scores(proper, vector, units, proper, analysis)
        stated_value = np.array([states_value(analysis, u.text) for u in units], dtype=float)
        if stated_value.any() and self.settings.value_bonus:
            scores = scores + self.settings.value_bonus * stated_value
        if self.settings.series_bonus and asks_series(own, analysis):
            scores = scores + self.settings.series_bonus * np.array([enumerates(u.text) for u in units], dtype=float)
        return scores
